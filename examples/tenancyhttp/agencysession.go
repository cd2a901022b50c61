package tenancyhttp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

// The agency console's cookie session: the agency admin trades the agency
// token for a cookie once, so the console's pages never hold the token.
// It stands in for the host platform's own staff sign-in.
//
// The cookie holds an expiry and an HMAC-SHA256 over it and the agency id,
// keyed by a key derived from the agency token. Nothing is stored: any
// process with the same token accepts it, and changing the token ends
// every console session. Signing out clears the cookie in the browser; a
// copy taken before stays valid until it expires (AgencySessionTTL).
const (
	// AgencySessionTTL is how long a console session lasts.
	AgencySessionTTL = 12 * time.Hour

	agencyCookieHTTPS = "__Host-agency"
	agencyCookieHTTP  = "agency"

	// Console sign-in attempts per client IP and minute, in process.
	agencySignInsPerWindow = 20
)

// errWrongAgencyToken reports a console sign-in with a wrong token.
var errWrongAgencyToken = errors.New("tenancyhttp: wrong agency token")

// agencyKeyOf derives the cookie's HMAC key from the agency token.
func agencyKeyOf(token string) []byte {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("clientele agency console session v1"))
	return m.Sum(nil)
}

// POST /api/v1/agency/session {"token"}: 204 and the console cookie
// (HttpOnly, SameSite=Lax, Path=/; Secure and "__Host-agency" over HTTPS,
// else "agency"), valid for AgencySessionTTL. A wrong token is a 401
// invalid_credentials; more than 20 attempts a minute from one IP a 429.
// A client user's session cookie in the same browser is ended and
// cleared: one browser holds one identity at a time.
func (a *API) startAgencySession(w http.ResponseWriter, r *http.Request, _ Caller) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	now := a.now()
	if ok, wait := a.agencyLim.allow(authn.ClientIP(r, a.proxies).String(), now); !ok {
		return &authn.RateLimitError{RetryAfter: wait}
	}
	if !a.isAgencyToken(in.Token) {
		return errWrongAgencyToken
	}
	if c, err := r.Cookie(a.cookieName(r)); err == nil && c.Value != "" {
		if err := a.authn.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
		a.ClearSessionCookie(w, r)
	}
	agency, _ := AgencyFrom(r.Context()) // Handler always runs inside Portal
	exp := now.Add(AgencySessionTTL).UTC().Truncate(time.Second)
	http.SetCookie(w, a.agencyCookie(r, a.agencySessionValue(agency.ID, exp), exp, 0))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// DELETE /api/v1/agency/session: 204, and the console cookie is cleared.
// Idempotent.
func (a *API) endAgencySession(w http.ResponseWriter, r *http.Request, _ Caller) error {
	http.SetCookie(w, a.agencyCookie(r, "", time.Unix(0, 0).UTC(), -1))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// agencySession reads the console cookie of r: false when there is none,
// an error wrapping clientele.ErrUnauthenticated when it is malformed,
// forged, of another agency or token, or expired.
func (a *API) agencySession(r *http.Request, agency clientele.AgencyID) (bool, error) {
	c, err := r.Cookie(a.agencyCookieName(r))
	if err != nil || c.Value == "" {
		return false, nil
	}
	exp, _, ok := strings.Cut(c.Value, ".")
	secs, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil {
		return false, fmt.Errorf("tenancyhttp: malformed console cookie: %w", clientele.ErrUnauthenticated)
	}
	want := a.agencySessionValue(agency, time.Unix(secs, 0))
	if !hmac.Equal([]byte(c.Value), []byte(want)) {
		return false, fmt.Errorf("tenancyhttp: console cookie does not verify: %w", clientele.ErrUnauthenticated)
	}
	if !a.now().Before(time.Unix(secs, 0)) {
		return false, fmt.Errorf("tenancyhttp: console session expired: %w", clientele.ErrUnauthenticated)
	}
	return true, nil
}

// agencySessionValue is the cookie value for agency until exp:
// "<unix seconds>.<base64url HMAC>".
func (a *API) agencySessionValue(agency clientele.AgencyID, exp time.Time) string {
	secs := strconv.FormatInt(exp.Unix(), 10)
	m := hmac.New(sha256.New, a.agencyKey)
	m.Write([]byte(string(agency) + "\x00" + secs))
	return secs + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (a *API) agencyCookie(r *http.Request, value string, expires time.Time, maxAge int) *http.Cookie {
	return &http.Cookie{Name: a.agencyCookieName(r), Value: value, Path: "/", Expires: expires, MaxAge: maxAge,
		HttpOnly: true, Secure: a.https(r), SameSite: http.SameSiteLaxMode}
}

func (a *API) agencyCookieName(r *http.Request) string {
	if a.https(r) {
		return agencyCookieHTTPS
	}
	return agencyCookieHTTP
}

// clearAgencyCookie clears the console cookie if r carries one.
func (a *API) clearAgencyCookie(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(a.agencyCookieName(r)); err == nil {
		http.SetCookie(w, a.agencyCookie(r, "", time.Unix(0, 0).UTC(), -1))
	}
}
