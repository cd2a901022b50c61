package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
)

// withPgx runs fn on the pgx connection beneath one of db's connections
// (bunstore.Open opens PostgreSQL through pgx's database/sql driver), as
// examples/seed does for COPY.
func withPgx(ctx context.Context, db *bun.DB, fn func(*pgx.Conn) error) (err error) {
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
