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

// AcceptRequest is an invitation acceptance at one agency's portal.
type AcceptRequest struct {
	// AgencyID is the portal's agency: another agency's link is unknown
	// here.
	AgencyID clientele.AgencyID
	// Token is the token of the invitation link.
	Token string
	// Name and Password set up a new account. When the invited email
	// already has an account, Password (if set) is instead that account's
	// current password, the proof that the caller is its owner; a wrong
	// one counts as a failed sign-in (see [Limits]).
	Name, Password string
	// Session, when set, is the caller's current session as Resolve
	// returned it: one of the invited email's user is the proof that the
	// caller is that account, and Password may then be empty.
	Session *Identity
	// IP is the client's address, for rate limiting (see ClientIP).
	IP netip.Addr
	// Device is the browser's device token (see RememberDevice), or "".
	Device string
}

// AcceptInvitation accepts an invitation and starts the member's session
// in the invitation's client. A link is not a sign-in: for an email that
// already has an account it needs proof that the caller is that account,
// its current password or a session of that user, else it answers
// invite.ErrSignInRequired and changes nothing (the link keeps working);
// the account's name, password and passkeys stay as they are. Every
// attempt counts under AcceptPerIP first, unknown and unusable links
// included. Errors are invite.Service.Accept's, invite.ErrUnknownToken
// for another agency's link, ErrInvalidCredentials for a wrong password
// and a *RateLimitError for too many attempts.
func (s *Service) AcceptInvitation(ctx context.Context, r AcceptRequest) (string, Identity, error) {
	if r.AgencyID == "" {
		return "", Identity{}, clientele.ErrMissingScope
	}
	inv, err := s.pending(ctx, r.AgencyID, r.Token, r.IP)
	if err != nil {
		return "", Identity{}, err
	}
	acct, err := s.account(ctx, inv.AgencyID, inv.Email)
	if err != nil {
		return "", Identity{}, err
	}
	req := invite.AcceptRequest{Token: r.Token, Name: r.Name, Password: r.Password}
	signedIn := s.time()
	if acct.found {
		// Without a proof the acceptance goes on with none, and the store
		// answers invite.ErrSignInRequired (or the link's status first).
		req = invite.AcceptRequest{Token: r.Token}
		switch {
		case r.Session != nil && r.Session.Principal.AgencyID == inv.AgencyID && r.Session.Principal.UserID == acct.user.ID:
			req.Account, signedIn = acct.user.ID, r.Session.SignedInAt
		case r.Password != "":
			if err := s.checkPassword(ctx, acct, r.Password, r.IP, r.Device); err != nil {
				return "", Identity{}, err
			}
			req.Account = acct.user.ID
		}
	}
	m, err := s.invites.Accept(ctx, req)
	if err != nil {
		return "", Identity{}, err
	}
	return s.startSession(ctx, inv.AgencyID, m.ClientID, m.UserID, signedIn)
}

// pending counts an acceptance from ip under AcceptPerIP (unknown and
// unusable links too, so that links cannot be guessed) and returns the
// invitation behind token if it can still be accepted at agency's portal:
// another agency's is unknown here.
func (s *Service) pending(ctx context.Context, agency clientele.AgencyID, token string, ip netip.Addr) (clientele.Invitation, error) {
	if err := s.allow(ctx, s.limits.AcceptPerIP, limitKey("accept", "ip", addressKey(ip))); err != nil {
		return clientele.Invitation{}, err
	}
	inv, err := s.invites.Pending(ctx, token)
	if err != nil {
		return clientele.Invitation{}, err
	}
	if inv.AgencyID != agency {
		return clientele.Invitation{}, invite.ErrUnknownToken
	}
	return inv, nil
}

