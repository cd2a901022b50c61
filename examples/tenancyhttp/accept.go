package tenancyhttp

import (
	"context"
	"errors"
	"net/http"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

// GET /api/v1/invitations/{token}: 200
// {"email","role","client":{"name"},"agency":{branding},"has_account"}. It
// changes nothing, so a mail scanner fetching the link burns nothing.
// Unusable links answer 404 or 410 (expired, cancelled, replaced, used).
func (a *API) previewInvitation(w http.ResponseWriter, r *http.Request, _ Caller) error {
	p, err := a.lookup(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	type clientRef struct {
		Name string `json:"name"`
	}
	writeJSON(w, http.StatusOK, struct {
		Email      clientele.Email `json:"email"`
		Role       clientele.Role  `json:"role"`
		Client     clientRef       `json:"client"`
		Agency     brandingJSON    `json:"agency"`
		HasAccount bool            `json:"has_account"`
	}{p.Email, p.Role, clientRef{p.ClientName}, brandingOf(p.Branding), p.HasAccount})
	return nil
}

// POST /api/v1/invitations/accept {"token","name","password"}: 201
// {"user","session_token"} and the session cookie. For an email that
// already has an account, the link is not a sign-in: "password" must be
// that account's current password, or the request must carry a session of
// that user (its bearer token or cookie); otherwise 401 sign_in_required,
// and nothing changes. The account's name and password stay as they are.
// Every attempt counts toward the per-address limit, unknown links too.
func (a *API) acceptInvitation(w http.ResponseWriter, r *http.Request, _ Caller) error {
	var in struct {
		Token    string `json:"token"`
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	session, err := a.optionalSession(r)
	if err != nil {
		return err
	}
	agency, _ := AgencyFrom(r.Context()) // Handler always runs inside Portal
	tok, id, err := a.authn.AcceptInvitation(r.Context(), authn.AcceptRequest{AgencyID: agency.ID, Token: in.Token,
		Name: in.Name, Password: in.Password, Session: session, IP: authn.ClientIP(r, a.proxies), Device: a.deviceToken(r)})
	if err != nil {
		return err
	}
	u := memberOf(id.Member)
	a.startSession(w, r, tok, id, &u)
	return nil
}

// optionalSession returns the client user's session r carries, for a
// public route that a session may strengthen; nil when it carries none,
// the agency's credential, or one that no longer works (a stale cookie
// never blocks the route).
func (a *API) optionalSession(r *http.Request) (*authn.Identity, error) {
	c, ok, err := a.resolve(r)
	switch {
	case errors.Is(err, clientele.ErrUnauthenticated):
		return nil, nil
	case err != nil:
		return nil, err
	case !ok || c.Identity == nil:
		return nil, nil
	}
	return c.Identity, nil
}

// lookup previews the invitation behind token if it belongs to this
// portal's agency; another agency's is unknown here (404).
func (a *API) lookup(ctx context.Context, token string) (invite.Preview, error) {
	p, err := a.invites.Lookup(ctx, token)
	if err != nil {
		return invite.Preview{}, err
	}
	if agency, ok := AgencyFrom(ctx); !ok || p.AgencyID != agency.ID {
		return invite.Preview{}, invite.ErrUnknownToken
	}
	return p, nil
}
