package mailmsg

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// acceptedName is the agency name the branding API stores for name, and
// whether it accepts it at all: the same validation SetBranding applies.
func acceptedName(name string) (string, bool) {
	b, err := clientele.Branding{Name: name}.Normalize()
	return b.Name, err == nil
}

// fromReadsBack builds an invitation from name, writes it out as a file
// (raw) or for SMTP, parses it back with net/mail and returns the From
// display name a reader sees.
func fromReadsBack(t testing.TB, name string, raw bool) string {
	t.Helper()
	s, err := ParseSender("no-reply@portal.example.com")
	require.NoError(t, err)
	msg, err := Build(s, invite.Message{To: "ada@example.com", FromName: name, Subject: "Hi", Text: "a\n", HTML: "<p>a</p>\n"},
		time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), raw)
	require.NoError(t, err, "the message of %q must build", name)
	var buf bytes.Buffer
	_, err = msg.WriteTo(&buf)
	require.NoError(t, err)
	for line := range strings.Lines(buf.String()) {
		require.LessOrEqual(t, len(strings.TrimRight(line, "\r\n")), 998, "RFC 5322 line limit")
	}
	p, err := Parse(&buf)
	require.NoError(t, err, "the message of %q must read back:\n%s", name, buf.String())
	assert.Equal(t, s.Address(), p.From.Address)
	return p.From.Name
}

// TestFromNameSpecials covers names that once broke the From header: a
// quote made every invitation fail to build.
func TestFromNameSpecials(t *testing.T) {
	for _, name := range []string{
		`12" Records`, `Back\slash`, `"quoted"`, `Smith, Jones & Co`, `<Acme>`, `sales@acme.example`,
		`Acme (UK); Ltd.`, `=?utf-8?q?not_encoded?=`, `Müller & Söhne`, `Café "Noir"`, `🚀 Rocket, Inc.`,
		`شركة "النور"`, `עברית (ישראל)`, strings.Repeat(`"\`, 50), strings.Repeat("é", 100),
		`Café\Bar`,                 // golang/go#80592: net/mail leaves the backslash raw in a Q-encoded name
		strings.Repeat("Ab  ", 25), // a fold at a run of spaces collapses it for net/textproto
	} {
		for _, raw := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s raw=%v", name, raw), func(t *testing.T) {
				want, ok := acceptedName(name)
				require.True(t, ok, "the branding API accepts %q", name)
				assert.Equal(t, want, fromReadsBack(t, want, raw))
			})
		}
	}
}

// TestFromNameLong: a name longer than any the branding API accepts
// (a host may call Build itself) still makes lines within RFC 5322's
// limit and reads back.
func TestFromNameLong(t *testing.T) {
	for _, name := range []string{strings.Repeat("x", 2000), strings.Repeat("x ", 1000) + "x"} {
		assert.Equal(t, name, fromReadsBack(t, name, true))
	}
}

// nameRunes are the characters the generator draws from: the RFC 5322
// specials and quoting characters, spaces, accents (precomposed and
// combining), emoji (one with a variation selector), right-to-left
// scripts and CJK.
var nameRunes = []rune("aZ09 \"\\,;:<>@()[].=?_-'!#$%&*+/^`{|}~éüßçñÅ\u00a0\u0301🚀😀\ufe0fשלוםمرحبا漢字")

// refusedRunes are characters the validation refuses, drawn now and then
// so that the filter is exercised.
var refusedRunes = []rune("\t\n\u200b\u202e\x7f")

// randomName draws a name of 0 to 110 characters, with runs of one
// character, sometimes leading or trailing spaces, and now and then a
// refused character.
func randomName(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(111); n > 0; {
		c := nameRunes[r.IntN(len(nameRunes))]
		for k := 1 + r.IntN(3)*r.IntN(2); k > 0 && n > 0; k-- {
			b.WriteRune(c)
			n--
		}
	}
	s := b.String()
	switch r.IntN(4) {
	case 0:
		s = "  " + s
	case 1:
		s += " "
	}
	if r.IntN(20) == 0 {
		rs := []rune(s)
		i := r.IntN(len(rs) + 1)
		s = string(rs[:i]) + string(refusedRunes[r.IntN(len(refusedRunes))]) + string(rs[i:])
	}
	return s
}

// TestFromNameRoundTrips is the property: every name the branding API
// accepts reads back from the built message's From as that name.
func TestFromNameRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 5))
	tried := 0
	for range 3000 {
		want, ok := acceptedName(randomName(r))
		if !ok {
			continue
		}
		tried++
		raw := r.IntN(2) == 0
		if got := fromReadsBack(t, want, raw); got != want {
			t.Fatalf("From of %q (raw=%v) reads back as %q", want, raw, got)
		}
	}
	require.Greater(t, tried, 1000, "the generator yields enough accepted names")
	// The longest accepted names (100 characters): ASCII specials, and
	// everything else.
	for _, unit := range []string{`a "b\ c,<@>(;)`, `é "🚀\ שׁ, 漢`} {
		long := string([]rune(strings.Repeat(unit, 20))[:100])
		want, ok := acceptedName(long)
		require.True(t, ok, "%q is accepted", long)
		assert.Equal(t, want, fromReadsBack(t, want, true))
		_, ok = acceptedName(long + "x")
		require.False(t, ok, "101 characters are refused")
	}
}

// FuzzFromName checks the same property on fuzzed names.
func FuzzFromName(f *testing.F) {
	for _, s := range []string{`12" Records`, `Back\slash`, `a  b`, "Müller", "🚀", `=?utf-8?b?QQ==?=`, strings.Repeat("x ", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		want, ok := acceptedName(name)
		if !ok {
			return
		}
		for _, raw := range []bool{true, false} {
			if got := fromReadsBack(t, want, raw); got != want {
				t.Fatalf("From of %q (raw=%v) reads back as %q", want, raw, got)
			}
		}
	})
}
