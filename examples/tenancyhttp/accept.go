package tenancyhttp

import (
	"context"
	"net/http"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

// GET /api/v1/invitations/{token}: 200
// {"email","role","client":{"name"},"agency":{branding}}. It changes
// nothing, so a mail scanner fetching the link burns nothing. Unusable
// links answer 404 or 410 (expired, cancelled, replaced, used).
func (a *API) previewInvitation(w http.ResponseWriter, r *http.Request, _ Caller) error {
	p, err := a.lookup(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	type clientRef struct {
		Name string `json:"name"`
	}
	writeJSON(w, http.StatusOK, struct {
		Email  clientele.Email `json:"email"`
		Role   clientele.Role  `json:"role"`
		Client clientRef       `json:"client"`
		Agency brandingJSON    `json:"agency"`
	}{p.Email, p.Role, clientRef{p.ClientName}, brandingOf(p.Branding)})
	return nil
}

// POST /api/v1/invitations/accept {"token","name","password"}: 201
// {"user","session_token"} and the session cookie. An email that already
// has an account keeps its name and password (both are then ignored).
func (a *API) acceptInvitation(w http.ResponseWriter, r *http.Request, _ Caller) error {
	var in struct {
		Token    string `json:"token"`
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := a.lookup(r.Context(), in.Token); err != nil {
		return err
	}
	tok, id, err := a.authn.AcceptInvitation(r.Context(),
		invite.AcceptRequest{Token: in.Token, Name: in.Name, Password: in.Password}, authn.ClientIP(r, a.proxies))
	if err != nil {
		return err
	}
	u := memberOf(id.Member)
	a.startSession(w, r, tok, id, &u)
	return nil
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
