package tenancy_test

import (
	"encoding/base64"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestCursorRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		key  tenancy.Key
	}{
		{"email", tenancy.Key{Sort: "ada@example.com", ID: "usr_abc123"}},
		{"client name", tenancy.Key{Sort: "Globex Corp", ID: "cli_x"}},
		{"empty sort", tenancy.Key{Sort: "", ID: "cli_1"}},
		{"unicode sort", tenancy.Key{Sort: "Société Générale 東京 🎉", ID: "cli_2"}},
		{"JSON metacharacters", tenancy.Key{Sort: `a "quoted" \ name, [x]`, ID: "cli_3"}},
		{"HTML characters", tenancy.Key{Sort: "<b>&amp;</b>", ID: "cli_4"}},
		{"line separator", tenancy.Key{Sort: "a\u2028b", ID: "cli_5"}},
		{"long sort", tenancy.Key{Sort: strings.Repeat("é", 100), ID: strings.Repeat("a", 64)}},
		{"id with hyphen", tenancy.Key{Sort: "x", ID: "inv-1_a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tenancy.EncodeCursor(tt.key)
			assert.NotContains(t, c, "=")
			assert.Equal(t, c, b64(string(mustDecodeB64(t, c))), "base64url without padding")
			got, err := tenancy.DecodeCursor(c)
			require.NoError(t, err)
			assert.Equal(t, tt.key, got)
			assert.Equal(t, c, tenancy.EncodeCursor(got))
		})
	}
}

func mustDecodeB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestDecodeCursorMalformed(t *testing.T) {
	valid := tenancy.EncodeCursor(tenancy.Key{Sort: "a@example.com", ID: "usr_1"})
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"not base64", "!!!"},
		{"standard base64 alphabet with +", base64.RawStdEncoding.EncodeToString([]byte(`["~~~","usr_1"]`))},
		{"padded", valid + "="},
		{"padded encoding", base64.URLEncoding.EncodeToString([]byte(`["a","usr_1"]`))},
		{"truncated", valid[:len(valid)-1]},
		{"not JSON", b64("hello")},
		{"JSON object", b64(`{"sort":"a","id":"usr_1"}`)},
		{"JSON null", b64("null")},
		{"JSON string", b64(`"usr_1"`)},
		{"one element", b64(`["a"]`)},
		{"empty array", b64(`[]`)},
		{"numbers", b64(`[1,2]`)},
		{"empty id", b64(`["a",""]`)},
		{"invalid id", b64(`["a","USR 1"]`)},
		{"id too long", b64(`["a","` + strings.Repeat("a", 65) + `"]`)},
		{"trailing garbage", b64(`["a","usr_1"]x`)},
		// Only what EncodeCursor makes is accepted.
		{"extra element", b64(`["a","usr_1","extra"]`)},
		{"surrounding whitespace", b64(` ["a","usr_1"] `)},
		{"escaped letter", b64(`["\u0061","usr_1"]`)},
		{"too long", strings.Repeat("A", 1025)},
		{"too long but valid", tenancy.EncodeCursor(tenancy.Key{Sort: strings.Repeat("a", 1000), ID: "usr_1"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tenancy.DecodeCursor(tt.in)
			require.ErrorIs(t, err, clientele.ErrInvalidArgument)
			assert.Zero(t, got)
		})
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(tenancy.EncodeCursor(tenancy.Key{Sort: "ada@example.com", ID: "usr_1"}))
	f.Add(tenancy.EncodeCursor(tenancy.Key{Sort: "", ID: "cli_1"}))
	f.Add(tenancy.EncodeCursor(tenancy.Key{Sort: "東京", ID: "cli_1"}))
	f.Add(b64(`["a","usr_1","extra"]`))
	f.Add(b64(`["a",null]`))
	f.Add(b64(`["\ud800","usr_1"]`))
	f.Add("")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := tenancy.DecodeCursor(s)
		if err != nil {
			require.ErrorIs(t, err, clientele.ErrInvalidArgument)
			return
		}
		require.True(t, clientele.ValidID(k.ID), "decoded id %q", k.ID)
		again, err := tenancy.DecodeCursor(tenancy.EncodeCursor(k))
		require.NoError(t, err)
		require.Equal(t, k, again)
	})
}

func FuzzHostName(f *testing.F) {
	for _, s := range []string{
		"portal.example.com", "Portal.Example.COM:8443", "portal.example.com.", "127.0.0.1:80", "[::1]:443",
		"a b.com", "", ":", "http://x.com", "xn--bcher-kva.example", "0x7f.0.0.1", "example.com:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		name, err := tenancy.HostName(host)
		if err != nil {
			require.ErrorIs(t, err, clientele.ErrNotFound)
			require.Empty(t, name)
			return
		}
		require.NotEmpty(t, name)
		require.Equal(t, strings.ToLower(name), name, "not lower-case")
		require.NotContains(t, name, ":", "port kept")
		require.False(t, strings.ContainsAny(name, " \t\r\n/[]@"), "bad character in %q", name)
		require.False(t, strings.HasSuffix(name, "."), "trailing dot kept")
		require.Nil(t, net.ParseIP(name), "IP literal accepted: %q", name)
		again, err := tenancy.HostName(name)
		require.NoError(t, err)
		require.Equal(t, name, again, "not idempotent")
	})
}

func TestHostName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Portal.Example.COM:8443", "portal.example.com"},
		{"portal.example.com", "portal.example.com"},
		{"portal.example.com.", "portal.example.com"},
		{"portal.example.com.:443", "portal.example.com"},
	}
	for _, tt := range tests {
		got, err := tenancy.HostName(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got)
	}
	for _, in := range []string{"", "127.0.0.1", "127.0.0.1:80", "[::1]:80", "::1", "localhost", "a b.com", "x.com:1:2", "0x7f.1"} {
		_, err := tenancy.HostName(in)
		assert.ErrorIs(t, err, clientele.ErrNotFound, "%q", in)
	}
}
