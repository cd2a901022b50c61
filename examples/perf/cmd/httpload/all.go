package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// allConfig is one reproduction of the figures.
type allConfig struct {
	DSN         string
	Duration    time.Duration
	Warmup      time.Duration
	Rounds      int
	Conns       int
	Warm        int
	Max         int
	FlipUsers   int
	FlipShare   float64
	FlipRate    float64
	RemoveEvery int
	Work        string
	Keep        bool
	PortalSrc   string
}

// cmdAll is `httpload all`.
func cmdAll(ctx context.Context, args []string, out io.Writer) (err error) {
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	var c allConfig
	fs.StringVar(&c.DSN, "db", "", "database seeded by examples/seed: sqlite:PATH or postgres://... (required)")
	fs.DurationVar(&c.Duration, "duration", 15*time.Second, "length of each measured phase")
	fs.DurationVar(&c.Warmup, "warmup", 3*time.Second, "length of each server's warm-up, which lasts until every warm session was sent once")
	fs.IntVar(&c.Rounds, "rounds", 2, "rounds of bare then portal-warm (at least 2)")
	fs.IntVar(&c.Conns, "conns", 32, "workers, each with its keep-alive connection")
	fs.IntVar(&c.Warm, "warm", 10000, "active sessions of the warm phases")
	fs.IntVar(&c.Max, "max", defaultMaxSessions, "sessions prepared, the pool of the cold phase")
	fs.IntVar(&c.FlipUsers, "flip-users", 100, "users of the warm set whose roles the flip process changes")
	fs.Float64Var(&c.FlipShare, "flip-share", 0.1, "share of the warm requests sent as a flip-set user")
	fs.Float64Var(&c.FlipRate, "flip-rate", 20, "flip ops per second")
	fs.IntVar(&c.RemoveEvery, "remove-every", 10, "every K-th flip op removes the user (0: never)")
	fs.StringVar(&c.Work, "work", "", "directory for the binaries, files and logs (default: a new temporary one)")
	fs.StringVar(&c.PortalSrc, "portal-src", "", "build the portal from this source tree (e.g. an older commit from git archive; default: this module)")
	fs.BoolVar(&c.Keep, "keep", false, "keep the temporary directory (always kept when the run fails)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if c.DSN == "" || c.Rounds < 2 || c.Conns < 1 || c.Duration <= 0 || c.Warm < 1 || c.Max <= c.Warm {
		return fmt.Errorf("%w: all needs -db, -rounds >= 2, -conns >= 1, -duration > 0 and 1 <= -warm < -max", errUsage)
	}
	fmt.Fprintf(out, "command: %s\n", strings.Join(os.Args, " "))
	fmt.Fprintf(out, "machine: %s\n", machine(ctx))
	if c.Work == "" {
		dir, merr := os.MkdirTemp("", "httpload-")
		if merr != nil {
			return merr
		}
		c.Work = dir
		defer func() {
			// A failed run keeps its logs.
			if err == nil && !c.Keep {
				_ = os.RemoveAll(dir)
			}
		}()
	} else if err := os.MkdirAll(c.Work, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(out, "work: %s\n", c.Work)
	r := &allRun{cfg: c, out: out}
	defer r.stopAll()
	return r.run(ctx)
}

// machine describes the machine: CPUs, model and Go.
func machine(ctx context.Context) string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	goVersion := fmt.Sprintf("%s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if b, err := exec.CommandContext(ctx, "go", "version").Output(); err == nil {
		goVersion = strings.TrimSpace(string(b)) // "go version goX.Y.Z os/arch"
	}
	return fmt.Sprintf("nproc=%d (%s), GOMAXPROCS=%d, %s", runtime.NumCPU(), model, runtime.GOMAXPROCS(0), goVersion)
}

// allRun is the state of one `all`.
type allRun struct {
	cfg      allConfig
	out      io.Writer
	self     string // the built httpload
	children []*child
	portal   *child
	bare     *child
	meURL    string // the portal's
	bareURL  string
	flipOps  []flipOp
	phases   []*phase
}

// phase is one measured phase.
type phase struct {
	name    string
	kind    string // "bare", "portal-warm", "portal-cold"
	round   int
	res     *runResult
	server  time.Duration // CPU of the server process
	db      time.Duration // CPU of every postgres process
	busy    time.Duration // CPU of the whole machine
	flipCPU time.Duration
	flip    []flipOp
	tally   checkTally
}

func (r *allRun) path(name string) string { return filepath.Join(r.cfg.Work, name) }

