package smtpmail_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/internal/mailmsg"
	"github.com/clientele/clientele/adapters/smtpmail"
	"github.com/clientele/clientele/invite"
)

const link = "https://portal.example.com/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

func message(to string) invite.Message {
	return invite.Message{
		To:       clientele.Email(to),
		FromName: "Agentur Müller",
		Subject:  "You're invited to join Globex on Agentur Müller",
		Text:     "Open this link:\n\n" + link + "\n",
		HTML:     `<p><a href="` + link + `">Accept invitation</a></p>`,
		Link:     link,
	}
}

// startServer starts a mock SMTP server on port (0: any free one) and
// stops it when t ends.
func startServer(t *testing.T, port int) *smtpmock.Server {
	t.Helper()
	s := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", PortNumber: port, MultipleMessageReceiving: true})
	require.NoError(t, s.Start())
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

func newMailer(t *testing.T, port int, opts ...smtpmail.Option) *smtpmail.Mailer {
	t.Helper()
	m, err := smtpmail.New(fmt.Sprintf("smtp://127.0.0.1:%d", port), "no-reply@portal.example.com",
		append([]smtpmail.Option{smtpmail.WithHELO("localhost")}, opts...)...)
	require.NoError(t, err)
	return m
}

func TestSendDeliversAMessageWithItsHeaders(t *testing.T) {
	server := startServer(t, 0)
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	m := newMailer(t, server.PortNumber(), smtpmail.WithClock(func() time.Time { return at }))

	require.NoError(t, m.Send(context.Background(), message("ada@example.com")))
	require.NoError(t, m.Send(context.Background(), message("bob@example.com")), "a second message on a new connection")
	msgs, err := server.WaitForMessages(2, 5*time.Second)
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	first := msgs[0]
	assert.True(t, strings.HasPrefix(first.MailfromRequest(), "MAIL FROM:<no-reply@portal.example.com>"), first.MailfromRequest())
	assert.Equal(t, "EHLO localhost", first.HeloRequest())
	require.NotEmpty(t, first.RcpttoRequestResponse())
	assert.Equal(t, "RCPT TO:<ada@example.com>", first.RcpttoRequestResponse()[0][0])

	p, err := mailmsg.Parse(strings.NewReader(first.MsgRequest()))
	require.NoError(t, err)
	assert.Equal(t, "Agentur Müller", p.From.Name)
	assert.Equal(t, "no-reply@portal.example.com", p.From.Address)
	assert.Equal(t, "<ada@example.com>", p.Header.Get("To"))
	assert.Equal(t, message("").Subject, p.Subject)
	date, err := p.Header.Date()
	require.NoError(t, err)
	assert.True(t, date.Equal(at))
	assert.Regexp(t, `^<[0-9a-f]{32}@portal\.example\.com>$`, p.Header.Get("Message-ID"))
	assert.Equal(t, "multipart/alternative", p.Type)
	assert.Equal(t, 1, strings.Count(p.Text, link))
	assert.Equal(t, 1, strings.Count(p.HTML, link))
}

// freePort returns a port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}

func TestSendFailsWhenTheServerIsDown(t *testing.T) {
	m := newMailer(t, freePort(t))
	err := m.Send(context.Background(), message("ada@example.com"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "ada@example.com")
	var op *net.OpError
	assert.ErrorAs(t, err, &op, "a network error the outbox classifies")
}

func TestSendRespectsItsContext(t *testing.T) {
	server := startServer(t, 0)
	m := newMailer(t, server.PortNumber())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, m.Send(ctx, message("ada@example.com")), context.Canceled)
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	require.ErrorIs(t, m.Send(ctx, message("ada@example.com")), context.DeadlineExceeded)
	assert.Empty(t, server.Messages())
}

func TestSendReportsARejectionWithItsCode(t *testing.T) {
	s := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true,
		BlacklistedRcpttoEmails: []string{"blocked@example.com"}, MsgRcpttoBlacklistedEmail: "550 5.1.1 No such user"})
	require.NoError(t, s.Start())
	t.Cleanup(func() { _ = s.Stop() })
	m := newMailer(t, s.PortNumber())
	err := m.Send(context.Background(), message("blocked@example.com"))
	require.Error(t, err)
	var coded interface{ ErrorCode() int }
	require.ErrorAs(t, err, &coded)
	assert.Equal(t, 550, coded.ErrorCode())
	assert.NotContains(t, err.Error(), "blocked@example.com", "no address in the error")
}

func TestNewRefusesBadURLsWithoutEchoingThem(t *testing.T) {
	for _, raw := range []string{
		"", "smtp://", "http://mail.example.com", "smtp://mail.example.com:0", "smtp://mail.example.com:70000",
		"smtp://user:s3cret@mail.example.com/path", "smtp://user:s3cret@mail.example.com?x=1", "smtp:opaque",
		"smtp://user:s3cret@mail.example.com:port",
	} {
		_, err := smtpmail.New(raw, "no-reply@portal.example.com")
		require.ErrorIs(t, err, clientele.ErrInvalidArgument, raw)
		assert.NotContains(t, err.Error(), "s3cret", raw)
	}
	for _, from := range []string{"", "Portal <no-reply@portal.example.com>", "a@example.com, b@example.com"} {
		_, err := smtpmail.New("smtp://mail.example.com", from)
		require.ErrorIs(t, err, clientele.ErrInvalidArgument, from)
	}
	for _, opt := range []smtpmail.Option{smtpmail.WithHELO(""), smtpmail.WithHELO("a b"), smtpmail.WithTimeout(0),
		smtpmail.WithTLSConfig(nil), smtpmail.WithClock(nil)} {
		_, err := smtpmail.New("smtp://mail.example.com", "no-reply@portal.example.com", opt)
		require.ErrorIs(t, err, clientele.ErrInvalidArgument)
	}
	for _, raw := range []string{"smtp://user:pa%20ss@mail.example.com:2525", "smtps://mail.example.com", "smtp://[::1]:25"} {
		_, err := smtpmail.New(raw, "no-reply@portal.example.com")
		require.NoError(t, err, raw)
	}
}

// A remote server that does not offer STARTTLS is refused: the message
// would otherwise cross the network in clear.
func TestSTARTTLSIsMandatoryForARemoteServer(t *testing.T) {
	server := startServer(t, 0)
	m := newMailer(t, server.PortNumber())
	smtpmail.TreatAsRemote(m) // the mock listens on loopback only
	err := m.Send(context.Background(), message("ada@example.com"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "STARTTLS")
	assert.Empty(t, server.Messages())
}
