package faults

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smtpSink is a minimal SMTP server that accepts every message. It stands
// in for go-smtp-mock, which rejects a HELO name without a dot, such as
// the host name the server greets with (smtpmail's default; the server
// has no flag for it).
type smtpSink struct {
	ln    net.Listener
	mu    sync.Mutex
	mails []smtpMail
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// smtpMail is one message the sink accepted.
type smtpMail struct {
	rcpt []string
	data []byte
}

// startSMTPSink listens on addr and serves until close.
func startSMTPSink(t *testing.T, addr string) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	s := &smtpSink{ln: ln, conns: map[net.Conn]bool{}}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[c] = true
			s.mu.Unlock()
			s.wg.Go(func() { s.serve(c) })
		}
	})
	t.Cleanup(s.close)
	return s
}

// close stops listening, drops every connection and waits.
func (s *smtpSink) close() {
	_ = s.ln.Close() // a second close fails harmlessly
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close() // the same
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *smtpSink) serve(c net.Conn) {
	defer func() {
		_ = c.Close() // the session is over either way
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	_ = c.SetDeadline(time.Now().Add(time.Minute)) // a stuck client ends too
	r := textproto.NewReader(bufio.NewReader(c))
	reply := func(lines ...string) bool {
		_, err := fmt.Fprint(c, strings.Join(lines, "\r\n")+"\r\n")
		return err == nil
	}
	if !reply("220 localhost ESMTP faults sink") {
		return
	}
	var rcpt []string
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		ok := true
		switch strings.ToUpper(verb) {
		case "EHLO":
			ok = reply("250-localhost", "250 8BITMIME")
		case "HELO":
			ok = reply("250 localhost")
		case "MAIL":
			rcpt = nil
			ok = reply("250 2.1.0 OK")
		case "RCPT":
			addr := strings.TrimSpace(arg[strings.Index(arg, ":")+1:])
			rcpt = append(rcpt, strings.ToLower(strings.Trim(addr, "<>")))
			ok = reply("250 2.1.5 OK")
		case "DATA":
			if !reply("354 end with <CRLF>.<CRLF>") {
				return
			}
			data, err := r.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.mails = append(s.mails, smtpMail{rcpt: rcpt, data: data})
			s.mu.Unlock()
			rcpt = nil
			ok = reply("250 2.0.0 queued")
		case "RSET":
			rcpt = nil
			ok = reply("250 2.0.0 OK")
		case "NOOP":
			ok = reply("250 2.0.0 OK")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			ok = reply("502 5.5.1 not implemented")
		}
		if !ok {
			return
		}
	}
}

// received returns the messages accepted so far.
func (s *smtpSink) received() []smtpMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMail(nil), s.mails...)
}

// TestSMTPOutage stops the SMTP server the server sends through: the
// invitations made meanwhile answer 201 pending, and once a server
// listens again on the same port every email arrives exactly once with a
// working link, within the deliverer's backoff (see the package doc).
func TestSMTPOutage(t *testing.T) {
	sz := sizesOf(t)
	ctx := t.Context()
	addr := freeAddr(t)
	first := startSMTPSink(t, addr)
	p := startPortal(t, portalOpts{db: "sqlite:" + t.TempDir() + "/portal.db", smtp: "smtp://" + addr})
	client := p.createClient(t, "Mailroom")

	a, _ := p.invite(ctx, client, "before@smtp.example", "member")
	require.Equal(t, http.StatusCreated, a.status, "%s", a.body)
	require.Eventually(t, func() bool { return len(first.received()) == 1 }, 20*time.Second, 20*time.Millisecond,
		"the email before the outage goes out at once")
	first.close()
	down := time.Now()

	want := map[string]bool{}
	for i := range sz.smtpMails {
		email := fmt.Sprintf("outage-%02d@smtp.example", i)
		a, id := p.invite(ctx, client, email, "member")
		require.Equal(t, http.StatusCreated, a.status, "an invitation is made while the mail server is away: %s", a.body)
		require.NotEmpty(t, id)
		want[email] = true
	}
	pending := 0
	for _, u := range p.users(t, client) {
		if want[u.Email] {
			assert.Equal(t, "pending", u.Status, u.Email)
			pending++
		}
	}
	assert.Equal(t, len(want), pending, "every invitation made during the outage is listed, pending")
	pause(ctx, sz.smtpOutage-time.Since(down))

	second := startSMTPSink(t, addr)
	outage := time.Since(down)
	// A failed attempt is retried after 1 s, doubled each time with up to
	// 50% jitter: the attempt after an outage of d comes by about 2.5 d.
	bound := outage*5/2 + 10*time.Second
	var lastArrival time.Duration
	require.Eventually(t, func() bool {
		got := map[string]bool{}
		for _, m := range second.received() {
			for _, r := range m.rcpt {
				got[r] = true
			}
		}
		for email := range want {
			if !got[email] {
				return false
			}
		}
		lastArrival = time.Since(down) - outage
		return true
	}, bound, 50*time.Millisecond, "every email queued during a %v outage arrives within %v", outage, bound)

	for _, m := range second.received() {
		im, err := parseInvitation(m.data)
		require.NoError(t, err)
		assert.Equal(t, []string{im.to}, m.rcpt, "one recipient, the one in To")
		assert.Equal(t, p.base, im.base, "the link is on the portal's URL")
		var preview struct {
			Email string `json:"email"`
		}
		p.must(t, http.StatusOK, "GET", "/api/v1/invitations/"+im.token, "", nil, &preview)
		assert.Equal(t, im.to, preview.Email, "the link works")
	}
	// Stopped cleanly, the server sends nothing more: count now.
	p.stop()
	counts := map[string]int{}
	for _, m := range second.received() {
		for _, r := range m.rcpt {
			counts[r]++
		}
	}
	for email := range want {
		assert.Equal(t, 1, counts[email], "exactly one email to %s", email)
	}
	assert.Len(t, counts, len(want), "nothing else is sent")
	assert.Len(t, first.received(), 1)
	t.Logf("SMTP outage of %v: %d invitations answered 201 pending; %d/%d emails delivered exactly once, the last %v after the server came back (bound %v)",
		outage.Round(time.Millisecond), len(want), len(counts), len(want), lastArrival.Round(time.Millisecond), bound.Round(time.Second))
}
