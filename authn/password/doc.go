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
// Passwords are checked by [Validate]: at least [MinLength] characters, at
// most [MaxLength] bytes, valid UTF-8 without NUL bytes. A password is never
// truncated: a longer one is rejected. Passwords are not normalized; the
// bytes typed are the bytes hashed.
//
// Nothing in this package logs or keeps a password.
package password