func (r *allRun) logf(format string, args ...any) {
	fmt.Fprintf(r.out, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func (r *allRun) run(ctx context.Context) error {
	if err := r.build(ctx); err != nil {
		return err
	}
	sessions := r.path("sessions.tsv")
	start := time.Now()
	if _, err := prepare(ctx, prepareConfig{DSN: r.cfg.DSN, Agency: portalAgency, Max: r.cfg.Max, Sessions: sessions}, r.out); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	r.logf("prepare done in %.1fs", time.Since(start).Seconds())
	list, err := readSessions(sessions, r.cfg.Warm)
	if err != nil {
		return err
	}
	warm := list.Members(r.cfg.Warm)
	flipSet := pickFlipSet(warm, r.cfg.FlipUsers)
	if err := writeMembersFile(r.path("flip.tsv"), flipSet); err != nil {
		return err
	}
	initial := make(map[string]state, len(flipSet))
	inFlip := make(map[string]bool, len(flipSet))
	for _, m := range flipSet {
		initial[m.User] = state{Role: m.Role}
		inFlip[m.User] = true
	}
	r.logf("warm set: %d sessions of %d prepared; flip set: %d users", len(warm), r.cfg.Max, len(flipSet))

	if err := r.startPortal(ctx); err != nil {
		return err
	}
	var probe member
	for _, m := range warm {
		if !inFlip[m.User] {
			probe = m
			break
		}
	}
	body, err := fetchMe(ctx, r.meURL, probe)
	if err != nil {
		return err
	}
	if err := os.WriteFile(r.path("me.json"), body, 0o644); err != nil {
		return err
	}
	if err := r.startBare(ctx); err != nil {
		return err
	}

	// The warm-ups send every warm session at least once (-sweep), so a
	// cache in the portal holds them all before the first measurement.
	for _, w := range []struct{ url, name string }{{r.bareURL, "warmup bare"}, {r.meURL, "warmup portal"}} {
		if _, err := r.load(ctx, w.name, w.url, modeWarm, r.cfg.Warmup, 0, "-sweep"); err != nil {
			return err
		}
	}
	for round := 1; round <= r.cfg.Rounds; round++ {
		p, err := r.measure(ctx, "bare", round)
		if err != nil {
			return err
		}
		r.phases = append(r.phases, p)
		if p, err = r.measure(ctx, "portal-warm", round); err != nil {
			return err
		}
		r.phases = append(r.phases, p)
	}
	p, err := r.measure(ctx, "portal-cold", 0)
	if err != nil {
		return err
	}
	r.phases = append(r.phases, p)
	r.stopAll()

	c := newChecker(initial, r.flipOps)
	for _, p := range r.phases {
		if p.kind == "portal-warm" {
			p.tally = c.check(p.res.answers())
		}
	}
	r.report()
	return nil
}

// build builds the portal and this command into the work directory, from
// the module's root.
func (r *allRun) build(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return fmt.Errorf("run httpload all inside the clientele module (go env GOMOD: %q, %v)", gomod, err)
	}
	root := filepath.Dir(gomod)
	portalSrc := root
	if r.cfg.PortalSrc != "" {
		portalSrc = r.cfg.PortalSrc
	}
	for _, b := range []struct{ out, dir, pkg string }{
		{"portal", portalSrc, "./examples/portal"},
		{"httpload", root, "./examples/perf/cmd/httpload"},
	} {
		start := time.Now()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", r.path(b.out), b.pkg)
		cmd.Dir = b.dir
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s in %s: %w\n%s", b.pkg, b.dir, err, msg)
		}
		r.logf("built %s of %s in %.1fs", b.pkg, b.dir, time.Since(start).Seconds())
	}
	r.self = r.path("httpload")
	return nil
}

func (r *allRun) startPortal(ctx context.Context) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	tok := make([]byte, 32)
	_, _ = rand.Read(tok) // crypto/rand.Read never returns an error (Go 1.24+).
	r.portal, err = r.start(ctx, "portal", []string{"PORTAL_AGENCY_TOKEN=" + base64.RawURLEncoding.EncodeToString(tok)},
		r.path("portal"), "-addr", addr, "-db", r.cfg.DSN, "-mail-dir", r.path("mail"))
	if err != nil {
		return err
	}
	r.meURL = "http://" + addr + "/api/v1/me"
	start := time.Now()
	if err := waitHTTP(ctx, r.meURL, r.portal, 3*time.Minute); err != nil {
		return fmt.Errorf("portal: %w (see %s)", err, r.path("portal.log"))
	}
	r.logf("portal up on %s (pid %d) in %.1fs", addr, r.portal.cmd.Process.Pid, time.Since(start).Seconds())
	return nil
}

