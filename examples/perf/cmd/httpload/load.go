package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Load modes.
const (
	modeWarm = "warm" // sessions drawn from the first -warm
	modeCold = "cold" // every request a session not used before in the run
)

// runConfig is one load phase.
type runConfig struct {
	URL       string
	Host      string
	Sessions  string
	Mode      string
	Warm      int
	Flip      string
	FlipShare float64
	Conns     int
	Duration  time.Duration
	Out       string
	Phase     string
	Seed      uint64
	Sweep     bool
}

func (c *runConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.URL, "url", "http://127.0.0.1:8080/api/v1/me", "the URL to GET")
	fs.StringVar(&c.Host, "host", "", "the Host header (default: the URL's)")
	fs.StringVar(&c.Sessions, "sessions", "sessions.tsv", "sessions file written by prepare")
	fs.StringVar(&c.Mode, "mode", modeWarm, "warm: sessions drawn uniformly from the first -warm; cold: every request a session not used before, after the first -warm")
	fs.IntVar(&c.Warm, "warm", 10000, "size of the warm set")
	fs.StringVar(&c.Flip, "flip", "", "sessions file of the flip set, whose answers are recorded (warm mode)")
	fs.Float64Var(&c.FlipShare, "flip-share", 0.1, "share of the requests sent with a flip-set user's session (warm mode)")
	fs.IntVar(&c.Conns, "conns", 32, "workers, each with its keep-alive connection")
	fs.DurationVar(&c.Duration, "duration", 15*time.Second, "how long to send requests")
	fs.StringVar(&c.Out, "out", "", "write the result as JSON here")
	fs.StringVar(&c.Phase, "phase", "run", "the phase's name in the result")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the session choice")
	fs.BoolVar(&c.Sweep, "sweep", false, "warm mode: first send every warm session once, in order, and run at least until that is done (a warm-up that fills a cache)")
}

// flipAnswer is one answer to a flip-set user (index U of FlipUsers).
type flipAnswer struct {
	U      int32  `json:"u"`
	SendNS int64  `json:"s"`
	RecvNS int64  `json:"r"`
	Status int    `json:"st"`
	Role   string `json:"role,omitempty"`
}

// runResult is one phase's outcome.
type runResult struct {
	Phase     string         `json:"phase"`
	Mode      string         `json:"mode"`
	Conns     int            `json:"conns"`
	Requests  int            `json:"requests"`
	Wall      time.Duration  `json:"wall_ns"`
	PerSecond float64        `json:"per_second"`
	Latency   latency        `json:"latency"`
	Status    map[string]int `json:"status"` // by status code; "0" is a transport error
	FirstErr  string         `json:"first_error,omitempty"`
	CPU       time.Duration  `json:"cpu_ns"` // user + system time of this process during the load
	// ColdWrapped reports a cold phase that used every session and started
	// over.
	ColdWrapped bool         `json:"cold_wrapped,omitempty"`
	FlipUsers   []string     `json:"flip_users,omitempty"`
	Flip        []flipAnswer `json:"flip,omitempty"`
}

// answers returns the recorded flip-set answers by user id.
func (r *runResult) answers() []answer {
	out := make([]answer, len(r.Flip))
	for i, f := range r.Flip {
		out[i] = answer{User: r.FlipUsers[f.U], SendNS: f.SendNS, RecvNS: f.RecvNS, Status: f.Status, Role: f.Role}
	}
	return out
}

func (r *runResult) String() string {
	return fmt.Sprintf("%s: %d requests in %.2fs = %.0f req/s, p50 %s p99 %s max %s, status %v, generator CPU %.2fs (%.2f cores)",
		r.Phase, r.Requests, r.Wall.Seconds(), r.PerSecond, ms(r.Latency.P50), ms(r.Latency.P99), ms(r.Latency.Max),
		r.Status, r.CPU.Seconds(), ratio(r.CPU.Seconds(), r.Wall.Seconds()))
}

// ms formats d in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// cmdRun is `httpload run`.
func cmdRun(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var c runConfig
	c.flags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if c.Conns < 1 || c.Duration <= 0 || c.Warm < 1 || (c.Mode != modeWarm && c.Mode != modeCold) {
		return fmt.Errorf("%w: run needs -conns >= 1, -duration > 0, -warm >= 1 and -mode warm or cold", errUsage)
	}
	limit := c.Warm
	if c.Mode == modeCold {
		limit = 0
	}
	list, err := readSessions(c.Sessions, limit)
	if err != nil {
		return err
	}
	var flipSet []member
	if c.Flip != "" && c.Mode == modeWarm {
		fl, err := readSessions(c.Flip, 0)
		if err != nil {
			return err
		}
		flipSet = fl.Members(fl.Len())
	}
	l, err := newLoad(c, list, flipSet)
	if err != nil {
		return err
	}
	res, err := l.run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, res)
	if c.Out == "" {
		return nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return os.WriteFile(c.Out, b, 0o644)
}

// target is a prepared session: its Authorization header, shared read-only
// by every request that uses it, and its index in the flip set or -1.
type target struct {
	header http.Header
	flip   int32
}

func newTarget(m member, flip int32) target {
	return target{header: http.Header{"Authorization": {"Bearer " + sessionToken(m.Client, m.User)}}, flip: flip}
}

// load is one phase's prepared requests.
type load struct {
	cfg     runConfig
	client  *http.Client
	base    *http.Request
	targets []target // warm: the warm set, then flip-set users beyond it
	nWarm   int      // the warm set's size in targets
	flips   []int    // indices in targets of the flip set
	users   []string // flip-set user ids
	list    *sessionList
	cold    coldOrder
	next    atomic.Uint64 // cold requests sent
	swept   atomic.Uint64 // sweep requests taken
}

