package tenancyhttp

import (
	"net/http"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

// POST /api/v1/session {"email","password","client"?}: 201
// {"session_token"} and the session cookie. "client" picks the client of
// an email that is a member of several (else 400 client_required).
func (a *API) signIn(w http.ResponseWriter, r *http.Request, _ Caller) error {
	var in struct {
		Email    string             `json:"email"`
		Password string             `json:"password"`
		Client   clientele.ClientID `json:"client"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	agency, _ := AgencyFrom(r.Context()) // Handler always runs inside Portal
	tok, id, err := a.authn.SignIn(r.Context(), authn.SignInRequest{AgencyID: agency.ID, Email: in.Email,
		Password: in.Password, Client: in.Client, IP: authn.ClientIP(r, a.proxies), Device: a.deviceToken(r)})
	if err != nil {
		return err
	}
	a.startSession(w, r, tok, id, nil)
	return nil
}

// startSession sets the cookie and answers 201 {"session_token"} (and
// {"user"} when user is set). A console cookie in the same browser is
// cleared: one browser holds one identity at a time. The browser is
// remembered as one that signed in to the account (the device cookie).
func (a *API) startSession(w http.ResponseWriter, r *http.Request, tok string, id authn.Identity, user *userJSON) {
	a.clearAgencyCookie(w, r)
	a.SetSessionCookie(w, r, tok, id.ExpiresAt)
	a.rememberDevice(w, r, id)
	writeJSON(w, http.StatusCreated, sessionJSON{User: user, SessionToken: tok})
}

// POST /api/v1/session/reauth {"password"}: proves again that the
// session's holder is its user, with the current password (a wrong one is
// a 401 invalid_credentials and counts as a failed sign-in): 201
// {"session_token"} and the cookie of a new session signed in now, in the
// same client; the old session ends. Credential changes need a recent
// sign-in.
func (a *API) reauthenticate(w http.ResponseWriter, r *http.Request, c Caller) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	old, _, err := a.credential(r)
	if err != nil {
		return err
	}
	tok, id, err := a.authn.Reauthenticate(r.Context(), authn.ReauthRequest{Session: old, Identity: *c.Identity,
		Password: in.Password, IP: authn.ClientIP(r, a.proxies), Device: a.deviceToken(r)})
	if err != nil {
		return err
	}
	a.startSession(w, r, tok, id, nil)
	return nil
}

// POST /api/v1/password {"password"}: sets the signed-in user's password
// (400 weak_password for one that fails the rules; 403 reauth_required
// without a recent sign-in) and answers 201 {"session_token"} and the
// cookie of a new session: every other session of the user ends.
func (a *API) changePassword(w http.ResponseWriter, r *http.Request, c Caller) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	tok, id, err := a.authn.ChangePassword(r.Context(), *c.Identity, in.Password)
	if err != nil {
		return err
	}
	a.startSession(w, r, tok, id, nil)
	return nil
}

// DELETE /api/v1/session: 204. It ends the session of the bearer token,
// else of the cookie, and clears the cookie. It is idempotent: no
// credential, an ended session or the agency token (not a session) also
// answer 204.
func (a *API) signOut(w http.ResponseWriter, r *http.Request, _ Caller) error {
	if tok, present, err := a.credential(r); err == nil && present && !a.isAgencyToken(tok) {
		if err := a.authn.SignOut(r.Context(), tok); err != nil {
			return err
		}
	}
	a.ClearSessionCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /api/v1/me: 200 {"user","client":{"id","name"},"role","permissions"}
// for a client user; permissions are the client permissions the user can
// use now (rbac.Authorizer.Effective), sorted.
func (a *API) me(w http.ResponseWriter, r *http.Request, c Caller) error {
	cl, err := a.tenancy.Client(r.Context(), c.Principal, c.Principal.ClientID)
	if err != nil {
		return err
	}
	writeMe(w, &meJSON{User: memberOf(c.Identity.Member), Client: clientRef{cl.ID, cl.Name}, Role: c.Principal.Role,
		Permissions: nonNil(a.authz.Effective(r.Context(), c.Principal, cl.Permissions))})
	return nil
}
