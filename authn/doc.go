// Package authn signs client users in and keeps them signed in: passwords
// (argon2id, package authn/password), passkeys (WebAuthn, package
// authn/passkey) and server-side sessions.
//
// A session token is 32 random bytes shown once; only its SHA-256 hash is
// stored. Every sign-in and account setup makes a new token. Sessions end
// after [DefaultIdleTimeout] without use or [DefaultAbsoluteTimeout] in all,
// whichever comes first, and at once when the user signs out, is revoked,
// removed or deactivated.
//
// Authority is fresh on every request: [Service.Resolve] reads the session,
// the membership's current role and status and the client's current
// permissions in one indexed query, so a role change, a permission change,
// a deactivation or a removal holds from the very next request on every
// process that shares the database.
//
// Sign-in and invitation acceptance are rate limited per account and per
// client IP, in windows counted in the store (so shared across processes
// on a SQL store); a refusal is a [*RateLimitError] with the time to wait.
package authn
