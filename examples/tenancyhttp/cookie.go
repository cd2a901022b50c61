package tenancyhttp

import (
	"net/http"
	"time"
)

// Session cookie names: with the __Host- prefix over HTTPS, so the browser
// keeps it Secure, host-only and for Path=/.
const (
	cookieHTTPS = "__Host-session"
	cookieHTTP  = "session"
)

// SetSessionCookie sets the session cookie to token until expires:
// HttpOnly, SameSite=Lax, Path=/. Over HTTPS (r.TLS is set, or the base
// URL is https, as behind a TLS-terminating proxy) it is Secure and named
// "__Host-session"; otherwise "session".
func (a *API) SetSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, a.cookie(r, token, expires.UTC(), 0))
}

// ClearSessionCookie tells the browser to drop the session cookie.
func (a *API) ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, a.cookie(r, "", time.Unix(0, 0).UTC(), -1))
}

func (a *API) cookie(r *http.Request, value string, expires time.Time, maxAge int) *http.Cookie {
	secure := a.https(r)
	name := cookieHTTP
	if secure {
		name = cookieHTTPS
	}
	return &http.Cookie{Name: name, Value: value, Path: "/", Expires: expires, MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
}

// cookieName is the name of the session cookie r carries.
func (a *API) cookieName(r *http.Request) string {
	if a.https(r) {
		return cookieHTTPS
	}
	return cookieHTTP
}

func (a *API) https(r *http.Request) bool { return r.TLS != nil || a.baseHTTPS }