// newLoad prepares the requests: every warm session's header is built
// once, so that a request costs the generator no token derivation.
func newLoad(c runConfig, list *sessionList, flipSet []member) (*load, error) {
	base, err := http.NewRequest(http.MethodGet, c.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: -url: %w", errUsage, err)
	}
	if c.Host != "" {
		base.Host = c.Host
	}
	tr := &http.Transport{MaxIdleConns: c.Conns, MaxIdleConnsPerHost: c.Conns, DisableCompression: true,
		IdleConnTimeout: time.Minute}
	l := &load{cfg: c, base: base, list: list, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	if c.Mode == modeCold {
		if list.Len() <= c.Warm {
			return nil, fmt.Errorf("cold mode needs more than the %d warm sessions; the file has %d", c.Warm, list.Len())
		}
		l.cold = newColdOrder(c.Warm, list.Len()-c.Warm)
		return l, nil
	}
	if list.Len() == 0 {
		return nil, errors.New("no session in the sessions file")
	}
	index := make(map[string]int32, len(flipSet))
	for i, m := range flipSet {
		index[m.User] = int32(i)
		l.users = append(l.users, m.User)
	}
	inWarm := make(map[string]bool, len(flipSet))
	for _, m := range list.Members(c.Warm) {
		f, ok := index[m.User]
		if !ok {
			f = -1
		}
		inWarm[m.User] = ok
		if ok {
			l.flips = append(l.flips, len(l.targets))
		}
		l.targets = append(l.targets, newTarget(m, f))
	}
	l.nWarm = len(l.targets)
	for i, m := range flipSet {
		if !inWarm[m.User] {
			l.flips = append(l.flips, len(l.targets))
			l.targets = append(l.targets, newTarget(m, int32(i)))
		}
	}
	return l, nil
}

// worker is one goroutine's state and tallies.
type worker struct {
	rng    *rand.Rand
	lat    []time.Duration
	status map[int]int
	flip   []flipAnswer
	buf    bytes.Buffer
	err    error
}

// run sends requests from cfg.Conns workers for cfg.Duration; requests in
// flight at the end finish and count. ctx stops it early.
func (l *load) run(ctx context.Context) (*runResult, error) {
	workers := make([]*worker, l.cfg.Conns)
	for i := range workers {
		workers[i] = &worker{rng: rand.New(rand.NewPCG(l.cfg.Seed, uint64(i))), status: make(map[int]int),
			lat: make([]time.Duration, 0, 1<<14)}
	}
	cpu0 := cpuTime()
	start := time.Now()
	deadline := start.Add(l.cfg.Duration)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			for ctx.Err() == nil && (time.Now().Before(deadline) || l.sweeping()) {
				l.one(ctx, w)
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	res := &runResult{Phase: l.cfg.Phase, Mode: l.cfg.Mode, Conns: l.cfg.Conns, Wall: wall, CPU: cpuTime() - cpu0,
		Status: make(map[string]int), FlipUsers: l.users}
	var lat []time.Duration
	for _, w := range workers {
		lat = append(lat, w.lat...)
		for s, n := range w.status {
			res.Status[strconv.Itoa(s)] += n
		}
		res.Flip = append(res.Flip, w.flip...)
		if w.err != nil && res.FirstErr == "" {
			res.FirstErr = w.err.Error()
		}
	}
	res.Requests = len(lat)
	res.Latency = summarize(lat)
	res.PerSecond = ratio(float64(res.Requests), wall.Seconds())
	if l.cfg.Mode == modeCold {
		res.ColdWrapped = l.next.Load() > l.cold.n
	}
	l.client.CloseIdleConnections()
	return res, ctx.Err()
}

// sweeping reports whether a sweep still has warm sessions to send.
func (l *load) sweeping() bool {
	return l.cfg.Sweep && l.cfg.Mode == modeWarm && l.swept.Load() < uint64(l.nWarm)
}

// pick returns the session of w's next request.
func (l *load) pick(w *worker) target {
	if l.cfg.Mode == modeCold {
		m := l.list.At(l.cold.At(l.next.Add(1) - 1))
		return newTarget(m, -1)
	}
	if l.sweeping() {
		if i := l.swept.Add(1) - 1; i < uint64(l.nWarm) {
			return l.targets[i]
		}
	}
	if len(l.flips) > 0 && w.rng.Float64() < l.cfg.FlipShare {
		return l.targets[l.flips[w.rng.IntN(len(l.flips))]]
	}
	return l.targets[w.rng.IntN(l.nWarm)]
}

// one sends one request and records it.
func (l *load) one(ctx context.Context, w *worker) {
	t := l.pick(w)
	req := l.base.WithContext(ctx) // a shallow copy
	req.Header = t.header
	send := time.Now()
	status, role := 0, ""
	resp, err := l.client.Do(req)
	if err == nil {
		if t.flip >= 0 {
			w.buf.Reset()
			_, err = w.buf.ReadFrom(resp.Body)
			role = roleOf(resp.StatusCode, w.buf.Bytes())
		} else {
			_, err = io.Copy(io.Discard, resp.Body)
		}
		_ = resp.Body.Close()
		if err == nil {
			status = resp.StatusCode
		}
	}
	recv := time.Now()
	if err != nil && w.err == nil {
		w.err = err
	}
	w.lat = append(w.lat, recv.Sub(send))
	w.status[status]++
	if t.flip >= 0 {
		w.flip = append(w.flip, flipAnswer{U: t.flip, SendNS: send.UnixNano(), RecvNS: recv.UnixNano(), Status: status, Role: role})
	}
}

// readRunResult reads a result written by run -out.
func readRunResult(path string) (*runResult, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r runResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}
