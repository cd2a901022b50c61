package main

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/internal/token"
)

func TestSessionToken(t *testing.T) {
	// Computed outside Go:
	//   printf 'clientele-httpload/cli_a/usr_b' | sha256sum | xxd -r -p | base64 (url alphabet, unpadded)
	//   ... | xxd -r -p | sha256sum
	const (
		want     = "JXF1BxPEq-CwEoBxDfAIQHOEA4Q-hKYSzGzTwtrzOVo"
		wantHash = "babdbd835e92a71c3c857801ddc7705e9aadd7d33ddeea8c990493035cb2d8f7"
	)
	tok := sessionToken("cli_a", "usr_b")
	assert.Equal(t, want, tok)
	assert.Len(t, tok, token.Length)
	assert.Equal(t, wantHash, hex.EncodeToString(sessionHash("cli_a", "usr_b")))

	hash, err := token.Hash(tok)
	require.NoError(t, err, "authn accepts the token")
	assert.Equal(t, sessionHash("cli_a", "usr_b"), hash, "and looks it up under the stored hash")

	assert.NotEqual(t, tok, sessionToken("cli_a", "usr_c"))
}
