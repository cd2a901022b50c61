package authn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/passkey"
	"github.com/clientele/clientele/internal/token"
	"github.com/clientele/clientele/invite"
)

// CeremonyTimeout is how long a passkey ceremony may take between its two
// requests; past it the ceremony fails with ErrCeremony.
const CeremonyTimeout = passkey.DefaultTimeout

// PasskeyCeremony is the first half of a passkey ceremony for the browser:
// Options go to navigator.credentials.create or .get, and Token comes back
// with the authenticator's response.
type PasskeyCeremony struct {
	Token   string
	Options json.RawMessage
}

// ceremonyData is what a ceremony keeps between its two requests.
type ceremonyData struct {
	State []byte `json:"state"`
	// Invitation binds an account-setup ceremony to its invitation.
	Invitation []byte `json:"invitation,omitempty"`
}

// begin stores a new ceremony and returns its token.
func (s *Service) begin(ctx context.Context, kind CeremonyKind, agency clientele.AgencyID, user clientele.UserID, data ceremonyData, options []byte) (PasskeyCeremony, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("authn: ceremony: %w", err)
	}
	tok, hash := token.New()
	c := Ceremony{ID: hash, Kind: kind, AgencyID: agency, UserID: user, Data: raw, ExpiresAt: s.time().Add(CeremonyTimeout)}
	if err := s.store.SaveCeremony(ctx, c); err != nil {
		return PasskeyCeremony{}, fmt.Errorf("authn: ceremony: %w", err)
	}
	return PasskeyCeremony{Token: tok, Options: options}, nil
}

// take removes the ceremony of tok (single use) and checks it is of kind
// for agency.
func (s *Service) take(ctx context.Context, tok string, kind CeremonyKind, agency clientele.AgencyID) (Ceremony, ceremonyData, error) {
	hash, err := token.Hash(tok)
	if err != nil {
		return Ceremony{}, ceremonyData{}, fmt.Errorf("%w: malformed ceremony token", ErrCeremony)
	}
	c, err := s.store.TakeCeremony(ctx, hash, s.time())
	if errors.Is(err, clientele.ErrNotFound) {
		return Ceremony{}, ceremonyData{}, fmt.Errorf("%w: unknown, used or expired ceremony", ErrCeremony)
	}
	if err != nil {
		return Ceremony{}, ceremonyData{}, fmt.Errorf("authn: ceremony: %w", err)
	}
	var d ceremonyData
	if c.Kind != kind || c.AgencyID != agency || json.Unmarshal(c.Data, &d) != nil {
		return Ceremony{}, ceremonyData{}, fmt.Errorf("%w: ceremony of another kind or portal", ErrCeremony)
	}
	return c, d, nil
}

// relyingParty is the agency's portal as a WebAuthn relying party.
func (s *Service) relyingParty(ctx context.Context, agency clientele.AgencyID) (passkey.RelyingParty, error) {
	a, err := s.store.Agency(ctx, agency)
	if err != nil {
		return passkey.RelyingParty{}, fmt.Errorf("authn: agency: %w", err)
	}
	return passkey.For(a, s.baseURL)
}

// verifyFailed wraps a passkey verification failure as ErrCeremony.
func verifyFailed(err error) error { return fmt.Errorf("%w: %w", ErrCeremony, err) }

// passkeyName trims the user's label for a passkey: at most 60
// characters, "Passkey" when empty.
func passkeyName(s string) string {
	name, err := clientele.NormalizeName(s)
	if err != nil {
		return "Passkey"
	}
	if r := []rune(name); len(r) > 60 {
		name = strings.TrimSpace(string(r[:60]))
	}
	return name
}

// BeginPasskeyRegistration starts adding a passkey to the signed-in user,
// who must have signed in within the re-authentication window (else
// ErrReauthRequired).
func (s *Service) BeginPasskeyRegistration(ctx context.Context, id Identity) (PasskeyCeremony, error) {
	p := id.Principal
	if err := s.checkFresh(id); err != nil {
		return PasskeyCeremony{}, err
	}
	rp, err := s.relyingParty(ctx, p.AgencyID)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	existing, err := s.store.Passkeys(ctx, p.AgencyID, p.UserID)
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("authn: passkeys: %w", err)
	}
	opts, state, err := s.webauthn.BeginRegistration(ctx, rp, passkey.User{ID: p.UserID, Email: id.Member.Email, Name: id.Member.Name}, existing)
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("authn: passkey registration: %w", err)
	}
	return s.begin(ctx, CeremonyRegister, p.AgencyID, p.UserID, ceremonyData{State: state}, opts)
}

