package tenancyhttp

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

// Passkey endpoints (not in the contract; the pages use them). A ceremony
// is two requests: begin answers 200 {"ceremony","options"}, where options
// go to navigator.credentials.create or .get as they are, and finish
// sends back {"ceremony","response"} with the browser's
// PublicKeyCredential as JSON. A failed, expired or reused ceremony is a
// 400 passkey_failed.

type ceremonyJSON struct {
	Ceremony string          `json:"ceremony"`
	Options  json.RawMessage `json:"options"`
}

func writeCeremony(w http.ResponseWriter, c authn.PasskeyCeremony) {
	writeJSON(w, http.StatusOK, ceremonyJSON{Ceremony: c.Token, Options: c.Options})
}

// POST /api/v1/passkeys/setup/begin {"token"}: starts a new account's
// passkey from an invitation link (409 has_account if the email already
// has one).
func (a *API) beginPasskeySetup(w http.ResponseWriter, r *http.Request, _ Caller) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	agency, _ := AgencyFrom(r.Context()) // Handler always runs inside Portal
	c, err := a.authn.BeginPasskeySetup(r.Context(), agency.ID, in.Token, authn.ClientIP(r, a.proxies))
	if err != nil {
		return err
	}
	writeCeremony(w, c)
	return nil
}

// POST /api/v1/passkeys/setup/finish
// {"token","ceremony","response","name","password"?,"passkey_name"?}:
// accepts the invitation with the passkey: 201 {"user","session_token"}
// and the cookie.
func (a *API) finishPasskeySetup(w http.ResponseWriter, r *http.Request, _ Caller) error {
	var in struct {
		Token       string          `json:"token"`
		Ceremony    string          `json:"ceremony"`
		Response    json.RawMessage `json:"response"`
		Name        string          `json:"name"`
		Password    string          `json:"password"`
		PasskeyName string          `json:"passkey_name"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	agency, _ := AgencyFrom(r.Context())
	tok, id, err := a.authn.FinishPasskeySetup(r.Context(), authn.PasskeySetupRequest{AgencyID: agency.ID, Invitation: in.Token,
		Ceremony: in.Ceremony, Response: in.Response, Name: in.Name, Password: in.Password,
		PasskeyName: in.PasskeyName, IP: authn.ClientIP(r, a.proxies)})
	if err != nil {
		return err
	}
	u := memberOf(id.Member)
	a.startSession(w, r, tok, id, &u)
	return nil
}

// POST /api/v1/passkeys/signin/begin: starts a discoverable sign-in at
// this portal.
func (a *API) beginPasskeySignIn(w http.ResponseWriter, r *http.Request, _ Caller) error {
	agency, _ := AgencyFrom(r.Context()) // Handler always runs inside Portal
	c, err := a.authn.BeginPasskeySignIn(r.Context(), agency.ID, authn.ClientIP(r, a.proxies))
	if err != nil {
		return err
	}
	writeCeremony(w, c)
	return nil
}

// POST /api/v1/passkeys/signin/finish {"ceremony","response","client"?}:
// 201 {"session_token"} and the cookie.
func (a *API) finishPasskeySignIn(w http.ResponseWriter, r *http.Request, _ Caller) error {
	var in struct {
		Ceremony string             `json:"ceremony"`
		Response json.RawMessage    `json:"response"`
		Client   clientele.ClientID `json:"client"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	agency, _ := AgencyFrom(r.Context())
	tok, id, err := a.authn.FinishPasskeySignIn(r.Context(), authn.PasskeySignInRequest{AgencyID: agency.ID,
		Ceremony: in.Ceremony, Response: in.Response, Client: in.Client, IP: authn.ClientIP(r, a.proxies)})
	if err != nil {
		return err
	}
	a.startSession(w, r, tok, id, nil)
	return nil
}

// POST /api/v1/passkeys/accept/begin {"token"}: starts accepting an
// invitation for an email that already has an account by signing in with
// one of its passkeys (400 bad_request for an email without an account,
// which sets one up instead).
func (a *API) beginPasskeyAccept(w http.ResponseWriter, r *http.Request, _ Caller) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	agency, _ := AgencyFrom(r.Context())
	c, err := a.authn.BeginPasskeyAccept(r.Context(), agency.ID, in.Token, authn.ClientIP(r, a.proxies))
	if err != nil {
		return err
	}
	writeCeremony(w, c)
	return nil
}

