package mailmsg

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gomail "github.com/wneessen/go-mail"

	"github.com/clientele/clientele/invite"
)

func TestBuildRoundTrips(t *testing.T) {
	s, err := ParseSender("no-reply@portal.example.com")
	require.NoError(t, err)
	long := strings.Repeat("x", 1200)
	for _, raw := range []bool{true, false} {
		for name, m := range map[string]invite.Message{
			"short lines": {To: "ada@example.com", FromName: "Acme", Subject: "Hi", Text: "a\nb\n", HTML: "<p>a</p>\n"},
			"long line":   {To: "ada@example.com", FromName: "Acme", Subject: "Hi", Text: long, HTML: "<p>" + long + "</p>"},
			"text only":   {To: "ada@example.com", Subject: "Hi", Text: "a\r\nb"},
		} {
			t.Run(fmt.Sprintf("%s raw=%v", name, raw), func(t *testing.T) {
				msg, err := Build(s, m, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), raw)
				require.NoError(t, err)
				var buf bytes.Buffer
				_, err = msg.WriteTo(&buf)
				require.NoError(t, err)
				for _, line := range strings.Split(buf.String(), "\r\n") {
					assert.LessOrEqual(t, len(line), 998)
				}
				p, err := Parse(&buf)
				require.NoError(t, err)
				assert.Equal(t, crlf(m.Text), p.Text)
				assert.Equal(t, crlf(m.HTML), p.HTML)
				assert.Equal(t, m.FromName, p.From.Name)
			})
		}
	}
	assert.Equal(t, gomail.EncodingQP, bodyEncoding("a", long))
	assert.Equal(t, gomail.NoEncoding, bodyEncoding("a\nü"))
}