// FinishPasskeyRegistration verifies the authenticator's response and
// stores the new passkey under name. The user must still have signed in
// within the re-authentication window (else ErrReauthRequired). A
// credential already registered answers clientele.ErrDuplicate; a
// ceremony that is unknown, used, expired, another user's, or whose
// response fails answers ErrCeremony.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, id Identity, ceremony, name string, response []byte) (clientele.Passkey, error) {
	p := id.Principal
	if err := s.checkFresh(id); err != nil {
		return clientele.Passkey{}, err
	}
	c, d, err := s.take(ctx, ceremony, CeremonyRegister, p.AgencyID)
	if err != nil {
		return clientele.Passkey{}, err
	}
	if c.UserID != p.UserID || len(d.Invitation) != 0 {
		return clientele.Passkey{}, fmt.Errorf("%w: ceremony of another user", ErrCeremony)
	}
	rp, err := s.relyingParty(ctx, p.AgencyID)
	if err != nil {
		return clientele.Passkey{}, err
	}
	pk, err := s.webauthn.FinishRegistration(ctx, rp, passkey.User{ID: p.UserID, Email: id.Member.Email, Name: id.Member.Name}, d.State, response)
	if err != nil {
		return clientele.Passkey{}, verifyFailed(err)
	}
	now := s.time()
	pk.AgencyID, pk.Name, pk.CreatedAt = p.AgencyID, passkeyName(name), now
	change := s.credentialChange(ctx, p, invite.NoticePasskeyAdded, now)
	if err := s.store.CreatePasskey(ctx, pk, change); err != nil {
		return clientele.Passkey{}, fmt.Errorf("authn: passkey: %w", err)
	}
	s.queued(change)
	s.log.InfoContext(ctx, "passkey registered", "user", p.UserID)
	return pk, nil
}

// Passkeys lists the signed-in user's passkeys.
func (s *Service) Passkeys(ctx context.Context, id Identity) ([]clientele.Passkey, error) {
	p := id.Principal
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ps, err := s.store.Passkeys(ctx, p.AgencyID, p.UserID)
	if err != nil {
		return nil, fmt.Errorf("authn: passkeys: %w", err)
	}
	return ps, nil
}

// RemovePasskey deletes one of the signed-in user's passkeys; another
// user's answers clientele.ErrNotFound. The user must have signed in
// within the re-authentication window (else ErrReauthRequired).
func (s *Service) RemovePasskey(ctx context.Context, id Identity, credential []byte) error {
	p := id.Principal
	if err := s.checkFresh(id); err != nil {
		return err
	}
	change := s.credentialChange(ctx, p, invite.NoticePasskeyRemoved, s.time())
	if err := s.store.DeletePasskey(ctx, p.AgencyID, p.UserID, credential, change); err != nil {
		return fmt.Errorf("authn: remove passkey: %w", err)
	}
	s.queued(change)
	s.log.InfoContext(ctx, "passkey removed", "user", p.UserID)
	return nil
}

// BeginPasskeySignIn starts a discoverable passkey sign-in at the agency's
// portal, from ip: every ceremony is stored until it ends, so ceremonies
// begun without a session count under PasskeyPerIP.
func (s *Service) BeginPasskeySignIn(ctx context.Context, agency clientele.AgencyID, ip netip.Addr) (PasskeyCeremony, error) {
	if agency == "" {
		return PasskeyCeremony{}, clientele.ErrMissingScope
	}
	if err := s.allowCeremony(ctx, ip); err != nil {
		return PasskeyCeremony{}, err
	}
	return s.beginLogin(ctx, agency, "", ceremonyData{})
}

// allowCeremony counts a ceremony begun without a session from ip.
func (s *Service) allowCeremony(ctx context.Context, ip netip.Addr) error {
	return s.allow(ctx, s.limits.PasskeyPerIP, limitKey("ceremony", "ip", addressKey(ip)))
}