// BeginPasskeySetup starts setting up a new account with a passkey from
// an invitation link of the agency's portal, from ip (counted under
// PasskeyPerIP). An email that already has an account answers
// invite.ErrHasAccount (that user signs in to accept instead, see
// BeginPasskeyAccept); an unusable link its invite error, another
// agency's invite.ErrUnknownToken.
func (s *Service) BeginPasskeySetup(ctx context.Context, agency clientele.AgencyID, inviteToken string, ip netip.Addr) (PasskeyCeremony, error) {
	if err := s.allowCeremony(ctx, ip); err != nil {
		return PasskeyCeremony{}, err
	}
	preview, err := s.invites.Lookup(ctx, inviteToken)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	if preview.AgencyID != agency {
		return PasskeyCeremony{}, invite.ErrUnknownToken
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

// BeginPasskeyAccept starts accepting an invitation of the agency's
// portal for an email that already has an account, by signing in with one
// of that account's passkeys, from ip (counted under PasskeyPerIP). An
// email without an account answers clientele.ErrInvalidArgument (it sets
// one up: BeginPasskeySetup); an unusable link its invite error, another
// agency's invite.ErrUnknownToken.
func (s *Service) BeginPasskeyAccept(ctx context.Context, agency clientele.AgencyID, inviteToken string, ip netip.Addr) (PasskeyCeremony, error) {
	if err := s.allowCeremony(ctx, ip); err != nil {
		return PasskeyCeremony{}, err
	}
	inv, err := s.invites.Pending(ctx, inviteToken)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	if inv.AgencyID != agency {
		return PasskeyCeremony{}, invite.ErrUnknownToken
	}
	acct, err := s.account(ctx, agency, inv.Email)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	if !acct.found {
		return PasskeyCeremony{}, fmt.Errorf("%w: the invited email has no account to sign in to: set one up", clientele.ErrInvalidArgument)
	}
	return s.beginLogin(ctx, agency, acct.user.ID, ceremonyData{Invitation: inv.TokenHash})
}

// PasskeyAcceptRequest finishes accepting an invitation by signing in
// with a passkey of the invited account.
type PasskeyAcceptRequest struct {
	// AgencyID is the portal's agency.
	AgencyID clientele.AgencyID
	// Invitation is the token of the invitation link.
	Invitation string
	// Ceremony is the token BeginPasskeyAccept returned.
	Ceremony string
	// Response is the JSON of the browser's PublicKeyCredential.
	Response []byte
	IP       netip.Addr
}

// FinishPasskeyAccept verifies that the caller signed in with a passkey of
// the invited account, accepts the invitation for that account (its name
// and credentials stay as they are) and starts its session in the
// invitation's client. A ceremony of another invitation, purpose or user,
// or a response that fails, answers ErrCeremony; the link keeps working.
func (s *Service) FinishPasskeyAccept(ctx context.Context, r PasskeyAcceptRequest) (string, Identity, error) {
	inv, err := s.pending(ctx, r.AgencyID, r.Invitation, r.IP)
	if err != nil {
		return "", Identity{}, err
	}
	pk, err := s.finishLogin(ctx, inv.AgencyID, r.Ceremony, r.Response, func(c Ceremony, d ceremonyData) bool {
		return c.UserID != "" && bytes.Equal(d.Invitation, inv.TokenHash)
	})
	if err != nil {
		return "", Identity{}, err
	}
	m, err := s.invites.Accept(ctx, invite.AcceptRequest{Token: r.Invitation, Account: pk.UserID})
	if err != nil {
		return "", Identity{}, err
	}
	return s.startSession(ctx, inv.AgencyID, m.ClientID, m.UserID, s.time())
}

// PasskeySetupRequest finishes an account setup with a passkey.
type PasskeySetupRequest struct {
	// AgencyID is the portal's agency.
	AgencyID clientele.AgencyID
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
	inv, err := s.pending(ctx, r.AgencyID, r.Invitation, r.IP)
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
	return s.startSession(ctx, inv.AgencyID, m.ClientID, m.UserID, s.time())
}
