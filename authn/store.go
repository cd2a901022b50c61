package authn

import (
	"context"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// Store is the storage the authn service needs. Implementations must be
// safe for concurrent use. Every method confined to an agency takes it and
// answers clientele.ErrMissingScope when it is empty.
type Store interface {
	// Agency returns the agency id (for its portal's relying party), or
	// clientele.ErrNotFound.
	Agency(ctx context.Context, id clientele.AgencyID) (clientele.Agency, error)
	// RecordActivity sets the membership's last-active time to at.
	RecordActivity(ctx context.Context, client clientele.ClientID, user clientele.UserID, at time.Time) error
	CredentialStore
	SessionStore
	PasskeyStore
	CeremonyStore
	LimitStore
	DeviceStore
}

// CredentialStore reads and updates what a user signs in with.
type CredentialStore interface {
	// Credentials returns the agency's user with email and its password
	// hash ("" when it has none), or clientele.ErrNotFound.
	Credentials(ctx context.Context, agency clientele.AgencyID, email clientele.Email) (clientele.User, string, error)
	// SetPasswordHash replaces the user's password hash; a missing user
	// answers clientele.ErrNotFound. It is the silent re-hash at sign-in:
	// it records no audit event and queues no notice.
	SetPasswordHash(ctx context.Context, agency clientele.AgencyID, user clientele.UserID, hash string) error
	// ChangePassword replaces the password hash of the agency's user and
	// records change in the same atomic step (user.password_change: the
	// user; no Before or After; see [CredentialChange]). A user that is
	// missing or of another agency answers clientele.ErrNotFound. On any
	// error nothing changes.
	ChangePassword(ctx context.Context, agency clientele.AgencyID, user clientele.UserID, hash string, change CredentialChange) error
	// Memberships returns the user's memberships in the agency's clients,
	// any status, ordered by client id.
	Memberships(ctx context.Context, agency clientele.AgencyID, user clientele.UserID) ([]clientele.Membership, error)
}

// SessionStore keeps server-side sessions, found by the SHA-256 hash of
// their token.
type SessionStore interface {
	// CreateSession stores s. A duplicate hash answers clientele.ErrDuplicate;
	// a membership that does not exist answers clientele.ErrNotFound.
	CreateSession(ctx context.Context, s Session) error
	// ResolveSession returns, in one indexed read, the session with hash
	// together with the current membership it acts through and its
	// client's current permissions. A session that does not exist, whose
	// membership was removed, or that is past s.ExpiresAt or idle since
	// before idleSince at now answers clientele.ErrNotFound. The membership
	// may be deactivated: the caller decides.
	ResolveSession(ctx context.Context, hash []byte, now, idleSince time.Time) (Resolved, error)
	// TouchSession sets the session's LastSeenAt to at.
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	// DeleteSession deletes one session; a missing one is not an error.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteUserSessions deletes every session of the user in the agency
	// and returns how many there were.
	DeleteUserSessions(ctx context.Context, agency clientele.AgencyID, user clientele.UserID) (int, error)
}

// PasskeyStore keeps WebAuthn credentials.
type PasskeyStore interface {
	// CreatePasskey stores p and records change in the same atomic step
	// (user.passkey_add: p's user; After the passkey; see
	// [CredentialChange]). A credential id already registered (by any
	// user of any agency) answers clientele.ErrDuplicate; an unknown user,
	// or one of another agency, answers clientele.ErrNotFound. On any
	// error nothing changes.
	CreatePasskey(ctx context.Context, p clientele.Passkey, change CredentialChange) error
	// Passkey returns the credential with id, or clientele.ErrNotFound.
	Passkey(ctx context.Context, id []byte) (clientele.Passkey, error)
	// Passkeys lists the user's credentials, oldest first.
	Passkeys(ctx context.Context, agency clientele.AgencyID, user clientele.UserID) ([]clientele.Passkey, error)
	// DeletePasskey deletes the user's credential id and records change
	// in the same atomic step (user.passkey_remove: the user; Before the
	// passkey; see [CredentialChange]); another user's or a missing one
	// answers clientele.ErrNotFound. On any error nothing changes.
	DeletePasskey(ctx context.Context, agency clientele.AgencyID, user clientele.UserID, id []byte, change CredentialChange) error
	// UsePasskey records a sign-in: it sets the sign count to next and
	// LastUsedAt to at only while the stored count is still prev
	// (compare-and-swap); otherwise it answers ErrCounterMismatch.
	UsePasskey(ctx context.Context, id []byte, prev, next uint32, at time.Time) error
}

// CredentialChange is what a store records with a change to a user's
// credentials, in the same atomic step as the change.
//
// The audit event is agency-level (ClientID empty: a credential belongs
// to the user, not to one client). A stamp that fails
// [clientele.AuditEvent.CheckStamp], and a Notice that fails
// [invite.CheckNotice], is not for the changed user and agency, does not
// name the change (NoticePasskeyAdded for CreatePasskey,
// NoticePasskeyRemoved for DeletePasskey, NoticePasswordChanged for
// ChangePassword) or whose client is not the agency's, answer
// clientele.ErrInvalidArgument; an event or delivery id that exists
// answers clientele.ErrDuplicate. Either way nothing changes.
type CredentialChange struct {
	// Audit is the change's audit event with the caller's stamp (ID, At,
	// Actor, IP); the store fills AgencyID, Action, Target and
	// Before/After from the rows it changes.
	Audit clientele.AuditEvent
	// Notice, when set, is the security notice queued for the user (an
	// invite.Delivery of KindNotice).
	Notice *invite.Delivery
}

// CeremonyStore keeps the server side of WebAuthn ceremonies between their
// two requests, so that any process may finish what another began.
type CeremonyStore interface {
	// SaveCeremony stores c; a duplicate id answers clientele.ErrDuplicate.
	SaveCeremony(ctx context.Context, c Ceremony) error
	// TakeCeremony deletes and returns the ceremony with id if it has not
	// expired at now; of concurrent calls one gets it. A missing, taken or
	// expired one answers clientele.ErrNotFound.
	TakeCeremony(ctx context.Context, id []byte, now time.Time) (Ceremony, error)
}

// DeviceStore remembers browsers that signed in to an account, found by
// the SHA-256 hash of their device token.
type DeviceStore interface {
	// SaveDevice stores d. A duplicate hash answers clientele.ErrDuplicate;
	// a user that does not exist in d.AgencyID clientele.ErrNotFound.
	SaveDevice(ctx context.Context, d Device) error
	// Device returns the device with hash if it has not expired at now;
	// a missing or expired one answers clientele.ErrNotFound. Expired
	// devices may be forgotten.
	Device(ctx context.Context, hash []byte, now time.Time) (Device, error)
}

// Device is a browser that signed in to a user's account, remembered
// through a long-lived cookie holding its token (see Limits).
type Device struct {
	// TokenHash is the SHA-256 hash of the device token; the token itself
	// is never stored.
	TokenHash []byte
	AgencyID  clientele.AgencyID
	UserID    clientele.UserID
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LimitStore counts attempts in fixed windows, shared by every process
// that uses the store.
type LimitStore interface {
	// Hit adds one attempt under key in the window starting at window and
	// returns the window's count including it. Windows that ended before
	// now may be forgotten.
	Hit(ctx context.Context, key string, window, now time.Time) (int, error)
	// Clear forgets key's attempts in the window (after a success).
	Clear(ctx context.Context, key string, window time.Time) error
}

// Session is a signed-in user acting in one client.
type Session struct {
	// TokenHash is the SHA-256 hash of the session token; the token itself
	// is never stored.
	TokenHash []byte
	AgencyID  clientele.AgencyID
	ClientID  clientele.ClientID
	UserID    clientele.UserID
	CreatedAt time.Time
	// SignedInAt is when the user last proved who they are (a password,
	// a passkey, an account set up from an invitation): at or before
	// CreatedAt, as a session started from another one without a new
	// proof keeps that one's. Credential changes need it recent.
	SignedInAt time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute end of the session.
	ExpiresAt time.Time
}

// Resolved is a session with the current state of its membership and
// client.
type Resolved struct {
	Session Session
	// Member is the membership as it is now: role and status.
	Member clientele.Member
	// Permissions are the client's permissions as they are now.
	Permissions clientele.PermissionSet
}

// CeremonyKind tells which WebAuthn ceremony a Ceremony belongs to.
type CeremonyKind string

// The kinds of ceremony.
const (
	CeremonyRegister CeremonyKind = "register"
	CeremonyLogin    CeremonyKind = "login"
)

// Ceremony is the server side of a WebAuthn ceremony in progress.
type Ceremony struct {
	// ID is the SHA-256 hash of the ceremony token given to the browser.
	ID       []byte
	Kind     CeremonyKind
	AgencyID clientele.AgencyID
	// UserID is the user being registered (empty for a discoverable login).
	UserID clientele.UserID
	// Data is the library's session data, opaque to the store.
	Data      []byte
	ExpiresAt time.Time
}
