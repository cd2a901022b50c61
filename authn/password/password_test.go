package password

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastParams keep tests quick; one test uses DefaultParams.
var fastParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newFast(tb testing.TB, opts ...Option) *Hasher {
	tb.Helper()
	h, err := New(append([]Option{WithParams(fastParams)}, opts...)...)
	require.NoError(tb, err)
	return h
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"empty", "", false},
		{"7 runes", "abcdefg", false},
		{"8 runes", "abcdefgh", true},
		{"7 two-byte runes", "ééééééé", false},
		{"8 two-byte runes", "éééééééé", true},
		{"7 four-byte runes", strings.Repeat("😀", 7), false},
		{"64 four-byte runes", strings.Repeat("😀", 64), true},
		{"1024 bytes", strings.Repeat("a", MaxLength), true},
		{"1025 bytes", strings.Repeat("a", MaxLength+1), false},
		{"invalid UTF-8", "abcdefgh\xff", false},
		{"NUL byte", "abcd\x00efgh", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.pw)
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrWeakPassword)
			}
		})
	}
}

func TestHashVerifyRoundTrip(t *testing.T) {
	h := newFast(t)
	for _, pw := range []string{
		"abcdefgh",
		"correct horse battery staple",
		"éééééééé",
		strings.Repeat("密", 64),
		strings.Repeat("x", MaxLength),
	} {
		t.Run(pw[:min(len(pw), 16)], func(t *testing.T) {
			encoded, err := h.Hash(t.Context(), pw)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(encoded, "$argon2id$v=19$m=64,t=1,p=1$"), encoded)
			needsRehash, err := h.Verify(t.Context(), pw, encoded)
			require.NoError(t, err)
			assert.False(t, needsRehash)
		})
	}
}

func TestHashUsesFreshSalt(t *testing.T) {
	h := newFast(t)
	a, err := h.Hash(t.Context(), "correct horse")
	require.NoError(t, err)
	b, err := h.Hash(t.Context(), "correct horse")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
}

func TestHashRejectsWeakPassword(t *testing.T) {
	h := newFast(t)
	for _, pw := range []string{"abcdefg", "ééééééé", strings.Repeat("a", MaxLength+1), "abcdefgh\x00"} {
		_, err := h.Hash(t.Context(), pw)
		assert.ErrorIs(t, err, ErrWeakPassword)
	}
	assert.Zero(t, h.runs.Load(), "no computation for a rejected password")
}

func TestVerifyMismatch(t *testing.T) {
	h := newFast(t)
	long := strings.Repeat("a", MaxLength)
	encodedLong, err := h.Hash(t.Context(), long)
	require.NoError(t, err)
	encoded, err := h.Hash(t.Context(), "correct horse")
	require.NoError(t, err)

	differAt1000 := []byte(long)
	differAt1000[1000] = 'b'
	tests := []struct {
		name, pw, encoded string
	}{
		{"wrong password", "correct horsf", encoded},
		{"prefix of the password", "correct hors", encoded},
		{"differs only at byte 1000", string(differAt1000), encodedLong},
		{"longer than MaxLength, same first 1024 bytes", long + "a", encodedLong},
		{"fails Validate", "short", encoded},
		{"NUL byte", "correct horse\x00", encoded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := h.runs.Load()
			needsRehash, err := h.Verify(t.Context(), tt.pw, tt.encoded)
			require.ErrorIs(t, err, ErrMismatch)
			assert.NotErrorIs(t, err, ErrWeakPassword)
			assert.False(t, needsRehash)
			assert.Equal(t, runs+1, h.runs.Load(), "one computation, whatever the password")
		})
	}
}

// phc builds an encoded hash from its fields.
func phc(alg, version, params, salt, key string) string {
	return "$" + alg + "$" + version + "$" + params + "$" + salt + "$" + key
}

var (
	salt16 = base64.RawStdEncoding.EncodeToString(make([]byte, 16))
	key32  = base64.RawStdEncoding.EncodeToString(make([]byte, 32))
)

