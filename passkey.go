package clientele

import "time"

// Passkey is a WebAuthn credential registered by a user. Its credential id
// is unique across every agency; the public key verifies the user's
// assertions, and SignCount detects cloned authenticators.
type Passkey struct {
	// ID is the credential id chosen by the authenticator.
	ID       []byte
	AgencyID AgencyID
	UserID   UserID
	// Name is the user's label for it, e.g. "MacBook".
	Name      string
	PublicKey []byte
	// AttestationType and AAGUID describe the authenticator.
	AttestationType string
	AAGUID          []byte
	SignCount       uint32
	// Transports are the authenticator's transports ("internal", "usb"...).
	Transports []string
	// BackupEligible and BackupState are the credential's backup flags.
	BackupEligible bool
	BackupState    bool
	CreatedAt      time.Time
	// LastUsedAt is nil until the first sign-in with it.
	LastUsedAt *time.Time
}
