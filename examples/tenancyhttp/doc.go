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
//     reactivate, the agency's audit log): 401 without a caller, 403
//     unless the caller's role has a rule for the action (so every client
//     user; a client Admin has one for the audit log, which the service
//     then denies), then 404 for ids outside the agency;
//   - client routes (/api/v1/clients/{client}/...): 401 without a caller,
//     404 for a client the caller cannot see (another client's ids are never
//     told from unknown ones), 403 unless the role has a rule for the
//     action, then the service decides with the client's current
//     permissions;
//   - self routes (/api/v1/me, a user's own passkeys): a signed-in client
//     user; the agency token answers 403;
//   - public routes (sessions, the console session, invitation links,
//     passkey sign-in and set-up): no credential is read, so a stale cookie never blocks a
//     sign-in.
//
// Every error is {"error":{"code","message"}}. Lists answer
// {"clients"|"users"|"events":[…],"next":"…"} where next is "" after the
// last page.
//
// # Credentials
//
// A request carries either `Authorization: Bearer <token>` (the agency
// token or a session token), the session cookie set by the sign-in and
// accept responses, or the agency console's cookie, which POST
// /api/v1/agency/session {"token"} sets in exchange for the agency token
// (an HMAC over its expiry, keyed from the token; DELETE clears it) and
// which stands for the agency admin. A host's pages find their visitor
// with [API.Identify]. Authority is read fresh on every request, so a role
// change or a removal holds from the very next request. Unsafe requests
// without a bearer token (cookie or none, which covers login forgery) pass
// [net/http.CrossOriginProtection] first; bearer requests carry no ambient
// credential and are exempt.
package tenancyhttp
