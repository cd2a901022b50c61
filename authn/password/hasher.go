package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"golang.org/x/crypto/argon2"

	"github.com/clientele/clientele"
)

// Hasher hashes and verifies passwords with argon2id. Build one with [New];
// it is immutable and safe for concurrent use. At most its concurrency
// limit of argon2 computations run at once; further calls wait for a slot
// or for their context to end.
type Hasher struct {
	params Params
	sem    chan struct{}
	// dummy is an encoded hash with the hasher's params that no password
	// matches: its key is random, not derived from any password.
	dummy string

	// Counters read by tests: computations in flight, the most seen at
	// once, and the total run.
	inFlight, maxInFlight, runs atomic.Int64
}

// Option configures a [Hasher].
type Option func(*config)

type config struct {
	params      Params
	concurrency int
}

// WithParams sets the parameters of new hashes (default [DefaultParams]).
// New rejects parameters out of range: Threads at least 1, Memory from
// 8*Threads KiB to 4 GiB, Time 1 to 100, SaltLen 8 to 64, KeyLen 16 to 128.
func WithParams(p Params) Option {
	return func(c *config) { c.params = p }
}

// WithConcurrency sets how many argon2 computations may run at once (default
// runtime.GOMAXPROCS(0)). Each holds Params.Memory KiB while it runs, so
// this bounds the memory a burst of sign-ins can take. New rejects n < 1.
func WithConcurrency(n int) Option {
	return func(c *config) { c.concurrency = n }
}

// New returns a Hasher. Invalid options answer an error wrapping
// [clientele.ErrInvalidArgument].
func New(opts ...Option) (*Hasher, error) {
	c := config{params: DefaultParams, concurrency: runtime.GOMAXPROCS(0)}
	for _, o := range opts {
		o(&c)
	}
	if err := c.params.validate(); err != nil {
		return nil, fmt.Errorf("%w: password params: %w", clientele.ErrInvalidArgument, err)
	}
	if c.concurrency < 1 {
		return nil, fmt.Errorf("%w: password concurrency must be at least 1", clientele.ErrInvalidArgument)
	}
	salt, key := make([]byte, c.params.SaltLen), make([]byte, c.params.KeyLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never returns an error (Go 1.24+).
	_, _ = rand.Read(key)
	return &Hasher{params: c.params, sem: make(chan struct{}, c.concurrency), dummy: encode(c.params, salt, key)}, nil
}

// Hash validates pw as a new password (see [Validate]: a commonly used
// one is refused; failures wrap [ErrWeakPassword]) and returns its
// argon2id hash as a PHC string with a fresh random salt. It
// returns ctx's error if ctx ends while waiting for a slot.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := Validate(pw); err != nil {
		return "", err
	}
	return h.hash(ctx, pw)
}

// Rehash returns a fresh hash of pw, a password [Hasher.Verify] has just
// accepted with needsRehash, under the hasher's parameters. Unlike Hash
// it applies only the length and encoding rules, not the blocklist: a
// password set before it (or before a longer one) keeps signing in, and
// is upgraded all the same. Failures of those rules wrap
// [ErrWeakPassword].
func (h *Hasher) Rehash(ctx context.Context, pw string) (string, error) {
	if err := checkShape(pw); err != nil {
		return "", err
	}
	return h.hash(ctx, pw)
}

// hash hashes pw with a fresh random salt.
func (h *Hasher) hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never returns an error (Go 1.24+).
	key, err := h.compute(ctx, pw, salt, h.params)
	if err != nil {
		return "", err
	}
	return encode(h.params, salt, key), nil
}

// Verify reports whether pw matches encoded, a hash made by [Hasher.Hash]
// with any accepted parameters. It answers:
//   - nil when pw matches; needsRehash is then true when encoded's
//     parameters differ from the hasher's, and the caller should store a
//     fresh [Hasher.Hash] of pw;
//   - [ErrMismatch] when pw does not match, and also when pw is too
//     short, too long or not valid UTF-8 (after the same work, so neither
//     answer nor timing tells the two apart);
//   - [ErrMalformedHash] when encoded is not a well-formed argon2id PHC
//     string with parameters in range, before any computation;
//   - ctx's error when ctx ends while waiting for a slot.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (needsRehash bool, err error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, err
	}
	// Not Validate: a password set before the blocklist, or before a
	// longer blocklist, still signs in; the blocklist governs new ones.
	valid := checkShape(pw) == nil
	if !valid {
		pw = "" // still spend one computation, on a password of bounded length
	}
	got, err := h.compute(ctx, pw, salt, p)
	if err != nil {
		return false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 || !valid {
		return false, ErrMismatch
	}
	return p != h.params, nil
}

// DummyVerify spends the time of a [Hasher.Verify] against a hash with the
// hasher's parameters, and reports nothing. Call it where a sign-in finds
// no account for the email: answering faster than for a wrong password
// would tell an attacker which emails have accounts. It returns early if
// ctx ends while waiting for a slot.
func (h *Hasher) DummyVerify(ctx context.Context, pw string) {
	// The outcome is always a mismatch (or ctx's error); only the work counts.
	_, _ = h.Verify(ctx, pw, h.dummy)
}

var errZeroHasher = errors.New("password: Hasher not built by New")

// compute runs argon2id once a slot is free, or returns ctx's error.
func (h *Hasher) compute(ctx context.Context, pw string, salt []byte, p Params) ([]byte, error) {
	if h.sem == nil {
		return nil, errZeroHasher
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.sem }()
	n := h.inFlight.Add(1)
	defer h.inFlight.Add(-1) // runs before the slot is released
	for m := h.maxInFlight.Load(); n > m && !h.maxInFlight.CompareAndSwap(m, n); m = h.maxInFlight.Load() {
	}
	h.runs.Add(1)
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}
