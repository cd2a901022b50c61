package invite

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
)

// testLink has the shape of a real link: a 32-byte token in base64url,
// which holds '-' and '_'.
var testLink = "https://portal.example.com/invite/" +
	base64.RawURLEncoding.EncodeToString([]byte("\xfb\xef\xffinvitation-token-of-32-bytes!"))

func testInvitationEmail() invitationEmail {
	return invitationEmail{
		Branding: clientele.Branding{
			Name:         "Acme Agency",
			LogoURL:      "https://cdn.example.com/acme/logo.png",
			PrimaryColor: "#0f766e",
		},
		ClientName: "Globex",
		Role:       clientele.RoleMember,
		Link:       testLink,
		ExpiresAt:  time.Date(2026, 1, 2, 15, 4, 0, 0, time.UTC),
	}
}

func render(t *testing.T, d invitationEmail) Message {
	t.Helper()
	m, err := renderInvitation(d)
	require.NoError(t, err)
	return m
}

func TestRenderInvitationLinkOnce(t *testing.T) {
	require.Contains(t, testLink, "-")
	require.Contains(t, testLink, "_")
	m := render(t, testInvitationEmail())
	assert.Equal(t, testLink, m.Link)
	assert.Equal(t, 1, strings.Count(m.Text, testLink), m.Text)
	assert.Equal(t, 1, strings.Count(m.HTML, testLink), m.HTML)
	assert.Equal(t, 1, strings.Count(m.Text, "://"), "no other link in the text")
	assert.Equal(t, 1, strings.Count(m.HTML, "<a "), "a single hyperlink")
	assert.Equal(t, 1, strings.Count(m.HTML, "href="), "a single hyperlink")
	assert.Contains(t, m.HTML, `href="`+testLink+`"`)
}

func TestRenderInvitationSubject(t *testing.T) {
	m := render(t, testInvitationEmail())
	assert.Equal(t, "You're invited to join Globex on Acme Agency", m.Subject)
	assert.Equal(t, "Acme Agency", m.FromName)
	assert.Empty(t, m.To, "the caller sets To")
}

func TestRenderInvitationSubjectHeaderInjection(t *testing.T) {
	tests := []struct {
		name, agency, client string
	}{
		{"CRLF in agency", "Acme\r\nBcc: x@y.z", "Globex"},
		{"LF in client", "Acme", "Globex\nBcc: x@y.z"},
		{"lone CR", "Acme\rBcc: x@y.z", "Globex"},
		{"NUL and DEL", "Acme\x00\x7f", "Glo\tbex"},
		{"Unicode separators", "Acme\u2028Bcc: x@y.z", "Globex\u0085\u2029"},
		{"bidi override", "Acme\u202e", "Globex"},
		{"invalid UTF-8", "Acme\xff\xfe", "Globex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testInvitationEmail()
			d.Branding.Name, d.ClientName = tt.agency, tt.client
			m := render(t, d)
			for _, s := range []string{m.Subject, m.FromName} {
				assert.True(t, utf8.ValidString(s))
				assert.NotContains(t, s, "\r")
				assert.NotContains(t, s, "\n")
				for _, r := range s {
					assert.False(t, unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Bidi_Control), "%q in %q", r, s)
				}
			}
			assert.NotContains(t, m.Text, "\r")
			assert.NotContains(t, m.Text, "\nBcc:")
		})
	}
}

func TestRenderInvitationSubjectBounded(t *testing.T) {
	d := testInvitationEmail()
	d.Branding.Name, d.ClientName = strings.Repeat("é", 300), strings.Repeat("a", 300)
	m := render(t, d)
	assert.Equal(t, maxSubject, utf8.RuneCountInString(m.Subject))
	assert.True(t, strings.HasPrefix(m.Subject, "You're invited to join aaa"))
	assert.True(t, utf8.ValidString(m.Subject))
}

func TestRenderInvitationBranding(t *testing.T) {
	m := render(t, testInvitationEmail())
	assert.Contains(t, m.HTML, "Acme Agency")
	assert.Contains(t, m.HTML, `<img src="https://cdn.example.com/acme/logo.png" alt="Acme Agency"`)
	assert.Contains(t, m.HTML, `bgcolor="#0f766e"`)
	assert.Contains(t, m.HTML, "background-color:#0f766e")
	assert.Contains(t, m.HTML, "color:#ffffff", "white text on a dark button")
	assert.Contains(t, m.Text, "Acme Agency")
	assert.Contains(t, m.Text, "Globex")
}