func malformedHashes() map[string]string {
	b64 := func(n int) string { return base64.RawStdEncoding.EncodeToString(make([]byte, n)) }
	ok := "m=64,t=1,p=1"
	return map[string]string{
		"empty":                 "",
		"argon2i":               phc("argon2i", "v=19", ok, salt16, key32),
		"argon2d":               phc("argon2d", "v=19", ok, salt16, key32),
		"bcrypt":                "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"no leading $":          phc("argon2id", "v=19", ok, salt16, key32)[1:],
		"v=18":                  phc("argon2id", "v=18", ok, salt16, key32),
		"v=019":                 phc("argon2id", "v=019", ok, salt16, key32),
		"no version":            "$argon2id$" + ok + "$" + salt16 + "$" + key32,
		"no key":                "$argon2id$v=19$" + ok + "$" + salt16,
		"empty key":             phc("argon2id", "v=19", ok, salt16, ""),
		"no p":                  phc("argon2id", "v=19", "m=64,t=1", salt16, key32),
		"params reordered":      phc("argon2id", "v=19", "t=1,m=64,p=1", salt16, key32),
		"extra param":           phc("argon2id", "v=19", ok+",k=1", salt16, key32),
		"space in params":       phc("argon2id", "v=19", "m=64, t=1,p=1", salt16, key32),
		"sign":                  phc("argon2id", "v=19", "m=+64,t=1,p=1", salt16, key32),
		"leading zero":          phc("argon2id", "v=19", "m=064,t=1,p=1", salt16, key32),
		"m=0":                   phc("argon2id", "v=19", "m=0,t=1,p=1", salt16, key32),
		"m below 8p":            phc("argon2id", "v=19", "m=15,t=1,p=2", salt16, key32),
		"t=0":                   phc("argon2id", "v=19", "m=64,t=0,p=1", salt16, key32),
		"p=0":                   phc("argon2id", "v=19", "m=64,t=1,p=0", salt16, key32),
		"m=2^32":                phc("argon2id", "v=19", "m=4294967296,t=1,p=1", salt16, key32),
		"m=2^32-1":              phc("argon2id", "v=19", "m=4294967295,t=1,p=1", salt16, key32),
		"m just over 4 GiB":     phc("argon2id", "v=19", "m=4194305,t=1,p=1", salt16, key32),
		"m of 11 digits":        phc("argon2id", "v=19", "m=10000000000,t=1,p=1", salt16, key32),
		"t=101":                 phc("argon2id", "v=19", "m=64,t=101,p=1", salt16, key32),
		"p=256":                 phc("argon2id", "v=19", "m=4096,t=1,p=256", salt16, key32),
		"bad base64 salt":       phc("argon2id", "v=19", ok, "!!!!!!!!!!!!", key32),
		"padded salt":           phc("argon2id", "v=19", ok, salt16+"==", key32),
		"url base64 key":        phc("argon2id", "v=19", ok, salt16, strings.Repeat("_", 43)),
		"newline in key":        phc("argon2id", "v=19", ok, salt16, key32[:20]+"\n"+key32[20:]),
		"non-canonical tail":    phc("argon2id", "v=19", ok, salt16[:21]+"B", key32),
		"salt of 7 bytes":       phc("argon2id", "v=19", ok, b64(7), key32),
		"salt of 65 bytes":      phc("argon2id", "v=19", ok, b64(65), key32),
		"key of 15 bytes":       phc("argon2id", "v=19", ok, salt16, b64(15)),
		"key of 129 bytes":      phc("argon2id", "v=19", ok, salt16, b64(129)),
		"huge key":              phc("argon2id", "v=19", ok, salt16, b64(1<<16)),
		"extra $ at the end":    phc("argon2id", "v=19", ok, salt16, key32) + "$",
		"extra $ in the middle": "$argon2id$v=19$$" + ok + "$" + salt16 + "$" + key32,
		"extra field":           phc("argon2id", "v=19", ok, salt16, key32) + "$" + key32,
	}
}

func TestVerifyMalformedHash(t *testing.T) {
	h := newFast(t)
	for name, encoded := range malformedHashes() {
		t.Run(name, func(t *testing.T) {
			needsRehash, err := h.Verify(t.Context(), "correct horse", encoded)
			require.ErrorIs(t, err, ErrMalformedHash)
			assert.False(t, needsRehash)
		})
	}
	assert.Zero(t, h.runs.Load(), "a malformed hash is rejected before computing")
}

func TestVerifyAcceptsBoundaryParams(t *testing.T) {
	h := newFast(t)
	// Well-formed with in-range parameters, but not the hash of the password.
	for _, encoded := range []string{
		phc("argon2id", "v=19", "m=16,t=1,p=2", salt16, key32),
		phc("argon2id", "v=19", "m=64,t=1,p=1",
			base64.RawStdEncoding.EncodeToString(make([]byte, 8)), base64.RawStdEncoding.EncodeToString(make([]byte, 16))),
		phc("argon2id", "v=19", "m=64,t=1,p=1",
			base64.RawStdEncoding.EncodeToString(make([]byte, 64)), base64.RawStdEncoding.EncodeToString(make([]byte, 128))),
	} {
		_, err := h.Verify(t.Context(), "correct horse", encoded)
		assert.ErrorIs(t, err, ErrMismatch, encoded)
	}
}

func TestVerifyNeedsRehash(t *testing.T) {
	old := newFast(t)
	encoded, err := old.Hash(t.Context(), "correct horse")
	require.NoError(t, err)

	tests := []struct {
		name   string
		params Params
		want   bool
	}{
		{"same params", fastParams, false},
		{"more memory", Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more time", Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more threads", Params{Memory: 64, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}, true},
		{"longer salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 32, KeyLen: 32}, true},
		{"longer key", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 64}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := New(WithParams(tt.params))
			require.NoError(t, err)
			needsRehash, err := h.Verify(t.Context(), "correct horse", encoded)
			require.NoError(t, err)
			assert.Equal(t, tt.want, needsRehash)
		})
	}
}

