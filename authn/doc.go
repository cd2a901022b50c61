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
// An invitation link is never a sign-in: [Service.AcceptInvitation] accepts
// for an email that already has an account only with proof that the caller
// is that account (its current password, a session of that user, or one
// of its passkeys through [Service.FinishPasskeyAccept]).
//
// Failed passwords count per account and address, and per address; a
// browser that signed in before carries a device token
// ([Service.RememberDevice]) held to a count of its own, so strangers'
// failures never lock the user out (see [Limits]). Acceptances and
// anonymous passkey ceremonies count per address. Counts are kept in the
// store (so shared across processes on a SQL store); a refusal is a
// [*RateLimitError] with the time to wait.
//
// Credential changes (a passkey added or removed, a new password) need a
// sign-in within [DefaultReauthWindow] ([ErrReauthRequired] otherwise;
// [Service.Reauthenticate] or a passkey proves it again), are audited, and
// with [WithSecurityNotices] queue a notice email to the user.
package authn
