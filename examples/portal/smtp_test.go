package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInvitationBySMTP runs the server with -smtp against a strict mock
// SMTP server (it refuses a HELO that is not a domain name, such as a bare
// host name): the invitation arrives with its one link.
func TestInvitationBySMTP(t *testing.T) {
	mock := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	require.NoError(t, mock.Start())
	t.Cleanup(func() { _ = mock.Stop() })

	p := startPortal(t, "sqlite:"+filepath.Join(t.TempDir(), "portal.db"), "-smtp", fmt.Sprintf("smtp://127.0.0.1:%d", mock.PortNumber()))
	var client struct{ ID string }
	require.Equal(t, http.StatusCreated, p.call(t, "POST", "/api/v1/clients", p.token, map[string]string{"name": "Globex"}, &client))
	require.Equal(t, http.StatusCreated, p.call(t, "POST", "/api/v1/clients/"+client.ID+"/invitations", p.token,
		map[string]string{"email": "ada@example.com", "role": "member"}, nil))

	msgs, err := mock.WaitForMessages(1, 10*time.Second)
	require.NoError(t, err, "the invitation never arrived")
	require.Len(t, msgs, 1)
	assert.Equal(t, "EHLO localhost", strings.TrimSpace(msgs[0].HeloRequest()), "the greeting names the portal's mail domain")
	assert.Contains(t, msgs[0].MsgRequest(), p.base+"/invite/")
}
