package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInvitationFromAgencyName: an agency name with a quote (it once made
// every invitation fail to build, retried forever while the API answered
// 201), a backslash, accents and emoji still yields an invitation email,
// by file and by SMTP, whose From display name reads back as that name.
func TestInvitationFromAgencyName(t *testing.T) {
	for _, transport := range []string{"file", "smtp"} {
		for _, name := range []string{`12" Records`, `Café\Bar "Ünïcødé" 🚀`} {
			t.Run(fmt.Sprintf("%s %s", transport, name), func(t *testing.T) {
				dsn := "sqlite:" + filepath.Join(t.TempDir(), "portal.db")
				var p *portal
				var received func() []byte
				switch transport {
				case "file":
					p = startPortal(t, dsn)
					received = func() []byte { return waitMail(t, p.mailDir, "ada@example.com") }
				case "smtp":
					mock := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
					require.NoError(t, mock.Start())
					t.Cleanup(func() { _ = mock.Stop() })
					p = startPortal(t, dsn, "-smtp", fmt.Sprintf("smtp://127.0.0.1:%d", mock.PortNumber()))
					received = func() []byte {
						msgs, err := mock.WaitForMessages(1, 20*time.Second)
						require.NoError(t, err, "the invitation never arrived")
						return []byte(msgs[0].MsgRequest())
					}
				}
				var branding map[string]any
				require.Equal(t, http.StatusOK, p.call(t, "PUT", "/api/v1/agency/branding", p.token, map[string]string{"name": name}, &branding))
				require.Equal(t, name, branding["name"])
				var client struct{ ID string }
				require.Equal(t, http.StatusCreated, p.call(t, "POST", "/api/v1/clients", p.token, map[string]string{"name": "Globex"}, &client))
				require.Equal(t, http.StatusCreated, p.call(t, "POST", "/api/v1/clients/"+client.ID+"/invitations", p.token,
					map[string]string{"email": "ada@example.com", "role": "member"}, nil))

				msg, err := mail.ReadMessage(bytes.NewReader(received()))
				require.NoError(t, err)
				from, err := mail.ParseAddress(msg.Header.Get("From"))
				require.NoError(t, err, "From: %s", msg.Header.Get("From"))
				assert.Equal(t, name, from.Name)
				assert.Equal(t, "no-reply@localhost", from.Address)
			})
		}
	}
}

// waitMail waits for the .eml file in dir addressed to `to` and returns it.
func waitMail(t *testing.T, dir, to string) []byte {
	t.Helper()
	var raw []byte
	require.Eventually(t, func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), to) {
				raw = b
				return true
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond, "the invitation to %s never arrived", to)
	return raw
}
