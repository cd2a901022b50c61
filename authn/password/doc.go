// Package password hashes and verifies passwords with argon2id.
//
// A [Hasher] turns a password into a self-describing PHC string,
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// (salt and key in unpadded standard base64), and verifies a password
// against such a string with the parameters the string carries, so the
// parameters can be raised later without invalidating stored hashes:
// [Hasher.Verify] reports when a hash should be replaced by a fresh one.
//
// [DefaultParams] are OWASP's recommended minimum for argon2id: 19 MiB of
// memory, 2 iterations, 1 degree of parallelism. Each computation holds its
// memory for its duration, so a Hasher bounds how many run at once
// ([WithConcurrency]): a burst of sign-ins queues instead of exhausting
// memory.
//
// New passwords are checked by [Validate]: at least [MinLength]
// characters, at most [MaxLength] bytes, valid UTF-8 without NUL bytes, and
// not commonly used. A password is never truncated: a longer one is
// rejected. Passwords are not normalized; the bytes typed are the bytes
// hashed.
//
// The blocklist, as NIST SP 800-63B asks, is the ranked lists of
// github.com/trustelem/zxcvbn (a Go port of Dropbox's zxcvbn): 30,000
// passwords ranked from a leaked-password corpus, and the common names and
// English words zxcvbn keeps apart from them; 41,621 entries of at least
// MinLength characters. A password whose lowercase form is one of them
// exactly is refused; nothing else (no composition rule, no score).
// The set is built on the first check, in a few milliseconds, not at
// import. [Hasher.Verify] does not consult it: a password chosen before it
// still signs in.
//
// Nothing in this package logs or keeps a password.
package password
