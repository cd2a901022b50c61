package passkey_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/passkey"
)

func TestFor(t *testing.T) {
	agency := func(domain string) clientele.Agency {
		return clientele.Agency{ID: "agc_acme", Branding: clientele.Branding{Name: "Acme", CustomDomain: domain}}
	}
	tests := []struct {
		name   string
		agency clientele.Agency
		base   string
		want   passkey.RelyingParty
	}{
		{
			name:   "custom domain",
			agency: agency("portal.acme.com"),
			base:   "https://app.clientele.io:8443",
			want:   passkey.RelyingParty{ID: "portal.acme.com", Name: "Acme", Origin: "https://portal.acme.com"},
		},
		{
			name:   "base URL",
			agency: agency(""),
			base:   "https://app.clientele.io/",
			want:   passkey.RelyingParty{ID: "app.clientele.io", Name: "Acme", Origin: "https://app.clientele.io"},
		},
		{
			name:   "base URL with port",
			agency: agency(""),
			base:   "https://app.clientele.io:8443",
			want:   passkey.RelyingParty{ID: "app.clientele.io", Name: "Acme", Origin: "https://app.clientele.io:8443"},
		},
		{
			name:   "default port and upper case dropped",
			agency: agency(""),
			base:   "https://App.Clientele.io:443",
			want:   passkey.RelyingParty{ID: "app.clientele.io", Name: "Acme", Origin: "https://app.clientele.io"},
		},
		{
			name:   "path ignored",
			agency: agency(""),
			base:   "https://clientele.io/portal/",
			want:   passkey.RelyingParty{ID: "clientele.io", Name: "Acme", Origin: "https://clientele.io"},
		},
		{
			name:   "http on localhost",
			agency: agency(""),
			base:   "http://localhost:8080",
			want:   passkey.RelyingParty{ID: "localhost", Name: "Acme", Origin: "http://localhost:8080"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := passkey.For(tt.agency, tt.base)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestForInvalid(t *testing.T) {
	named := clientele.Agency{Branding: clientele.Branding{Name: "Acme"}}
	for _, base := range []string{
		"",
		"app.clientele.io",
		"not a url",
		"://app.clientele.io",
		"https://",
		"http://app.clientele.io",
		"ftp://app.clientele.io",
		"https://10.0.0.1",
		"https://[::1]:8443",
		"https://user:pass@app.clientele.io",
		"https://app.clientele.io:port",
		"https://app clientele.io",
	} {
		_, err := passkey.For(named, base)
		assert.ErrorIs(t, err, clientele.ErrInvalidArgument, "%q", base)
	}

	_, err := passkey.For(clientele.Agency{}, "https://app.clientele.io")
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument, "an agency without a name")
}
