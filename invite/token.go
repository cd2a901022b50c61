package invite

import "github.com/clientele/clientele/internal/token"

// TokenLength is the length of an invitation token: 32 random bytes in
// unpadded base64url.
const TokenLength = token.Length

// newToken returns a fresh token (shown once, in the email) and the
// SHA-256 hash that is stored.
func newToken() (string, []byte) { return token.New() }

// HashToken decodes token strictly (exactly [TokenLength] characters of
// unpadded base64url encoding 32 bytes) and returns the SHA-256 hash under
// which its invitation is stored. Anything else answers ErrUnknownToken.
func HashToken(tok string) ([]byte, error) {
	h, err := token.Hash(tok)
	if err != nil {
		return nil, ErrUnknownToken
	}
	return h, nil
}