// POST /api/v1/passkeys/accept/finish {"token","ceremony","response"}:
// accepts the invitation for the account whose passkey signed in: 201
// {"user","session_token"} and the cookie. A passkey of anyone else is a
// 400 passkey_failed, and the link keeps working.
func (a *API) finishPasskeyAccept(w http.ResponseWriter, r *http.Request, _ Caller) error {
	var in struct {
		Token    string          `json:"token"`
		Ceremony string          `json:"ceremony"`
		Response json.RawMessage `json:"response"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	agency, _ := AgencyFrom(r.Context())
	tok, id, err := a.authn.FinishPasskeyAccept(r.Context(), authn.PasskeyAcceptRequest{AgencyID: agency.ID,
		Invitation: in.Token, Ceremony: in.Ceremony, Response: in.Response, IP: authn.ClientIP(r, a.proxies)})
	if err != nil {
		return err
	}
	u := memberOf(id.Member)
	a.startSession(w, r, tok, id, &u)
	return nil
}

// POST /api/v1/passkeys/reauth/begin: starts proving again with a passkey
// that the session's holder is its user.
func (a *API) beginPasskeyReauth(w http.ResponseWriter, r *http.Request, c Caller) error {
	pc, err := a.authn.BeginPasskeyReauth(r.Context(), *c.Identity)
	if err != nil {
		return err
	}
	writeCeremony(w, pc)
	return nil
}

// POST /api/v1/passkeys/reauth/finish {"ceremony","response"}: 201
// {"session_token"} and the cookie of a new session signed in now; the old
// session ends.
func (a *API) finishPasskeyReauth(w http.ResponseWriter, r *http.Request, c Caller) error {
	var in struct {
		Ceremony string          `json:"ceremony"`
		Response json.RawMessage `json:"response"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	old, _, err := a.credential(r)
	if err != nil {
		return err
	}
	tok, id, err := a.authn.FinishPasskeyReauth(r.Context(), old, *c.Identity, in.Ceremony, in.Response)
	if err != nil {
		return err
	}
	a.startSession(w, r, tok, id, nil)
	return nil
}

// POST /api/v1/passkeys/register/begin: starts adding a passkey to the
// signed-in user, who must have signed in within the last minutes (403
// reauth_required: re-authenticate first).
func (a *API) beginPasskeyRegistration(w http.ResponseWriter, r *http.Request, c Caller) error {
	pc, err := a.authn.BeginPasskeyRegistration(r.Context(), *c.Identity)
	if err != nil {
		return err
	}
	writeCeremony(w, pc)
	return nil
}

// POST /api/v1/passkeys/register/finish {"ceremony","response","name"?}:
// 201 passkey.
func (a *API) finishPasskeyRegistration(w http.ResponseWriter, r *http.Request, c Caller) error {
	var in struct {
		Ceremony string          `json:"ceremony"`
		Response json.RawMessage `json:"response"`
		Name     string          `json:"name"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	pk, err := a.authn.FinishPasskeyRegistration(r.Context(), *c.Identity, in.Ceremony, in.Name, in.Response)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, passkeyOf(pk))
	return nil
}

// GET /api/v1/passkeys: 200 {"passkeys":[…]}, the signed-in user's, oldest
// first.
func (a *API) listPasskeys(w http.ResponseWriter, r *http.Request, c Caller) error {
	ps, err := a.authn.Passkeys(r.Context(), *c.Identity)
	if err != nil {
		return err
	}
	out := make([]passkeyJSON, len(ps))
	for i, p := range ps {
		out[i] = passkeyOf(p)
	}
	writeJSON(w, http.StatusOK, struct {
		Passkeys []passkeyJSON `json:"passkeys"`
	}{out})
	return nil
}

// DELETE /api/v1/passkeys/{id}: 204; id is the credential id in unpadded
// base64url. Another user's or an unknown one is a 404; a sign-in older
// than the last minutes a 403 reauth_required.
func (a *API) removePasskey(w http.ResponseWriter, r *http.Request, c Caller) error {
	id, err := base64.RawURLEncoding.DecodeString(r.PathValue("id"))
	if err != nil || len(id) == 0 {
		return fmt.Errorf("tenancyhttp: passkey id: %w", clientele.ErrNotFound)
	}
	if err := a.authn.RemovePasskey(r.Context(), *c.Identity, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type passkeyJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func passkeyOf(p clientele.Passkey) passkeyJSON {
	return passkeyJSON{ID: base64.RawURLEncoding.EncodeToString(p.ID), Name: p.Name, CreatedAt: p.CreatedAt.UTC(),
		LastUsedAt: utc(p.LastUsedAt)}
}
