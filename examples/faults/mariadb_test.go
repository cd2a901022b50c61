package faults

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/adapters/bunstore"
)

// mariaDB is a private MariaDB server in a temporary folder of the test,
// listening on 127.0.0.1 and its own port, with a root user without a
// password. The machine's own MariaDB is never touched.
type mariaDB struct {
	server string // mariadbd
	root   string // the temporary folder: data, socket, log
	port   int

	mu  sync.Mutex
	run *mariadbRun // the running server, nil when stopped
}

// mariadbRun is one run of mariadbd.
type mariadbRun struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	err    error         // cmd.Wait's, set when exited is closed
}

// privateMariaDB makes, starts and returns a private MariaDB server,
// stopped and removed when t ends. It skips t when mariadbd or
// mariadb-install-db is not installed, unless CLIENTELE_TEST_REQUIRE_DB=1.
func privateMariaDB(t *testing.T) *mariaDB {
	t.Helper()
	server, install := mariadbBin("mariadbd", "/usr/sbin"), mariadbBin("mariadb-install-db", "/usr/bin")
	if server == "" || install == "" {
		if os.Getenv(envRequireDB) == "1" {
			t.Fatalf("mariadbd and mariadb-install-db are not installed (looked in /usr/sbin, /usr/bin and PATH), and %s=1", envRequireDB)
		}
		t.Skip("mariadbd and mariadb-install-db are not installed (looked in /usr/sbin, /usr/bin and PATH): no private MariaDB")
	}
	start := time.Now()
	m := &mariaDB{server: server, root: t.TempDir()}
	args := []string{"--no-defaults", "--datadir=" + m.data(), "--auth-root-authentication-method=normal",
		"--skip-test-db", "--skip-name-resolve"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root") // MariaDB refuses root unless told
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, install, args...).CombinedOutput()
	require.NoError(t, err, "mariadb-install-db:\n%s", out)
	t.Cleanup(func() { _ = m.down() }) // before t.TempDir goes; a failed stop shows in the log
	for range 3 {                      // a free port may be taken before the server binds it
		if m.port, err = freePort(); err != nil {
			break
		}
		if err = m.up(); err == nil {
			break
		}
	}
	require.NoError(t, err)
	t.Logf("private MariaDB (%s) on 127.0.0.1:%d ready in %v", server, m.port, time.Since(start).Round(time.Millisecond))
	return m
}

// mariadbBin finds program in dir or on PATH; "" when it is in neither.
func mariadbBin(program, dir string) string {
	if p := filepath.Join(dir, program); isExecutable(p) {
		return p
	}
	if p, err := exec.LookPath(program); err == nil {
		return p
	}
	return ""
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func (m *mariaDB) data() string { return filepath.Join(m.root, "data") }

// dsn is the server's DSN for database db.
func (m *mariaDB) dsn(db string) string {
	return fmt.Sprintf("mysql://root@tcp(127.0.0.1:%d)/%s", m.port, db)
}

// up starts the server and waits until it answers. Only 127.0.0.1 and a
// unix socket in the temporary folder are listened on; the redo log is
// not flushed at each commit (the tests stop the server cleanly or kill
// its clients, never the machine).
func (m *mariaDB) up() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.run != nil {
		return nil
	}
	args := []string{"--no-defaults", "--datadir=" + m.data(), "--socket=" + filepath.Join(m.root, "mysqld.sock"),
		"--port=" + strconv.Itoa(m.port), "--bind-address=127.0.0.1", "--skip-name-resolve",
		"--pid-file=" + filepath.Join(m.root, "mysqld.pid"), "--log-error=" + filepath.Join(m.root, "server.log"),
		"--innodb-flush-log-at-trx-commit=2", "--max-connections=100"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	r := &mariadbRun{cmd: exec.Command(m.server, args...), exited: make(chan struct{})}
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("mariadbd: %w", err)
	}
	go func() {
		r.err = r.cmd.Wait()
		close(r.exited)
	}()
	if err := m.waitReady(r, 60*time.Second); err != nil {
		_ = r.cmd.Process.Kill() // it never served; its exit is all that matters
		<-r.exited
		return err
	}
	m.run = r
	return nil
}

// waitReady polls the server until a connection answers, it exits, or
// bound passes. It pings through the driver alone: bun's dialect logs
// each failed attempt.
func (m *mariaDB) waitReady(r *mariadbRun, bound time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(m.port))
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return err
	}
	db := sql.OpenDB(conn)
	defer func() { _ = db.Close() }() // a pool of one ping; nothing to report
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := db.PingContext(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-r.exited:
			return fmt.Errorf("mariadbd exited (%v): %s", r.err, m.logTail(20))
		case <-ctx.Done():
			return fmt.Errorf("mariadbd not ready after %v (last error %v): %s", bound, err, m.logTail(20))
		case <-tick.C:
		}
	}
}

// down stops the server as an operator would, with SIGTERM (a normal
// shutdown: it closes every connection), and waits until it has exited.
func (m *mariaDB) down() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.run
	if r == nil {
		return nil
	}
	m.run = nil
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("mariadbd: SIGTERM: %w", err)
	}
	select {
	case <-r.exited:
	case <-time.After(60 * time.Second):
		_ = r.cmd.Process.Kill() // the error below says what happened
		<-r.exited
		return fmt.Errorf("mariadbd still running 60 s after SIGTERM: %s", m.logTail(20))
	}
	if r.err != nil {
		return fmt.Errorf("mariadbd: %w: %s", r.err, m.logTail(20))
	}
	return nil
}

// freshDatabase creates an empty database for t and returns its DSN.
func (m *mariaDB) freshDatabase(t *testing.T, name string) string {
	t.Helper()
	db, err := bunstore.Open(t.Context(), m.dsn(""))
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	_, err = db.ExecContext(t.Context(), "DROP DATABASE IF EXISTS "+name)
	require.NoError(t, err)
	_, err = db.ExecContext(t.Context(), "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	require.NoError(t, err)
	return m.dsn(name)
}

// logTail returns the last n lines of the server's error log.
func (m *mariaDB) logTail(n int) string {
	raw, err := os.ReadFile(filepath.Join(m.root, "server.log"))
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
