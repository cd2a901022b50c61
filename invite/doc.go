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
//
// By default Create and Resend send the email before they return. With
// [WithOutbox] they queue it instead, in the same atomic step as the
// invitation, and a [Deliverer] (one or several, in any processes sharing
// the store) sends it with retries and exponential backoff: an SMTP outage
// delays an invitation and never loses it. The outbox holds no link and no
// token: the Deliverer makes the token when it sends, rotating the
// invitation's stored hash, so the link in the newest email is the one that
// works (see [Deliverer]).
//
// The same outbox carries security notices ([KindNotice]): a store that
// changes a user's credentials (a passkey added or removed, a password
// changed) queues the [Notice] in the change's atomic step, and the
// Deliverer mails the user, read when it sends, a short branded email
// with one link to the portal's sign-in page (<portal URL>/login). A
// notice to a user who is gone is dropped. Removing a user's access sends
// no notice.
//
// Create, Resend, Cancel and Accept record a [clientele.AuditEvent] in the
// same atomic step as the change, with the actor (the accepting user for
// an acceptance), the source IP the context carries
// ([clientele.WithSourceIP]) and the invitation's email, role and status,
// never its token.
package invite
