package bunstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/clientele/clientele"
)

// SQLite settings applied by Open: WAL so readers never block the writer, a
// busy timeout so concurrent writers wait instead of failing with "database
// is locked", foreign keys on, and immediate transactions so a transaction
// takes the write lock at BEGIN and never fails to upgrade a read lock.
const (
	sqliteBusyTimeoutMS = 10000
	sqliteMaxConns      = 4
)

// Open opens the database named by dsn and checks that it answers:
//
//	sqlite:PATH                          embedded SQLite file (created if missing)
//	postgres://user@host:5432/db?...     PostgreSQL through pgx
//	mysql://user:pass@tcp(host:3306)/db  MySQL or MariaDB
//
// The caller owns the returned DB and closes it. An unknown scheme answers
// clientele.ErrInvalidArgument; a database that cannot be reached
// clientele.ErrUnavailable.
func Open(ctx context.Context, dsn string) (*bun.DB, error) {
	var db *bun.DB
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" || strings.ContainsAny(path, "?#") {
			return nil, fmt.Errorf("%w: sqlite DSN needs a file path without '?' or '#'", clientele.ErrInvalidArgument)
		}
		q := url.Values{}
		q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeoutMS))
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Set("_txlock", "immediate")
		sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("bunstore: open sqlite: %w", err)
		}
		sqldb.SetMaxOpenConns(sqliteMaxConns)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		sqldb, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("bunstore: open postgres: %w", err)
		}
		limitPool(sqldb)
		db = bun.NewDB(sqldb, pgdialect.New())
	case strings.HasPrefix(dsn, "mysql://"):
		cfg, err := mysql.ParseDSN(strings.TrimPrefix(dsn, "mysql://"))
		if err != nil {
			return nil, fmt.Errorf("%w: mysql DSN: %w", clientele.ErrInvalidArgument, err)
		}
		configureMySQL(cfg)
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, fmt.Errorf("bunstore: open mysql: %w", err)
		}
		sqldb := sql.OpenDB(conn)
		limitPool(sqldb)
		db = bun.NewDB(sqldb, mysqldialect.New(mysqldialect.WithTimeLocation("UTC")))
	default:
		return nil, fmt.Errorf("%w: DSN must start with sqlite:, postgres:// or mysql://", clientele.ErrInvalidArgument)
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close() // the ping error is the one worth reporting
		return nil, failed("connect", err)
	}
	return db, nil
}

// limitPool bounds a server database's connection pool (database/sql's
// default is unbounded): a burst of requests then queues in the process
// instead of exhausting the server's max_connections. Hosts may change it
// through db.DB.
func limitPool(db *sql.DB) {
	n := max(8, 4*runtime.GOMAXPROCS(0))
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
}

// configureMySQL sets what the store relies on: times written and parsed
// as UTC.
func configureMySQL(cfg *mysql.Config) {
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
}
