package tenancyhttp

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// Errors of the HTTP edge itself.
var (
	// errBadRequest reports a body or query that cannot be read.
	errBadRequest = errors.New("tenancyhttp: bad request")
	// errTooLarge reports a body over maxBody.
	errTooLarge = errors.New("tenancyhttp: request body too large")
	// errNoRoute reports a path the API does not serve.
	errNoRoute = errors.New("tenancyhttp: no such route")
	// errMethod reports a known path asked with another method.
	errMethod = errors.New("tenancyhttp: method not allowed")
	// errWrongCaller reports the agency token on a client user's own
	// route (/me, passkeys).
	errWrongCaller = errors.New("tenancyhttp: not for this caller")
)

// errorKind is how one family of errors answers.
type errorKind struct {
	target  error
	status  int
	code    string
	message string // "" shows the error's own text (4xx input errors only)
}

// errorKinds maps sentinels to answers, first match wins. It is the only
// place that decides status codes. An unreachable database comes first:
// it is the cause of whatever a service wrapped around it (a passkey use
// that could not be recorded is not a failed ceremony), except for a
// cancelled request (see kindOf).
var errorKinds = []errorKind{
	{clientele.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "the service is temporarily unavailable: retry later"},
	{errBadRequest, http.StatusBadRequest, "bad_request", ""},
	{errTooLarge, http.StatusRequestEntityTooLarge, "body_too_large", "the request body exceeds 1 MiB"},
	{clientele.ErrInvalidEmail, http.StatusBadRequest, "invalid_email", ""},
	{clientele.ErrInvalidRole, http.StatusBadRequest, "invalid_role", ""},
	{tenancy.ErrUnknownPermission, http.StatusBadRequest, "unknown_permission", ""},
	{password.ErrWeakPassword, http.StatusBadRequest, "weak_password", ""},
	{authn.ErrClientRequired, http.StatusBadRequest, "client_required", "this email belongs to several clients: choose one with \"client\""},
	{authn.ErrCeremony, http.StatusBadRequest, "passkey_failed", "the passkey ceremony failed or expired; start again"},
	{clientele.ErrInvalidArgument, http.StatusBadRequest, "bad_request", ""},
	{authn.ErrInvalidCredentials, http.StatusUnauthorized, "invalid_credentials", "wrong email or password"},
	{invite.ErrSignInRequired, http.StatusUnauthorized, "sign_in_required", "this email already has an account: sign in to accept (its password, a passkey or a session of that account)"},
	{errWrongAgencyToken, http.StatusUnauthorized, "invalid_credentials", "wrong agency token"},
	{clientele.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated", "sign in first: no session, or it has ended"},
	{authn.ErrNoAccess, http.StatusUnauthorized, "no_access", "this account has no access to the client"},
	{rbac.ErrDenied, http.StatusForbidden, "forbidden", "not allowed for your role or this client's permissions"},
	{authn.ErrReauthRequired, http.StatusForbidden, "reauth_required", "confirm it's you: sign in again to change your credentials"},
	{errWrongCaller, http.StatusForbidden, "forbidden", "not allowed for this kind of caller"},
	{errCrossOrigin, http.StatusForbidden, "forbidden", "cross-origin request refused"},
	{errUnknownPortal, http.StatusNotFound, "unknown_portal", "no portal is served at this host"},
	{errNoRoute, http.StatusNotFound, "not_found", "no such endpoint"},
	{clientele.ErrNotFound, http.StatusNotFound, "not_found", "not found"},
	{invite.ErrUnknownToken, http.StatusNotFound, "not_found", "no such invitation"},
	{errMethod, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this endpoint"},
	{invite.ErrAlreadyMember, http.StatusConflict, "already_member", "this email is already a member of the client"},
	{invite.ErrPendingExists, http.StatusConflict, "pending_invitation", "this email already has a pending invitation"},
	{invite.ErrHasAccount, http.StatusConflict, "has_account", "this email already has an account: sign in to accept"},
	{tenancy.ErrLastAdmin, http.StatusConflict, "last_admin", "the client's last active admin cannot be removed or demoted"},
	{clientele.ErrDuplicate, http.StatusConflict, "conflict", "already exists"},
	{invite.ErrExpired, http.StatusGone, "expired", "this invitation has expired"},
	{invite.ErrCancelled, http.StatusGone, "cancelled", "this invitation was cancelled"},
	{invite.ErrReplaced, http.StatusGone, "replaced", "this invitation was replaced by a newer one"},
	{invite.ErrUsed, http.StatusGone, "used", "this invitation was already used"},
	{authn.ErrRateLimited, http.StatusTooManyRequests, "rate_limited", "too many attempts: retry later"},
}

var internal = errorKind{status: http.StatusInternalServerError, code: "internal", message: "internal server error"}

// unavailableRetry is the Retry-After of a 503, in seconds: about what a
// database takes to restart.
const unavailableRetry = 5

// WriteError answers err as JSON {"error":{"code","message"}} with the
// status its sentinel maps to (see the package documentation of the
// contract): 400 for bad input, 401 unauthenticated or
// invalid_credentials, 403, 404, 409, 410, 429 (with Retry-After in whole
// seconds, rounded up) and 413 for a body over 1 MiB. A 401 carries
// `WWW-Authenticate: Bearer`. [clientele.ErrUnavailable], a store that
// cannot reach its database (down, restarting or dropping connections),
// answers 503 unavailable with Retry-After and is logged on log at
// warning level. Input errors (400) show their own message; others a
// fixed one. Any other error is logged on log (nil: not logged) and
// answers 500 internal with a generic message. A cancelled request is
// never 503 and is logged at debug level only.
func WriteError(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) {
	k, ok := kindOf(err)
	if !ok {
		k = internal
		if log != nil {
			level := slog.LevelError
			if errors.Is(err, context.Canceled) {
				level = slog.LevelDebug
			}
			log.Log(r.Context(), level, "request failed", "method", r.Method, "route", r.Pattern, "err", err)
		}
	}
	if k.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(unavailableRetry))
		if log != nil {
			log.WarnContext(r.Context(), "store unavailable", "method", r.Method, "route", r.Pattern, "err", err)
		}
	}
	msg := k.message
	if msg == "" {
		msg = err.Error()
	}
	if k.status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(err)))
	}
	if k.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	writeJSON(w, k.status, struct {
		Error body `json:"error"`
	}{body{k.code, msg}})
}

// kindOf finds err's answer in errorKinds. A cancelled request is never
// unavailable, its caller is gone: it takes the next match, if any, or
// answers 500 and is logged at debug level.
func kindOf(err error) (errorKind, bool) {
	cancelled := errors.Is(err, context.Canceled)
	for _, k := range errorKinds {
		if errors.Is(err, k.target) && !(cancelled && k.status == http.StatusServiceUnavailable) {
			return k, true
		}
	}
	return errorKind{}, false
}

// retrySeconds is the wait of a *authn.RateLimitError in err, rounded up
// to whole seconds, at least 1.
func retrySeconds(err error) int {
	e, ok := errors.AsType[*authn.RateLimitError](err)
	if !ok {
		return 1
	}
	s := math.Ceil(e.RetryAfter.Seconds())
	if s < 1 {
		return 1
	}
	if s > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(s)
}
