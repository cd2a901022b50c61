package invite

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
)

func testNoticeEmail() noticeEmail {
	return noticeEmail{
		Branding: clientele.Branding{Name: "Acme Agency", LogoURL: "https://cdn.example.com/acme/logo.png", PrimaryColor: "#0F766E"},
		Subject:  noticeSubjects[NoticePasskeyAdded],
		Name:     "Ada",
		At:       time.Date(2026, 1, 2, 15, 4, 0, 0, time.FixedZone("CET", 3600)),
		Link:     "https://portal.example.com/login",
	}
}

func TestRenderNotice(t *testing.T) {
	m, err := renderNotice(testNoticeEmail())
	require.NoError(t, err)
	assert.Equal(t, "A passkey was added to your account", m.Subject)
	assert.Equal(t, "Acme Agency", m.FromName)
	assert.Empty(t, m.To, "the caller sets To")
	assert.Equal(t, "https://portal.example.com/login", m.Link)
	assert.Contains(t, m.Text, "on 2 Jan 2026 14:04 UTC.", "the time in UTC")
	assert.Contains(t, m.HTML, "#0f766e", "the color as an invitation shows it")
	assert.Contains(t, m.HTML, `src="https://cdn.example.com/acme/logo.png"`)
	assert.Equal(t, 1, strings.Count(m.HTML, "<a "), "a single hyperlink")
}

func TestRenderNoticeNames(t *testing.T) {
	d := testNoticeEmail()
	d.Name = "Ada\r\nBcc: eve@example.com\u202e"
	d.Branding.Name = "Acme\nAgency"
	d.Branding.PrimaryColor = "red; background:url(x)"
	d.Branding.LogoURL = "javascript:alert(1)"
	m, err := renderNotice(d)
	require.NoError(t, err)
	assert.Equal(t, "Acme Agency", m.FromName)
	assert.Contains(t, m.Text, "Hello Ada Bcc: eve@example.com,", "control characters become spaces")
	assert.Contains(t, m.HTML, defaultColor)
	assert.NotContains(t, m.HTML, "javascript")
	assert.NotContains(t, m.HTML, "<img", "no logo")

	d = testNoticeEmail()
	d.Name = " \t"
	m, err = renderNotice(d)
	require.NoError(t, err)
	assert.Contains(t, m.Text, "Hello,\n", "no name: a greeting without one")
	assert.Contains(t, m.HTML, "Hello,</p>")
}

func TestRenderNoticeRejectsBadInput(t *testing.T) {
	for name, change := range map[string]func(*noticeEmail){
		"relative link":  func(d *noticeEmail) { d.Link = "/login" },
		"javascript":     func(d *noticeEmail) { d.Link = "javascript:alert(1)" },
		"no time":        func(d *noticeEmail) { d.At = time.Time{} },
		"no agency name": func(d *noticeEmail) { d.Branding.Name = "\n" },
	} {
		d := testNoticeEmail()
		change(&d)
		_, err := renderNotice(d)
		assert.ErrorIs(t, err, clientele.ErrInvalidArgument, name)
	}
	_, err := noticeMessage(clientele.Agency{Branding: clientele.Branding{Name: "Acme"}}, clientele.User{Email: "ada@example.com"},
		"account_deleted", time.Now(), "https://portal.example.com")
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument, "an unknown notice")
}
