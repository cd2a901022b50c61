package invite

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// TokenLength is the length of an invitation token: 32 random bytes in
// unpadded base64url.
const TokenLength = 43

// newToken returns a fresh token (shown once, in the email) and the
// SHA-256 hash that is stored.
func newToken() (token string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (Go 1.24+).
	sum := sha256.Sum256(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:]), sum[:]
}

// HashToken decodes token strictly (exactly [TokenLength] characters of
// unpadded base64url encoding 32 bytes) and returns the SHA-256 hash under
// which its invitation is stored. Anything else answers ErrUnknownToken.
func HashToken(token string) ([]byte, error) {
	if len(token) != TokenLength {
		return nil, ErrUnknownToken
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) != 32 {
		return nil, ErrUnknownToken
	}
	sum := sha256.Sum256(raw)
	return sum[:], nil
}
