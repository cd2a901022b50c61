// Package pgxconn reaches the pgx connection beneath a bun database, for
// the example commands that bulk-load PostgreSQL with COPY.
package pgxconn

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// With runs fn on the pgx connection beneath one of db's connections.
// bunstore.Open opens PostgreSQL through pgx's database/sql driver, so this
// is the connection pgx.Connect would open from the same DSN (search_path
// and all), and a test's database from internal/dbtest works unchanged.
func With(ctx context.Context, db *bun.DB, fn func(*pgx.Conn) error) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("postgres connection: %w", err)
	}
	defer func() { err = errors.Join(err, conn.Close()) }()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres driver connection is %T, not pgx's", driverConn)
		}
		return fn(c.Conn())
	})
}
