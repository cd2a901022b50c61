package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// pgLoader writes with COPY, streaming each table's rows to the server.
type pgLoader struct{ conn *pgx.Conn }

func (l pgLoader) agency(ctx context.Context, p *plan) error {
	return l.copy(ctx, l.conn, "clientele_agencies", agencyColumns, 1, func(int) []any { return p.agency.values() })
}

// chunk copies the chunk's rows into each table in foreign-key order, in
// one transaction.
func (l pgLoader) chunk(ctx context.Context, p *plan, ch *chunk) (err error) {
	tx, err := l.conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			// After a failed copy or a cancel the connection may be gone;
			// the copy's error is the one worth reporting.
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	nInv := len(ch.clients) * p.cfg.InvitationsPerClient
	copies := []struct {
		table   string
		columns []string
		n       int
		row     func(i int) []any
	}{
		{"clientele_clients", clientColumns, len(ch.clients), func(i int) []any { r := p.client(ch, i); return r.values() }},
		{"clientele_users", userColumns, len(ch.users), func(i int) []any { r := p.user(ch, i); return r.values() }},
		{"clientele_memberships", membershipColumns, len(ch.users), func(i int) []any { r := p.membership(ch, i); return r.values() }},
		{"clientele_invitations", invitationColumns, nInv, func(i int) []any { r := p.invitation(ch, i); return r.values() }},
	}
	for _, c := range copies {
		if err := l.copy(ctx, tx, c.table, c.columns, c.n, c.row); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// finish vacuums and analyzes the tables: the server here runs without
// autovacuum, and without statistics or a visibility map the planner and
// index-only scans would not see the data the performance tests read.
func (l pgLoader) finish(ctx context.Context) error {
	_, err := l.conn.Exec(ctx, "VACUUM (ANALYZE) clientele_agencies, clientele_clients, clientele_users, clientele_memberships, clientele_invitations")
	if err != nil {
		return fmt.Errorf("vacuum analyze: %w", err)
	}
	return nil
}

// copy streams rows 0..n-1 made by row into table: no more than one row is
// built ahead of the wire.
func (pgLoader) copy(ctx context.Context, db interface {
	CopyFrom(context.Context, pgx.Identifier, []string, pgx.CopyFromSource) (int64, error)
}, table string, columns []string, n int, row func(int) []any) error {
	if n == 0 {
		return nil
	}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		i++
		return row(i - 1), nil
	})
	got, err := db.CopyFrom(ctx, pgx.Identifier{table}, columns, src)
	if err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	if got != int64(n) {
		return fmt.Errorf("copy into %s: wrote %d rows, want %d", table, got, n)
	}
	return nil
}
