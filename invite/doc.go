// Package invite runs the invitation lifecycle of a client: create (email
// and role), resend (a new link and a fresh window; the old link dies),
// cancel, look up (changes nothing) and accept (single-use and atomic).
//
// A token is 32 random bytes in base64url, shown once in the email; only its
// SHA-256 hash is stored. The link is <portal URL>/invite/<token>, where the
// portal URL is https://<custom domain> when the agency has one and the
// configured base URL otherwise, never a request's Host. Links work for
// [DefaultTTL] unless configured with [WithTTL].
//
// Accepting creates the user with an argon2id password, or, when the email
// already has a user in the agency, adds the membership without touching
// that user's credentials. Errors tell an unknown token, an expired,
// cancelled or replaced invitation and an already used one apart.
package invite
