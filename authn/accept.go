package authn

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/passkey"
	"github.com/clientele/clientele/internal/token"
	"github.com/clientele/clientele/invite"
)

// AcceptInvitation accepts an invitation with a password (see
// invite.Service.Accept) and starts the new member's session. Attempts are
// rate limited per IP.
func (s *Service) AcceptInvitation(ctx context.Context, r invite.AcceptRequest, ip netip.Addr) (string, Identity, error) {
	if err := s.allow(ctx, s.limits.AcceptPerIP, limitKey("accept", "ip", ip.String())); err != nil {
		return "", Identity{}, err
	}
	inv, err := s.invites.Pending(ctx, r.Token)
	if err != nil {
		return "", Identity{}, err
	}
	m, err := s.invites.Accept(ctx, r)
	if err != nil {
		return "", Identity{}, err
	}
	return s.startSession(ctx, inv.AgencyID, m.ClientID, m.UserID)
}

// BeginPasskeySetup starts setting up a new account with a passkey from
// an invitation link. An email that already has an account answers
// invite.ErrHasAccount (that user signs in instead); an unusable link its
// invite error.
func (s *Service) BeginPasskeySetup(ctx context.Context, inviteToken string) (PasskeyCeremony, error) {
	preview, err := s.invites.Lookup(ctx, inviteToken)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	if preview.HasAccount {
		return PasskeyCeremony{}, invite.ErrHasAccount
	}
	rp, err := s.relyingParty(ctx, preview.AgencyID)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	user := clientele.UserID(clientele.NewID("usr"))
	opts, state, err := s.webauthn.BeginRegistration(ctx, rp, passkey.User{ID: user, Email: preview.Email, Name: string(preview.Email)}, nil)
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("authn: passkey setup: %w", err)
	}
	inv, err := token.Hash(inviteToken)
	if err != nil {
		return PasskeyCeremony{}, invite.ErrUnknownToken
	}
	return s.begin(ctx, CeremonyRegister, preview.AgencyID, user, ceremonyData{State: state, Invitation: inv}, opts)
}

// PasskeySetupRequest finishes an account setup with a passkey.
type PasskeySetupRequest struct {
	// Invitation is the token of the invitation link.
	Invitation string
	// Ceremony is the token BeginPasskeySetup returned.
	Ceremony string
	// Response is the JSON of the browser's PublicKeyCredential.
	Response []byte
	// Name is the new user's name; Password is optional besides the
	// passkey; PasskeyName labels the passkey.
	Name, Password, PasskeyName string
	IP                          netip.Addr
}

// FinishPasskeySetup verifies the new passkey, accepts the invitation with
// it (and the password, if any) in one step and starts the session.
func (s *Service) FinishPasskeySetup(ctx context.Context, r PasskeySetupRequest) (string, Identity, error) {
	if err := s.allow(ctx, s.limits.AcceptPerIP, limitKey("accept", "ip", r.IP.String())); err != nil {
		return "", Identity{}, err
	}
	inv, err := s.invites.Pending(ctx, r.Invitation)
	if err != nil {
		return "", Identity{}, err
	}
	c, d, err := s.take(ctx, r.Ceremony, CeremonyRegister, inv.AgencyID)
	if err != nil {
		return "", Identity{}, err
	}
	if !bytes.Equal(inv.TokenHash, d.Invitation) {
		return "", Identity{}, fmt.Errorf("%w: ceremony of another invitation", ErrCeremony)
	}
	rp, err := s.relyingParty(ctx, inv.AgencyID)
	if err != nil {
		return "", Identity{}, err
	}
	pk, err := s.webauthn.FinishRegistration(ctx, rp, passkey.User{ID: c.UserID, Email: inv.Email, Name: string(inv.Email)}, d.State, r.Response)
	if err != nil {
		return "", Identity{}, verifyFailed(err)
	}
	pk.Name = passkeyName(r.PasskeyName)
	m, err := s.invites.Accept(ctx, invite.AcceptRequest{Token: r.Invitation, Name: r.Name, Password: r.Password, Passkey: &pk})
	if err != nil {
		return "", Identity{}, err
	}
	return s.startSession(ctx, inv.AgencyID, m.ClientID, m.UserID)
}
