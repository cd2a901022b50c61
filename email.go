package clientele

import (
	"fmt"
	"net/mail"
	"strings"
)

// MaxEmailLength is the longest email accepted, in bytes (RFC 5321 path
// limit less the angle brackets).
const MaxEmailLength = 254

// Email is a validated, normalized email address: one addr-spec, ASCII only,
// lower-cased so that comparisons are case-insensitive. The zero value is
// not a valid email.
type Email string

// ParseEmail validates s and returns its normalized form. It accepts exactly
// one bare address ("ada@example.com"), at most [MaxEmailLength] bytes, of
// printable ASCII with a dotted domain. Display names, lists, comments,
// control characters (CR and LF among them), spaces and non-ASCII letters
// (which allow look-alike addresses) are rejected with [ErrInvalidEmail].
// Surrounding spaces are trimmed.
func ParseEmail(s string) (Email, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidEmail)
	}
	if len(s) > MaxEmailLength {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidEmail, MaxEmailLength)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f {
			return "", fmt.Errorf("%w: control, space or non-ASCII character", ErrInvalidEmail)
		}
		switch c {
		case '<', '>', '(', ')', ',', ';', ':', '\\', '"', '[', ']':
			return "", fmt.Errorf("%w: character %q is not allowed", ErrInvalidEmail, c)
		}
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return "", fmt.Errorf("%w: not a single address", ErrInvalidEmail)
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if local == "" || len(local) > 64 {
		return "", fmt.Errorf("%w: bad local part", ErrInvalidEmail)
	}
	if !validDomain(domain) {
		return "", fmt.Errorf("%w: bad domain", ErrInvalidEmail)
	}
	return Email(strings.ToLower(s)), nil
}

// validDomain accepts dotted hostnames of letters, digits and hyphens whose
// last label does not start with a digit (so no IPv4 address in any form).
func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	if last := d[strings.LastIndexByte(d, '.')+1:]; last != "" && last[0] >= '0' && last[0] <= '9' {
		return false // a numeric last label makes an IPv4 address, not a host name
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// String returns the normalized address.
func (e Email) String() string { return string(e) }
