// Package tenancyhttp is the JSON API of the reference server
// (examples/portal) and the net/http middleware a host needs around
// Clientele: it finds the portal's agency from the request's Host,
// authenticates the caller from a bearer token or the session cookie, guards
// cookie requests against cross-origin forgery, and maps the library's
// errors to status codes in one place ([WriteError]).
//
// # Routes
//
// [API.Handler] serves every /api/v1 route of the contract. Each route names
// the rbac action it needs and how it is guarded, in that order:
//
//   - agency routes (branding, clients, permissions, deactivate,
//     reactivate): 401 without a caller, 403 unless the caller's role has a
//     rule for the action (so every client user), then 404 for ids outside
//     the agency;
//   - client routes (/api/v1/clients/{client}/...): 401 without a caller,
//     404 for a client the caller cannot see (another client's ids are never
//     told from unknown ones), 403 unless the role has a rule for the
//     action, then the service decides with the client's current
//     permissions;
//   - self routes (/api/v1/me, a user's own passkeys): a signed-in client
//     user; the agency token answers 403;
//   - public routes (sessions, invitation links, passkey sign-in and
//     set-up): no credential is read, so a stale cookie never blocks a
//     sign-in.
//
// Every error is {"error":{"code","message"}}. Lists answer
// {"clients"|"users":[…],"next":"…"} where next is "" after the last page.
//
// # Credentials
//
// A request carries either `Authorization: Bearer <token>` (the agency
// token or a session token) or the session cookie set by the sign-in and
// accept responses. Authority is read fresh on every request, so a role
// change or a removal holds from the very next request. Unsafe requests
// without a bearer token (cookie or none, which covers login forgery) pass
// [net/http.CrossOriginProtection] first; bearer requests carry no ambient
// credential and are exempt.
package tenancyhttp
