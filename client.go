package clientele

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Client is a client account of an agency.
type Client struct {
	ID       ClientID
	AgencyID AgencyID
	Name     string
	// Permissions are the features the agency enabled for this client.
	Permissions PermissionSet
	CreatedAt   time.Time
}

// NormalizeName trims a client or user display name and checks it: 1 to 100
// characters, valid UTF-8, no control characters. Failures wrap
// [ErrInvalidArgument].
func NormalizeName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 100 || hasControl(s) {
		return "", fmt.Errorf("%w: name must be 1 to 100 printable characters", ErrInvalidArgument)
	}
	return s, nil
}
