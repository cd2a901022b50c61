// Package clienteletest gives a host application's own unit tests a ready
// in-memory Clientele: an agency, services wired to an in-memory store and
// the default policy, a settable clock, a Mailer that captures messages,
// and principals for each role, so a handler test needs a few lines.
//
// It hashes passwords with cheap argon2id parameters to keep tests fast;
// never use it outside tests.
package clienteletest
