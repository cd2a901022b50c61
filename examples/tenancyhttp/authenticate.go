package tenancyhttp

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/clientele/clientele"
)

// errNoPortal reports Authenticate used outside Portal: a wiring fault.
var errNoPortal = errors.New("tenancyhttp: Authenticate needs Portal around it")

// Authenticate resolves the caller and puts it in the context (see
// [CallerFrom]). The credential is `Authorization: Bearer <token>` if the
// header is present, else the session cookie, else the agency console's
// cookie (see POST /api/v1/agency/session): the agency token and the
// console cookie make the agency admin; any other token is a session
// resolved fresh by authn.Resolve (current role, status and client
// permissions). A request with none goes on anonymous, for the route to
// decide. A malformed Authorization header, an unknown, ended or expired
// session, a session of another agency, one whose user was removed or
// deactivated, or a console cookie that is forged or expired answers 401
// unauthenticated (and clears the stale cookies). It must run inside
// [API.Portal] (else 500).
func (a *API) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok, err := a.resolve(r)
		if err != nil {
			if errors.Is(err, clientele.ErrUnauthenticated) && !hasBearer(r) {
				a.clearCookies(w, r)
			}
			WriteError(w, r, err, a.log)
			return
		}
		if st, in := stateFrom(r.Context()); ok && in {
			st.caller, st.hasCaller = c, true
		}
		next.ServeHTTP(w, r)
	})
}

// Identify is [API.Authenticate] for a host's own pages, which send a
// visitor without a usable credential to a sign-in page rather than answer
// 401: it returns the caller of r, or false for an anonymous request. A
// credential that no longer works (see Authenticate) makes the request
// anonymous and clears the stale cookies on w; a malformed Authorization
// header too. Any other error (the store failing) is returned. It must run
// inside [API.Portal].
func (a *API) Identify(w http.ResponseWriter, r *http.Request) (Caller, bool, error) {
	c, ok, err := a.resolve(r)
	if errors.Is(err, clientele.ErrUnauthenticated) {
		if !hasBearer(r) {
			a.clearCookies(w, r)
		}
		return Caller{}, false, nil
	}
	return c, ok, err
}

// clearCookies clears the session cookie, and the console cookie when r
// carries one.
func (a *API) clearCookies(w http.ResponseWriter, r *http.Request) {
	a.ClearSessionCookie(w, r)
	a.clearAgencyCookie(w, r)
}

// resolve finds the caller of r; false for an anonymous request.
func (a *API) resolve(r *http.Request) (Caller, bool, error) {
	agency, ok := AgencyFrom(r.Context())
	if !ok {
		return Caller{}, false, errNoPortal
	}
	tok, present, err := a.credential(r)
	if err != nil {
		return Caller{}, false, err
	}
	if !present {
		if ok, err := a.agencySession(r, agency.ID); !ok {
			return Caller{}, false, err
		}
		return Caller{Principal: clientele.AgencyAdmin(agency.ID), Agency: agency}, true, nil
	}
	if a.isAgencyToken(tok) {
		return Caller{Principal: clientele.AgencyAdmin(agency.ID), Agency: agency}, true, nil
	}
	id, err := a.authn.Resolve(r.Context(), tok)
	if err != nil {
		return Caller{}, false, err
	}
	if id.Principal.AgencyID != agency.ID {
		return Caller{}, false, fmt.Errorf("tenancyhttp: session of another agency: %w", clientele.ErrUnauthenticated)
	}
	return Caller{Principal: id.Principal, Identity: &id, Agency: agency}, true, nil
}

// credential returns the request's token: the bearer token when an
// Authorization header is present (a header of another form is an error),
// else the session cookie's value. present is false when there is none.
func (a *API) credential(r *http.Request) (tok string, present bool, err error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := bearer(h)
		if !ok {
			return "", false, fmt.Errorf("tenancyhttp: malformed Authorization header: %w", clientele.ErrUnauthenticated)
		}
		return tok, true, nil
	}
	if c, err := r.Cookie(a.cookieName(r)); err == nil && c.Value != "" {
		return c.Value, true, nil
	}
	return "", false, nil
}

// bearer parses "Bearer <token>" (scheme in any case).
func bearer(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || !validToken(tok) {
		return "", false
	}
	return tok, true
}

// hasBearer reports whether r authenticates with an Authorization header,
// which a browser never adds on its own (no ambient credential).
func hasBearer(r *http.Request) bool { return r.Header.Get("Authorization") != "" }

// isAgencyToken compares tok with the agency token in constant time (the
// SHA-256 of both, so the length does not leak either).
func (a *API) isAgencyToken(tok string) bool {
	h := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(h[:], a.tokenHash[:]) == 1
}
