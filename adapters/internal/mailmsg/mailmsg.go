// Package mailmsg builds the RFC 5322 message of an [invite.Message] with
// go-mail, for the mail adapters (mailfile, smtpmail): headers encoded by
// go-mail (the From header here, so that every display name reads back),
// the text and HTML bodies as multipart/alternative.
package mailmsg

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// Sender is a checked From address: one bare address, and its domain for
// Message-IDs.
type Sender struct {
	addr   string
	domain string
}

// ParseSender checks from, a bare address such as "no-reply@portal.example".
// Anything else (a display name, several addresses) answers
// clientele.ErrInvalidArgument.
func ParseSender(from string) (Sender, error) {
	a, err := mail.ParseAddress(from)
	if err != nil || a.Name != "" || a.Address != from {
		return Sender{}, fmt.Errorf("%w: sender %q must be one bare address", clientele.ErrInvalidArgument, from)
	}
	return Sender{addr: a.Address, domain: a.Address[strings.LastIndexByte(a.Address, '@')+1:]}, nil
}

// Address returns the sender's address.
func (s Sender) Address() string { return s.addr }

// Build returns m as a go-mail message from s, dated now: From "<m.FromName>
// <address>" (see fromHeader: every name reads back as it is), To,
// Subject, Date, a fresh Message-ID, Auto-Submitted, and the text and
// HTML bodies as multipart/alternative (text only when m has no HTML);
// headers are MIME-encoded. With raw the bodies are written as they are
// where RFC 5322 allows (see bodyEncoding), for a file; without,
// quoted-printable, which every SMTP server takes. A recipient go-mail
// refuses answers clientele.ErrInvalidEmail.
//
// The message returned holds the envelope (s as the sender, the
// recipient) and writes, through a middleware, the full message; go-mail
// offers no other way to write a From header of its own.
func Build(s Sender, m invite.Message, now time.Time, raw bool) (*gomail.Msg, error) {
	enc := gomail.EncodingQP
	if raw {
		enc = bodyEncoding(m.Text, m.HTML)
	}
	content := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithEncoding(enc))
	content.SetGenHeaderPreformatted(gomail.Header(gomail.HeaderFrom), fromHeader(m.FromName, s.addr))
	if err := content.To(string(m.To)); err != nil {
		return nil, fmt.Errorf("%w: recipient: %w", clientele.ErrInvalidEmail, err)
	}
	content.Subject(m.Subject)
	content.SetDateWithValue(now)
	content.SetMessageIDWithValue(randomHex(16) + "@" + s.domain)
	content.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	content.SetBodyString(gomail.TypeTextPlain, crlf(m.Text))
	if m.HTML != "" {
		content.AddAlternativeString(gomail.TypeTextHTML, crlf(m.HTML))
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithEncoding(enc), gomail.WithMiddleware(written{content}))
	if err := msg.EnvelopeFrom(s.addr); err != nil {
		return nil, fmt.Errorf("mailmsg: sender: %w", err)
	}
	if err := msg.To(string(m.To)); err != nil {
		return nil, fmt.Errorf("%w: recipient: %w", clientele.ErrInvalidEmail, err)
	}
	return msg, nil
}

// crlf ends every line of s with CRLF, as RFC 5322 wants.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// bodyEncoding keeps the bodies as they are ("8bit", which go-mail
// writes unchanged; its "7bit" would still be quoted-printable), so that
// the link stays whole in the raw message: a quoted-printable soft line
// break would split it for a reader that does not decode. A line longer
// than RFC 5322's 998 bytes needs quoted-printable.
func bodyEncoding(bodies ...string) gomail.Encoding {
	for _, b := range bodies {
		for line := range strings.Lines(b) {
			if len(strings.TrimRight(line, "\r\n")) > 998 {
				return gomail.EncodingQP
			}
		}
	}
	return gomail.NoEncoding
}

// randomHex returns n random bytes from crypto/rand in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error (Go 1.24+).
	return hex.EncodeToString(b)
}

// RandomSuffix returns 8 random bytes in hex, for unique names.
func RandomSuffix() string { return randomHex(8) }