// beginLogin stores a login ceremony of agency, for user ("" for anyone)
// with d's binding, and returns its options.
func (s *Service) beginLogin(ctx context.Context, agency clientele.AgencyID, user clientele.UserID, d ceremonyData) (PasskeyCeremony, error) {
	rp, err := s.relyingParty(ctx, agency)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	opts, state, err := s.webauthn.BeginLogin(ctx, rp)
	if err != nil {
		return PasskeyCeremony{}, fmt.Errorf("authn: passkey sign-in: %w", err)
	}
	d.State = state
	return s.begin(ctx, CeremonyLogin, agency, user, d, opts)
}

// PasskeySignInRequest finishes a passkey sign-in.
type PasskeySignInRequest struct {
	AgencyID clientele.AgencyID
	// Ceremony is the token BeginPasskeySignIn returned.
	Ceremony string
	// Response is the JSON of the browser's PublicKeyCredential.
	Response []byte
	// Client picks the client when the user is a member of several.
	Client clientele.ClientID
	IP     netip.Addr
}

// FinishPasskeySignIn verifies the assertion, records the sign count
// (a count that does not move forward fails: a possible clone) and starts
// a session. Every verification failure answers ErrCeremony.
func (s *Service) FinishPasskeySignIn(ctx context.Context, r PasskeySignInRequest) (string, Identity, error) {
	if r.AgencyID == "" {
		return "", Identity{}, clientele.ErrMissingScope
	}
	if err := s.allow(ctx, s.limits.AcceptPerIP, limitKey("passkey", "ip", addressKey(r.IP))); err != nil {
		return "", Identity{}, err
	}
	pk, err := s.finishLogin(ctx, r.AgencyID, r.Ceremony, r.Response, func(c Ceremony, d ceremonyData) bool {
		return c.UserID == "" && len(d.Invitation) == 0
	})
	if err != nil {
		return "", Identity{}, err
	}
	client, err := s.chooseClient(ctx, r.AgencyID, pk.UserID, r.Client)
	if err != nil {
		return "", Identity{}, err
	}
	return s.startSession(ctx, r.AgencyID, client, pk.UserID, s.time())
}

// finishLogin takes the login ceremony tok of agency, which ours must
// accept (else it is someone else's: ErrCeremony), verifies the assertion
// in response against a passkey of the agency whose user handle matches,
// records its sign count and returns it. A ceremony begun for a user
// (Ceremony.UserID) accepts only that user's passkeys. Every failure
// answers ErrCeremony.
func (s *Service) finishLogin(ctx context.Context, agency clientele.AgencyID, tok string, response []byte, ours func(Ceremony, ceremonyData) bool) (clientele.Passkey, error) {
	c, d, err := s.take(ctx, tok, CeremonyLogin, agency)
	if err != nil {
		return clientele.Passkey{}, err
	}
	if !ours(c, d) {
		return clientele.Passkey{}, fmt.Errorf("%w: ceremony of another purpose", ErrCeremony)
	}
	rp, err := s.relyingParty(ctx, agency)
	if err != nil {
		return clientele.Passkey{}, err
	}
	var stored clientele.Passkey
	lookup := func(ctx context.Context, credential, userHandle []byte) (clientele.Passkey, error) {
		pk, err := s.store.Passkey(ctx, credential)
		if err != nil {
			return clientele.Passkey{}, err
		}
		if pk.AgencyID != agency || !bytes.Equal(userHandle, []byte(pk.UserID)) || c.UserID != "" && pk.UserID != c.UserID {
			return clientele.Passkey{}, fmt.Errorf("passkey of another portal or user: %w", clientele.ErrNotFound)
		}
		stored = pk
		return pk, nil
	}
	pk, err := s.webauthn.FinishLogin(ctx, rp, d.State, response, lookup)
	if err != nil {
		return clientele.Passkey{}, verifyFailed(err)
	}
	if err := s.store.UsePasskey(ctx, pk.ID, stored.SignCount, pk.SignCount, s.time()); err != nil {
		return clientele.Passkey{}, verifyFailed(err)
	}
	return pk, nil
}
