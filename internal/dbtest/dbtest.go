// Package dbtest gives tests a fresh, migrated database of each kind
// Clientele supports, and removes it afterwards.
//
// SQLite always runs (a file in the test's temporary folder). PostgreSQL
// runs when CLIENTELE_TEST_POSTGRES_DSN is set (a new schema per call) and
// MySQL/MariaDB when CLIENTELE_TEST_MYSQL_DSN is set (a new database per
// call, DSN in the driver's form, e.g. root@tcp(127.0.0.1:3306)/test).
// Without them those tests skip, unless CLIENTELE_TEST_REQUIRE_DB=1 (set by
// CI), which turns every skip into a failure.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/clientele/clientele/adapters/bunstore"
)

// Kind names a database engine.
type Kind string

// The kinds of database.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
	MySQL    Kind = "mysql"
)

// Kinds lists every kind, SQLite first.
func Kinds() []Kind { return []Kind{SQLite, Postgres, MySQL} }

// Environment variables read here.
const (
	PostgresEnv = "CLIENTELE_TEST_POSTGRES_DSN"
	MySQLEnv    = "CLIENTELE_TEST_MYSQL_DSN"
	RequireEnv  = "CLIENTELE_TEST_REQUIRE_DB"
)

// Fresh returns an empty database of kind with Clientele's schema, private
// to t and dropped when t ends. It skips t when kind is not configured.
func Fresh(t testing.TB, kind Kind) *bun.DB {
	t.Helper()
	db := Empty(t, kind)
	if err := bunstore.Migrate(context.Background(), db); err != nil {
		t.Fatalf("dbtest: migrate %s: %v", kind, err)
	}
	return db
}

// Empty is Fresh without the schema: a database with no tables.
func Empty(t testing.TB, kind Kind) *bun.DB {
	t.Helper()
	return Open(t, DSN(t, kind))
}

// DSN makes an empty database of kind, private to t and dropped when t
// ends, and returns a DSN for bunstore.Open, so that a test may open it
// several times (as several processes would). It skips t when kind is not
// configured.
func DSN(t testing.TB, kind Kind) string {
	t.Helper()
	switch kind {
	case SQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "clientele.db")
	case Postgres:
		return freshPostgres(t, need(t, PostgresEnv))
	case MySQL:
		return freshMySQL(t, need(t, MySQLEnv))
	}
	t.Fatalf("dbtest: unknown kind %q", kind)
	return ""
}

// Open opens dsn for t and closes it when t ends.
func Open(t testing.TB, dsn string) *bun.DB {
	t.Helper()
	db, err := bunstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Reset deletes every row of Clientele's tables, children first.
func Reset(t testing.TB, db bun.IDB) {
	t.Helper()
	for _, table := range []string{"clientele_audit", "clientele_sessions", "clientele_passkeys", "clientele_ceremonies", "clientele_rate_limits", "clientele_outbox", "clientele_invitations", "clientele_memberships", "clientele_users", "clientele_clients", "clientele_agencies"} {
		if _, err := db.NewDelete().TableExpr(table).Where("1 = 1").Exec(context.Background()); err != nil {
			t.Fatalf("dbtest: reset %s: %v", table, err)
		}
	}
}

func need(t testing.TB, env string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("dbtest: %s is unset but %s=1", env, RequireEnv)
		}
		t.Skipf("dbtest: %s is unset", env)
	}
	return v
}

func name() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "clientele_test_" + hex.EncodeToString(b)
}

// freshPostgres creates a schema and returns a DSN whose search_path is it.
func freshPostgres(t testing.TB, dsn string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := bunstore.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("dbtest: postgres: %v", err)
	}
	schema := name()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("dbtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		defer func() { _ = admin.Close() }()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dbtest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("dbtest: postgres DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// freshMySQL creates a database and returns a DSN ("mysql://...") for it.
func freshMySQL(t testing.TB, dsn string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := bunstore.Open(ctx, "mysql://"+dsn)
	if err != nil {
		t.Fatalf("dbtest: mysql: %v", err)
	}
	db := name()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+db+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		_ = admin.Close()
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		defer func() { _ = admin.Close() }()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE "+db); err != nil {
			t.Errorf("dbtest: drop database %s: %v", db, err)
		}
	})
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("dbtest: mysql DSN: %v", err)
	}
	cfg.DBName = db
	return "mysql://" + cfg.FormatDSN()
}

// Dump returns every row of every table of db as text, for tests that
// look for what must never be stored: each table's name on a line, then
// one line per row of its values, tab-separated, bytes written raw.
func Dump(t testing.TB, db *bun.DB) string {
	t.Helper()
	ctx := context.Background()
	var list string
	switch db.Dialect().Name() {
	case dialect.SQLite:
		list = "SELECT name FROM sqlite_master WHERE type = 'table'"
	case dialect.PG:
		list = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	case dialect.MySQL:
		list = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
	default:
		t.Fatalf("dbtest: dump: unknown dialect %s", db.Dialect().Name())
	}
	var tables []string
	if err := db.NewRaw(list).Scan(ctx, &tables); err != nil {
		t.Fatalf("dbtest: dump: list tables: %v", err)
	}
	var out strings.Builder
	for _, table := range tables {
		fmt.Fprintf(&out, "table %s\n", table)
		if err := dumpTable(ctx, db, table, &out); err != nil {
			t.Fatalf("dbtest: dump %s: %v", table, err)
		}
	}
	return out.String()
}

func dumpTable(ctx context.Context, db *bun.DB, table string, out *strings.Builder) error {
	rows, err := db.QueryContext(ctx, "SELECT * FROM "+table)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				out.Write(b)
			} else {
				fmt.Fprint(out, v)
			}
			out.WriteByte('\t')
		}
		out.WriteByte('\n')
	}
	return rows.Err()
}
