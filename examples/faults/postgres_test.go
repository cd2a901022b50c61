package faults

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/adapters/bunstore"
)

// pgCluster is a private PostgreSQL cluster in a temporary folder,
// listening on 127.0.0.1 and its own port with trust authentication. The
// machine's own PostgreSQL is never touched.
type pgCluster struct {
	bin     string // the folder of initdb, pg_ctl and postgres
	root    string // the temporary folder, owned by the server's user
	port    int
	runAs   string // "postgres" when the tests run as root (PostgreSQL refuses root), else ""
	mu      sync.Mutex
	running bool
}

// sharedPG is the cluster of this test binary, made on first use and
// removed by TestMain.
var sharedPG struct {
	once sync.Once
	c    *pgCluster
	err  error
}

// privatePostgres returns the running private cluster. It skips t when
// initdb is not installed, unless CLIENTELE_TEST_REQUIRE_DB=1.
func privatePostgres(t *testing.T) *pgCluster {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		if os.Getenv(envRequireDB) == "1" {
			t.Fatalf("initdb and pg_ctl are not installed (looked in /usr/lib/postgresql/*/bin and PATH), and %s=1", envRequireDB)
		}
		t.Skip("initdb and pg_ctl are not installed (looked in /usr/lib/postgresql/*/bin and PATH): no private PostgreSQL")
	}
	sharedPG.once.Do(func() {
		start := time.Now()
		sharedPG.c, sharedPG.err = newPGCluster(bin)
		if sharedPG.err == nil {
			t.Logf("private PostgreSQL (%s) on 127.0.0.1:%d ready in %v", bin, sharedPG.c.port, time.Since(start).Round(time.Millisecond))
		}
	})
	require.NoError(t, sharedPG.err)
	c := sharedPG.c
	require.NoError(t, c.ensureRunning(), "a test before left the cluster stopped and it does not start")
	return c
}

// stopSharedPostgres stops and removes the cluster, if one was made.
func stopSharedPostgres() {
	if c := sharedPG.c; c != nil {
		_ = c.stop("immediate") // the folder goes next; nothing to keep
		_ = os.RemoveAll(c.root)
	}
}

// postgresBin finds the newest /usr/lib/postgresql/*/bin with initdb, or
// initdb on PATH; "" when there is none.
func postgresBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb") // the pattern is valid
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(a) - versionOf(b) })
	if len(dirs) > 0 {
		return filepath.Dir(dirs[len(dirs)-1])
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p)
		}
	}
	return ""
}

// versionOf is the major version in /usr/lib/postgresql/<v>/bin/initdb.
func versionOf(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path)))) // 0 sorts first
	return v
}

func newPGCluster(bin string) (*pgCluster, error) {
	c := &pgCluster{bin: bin}
	if os.Geteuid() == 0 {
		c.runAs = "postgres"
	}
	var err error
	if c.root, err = os.MkdirTemp("", "clientele-faults-pg-"); err != nil {
		return nil, err
	}
	if c.runAs != "" {
		u, err := user.Lookup(c.runAs)
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs the %s user: %w", c.runAs, err)
		}
		uid, _ := strconv.Atoi(u.Uid) // numeric on Unix
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.root, uid, gid); err != nil {
			return nil, err
		}
	}
	if out, err := c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
		"--no-sync", "--no-instructions"); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	for range 3 { // a free port may be taken before the server binds it
		if c.port, err = freePort(); err != nil {
			return nil, err
		}
		if err = c.start(); err == nil {
			return c, nil
		}
	}
	return nil, err
}

func (c *pgCluster) data() string { return filepath.Join(c.root, "data") }

// run runs a PostgreSQL program of c.bin, as c.runAs when set.
func (c *pgCluster) run(program string, args ...string) ([]byte, error) {
	name, argv := filepath.Join(c.bin, program), args
	if c.runAs != "" {
		name, argv = "runuser", append([]string{"-u", c.runAs, "--", filepath.Join(c.bin, program)}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Dir = c.root // the server's user may not enter the test's folder
	return cmd.CombinedOutput()
}

// start starts the cluster and waits until it accepts connections. Only
// the unix socket in the temporary folder and 127.0.0.1 are listened on;
// fsync is off (the tests stop the server cleanly or kill its clients,
// never the machine).
func (c *pgCluster) start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	opts := strings.Join([]string{"-p", strconv.Itoa(c.port), "-k", c.root, "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "max_connections=60"}, " ")
	out, err := c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.root, "server.log"), "-w", "-t", "60", "-o", opts, "start")
	if err != nil {
		return fmt.Errorf("pg_ctl start: %w\n%s", err, out)
	}
	c.running = true
	return nil
}

// stop stops the cluster with pg_ctl's mode ("fast": roll back and close
// every connection; "immediate": no checkpoint) and waits until it is
// down.
func (c *pgCluster) stop(mode string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	out, err := c.run("pg_ctl", "-D", c.data(), "-m", mode, "-w", "-t", "60", "stop")
	if err != nil {
		return fmt.Errorf("pg_ctl stop -m %s: %w\n%s", mode, err, out)
	}
	c.running = false
	return nil
}

// down stops the cluster as an outage test does: pg_ctl stop -m fast.
func (c *pgCluster) down() error { return c.stop("fast") }

// up starts the cluster again.
func (c *pgCluster) up() error { return c.start() }

func (c *pgCluster) ensureRunning() error {
	c.mu.Lock()
	running := c.running
	c.mu.Unlock()
	if running {
		return nil
	}
	return c.start()
}

// dsn is the server's DSN for database db.
func (c *pgCluster) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// freshDatabase creates an empty database for t and returns its DSN.
func (c *pgCluster) freshDatabase(t *testing.T, name string) string {
	t.Helper()
	db, err := bunstore.Open(t.Context(), c.dsn("postgres"))
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	_, err = db.ExecContext(t.Context(), "DROP DATABASE IF EXISTS "+name)
	require.NoError(t, err)
	_, err = db.ExecContext(t.Context(), "CREATE DATABASE "+name)
	require.NoError(t, err)
	return c.dsn(name)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }() // only its number was needed
	return ln.Addr().(*net.TCPAddr).Port, nil
}
