// Package web is the reference server's browser pages: the agency console
// and the client portal, server-rendered with html/template and embedded
// with the little CSS and JavaScript they need, so there is no front-end
// build step.
//
// Each page is a shell that carries the agency's branding (name, logo and
// primary color) and the facts the server knows at once; one small script
// per area (portal.js, console.js, on top of common.js) calls the JSON API
// of [tenancyhttp] with fetch, same-origin, so the session cookie carries
// the caller and the API's cross-origin check lets it through. Passkeys
// go through navigator.credentials and the API's /api/v1/passkeys
// ceremonies.
//
// # Routes
//
//	/                             portal dashboard: the features this user may use now, the
//	                              user's passkeys and password
//	/login                        sign in with a passkey or a password
//	/invite/{token}               accept an invitation: set up a passkey or a password, or,
//	                              for an email that has an account, sign in to it to accept
//	/users                        the client's users (Admins manage them; Members read)
//	/console                      agency console: token sign-in, then the clients
//	/console/clients/{id}         a client's Users tab
//	/console/clients/{id}/permissions  its Permissions tab
//	/console/branding             the agency's branding, with a live preview
//	/static/{file}, /brand.css    assets (no agency needed)
//
// A page that needs a visitor the request does not have redirects (303):
// portal pages to /login, console pages to /console.
//
// Every form that carries a secret says method="post" with its own page
// as the action: the scripts send it to the API, and a browser running
// none posts it there, never as a URL query; such a post changes nothing
// and answers that the page needs JavaScript.
//
// Credential changes (a passkey added or removed, a new password) need a
// recent sign-in: when the API answers 403 reauth_required, the dashboard
// asks the user to confirm it's them in a dialog (password or passkey),
// then runs the change once more.
//
// # Security
//
// Every page is sent with a strict Content-Security-Policy (scripts and
// styles from the server only, no inline code; images from anywhere, for
// the agency's logo), no-referrer (an invitation link never leaks to the
// logo's host), no framing and no caching. The primary color reaches the
// CSS through /brand.css?c=RRGGBB, a stylesheet computed from its URL, so
// no inline style is needed. Templates escape everything; the scripts
// build the DOM with textContent, never with markup from data.
package web
