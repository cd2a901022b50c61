package faults

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// invitationMail is what the tests read in an invitation email.
type invitationMail struct {
	to    string // the recipient's address
	base  string // the link's portal URL
	token string // the link's token
}

// linkRE finds the invitation link: <portal URL>/invite/<43 characters>.
var linkRE = regexp.MustCompile(`(https?://[^\s"'<>]+)/invite/([A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)`)

// parseInvitation reads an RFC 5322 invitation email: its one recipient
// and its one link (the text and HTML parts may both show it; quoted-
// printable soft line breaks are undone first).
func parseInvitation(raw []byte) (invitationMail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return invitationMail{}, err
	}
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil {
		return invitationMail{}, fmt.Errorf("To: %w", err)
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return invitationMail{}, err
	}
	text := strings.NewReplacer("=\r\n", "", "=\n", "").Replace(string(body))
	links := linkRE.FindAllStringSubmatch(text, -1)
	if len(links) == 0 {
		return invitationMail{}, fmt.Errorf("no invitation link in the email to %s", to.Address)
	}
	m := invitationMail{to: strings.ToLower(to.Address), base: links[0][1], token: links[0][2]}
	for _, l := range links[1:] {
		if l[1] != m.base || l[2] != m.token {
			return invitationMail{}, fmt.Errorf("two different links in the email to %s", m.to)
		}
	}
	return m, nil
}

// mailbox reads the .eml files a server writes into its mail folder. It
// is safe for concurrent use.
type mailbox struct {
	dir   string
	mu    sync.Mutex
	seen  map[string]bool
	mails []invitationMail // in the order written
}

func newMailbox(dir string) *mailbox { return &mailbox{dir: dir, seen: map[string]bool{}} }

// scan reads the files written since the last scan. The server renames a
// file to .eml only once it is complete.
func (m *mailbox) scan() error {
	names, err := filepath.Glob(filepath.Join(m.dir, "*.eml"))
	if err != nil {
		return err
	}
	slices.Sort(names) // the names start with the time
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, name := range names {
		if m.seen[name] {
			continue
		}
		raw, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		im, err := parseInvitation(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(name), err)
		}
		m.seen[name] = true
		m.mails = append(m.mails, im)
	}
	return nil
}

// latest returns the newest token mailed to to, and how many emails went
// to to.
func (m *mailbox) latest(to string) (string, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	tok, n := "", 0
	for _, im := range m.mails {
		if im.to == to {
			tok, n = im.token, n+1
		}
	}
	return tok, n
}

// count returns how many emails went to each address.
func (m *mailbox) count() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := map[string]int{}
	for _, im := range m.mails {
		c[im.to]++
	}
	return c
}

// wait returns the newest token mailed to to, waiting up to timeout or
// until ctx ends.
func (m *mailbox) wait(ctx context.Context, to string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := m.scan(); err != nil {
			return "", err
		}
		if tok, _ := m.latest(to); tok != "" {
			return tok, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no email to %s after %v", to, timeout)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-tick.C:
		}
	}
}