func TestRenderInvitationDefaultColor(t *testing.T) {
	for _, color := range []string{"", "red", "#12345", "#gggggg", "#0f766e;background:url(https://evil.example)"} {
		t.Run(color, func(t *testing.T) {
			d := testInvitationEmail()
			d.Branding.PrimaryColor = color
			m := render(t, d)
			assert.Contains(t, m.HTML, `bgcolor="`+defaultColor+`"`)
			assert.Contains(t, m.HTML, "background-color:"+defaultColor)
			assert.NotContains(t, m.HTML, "evil")
		})
	}
}

func TestRenderInvitationUpperCaseColor(t *testing.T) {
	d := testInvitationEmail()
	d.Branding.PrimaryColor = "#FDE68A"
	m := render(t, d)
	assert.Contains(t, m.HTML, "background-color:#fde68a")
	assert.Contains(t, m.HTML, "color:#111827", "dark text on a light button")
}

func TestRenderInvitationNoLogo(t *testing.T) {
	for _, logo := range []string{"", "javascript:alert(1)", "data:image/png;base64,AAAA", "//cdn.example.com/logo.png"} {
		t.Run(logo, func(t *testing.T) {
			d := testInvitationEmail()
			d.Branding.LogoURL = logo
			m := render(t, d)
			assert.NotContains(t, m.HTML, "<img")
			assert.Contains(t, m.HTML, "Acme Agency")
		})
	}
}

func TestRenderInvitationEscapesHostileNames(t *testing.T) {
	d := testInvitationEmail()
	d.Branding.Name = `<script>alert(1)</script>`
	d.ClientName = `"><img src=x onerror=alert(1)>`
	m := render(t, d)
	assert.NotContains(t, m.HTML, "<script")
	assert.Contains(t, m.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.NotContains(t, m.HTML, "<img src=x")
	assert.Contains(t, m.HTML, `alt="&lt;script&gt;alert(1)&lt;/script&gt;"`)
	assert.Equal(t, 1, strings.Count(m.HTML, "<img"), "only the logo")
	// The text body is plain text: names appear as given.
	assert.Contains(t, m.Text, `<script>alert(1)</script>`)
}

func TestRenderInvitationAmpersandInName(t *testing.T) {
	d := testInvitationEmail()
	d.ClientName = "Smith & Co"
	m := render(t, d)
	assert.Contains(t, m.Text, "join Smith & Co on")
	assert.Contains(t, m.HTML, "Smith &amp; Co")
	assert.Equal(t, "You're invited to join Smith & Co on Acme Agency", m.Subject)
}

func TestRenderInvitationRoleAndExpiry(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		role clientele.Role
		want string
	}{
		{clientele.RoleAdmin, "as an Admin"},
		{clientele.RoleMember, "as a Member"},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			d := testInvitationEmail()
			d.Role = tt.role
			d.ExpiresAt = time.Date(2026, 1, 2, 16, 4, 0, 0, paris)
			m := render(t, d)
			for _, body := range []string{m.Text, m.HTML} {
				assert.Contains(t, body, tt.want)
				assert.Contains(t, body, "This link expires on 2 Jan 2026 15:04 UTC.")
			}
		})
	}
}

func TestRenderInvitationRejectsBadInput(t *testing.T) {
	tests := []struct {
		name   string
		change func(*invitationEmail)
		want   error
	}{
		{"no role", func(d *invitationEmail) { d.Role = "" }, clientele.ErrInvalidRole},
		{"unknown role", func(d *invitationEmail) { d.Role = "owner" }, clientele.ErrInvalidRole},
		{"no link", func(d *invitationEmail) { d.Link = "" }, clientele.ErrInvalidArgument},
		{"relative link", func(d *invitationEmail) { d.Link = "/invite/abc" }, clientele.ErrInvalidArgument},
		{"javascript link", func(d *invitationEmail) { d.Link = "javascript:alert(1)" }, clientele.ErrInvalidArgument},
		{"link with newline", func(d *invitationEmail) { d.Link = testLink + "\nBcc: x@y.z" }, clientele.ErrInvalidArgument},
		{"link with space", func(d *invitationEmail) { d.Link = testLink + " x" }, clientele.ErrInvalidArgument},
		{"no expiry", func(d *invitationEmail) { d.ExpiresAt = time.Time{} }, clientele.ErrInvalidArgument},
		{"no agency name", func(d *invitationEmail) { d.Branding.Name = " \r\n" }, clientele.ErrInvalidArgument},
		{"no client name", func(d *invitationEmail) { d.ClientName = "" }, clientele.ErrInvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testInvitationEmail()
			tt.change(&d)
			_, err := renderInvitation(d)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestRenderInvitationConcurrent(t *testing.T) {
	done := make(chan Message, 8)
	for range cap(done) {
		go func() {
			m, err := renderInvitation(testInvitationEmail())
			assert.NoError(t, err)
			done <- m
		}()
	}
	first := <-done
	for range cap(done) - 1 {
		assert.Equal(t, first, <-done)
	}
}
