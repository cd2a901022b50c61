package mailmsg

import (
	"encoding/base64"
	"net/mail"
	"strings"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
)

// fromHeader is the From header's value for a display name and a bare
// address, such that every name reads back exactly (RFC 5322, RFC 2047):
//
//   - printable ASCII is a quoted-string (quotes and backslashes escaped),
//     never folded: an unfolding reader such as net/textproto collapses
//     the run of spaces at a fold, and the line stays far below RFC 5322's
//     998 bytes for any name the branding API accepts;
//   - anything else, and a name holding "=?" (which some readers decode
//     even inside quotes), is base64 encoded-words, folded between words
//     when the line would pass 78 characters.
//
// go-mail writes a *mail.Address with its String method, which is not
// enough: Go's net/mail (up to at least 1.26) leaves a backslash raw in a
// Q-encoded name, and its parser then refuses the header (golang/go#80592);
// go-mail also folds a long quoted name at any space.
func fromHeader(name, addr string) string {
	angle := (&mail.Address{Address: addr}).String()
	if name == "" {
		return angle
	}
	if q := quoted(name); q != "" && len("From: ")+len(q)+1+len(angle) <= 998 {
		return q + " " + angle
	}
	words := append(encodedWords(name), angle)
	if v := strings.Join(words, " "); len("From: ")+len(v) <= 78 {
		return v
	}
	return strings.Join(words, "\r\n ")
}

// quoted returns name as an RFC 5322 quoted-string, or "" when it needs
// encoding: a character outside printable ASCII, or "=?".
func quoted(name string) string {
	if strings.Contains(name, "=?") {
		return ""
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := range len(name) {
		c := name[i]
		if c < ' ' || c > '~' {
			return ""
		}
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// maxWordBytes is the most bytes of text in one encoded-word: base64 of
// 45 bytes is 60 characters, and "=?utf-8?b?" + 60 + "?=" stays within
// RFC 2047's 75.
const maxWordBytes = 45

// encodedWords returns s as UTF-8 base64 encoded-words, each ending on a
// whole character (RFC 2047 section 5: a character is never split).
func encodedWords(s string) []string {
	var words []string
	for s != "" {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n > 0 && n+size > maxWordBytes {
				break
			}
			n += size
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return words
}

// written is a go-mail middleware that writes another message in place
// of the one it is attached to. Build attaches it to the envelope (sender
// and recipient, which go-mail's client reads for SMTP) so that the
// message written (to a file or to the SMTP DATA) is the one with the From
// header made by fromHeader.
type written struct{ content *gomail.Msg }

// Handle returns the message to write.
func (w written) Handle(*gomail.Msg) *gomail.Msg { return w.content }

// Type names the middleware.
func (written) Type() gomail.MiddlewareType { return "clientele-mailmsg-content" }
