package perf

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
)

// NewToken returns a session token as authn hands them out (32 random
// bytes in unpadded base64url) and the SHA-256 hash it is stored under.
func NewToken() (tok string, hash []byte) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error (Go 1.24+).
	sum := sha256.Sum256(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:]), sum[:]
}

// Stats summarises latencies.
type Stats struct {
	N              int
	P50, P99, Max  time.Duration
	Mean           time.Duration
	Wall           time.Duration // wall time of the whole run
	PerSecond      float64       // N / Wall
	ErrorsOrDenied int
}

// Summarize computes Stats of d (which it sorts) over a run that took wall.
func Summarize(d []time.Duration, wall time.Duration) Stats {
	s := Stats{N: len(d), Wall: wall}
	if len(d) == 0 {
		return s
	}
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	s.P50, s.P99, s.Max = Percentile(d, 50), Percentile(d, 99), d[len(d)-1]
	s.Mean = sum / time.Duration(len(d))
	if wall > 0 {
		s.PerSecond = float64(len(d)) / wall.Seconds()
	}
	return s
}

// Percentile returns the nearest-rank p-th percentile of sorted d.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func (s Stats) String() string {
	return fmt.Sprintf("n=%d p50=%s p99=%s mean=%s max=%s wall=%s rate=%.0f/s failed=%d",
		s.N, us(s.P50), us(s.P99), us(s.Mean), us(s.Max), s.Wall.Round(time.Millisecond), s.PerSecond, s.ErrorsOrDenied)
}

func us(d time.Duration) string { return fmt.Sprintf("%.1fus", float64(d)/float64(time.Microsecond)) }

// QueryCounter is a bun.QueryHook that counts the queries that reached
// the database (AfterQuery), all of them and those that write, and keeps
// the last SELECT it saw.
type QueryCounter struct {
	all, writes atomic.Int64
	last        atomic.Pointer[string]
}

var _ bun.QueryHook = (*QueryCounter)(nil)

// BeforeQuery implements bun.QueryHook.
func (c *QueryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

// AfterQuery implements bun.QueryHook.
func (c *QueryCounter) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	c.all.Add(1)
	q := strings.TrimSpace(e.Query)
	if len(q) >= 6 && strings.EqualFold(q[:6], "SELECT") {
		c.last.Store(&q)
		return
	}
	c.writes.Add(1)
}

// Counts returns the queries and the writes seen so far.
func (c *QueryCounter) Counts() (all, writes int64) { return c.all.Load(), c.writes.Load() }

// LastSelect returns the last SELECT seen, or "".
func (c *QueryCounter) LastSelect() string {
	if p := c.last.Load(); p != nil {
		return *p
	}
	return ""
}
