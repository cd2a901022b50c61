// Package token makes and checks the secrets Clientele hands out
// (invitation links, sessions, WebAuthn ceremonies): 32 random bytes from
// crypto/rand in unpadded base64url, of which only the SHA-256 hash is
// ever stored or looked up.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
)

// Length is the length of a token: 32 bytes in unpadded base64url.
const Length = 43

// ErrMalformed reports a string that is not a token.
var ErrMalformed = errors.New("token: malformed")

// New returns a fresh token, to show once, and the hash to store.
func New() (tok string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (Go 1.24+).
	sum := sha256.Sum256(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:]), sum[:]
}

// Hash decodes tok strictly (exactly Length characters of unpadded
// base64url encoding 32 bytes) and returns the SHA-256 hash it is stored
// under, or ErrMalformed.
func Hash(tok string) ([]byte, error) {
	if len(tok) != Length {
		return nil, ErrMalformed
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(raw) != 32 {
		return nil, ErrMalformed
	}
	sum := sha256.Sum256(raw)
	return sum[:], nil
}
