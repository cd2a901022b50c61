package clientele

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Agency is the tenant above the clients: it owns clients and users and
// brands the portal.
type Agency struct {
	ID        AgencyID
	Branding  Branding
	CreatedAt time.Time
}

// Branding is what the portal and its emails show of the agency.
type Branding struct {
	// Name is the agency's display name: 1 to 100 characters, no control
	// characters.
	Name string
	// LogoURL is an absolute https (or http) URL, or empty.
	LogoURL string
	// PrimaryColor is "#RRGGBB", or empty for the default.
	PrimaryColor string
	// CustomDomain is the portal's own host name (lower case, no port), or
	// empty. It is unique across agencies.
	CustomDomain string
}

// Normalize validates b and returns it with the custom domain and color
// lower-cased. Every failure wraps [ErrInvalidArgument].
func (b Branding) Normalize() (Branding, error) {
	b.Name = strings.TrimSpace(b.Name)
	if b.Name == "" || utf8.RuneCountInString(b.Name) > 100 || !utf8.ValidString(b.Name) || hasControl(b.Name) {
		return Branding{}, fmt.Errorf("%w: branding name must be 1 to 100 printable characters", ErrInvalidArgument)
	}
	if b.LogoURL != "" {
		u, err := url.Parse(b.LogoURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(b.LogoURL) > 2048 || hasControl(b.LogoURL) {
			return Branding{}, fmt.Errorf("%w: logo URL must be an absolute http(s) URL", ErrInvalidArgument)
		}
	}
	if b.PrimaryColor != "" {
		b.PrimaryColor = strings.ToLower(b.PrimaryColor)
		if !validColor(b.PrimaryColor) {
			return Branding{}, fmt.Errorf("%w: primary color must be #RRGGBB", ErrInvalidArgument)
		}
	}
	if b.CustomDomain != "" {
		b.CustomDomain = strings.ToLower(strings.TrimSuffix(b.CustomDomain, "."))
		if !validDomain(b.CustomDomain) {
			return Branding{}, fmt.Errorf("%w: custom domain must be a host name", ErrInvalidArgument)
		}
	}
	return b, nil
}

func validColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < 7; i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// hasControl reports a character that has no place in a name or URL shown
// to people: a control, an invisible format character, a line or
// paragraph separator, or U+FFFD.
func hasControl(s string) bool {
	for _, r := range s {
		// Cf holds the invisible and direction-changing characters (zero
		// width space, right-to-left override, byte order mark...).
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// PortalURL returns the portal's public URL for this branding:
// "https://" + CustomDomain when the agency has one, else base (the host's
// configured URL) without a trailing slash. It never looks at a request.
func (b Branding) PortalURL(base string) string {
	if b.CustomDomain != "" {
		return "https://" + b.CustomDomain
	}
	return strings.TrimRight(base, "/")
}
