package token_test

import (
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/internal/token"
)

func TestNewTokensAreUniqueAndHashBack(t *testing.T) {
	seen := make(map[string]bool, 100000)
	for range 100000 {
		tok, hash := token.New()
		require.False(t, seen[tok], "duplicate token")
		seen[tok] = true
		require.Len(t, tok, token.Length)
		again, err := token.Hash(tok)
		require.NoError(t, err)
		require.Equal(t, hash, again)
	}
}

func FuzzHash(f *testing.F) {
	tok, _ := token.New()
	f.Add(tok)
	f.Add("")
	f.Add(tok[:42] + "=")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := token.Hash(s)
		if err != nil {
			assert.ErrorIs(t, err, token.ErrMalformed)
			return
		}
		assert.Len(t, s, token.Length)
		assert.Len(t, h, sha256.Size)
	})
}
