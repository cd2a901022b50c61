package tenancyhttp

import (
	"net/http"
	"time"

	"github.com/clientele/clientele/authn"
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

// Device cookie names (see authn.RememberDevice): with the __Host- prefix
// over HTTPS. The names are the library's own, so that a host's cookies
// never collide with them.
const (
	deviceCookieHTTPS = "__Host-clientele-device"
	deviceCookieHTTP  = "clientele-device"
)

// deviceToken returns the device token r's cookie carries, or "".
func (a *API) deviceToken(r *http.Request) string {
	name := deviceCookieHTTP
	if a.https(r) {
		name = deviceCookieHTTPS
	}
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

// rememberDevice sets the device cookie of the browser that has just
// signed in as id: HttpOnly, SameSite=Strict (only the portal's own
// sign-in requests need it), Path=/, until the device expires. A failure
// is logged and the sign-in goes on: the browser is only not remembered.
func (a *API) rememberDevice(w http.ResponseWriter, r *http.Request, id authn.Identity) {
	current := a.deviceToken(r)
	tok, expires, err := a.authn.RememberDevice(r.Context(), id, current)
	if err != nil {
		a.log.WarnContext(r.Context(), "device not remembered", "user", id.Principal.UserID, "err", err)
		return
	}
	if tok == current {
		return
	}
	secure := a.https(r)
	name := deviceCookieHTTP
	if secure {
		name = deviceCookieHTTPS
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: tok, Path: "/", Expires: expires.UTC(),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
}
