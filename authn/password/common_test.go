package password

import (
	"crypto/rand"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/trustelem/zxcvbn/frequency"
)

func TestValidateRefusesCommonPasswords(t *testing.T) {
	tests := []struct {
		pw   string
		list string // the zxcvbn list the lowercase form comes from (rank)
	}{
		{"password", "passwords"},     // 2
		{"12345678", "passwords"},     // 3
		{"baseball", "passwords"},     // 12
		{"qwertyuiop", "passwords"},   // 22
		{"1qaz2wsx", "passwords"},     // 28
		{"iloveyou", "passwords"},     // 47
		{"password1", "passwords"},    // 189
		{"qwerty123", "passwords"},    // 219
		{"passw0rd", "passwords"},     // 220
		{"changeme", "passwords"},     // 658
		{"sunshine1", "passwords"},    // 5,622
		{"password1234", "passwords"}, // 11,383
		{"jennifer", "female_names"},  // 34th of the leaked corpus, kept by zxcvbn as a name
		{"michelle", "female_names"},  // 59th of the corpus
		{"basketball", "english_wikipedia"},
		{"december", "english_wikipedia"},
		// Case variants: compared lowercased.
		{"PASSWORD", "passwords"},
		{"Password1234", "passwords"},
		{"iLoveYou", "passwords"},
		{"QWERTYUIOP", "passwords"},
		{"Jennifer", "female_names"},
	}
	h := newFast(t)
	for _, tt := range tests {
		t.Run(tt.pw, func(t *testing.T) {
			require.Contains(t, frequency.FrequencyLists[tt.list], strings.ToLower(tt.pw), "the entry comes from the shipped list")
			require.NoError(t, checkShape(tt.pw), "long enough: refused by the blocklist, not the length rule")

			err := Validate(tt.pw)
			require.ErrorIs(t, err, ErrWeakPassword)
			assert.EqualError(t, err, "password: too weak: is a commonly used password")

			_, err = h.Hash(t.Context(), tt.pw)
			assert.ErrorIs(t, err, ErrWeakPassword)
		})
	}
	assert.Zero(t, h.runs.Load(), "no computation for a refused password")
}

func TestValidateAcceptsUncommonPasswords(t *testing.T) {
	tests := []string{
		"correct horse battery staple",
		"Tr0ub4dor&3",
		"jennifer-sky-42", // a listed name inside a longer password: only whole matches count
		"password12345!",  // not in the list: no rule beyond the list
		"Baseball Season", // two listed words
		"éééééééé",        // beyond the lists' ASCII
		rand.Text(),       // 26 random base32 characters
		rand.Text()[:MinLength],
	}
	for _, pw := range tests {
		t.Run(pw, func(t *testing.T) {
			assert.NoError(t, Validate(pw))
		})
	}
}

func TestVerifyAcceptsCommonPasswordSetBefore(t *testing.T) {
	// A password chosen before the blocklist (hashed here without Hash's
	// check) still signs in: the blocklist governs new passwords only.
	h := newFast(t)
	salt := make([]byte, fastParams.SaltLen)
	key, err := h.compute(t.Context(), "password1234", salt, fastParams)
	require.NoError(t, err)
	encoded := encode(fastParams, salt, key)

	needsRehash, err := h.Verify(t.Context(), "password1234", encoded)
	require.NoError(t, err)
	assert.False(t, needsRehash)
	_, err = h.Verify(t.Context(), "password12345", encoded)
	assert.ErrorIs(t, err, ErrMismatch)

	// Upgraded to new parameters all the same: Rehash skips the
	// blocklist (Hash would refuse the password).
	_, err = h.Hash(t.Context(), "password1234")
	require.ErrorIs(t, err, ErrWeakPassword)
	stronger, err := New(WithParams(Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}))
	require.NoError(t, err)
	needsRehash, err = stronger.Verify(t.Context(), "password1234", encoded)
	require.NoError(t, err)
	require.True(t, needsRehash)
	upgraded, err := stronger.Rehash(t.Context(), "password1234")
	require.NoError(t, err)
	needsRehash, err = stronger.Verify(t.Context(), "password1234", upgraded)
	require.NoError(t, err)
	assert.False(t, needsRehash)
	_, err = stronger.Rehash(t.Context(), "short")
	assert.ErrorIs(t, err, ErrWeakPassword, "the length rule still holds")
}

func TestCommonBlocklist(t *testing.T) {
	// A new version of the module that renamed or emptied a list would
	// silently shrink the blocklist: fail instead.
	for _, name := range commonLists {
		assert.NotEmpty(t, frequency.FrequencyLists[name], name)
	}
	set := common()
	assert.Greater(t, len(set), 40_000)
	short, upper := 0, 0
	for w := range set {
		if utf8.RuneCountInString(w) < MinLength {
			short++
		}
		if strings.ToLower(w) != w {
			upper++
		}
	}
	assert.Zero(t, short, "entries shorter than MinLength fail the length rule first")
	assert.Zero(t, upper, "entries are lowercase, as the check compares")
	assert.True(t, slices.Contains(frequency.FrequencyLists["passwords"], "password1234"))
}

// BenchmarkValidate measures a check once the blocklist is built.
func BenchmarkValidate(b *testing.B) {
	common() // built once, outside the timings
	for _, pw := range []string{"password1234", "Password1234", "correct horse battery staple"} {
		b.Run(pw, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Validate(pw)
			}
		})
	}
}

// BenchmarkBuildCommon measures what the first Validate of a process pays.
func BenchmarkBuildCommon(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = buildCommon()
	}
}
