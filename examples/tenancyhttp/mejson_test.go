package tenancyhttp

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
)

// encodingJSON is what writeJSON would write for m.
func encodingJSON(t testing.TB, m *meJSON) []byte {
	var buf bytes.Buffer
	require.NoError(t, json.NewEncoder(&buf).Encode(m))
	return buf.Bytes()
}

func TestMeJSONMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 30, 0, 123456000, time.UTC)
	nanos := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("", 3600))
	tests := []struct {
		name string
		m    meJSON
	}{
		{"plain", meJSON{User: userJSON{ID: "usr_1", Name: "Ada", Email: "ada@example.com", Role: clientele.RoleAdmin, Status: "active", LastActiveAt: &at},
			Client: clientRef{"cli_1", "Globex"}, Role: clientele.RoleAdmin, Permissions: []clientele.Permission{clientele.PermManageBilling, clientele.PermViewReports}}},
		{"no activity, no permissions", meJSON{User: userJSON{ID: "usr_2", Name: "Bob"}, Permissions: []clientele.Permission{}}},
		{"nil permissions", meJSON{}},
		{"expires and odd zone", meJSON{User: userJSON{LastActiveAt: &nanos, ExpiresAt: &nanos}}},
		{"escapes", meJSON{User: userJSON{Name: "a\"b\\c\n\r\t\b\f\x00\x1f<>&\u2028\u2029 é 東京 \xff\xfe end"},
			Client: clientRef{"cli", "<script>&amp;</script>"}, Permissions: []clientele.Permission{"x\"y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, string(encodingJSON(t, &tt.m)), string(tt.m.appendJSON(nil)))
		})
	}
}

func FuzzMeJSON(f *testing.F) {
	f.Add("usr_1", "Ada <Lovelace>", "ada@example.com", "Globex & Co", "manage_billing", int64(1764235800), true)
	f.Add("", "\xff\u2028", "", "\x00", "", int64(0), false)
	f.Fuzz(func(t *testing.T, id, name, email, client, perm string, secs int64, active bool) {
		at := time.Unix(secs%(1<<35), 0).UTC()
		m := meJSON{User: userJSON{ID: id, Name: name, Email: clientele.Email(email), Role: clientele.RoleMember, Status: "active"},
			Client: clientRef{clientele.ClientID(id), client}, Role: clientele.RoleMember, Permissions: []clientele.Permission{clientele.Permission(perm)}}
		if active {
			m.User.LastActiveAt = &at
		}
		if got, want := m.appendJSON(nil), encodingJSON(t, &m); !bytes.Equal(got, want) {
			t.Fatalf("appendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}
