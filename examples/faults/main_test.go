package faults

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Environment variables choosing the sizes (see the package doc).
const (
	envFull       = "CLIENTELE_FAULTS_FULL"
	envPGOutages  = "CLIENTELE_FAULTS_PG_OUTAGES"
	envMyOutages  = "CLIENTELE_FAULTS_MARIADB_OUTAGES"
	envKills      = "CLIENTELE_FAULTS_KILLS"
	envSMTPOutage = "CLIENTELE_FAULTS_SMTP_OUTAGE"
	envRequireDB  = "CLIENTELE_TEST_REQUIRE_DB"
)

// answerBound is the longest any request may take, whatever fails.
const answerBound = 10 * time.Second

// sizes are the lengths and counts of one run.
type sizes struct {
	pgOutages      int           // PostgreSQL stops
	mariadbOutages int           // MariaDB stops
	outageLoad     time.Duration // load before, between and after one database's stops, in all
	outageDown     time.Duration // how long each stop lasts
	kills          int           // SIGKILLs on SQLite
	pgKills        int           // SIGKILLs on PostgreSQL
	smtpOutage     time.Duration // how long the SMTP server is away
	smtpMails      int           // invitations made during the SMTP outage
}

// sizesOf reads the sizes from the environment: the short defaults, the
// full ones with CLIENTELE_FAULTS_FULL=1, then single overrides.
func sizesOf(t *testing.T) sizes {
	t.Helper()
	// The database stays down longer than the server's cache answers
	// (cacheWindow), so that both are seen.
	s := sizes{pgOutages: 1, mariadbOutages: 1, outageLoad: 3 * time.Second, outageDown: 5 * time.Second,
		kills: 3, pgKills: 2, smtpOutage: 2 * time.Second, smtpMails: 6}
	if os.Getenv(envFull) == "1" {
		s = sizes{pgOutages: 3, mariadbOutages: 3, outageLoad: 30 * time.Second, outageDown: 5 * time.Second,
			kills: 20, pgKills: 10, smtpOutage: 20 * time.Second, smtpMails: 20}
	}
	if v := os.Getenv(envPGOutages); v != "" {
		s.pgOutages = atoi(t, envPGOutages, v)
	}
	if v := os.Getenv(envMyOutages); v != "" {
		s.mariadbOutages = atoi(t, envMyOutages, v)
	}
	if v := os.Getenv(envKills); v != "" {
		s.kills = atoi(t, envKills, v)
		s.pgKills = max(1, s.kills/2)
	}
	if v := os.Getenv(envSMTPOutage); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("%s=%q: want a positive duration", envSMTPOutage, v)
		}
		s.smtpOutage = d
	}
	return s
}

func atoi(t *testing.T, name, v string) int {
	t.Helper()
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive count", name, v)
	}
	return n
}

// built is the server binary, made once per test binary run.
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// portalBinary builds examples/portal as a user would (pure Go, no cgo)
// the first time it is called and returns the executable's path.
func portalBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			built.err = fmt.Errorf("the go command is needed to build the server: %w", err)
			return
		}
		if built.dir, err = os.MkdirTemp("", "clientele-faults-bin-"); err != nil {
			built.err = err
			return
		}
		path := filepath.Join(built.dir, "portal")
		start := time.Now()
		cmd := exec.Command(goTool, "build", "-o", path, "github.com/clientele/clientele/examples/portal")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build ./examples/portal: %w\n%s", err, out)
			return
		}
		built.path = path
		t.Logf("built the server in %v", time.Since(start).Round(time.Millisecond))
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopSharedPostgres()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir) // a temporary folder; nothing to report
	}
	os.Exit(code)
}
