package invite

import (
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strconv"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/clientele/clientele"
)

// Mailer sends one email. Implementations must be safe for concurrent use;
// Send returns only when the message is accepted for delivery.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Message is one email, already rendered.
type Message struct {
	To clientele.Email
	// FromName is the agency's name; the host's transport supplies the
	// address. It holds no control characters.
	FromName string
	// Subject holds no control characters (CR and LF among them) and at
	// most 200 characters.
	Subject string
	Text    string
	HTML    string
	// Link is the single call-to-action link the message carries, for
	// tests and transports.
	Link string
}

// invitationEmail is what the templates see.
type invitationEmail struct {
	Branding   clientele.Branding
	ClientName string
	Role       clientele.Role
	Link       string
	ExpiresAt  time.Time
}

// defaultColor is the button's color when the agency has none.
const defaultColor = "#4f46e5"

// maxSubject is the most characters (runes) of a subject.
const maxSubject = 200

//go:embed templates/*.tmpl
var templateFS embed.FS

var templateFuncs = map[string]any{
	"role":       roleWithArticle,
	"expiry":     formatUTC,
	"utc":        formatUTC,
	"buttonText": buttonTextColor,
}

// emailTemplates are the emails' templates, each named by its file.
type emailTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// parseTemplates parses the embedded templates on first use.
var parseTemplates = sync.OnceValues(func() (emailTemplates, error) {
	text, err := texttemplate.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/*.txt.tmpl")
	if err != nil {
		return emailTemplates{}, fmt.Errorf("invite: parse text templates: %w", err)
	}
	html, err := htmltemplate.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/*.html.tmpl")
	if err != nil {
		return emailTemplates{}, fmt.Errorf("invite: parse HTML templates: %w", err)
	}
	return emailTemplates{text: text, html: html}, nil
})

// renderTemplates executes the text and HTML templates name (without the
// extensions) with data.
func renderTemplates(name string, data any) (text, html string, err error) {
	t, err := parseTemplates()
	if err != nil {
		return "", "", err
	}
	var tb, hb strings.Builder
	if err := t.text.ExecuteTemplate(&tb, name+".txt.tmpl", data); err != nil {
		return "", "", fmt.Errorf("invite: render text: %w", err)
	}
	if err := t.html.ExecuteTemplate(&hb, name+".html.tmpl", data); err != nil {
		return "", "", fmt.Errorf("invite: render HTML: %w", err)
	}
	return tb.String(), hb.String(), nil
}

// formatUTC writes t in UTC to the minute: "5 Jan 2026 09:00 UTC".
func formatUTC(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04") + " UTC" }

// invitationMessage renders the email of inv, addressed to its email, with
// the link <portal URL>/invite/<token>: the portal URL is the agency's
// custom domain, else baseURL; never a request's Host.
func invitationMessage(a clientele.Agency, c clientele.Client, inv clientele.Invitation, baseURL, token string) (Message, error) {
	msg, err := renderInvitation(invitationEmail{
		Branding:   a.Branding,
		ClientName: c.Name,
		Role:       inv.Role,
		Link:       a.Branding.PortalURL(baseURL) + "/invite/" + token,
		ExpiresAt:  inv.ExpiresAt,
	})
	if err != nil {
		return Message{}, err
	}
	msg.To = inv.Email
	return msg, nil
}

// renderInvitation renders the invitation email; the caller sets To. Names
// lose control characters (in every part, not only the subject), a missing
// or malformed color becomes the default and a logo that is not an http(s)
// URL is left out. A role other than admin or member answers
// clientele.ErrInvalidRole; a link that is not an absolute http(s) URL, a
// zero expiry or an empty name answers clientele.ErrInvalidArgument.
func renderInvitation(d invitationEmail) (Message, error) {
	if !d.Role.Valid() {
		return Message{}, fmt.Errorf("%w: %q", clientele.ErrInvalidRole, d.Role)
	}
	if !httpURL(d.Link) {
		return Message{}, fmt.Errorf("%w: invitation link must be an absolute http(s) URL", clientele.ErrInvalidArgument)
	}
	if d.ExpiresAt.IsZero() {
		return Message{}, fmt.Errorf("%w: invitation without expiry", clientele.ErrInvalidArgument)
	}
	d.Branding.Name, d.ClientName = plainName(d.Branding.Name), plainName(d.ClientName)
	if d.Branding.Name == "" || d.ClientName == "" {
		return Message{}, fmt.Errorf("%w: invitation email needs the agency's and the client's names", clientele.ErrInvalidArgument)
	}
	d.Branding = emailBranding(d.Branding)
	text, html, err := renderTemplates("invitation", d)
	if err != nil {
		return Message{}, err
	}
	subject := "You're invited to join " + d.ClientName + " on " + d.Branding.Name
	return Message{
		FromName: d.Branding.Name,
		Subject:  truncate(subject, maxSubject),
		Text:     text,
		HTML:     html,
		Link:     d.Link,
	}, nil
}

// emailBranding returns b as an email shows it: a missing or malformed
// color becomes the default, a logo that is not an http(s) URL is left
// out. The caller has made the name plain.
func emailBranding(b clientele.Branding) clientele.Branding {
	b.PrimaryColor = strings.ToLower(b.PrimaryColor)
	if !hexColor(b.PrimaryColor) {
		b.PrimaryColor = defaultColor
	}
	if !httpURL(b.LogoURL) {
		b.LogoURL = ""
	}
	return b
}

// plainName makes s safe for a header and a body: invalid UTF-8, control
// characters, line and paragraph separators and bidirectional controls
// become spaces; runs of spaces collapse to one; ends are trimmed.
func plainName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Bidi_Control) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n runes, ending a cut string with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// httpURL reports whether s is an absolute http(s) URL of at most 2048
// bytes without spaces or control characters.
func httpURL(s string) bool {
	if s == "" || len(s) > 2048 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// hexColor reports whether s is "#rrggbb" in lower case.
func hexColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// buttonTextColor returns dark text for a light background color and white
// for a dark one (YIQ brightness).
func buttonTextColor(bg string) string {
	n, err := strconv.ParseUint(strings.TrimPrefix(bg, "#"), 16, 32)
	if err != nil {
		return "#ffffff"
	}
	r, g, b := n>>16&0xff, n>>8&0xff, n&0xff
	if (r*299+g*587+b*114)/1000 >= 160 {
		return "#111827"
	}
	return "#ffffff"
}

// roleWithArticle returns "an Admin" or "a Member".
func roleWithArticle(r clientele.Role) string {
	if r == clientele.RoleAdmin {
		return "an Admin"
	}
	return "a Member"
}
