package mailfile_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/internal/mailmsg"
	"github.com/clientele/clientele/adapters/mailfile"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
)

const link = "https://portal.example.com/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

func message(to string) invite.Message {
	return invite.Message{
		To:       clientele.Email(to),
		FromName: "Agentur Müller & Söhne",
		Subject:  "You're invited to join Globex on Agentur Müller & Söhne — a very long subject line that goes on",
		Text:     "Open this link:\n\n" + link + "\n",
		HTML:     `<p><a href="` + link + `">Accept invitation</a></p>`,
		Link:     link,
	}
}

// files returns the .eml files of dir, sorted by name.
func files(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	require.NoError(t, err)
	sort.Strings(names)
	return names
}

func parse(t *testing.T, name string) mailmsg.Parsed {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	p, err := mailmsg.Parse(f)
	require.NoError(t, err)
	return p
}

func TestSendWritesOneEncodedMessage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	clock := clienteletest.NewClock(time.Date(2026, 1, 5, 9, 0, 0, 123, time.UTC))
	m, err := mailfile.New(dir, "no-reply@portal.example.com", mailfile.WithClock(clock.Now))
	require.NoError(t, err)
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), "the folder is created owner-only")

	require.NoError(t, m.Send(context.Background(), message("ada@example.com")))
	names := files(t, dir)
	require.Len(t, names, 1)
	assert.Regexp(t, `^20260105T090000\.000000123Z-[0-9a-f]{16}\.eml$`, filepath.Base(names[0]))
	info, err = os.Stat(names[0])
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the file holds a sign-in link")

	raw, err := os.ReadFile(names[0])
	require.NoError(t, err)
	for _, line := range strings.Split(string(raw), "\r\n") {
		assert.LessOrEqual(t, len(line), 998, "RFC 5322 line length")
		assert.NotContains(t, line, "\n", "no bare LF: every line ends with CRLF")
	}
	assert.Equal(t, 2, strings.Count(string(raw), link), "the link whole in the raw file, once per part")
	header := string(raw[:strings.Index(string(raw), "\r\n\r\n")])
	for i := range len(header) {
		require.Less(t, header[i], byte(0x80), "headers are ASCII, non-ASCII names MIME-encoded")
	}
	p := parse(t, names[0])
	assert.Equal(t, "Agentur Müller & Söhne", p.From.Name)
	assert.Equal(t, "no-reply@portal.example.com", p.From.Address)
	assert.Equal(t, "<ada@example.com>", p.Header.Get("To"))
	assert.Equal(t, message("").Subject, p.Subject)
	date, err := p.Header.Date()
	require.NoError(t, err)
	assert.True(t, date.Equal(clock.Now().Truncate(time.Second)), "Date %v", date)
	assert.Regexp(t, `^<[0-9a-f]{32}@portal\.example\.com>$`, p.Header.Get("Message-ID"))
	assert.Equal(t, "auto-generated", p.Header.Get("Auto-Submitted"))
	assert.Equal(t, "multipart/alternative", p.Type)
	assert.Equal(t, 1, strings.Count(p.Text, link))
	assert.Equal(t, 1, strings.Count(p.HTML, link))
}

func TestNamesSortByTimeAndConcurrentSendsAreWhole(t *testing.T) {
	dir := t.TempDir()
	clock := clienteletest.NewClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	m, err := mailfile.New(dir, "no-reply@portal.example.com", mailfile.WithClock(clock.Now))
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, m.Send(context.Background(), message(fmt.Sprintf("user%d@example.com", i))))
		clock.Advance(time.Nanosecond * 999)
	}
	for i, name := range files(t, dir) {
		assert.Equal(t, fmt.Sprintf("<user%d@example.com>", i), parse(t, name).Header.Get("To"), "sorted by time")
	}

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() { assert.NoError(t, m.Send(context.Background(), message(fmt.Sprintf("many%d@example.com", i)))) })
	}
	wg.Wait()
	names := files(t, dir)
	require.Len(t, names, 53, "same time, distinct names")
	for _, name := range names {
		parse(t, name)
	}
	all, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, all, 53, "no temporary file left")
}

func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, from := range []string{"", "Portal <no-reply@portal.example.com>", "a@example.com, b@example.com", "not an address"} {
		_, err := mailfile.New(dir, from)
		assert.ErrorIs(t, err, clientele.ErrInvalidArgument, from)
	}
	_, err := mailfile.New("", "no-reply@portal.example.com")
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
	_, err = mailfile.New(dir, "no-reply@portal.example.com", mailfile.WithClock(nil))
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)

	m, err := mailfile.New(dir, "no-reply@portal.example.com")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, m.Send(ctx, message("ada@example.com")), context.Canceled)
	require.ErrorIs(t, m.Send(context.Background(), message("ada@example.com\r\nBcc: x@example.com")), clientele.ErrInvalidEmail)
	assert.Empty(t, files(t, dir))
}
