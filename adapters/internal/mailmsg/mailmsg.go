// Package mailmsg builds the RFC 5322 message of an [invite.Message] with
// go-mail, for the mail adapters (mailfile, smtpmail): headers encoded by
// go-mail, the text and HTML bodies as multipart/alternative.
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
// <address>", To, Subject, Date, a fresh Message-ID, Auto-Submitted, and
// the text and HTML bodies as multipart/alternative (text only when m has
// no HTML); headers are MIME-encoded. With raw the bodies are written as
// they are where RFC 5322 allows (see bodyEncoding), for a file; without,
// quoted-printable, which every SMTP server takes. A recipient go-mail refuses answers clientele.ErrInvalidEmail.
func Build(s Sender, m invite.Message, now time.Time, raw bool) (*gomail.Msg, error) {
	enc := gomail.EncodingQP
	if raw {
		enc = bodyEncoding(m.Text, m.HTML)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent(), gomail.WithEncoding(enc))
	var err error
	if m.FromName != "" {
		err = msg.FromFormat(m.FromName, s.addr)
	} else {
		err = msg.From(s.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("mailmsg: from: %w", err)
	}
	if err := msg.To(string(m.To)); err != nil {
		return nil, fmt.Errorf("%w: recipient: %w", clientele.ErrInvalidEmail, err)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(now)
	msg.SetMessageIDWithValue(randomHex(16) + "@" + s.domain)
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, crlf(m.Text))
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, crlf(m.HTML))
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