func TestDefaultParams(t *testing.T) {
	h, err := New()
	require.NoError(t, err)
	encoded, err := h.Hash(t.Context(), "correct horse battery staple")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$"), encoded)
	parts := strings.Split(encoded, "$")
	assert.Len(t, parts[4], 22, "16-byte salt")
	assert.Len(t, parts[5], 43, "32-byte key")
	needsRehash, err := h.Verify(t.Context(), "correct horse battery staple", encoded)
	require.NoError(t, err)
	assert.False(t, needsRehash)
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  Option
	}{
		{"threads 0", WithParams(Params{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32})},
		{"memory below 8*threads", WithParams(Params{Memory: 31, Time: 1, Threads: 4, SaltLen: 16, KeyLen: 32})},
		{"memory over 4 GiB", WithParams(Params{Memory: 4*1024*1024 + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})},
		{"time 0", WithParams(Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32})},
		{"time 101", WithParams(Params{Memory: 64, Time: 101, Threads: 1, SaltLen: 16, KeyLen: 32})},
		{"salt 7", WithParams(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 7, KeyLen: 32})},
		{"salt 65", WithParams(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 65, KeyLen: 32})},
		{"key 15", WithParams(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 15})},
		{"key 129", WithParams(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 129})},
		{"zero params", WithParams(Params{})},
		{"concurrency 0", WithConcurrency(0)},
		{"concurrency -1", WithConcurrency(-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := New(tt.opt)
			assert.Error(t, err)
			assert.Nil(t, h)
		})
	}
}

func TestConcurrencyLimit(t *testing.T) {
	for _, limit := range []int{1, 2} {
		h := newFast(t, WithConcurrency(limit))
		encoded, err := h.Hash(t.Context(), "correct horse")
		require.NoError(t, err)
		const n = 32
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if i%2 == 0 {
					_, err := h.Hash(t.Context(), "correct horse")
					assert.NoError(t, err)
				} else {
					_, err := h.Verify(t.Context(), "correct horse", encoded)
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		assert.LessOrEqual(t, h.maxInFlight.Load(), int64(limit))
		assert.Equal(t, int64(n+1), h.runs.Load())
		assert.Zero(t, h.inFlight.Load())
	}
}

func TestContextCancelledWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newFast(t, WithConcurrency(1))
		encoded := phc("argon2id", "v=19", "m=64,t=1,p=1", salt16, key32)
		h.sem <- struct{}{} // hold the only slot
		ctx, cancel := context.WithCancel(t.Context())
		errs := make(chan error, 3)
		go func() { _, err := h.Hash(ctx, "correct horse"); errs <- err }()
		go func() { _, err := h.Verify(ctx, "correct horse", encoded); errs <- err }()
		go func() { h.DummyVerify(ctx, "correct horse"); errs <- ctx.Err() }()
		synctest.Wait() // all three are blocked waiting for the slot
		assert.Empty(t, errs)
		cancel()
		for range 3 {
			assert.ErrorIs(t, <-errs, context.Canceled)
		}
		assert.Zero(t, h.runs.Load())
	})
}

func TestContextAlreadyCancelled(t *testing.T) {
	h := newFast(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := h.Hash(ctx, "correct horse")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = h.Verify(ctx, "correct horse", phc("argon2id", "v=19", "m=64,t=1,p=1", salt16, key32))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, h.runs.Load())
}

func TestDummyVerify(t *testing.T) {
	h := newFast(t)
	for _, pw := range []string{"correct horse", "short", strings.Repeat("a", 2*MaxLength)} {
		runs := h.runs.Load()
		h.DummyVerify(t.Context(), pw)
		assert.Equal(t, runs+1, h.runs.Load(), "one computation with the hasher's params")
	}
	p, _, _, err := decode(h.dummy)
	require.NoError(t, err)
	assert.Equal(t, fastParams, p)
}

func TestZeroHasher(t *testing.T) {
	var h Hasher
	_, err := h.Hash(t.Context(), "correct horse")
	assert.Error(t, err)
	_, err = h.Verify(t.Context(), "correct horse", phc("argon2id", "v=19", "m=64,t=1,p=1", salt16, key32))
	assert.Error(t, err)
	h.DummyVerify(t.Context(), "correct horse")
}

func FuzzVerify(f *testing.F) {
	h := newFast(f)
	valid, err := h.Hash(context.Background(), "correct horse")
	require.NoError(f, err)
	f.Add(valid)
	for _, s := range malformedHashes() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, encoded string) {
		p, salt, key, err := decode(encoded)
		if err == nil {
			// Only the canonical form parses.
			require.Equal(t, encoded, encode(p, salt, key))
			if p.Memory > 1024 || p.Time > 4 {
				t.Skip("well-formed but too costly to compute while fuzzing")
			}
		} else {
			require.ErrorIs(t, err, ErrMalformedHash)
		}
		_, err = h.Verify(t.Context(), "correct horse", encoded)
		if err != nil {
			require.True(t, errors.Is(err, ErrMalformedHash) || errors.Is(err, ErrMismatch), err)
		}
	})
}
