package passkey

import (
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/clientele/clientele"
)

// User is the portal user a passkey is registered for. ID becomes the
// credential's user handle (1 to 64 bytes); Email is the account name the
// authenticator shows, Name the display name (Email when empty).
type User struct {
	ID    clientele.UserID
	Email clientele.Email
	Name  string
}

func (u User) validate() error {
	if n := len(u.ID); n < protocol.MinimumUserHandleLength || n > protocol.MaximumUserHandleLength {
		return fmt.Errorf("%w: user id must be 1 to 64 bytes", clientele.ErrInvalidArgument)
	}
	if u.Email == "" {
		return fmt.Errorf("%w: user email is empty", clientele.ErrInvalidArgument)
	}
	return nil
}

// libraryUser adapts a user and its credentials to go-webauthn's User.
type libraryUser struct {
	id          []byte
	name        string
	displayName string
	credentials []webauthn.Credential
}

func (u *libraryUser) WebAuthnID() []byte                         { return u.id }
func (u *libraryUser) WebAuthnName() string                       { return u.name }
func (u *libraryUser) WebAuthnDisplayName() string                { return u.displayName }
func (u *libraryUser) WebAuthnCredentials() []webauthn.Credential { return u.credentials }

func registering(u User) *libraryUser {
	display := u.Name
	if display == "" {
		display = string(u.Email)
	}
	return &libraryUser{id: []byte(u.ID), name: string(u.Email), displayName: display}
}

// signingIn is the owner of p as go-webauthn sees it during an assertion:
// its user handle is p.UserID and p is its only credential.
func signingIn(p clientele.Passkey) *libraryUser {
	return &libraryUser{id: []byte(p.UserID), credentials: []webauthn.Credential{credentialOf(p)}}
}

func credentialOf(p clientele.Passkey) webauthn.Credential {
	transports := make([]protocol.AuthenticatorTransport, len(p.Transports))
	for i, t := range p.Transports {
		transports[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{
		ID:              p.ID,
		PublicKey:       p.PublicKey,
		AttestationType: p.AttestationType,
		Transport:       transports,
		Flags:           webauthn.CredentialFlags{BackupEligible: p.BackupEligible, BackupState: p.BackupState},
		Authenticator:   webauthn.Authenticator{AAGUID: p.AAGUID, SignCount: p.SignCount},
	}
}

func passkeyOf(c *webauthn.Credential, user clientele.UserID) clientele.Passkey {
	var transports []string
	for _, t := range c.Transport {
		transports = append(transports, string(t))
	}
	return clientele.Passkey{
		ID:              c.ID,
		UserID:          user,
		PublicKey:       c.PublicKey,
		AttestationType: c.AttestationType,
		AAGUID:          c.Authenticator.AAGUID,
		SignCount:       c.Authenticator.SignCount,
		Transports:      transports,
		BackupEligible:  c.Flags.BackupEligible,
		BackupState:     c.Flags.BackupState,
	}
}

func descriptors(passkeys []clientele.Passkey) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, 0, len(passkeys))
	for _, p := range passkeys {
		c := credentialOf(p)
		out = append(out, c.Descriptor())
	}
	return out
}
