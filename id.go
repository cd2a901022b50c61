package clientele

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// IDs of the records. They are opaque strings made by [NewID]; stores treat
// them as keys and never parse them.
type (
	// AgencyID identifies an agency.
	AgencyID string
	// ClientID identifies a client account.
	ClientID string
	// UserID identifies a user of an agency.
	UserID string
	// InvitationID identifies an invitation.
	InvitationID string
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns prefix + "_" + 26 lower-case characters encoding 128 random
// bits from crypto/rand.
func NewID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (Go 1.24+).
	return prefix + "_" + strings.ToLower(idEncoding.EncodeToString(b[:]))
}

// ValidID reports whether s looks like an id: 1 to 64 bytes of lower-case
// letters, digits, '_' and '-'. Input ids that fail are treated as unknown.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
