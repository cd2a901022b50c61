package main

import (
	"crypto/sha256"
	"encoding/base64"
)

// tokenPrefix starts the input of every derived token.
const tokenPrefix = "clientele-httpload/"

// rawToken is the 32 secret bytes of the session of user in client:
// SHA-256("clientele-httpload/" + client + "/" + user). Anyone who knows
// the two ids can derive it: these sessions exist only for measurement.
func rawToken(client, user string) [32]byte {
	b := make([]byte, 0, len(tokenPrefix)+len(client)+1+len(user))
	b = append(append(append(append(b, tokenPrefix...), client...), '/'), user...)
	return sha256.Sum256(b)
}

// sessionToken is the bearer token of the session of user in client: its
// raw bytes in unpadded base64url (43 characters), as authn hands out.
func sessionToken(client, user string) string {
	raw := rawToken(client, user)
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// sessionHash is what clientele_sessions.token_hash holds for that
// session: SHA-256 of the raw bytes (see internal/token.Hash).
func sessionHash(client, user string) []byte {
	raw := rawToken(client, user)
	sum := sha256.Sum256(raw[:])
	return sum[:]
}