func (r *allRun) startBare(ctx context.Context) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	if r.bare, err = r.start(ctx, "bare", nil, r.self, "bare", "-addr", addr, "-body", r.path("me.json")); err != nil {
		return err
	}
	r.bareURL = "http://" + addr + "/api/v1/me"
	if err := waitHTTP(ctx, r.bareURL, r.bare, time.Minute); err != nil {
		return fmt.Errorf("bare: %w", err)
	}
	r.logf("bare server up on %s (pid %d)", addr, r.bare.cmd.Process.Pid)
	return nil
}

// measure runs one measured phase of kind, with the flip process during a
// portal-warm phase.
func (r *allRun) measure(ctx context.Context, kind string, round int) (*phase, error) {
	p := &phase{name: kind, kind: kind, round: round}
	if round > 0 {
		p.name = fmt.Sprintf("%s #%d", kind, round)
	}
	url, server, mode := r.meURL, r.portal, modeWarm
	switch kind {
	case "bare":
		url, server = r.bareURL, r.bare
	case "portal-cold":
		mode = modeCold
	}
	var flip *child
	flipLog := r.path(fmt.Sprintf("flip-%d.jsonl", round))
	if kind == "portal-warm" {
		var err error
		flip, err = r.start(ctx, fmt.Sprintf("flip-%d", round), nil, r.self, "flip", "-db", r.cfg.DSN,
			"-users", r.path("flip.tsv"), "-rate", strconv.FormatFloat(r.cfg.FlipRate, 'f', -1, 64),
			"-remove-every", strconv.Itoa(r.cfg.RemoveEvery), "-log", flipLog, "-portal", strings.TrimSuffix(r.meURL, "/api/v1/me"))
		if err != nil {
			return nil, err
		}
		if err := flip.waitLine(ctx, "flip: ready", time.Minute); err != nil {
			return nil, fmt.Errorf("flip: %w (see %s)", err, flip.log)
		}
	}
	server0, db0 := procCPU(server.cmd.Process.Pid), r.dbCPU()
	busy0, _ := machineCPU()
	res, err := r.load(ctx, p.name, url, mode, r.cfg.Duration, round)
	if err != nil {
		return nil, err
	}
	p.res = res
	p.server, p.db = procCPU(server.cmd.Process.Pid)-server0, r.dbCPU()-db0
	busy1, _ := machineCPU()
	p.busy = busy1 - busy0
	if flip != nil {
		if err := flip.stop(); err != nil {
			return nil, fmt.Errorf("flip: %w (see %s)", err, flip.log)
		}
		p.flipCPU = flip.cpu()
		ops, err := readFlipLog(flipLog)
		if err != nil {
			return nil, err
		}
		p.flip = ops
		r.flipOps = append(r.flipOps, ops...)
	}
	return p, nil
}

// dbCPU is the CPU of the PostgreSQL backends of the database, 0 on SQLite
// (which runs in the portal's process).
func (r *allRun) dbCPU() time.Duration {
	if !strings.HasPrefix(r.cfg.DSN, "postgres") {
		return 0
	}
	u, err := url.Parse(r.cfg.DSN)
	if err != nil {
		return 0
	}
	return backendCPU(strings.TrimPrefix(u.Path, "/"))
}

// load runs `httpload run` as a child process and returns its result.
func (r *allRun) load(ctx context.Context, name, url, mode string, d time.Duration, round int, extra ...string) (*runResult, error) {
	file := r.path(strings.ReplaceAll(name, " ", "-") + ".json")
	args := []string{"run", "-url", url, "-sessions", r.path("sessions.tsv"), "-mode", mode, "-warm", strconv.Itoa(r.cfg.Warm),
		"-conns", strconv.Itoa(r.cfg.Conns), "-duration", d.String(), "-out", file, "-phase", name,
		"-seed", strconv.Itoa(round + 1)}
	if mode == modeWarm && url == r.meURL {
		args = append(args, "-flip", r.path("flip.tsv"), "-flip-share", strconv.FormatFloat(r.cfg.FlipShare, 'f', -1, 64))
	}
	args = append(args, extra...)
	cmd := exec.CommandContext(ctx, r.self, args...)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("run %s: %w\n%s", name, err, msg)
	}
	res, err := readRunResult(file)
	if err != nil {
		return nil, err
	}
	r.logf("%s", res)
	return res, nil
}

// fetchMe returns the body of GET url as m, which must answer 200.
func fetchMe(ctx context.Context, url string, m member) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+sessionToken(m.Client, m.User))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s as user %s of client %s: %d %s", url, m.User, m.Client, resp.StatusCode, body)
	}
	return body, nil
}
