package main

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mailsTo returns the subjects of the emails to `to` in dir.
func mailsTo(t *testing.T, dir, to string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	require.NoError(t, err)
	var subjects []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		require.NoError(t, err)
		if strings.Contains(m.Header.Get("To"), to) {
			subjects = append(subjects, m.Header.Get("Subject"))
		}
	}
	return subjects
}

// A credential change mails the user a short security notice; removing a
// user mails nobody (access notices are not credential notices).
func TestCredentialChangeSendsANotice(t *testing.T) {
	p := startPortal(t, "sqlite:"+filepath.Join(t.TempDir(), "portal.db"))
	agency := p.token
	var client struct {
		ID string `json:"id"`
	}
	require.Equal(t, 201, p.call(t, "POST", "/api/v1/clients", agency, map[string]any{"name": "Globex"}, &client))
	invitations := "/api/v1/clients/" + client.ID + "/invitations"
	var ada, bob struct {
		User         struct{ ID string } `json:"user"`
		SessionToken string              `json:"session_token"`
	}
	for _, u := range []struct {
		email string
		out   any
	}{{"ada@example.com", &ada}, {"bob@example.com", &bob}} {
		require.Equal(t, 201, p.call(t, "POST", invitations, agency, map[string]any{"email": u.email, "role": "admin"}, nil))
		link := p.inviteToken(t, u.email)
		require.Equal(t, 201, p.call(t, "POST", "/api/v1/invitations/accept", "",
			map[string]any{"token": link, "name": "Someone", "password": "analytical engine 1843"}, u.out))
	}

	require.Equal(t, 201, p.call(t, "POST", "/api/v1/password", ada.SessionToken,
		map[string]any{"password": "difference engine 1822"}, nil))
	require.Eventually(t, func() bool {
		return len(mailsTo(t, p.mailDir, "ada@example.com")) == 2
	}, 20*time.Second, 20*time.Millisecond, "the notice to ada")
	assert.Contains(t, mailsTo(t, p.mailDir, "ada@example.com"), "Your password was changed")

	var audit struct {
		Events []struct {
			Action, Actor, Target string
		} `json:"events"`
	}
	require.Equal(t, 200, p.call(t, "GET", "/api/v1/audit", agency, nil, &audit))
	require.NotEmpty(t, audit.Events)
	assert.Equal(t, "user.password_change", audit.Events[0].Action)
	assert.Equal(t, ada.User.ID, audit.Events[0].Actor)

	// Removing bob mails nobody, however long we wait for the outbox.
	require.Equal(t, 204, p.call(t, "DELETE", "/api/v1/clients/"+client.ID+"/users/"+bob.User.ID, agency, nil, nil))
	require.Equal(t, 201, p.call(t, "POST", invitations, agency, map[string]any{"email": "carol@example.com", "role": "member"}, nil))
	p.inviteToken(t, "carol@example.com") // the outbox has run past the removal
	assert.Len(t, mailsTo(t, p.mailDir, "bob@example.com"), 1, "only bob's invitation")
}
