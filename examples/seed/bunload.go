package main

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// insertBatch is the rows per INSERT statement on MySQL and SQLite.
const insertBatch = 1000

// bunLoader writes with multi-row INSERTs through bun (MySQL, SQLite).
type bunLoader struct{ db *bun.DB }

func (l bunLoader) agency(ctx context.Context, p *plan) error {
	a := p.agency
	if _, err := l.db.NewInsert().Model(&a).Exec(ctx); err != nil {
		return fmt.Errorf("insert into clientele_agencies: %w", err)
	}
	return nil
}

// chunk inserts the chunk's rows into each table in foreign-key order, in
// one transaction.
func (l bunLoader) chunk(ctx context.Context, p *plan, ch *chunk) error {
	return l.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := insertRows(ctx, tx, "clientele_clients", len(ch.clients), func(i int) clientRow { return p.client(ch, i) }); err != nil {
			return err
		}
		if err := insertRows(ctx, tx, "clientele_users", len(ch.users), func(i int) userRow { return p.user(ch, i) }); err != nil {
			return err
		}
		if err := insertRows(ctx, tx, "clientele_memberships", len(ch.users), func(i int) membershipRow { return p.membership(ch, i) }); err != nil {
			return err
		}
		nInv := len(ch.clients) * p.cfg.InvitationsPerClient
		return insertRows(ctx, tx, "clientele_invitations", nInv, func(i int) invitationRow { return p.invitation(ch, i) })
	})
}

// finish does nothing: InnoDB recomputes its statistics by itself, and
// SQLite is left without ANALYZE on purpose (once its stat4 table is
// filled, every run of a prepared statement re-prepares it).
func (bunLoader) finish(context.Context) error { return nil }

// insertRows inserts rows 0..n-1 made by row, insertBatch per statement.
func insertRows[T any](ctx context.Context, db bun.IDB, table string, n int, row func(int) T) error {
	rows := make([]T, 0, min(n, insertBatch))
	for i := range n {
		rows = append(rows, row(i))
		if len(rows) < insertBatch && i < n-1 {
			continue
		}
		if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		rows = rows[:0]
	}
	return nil
}
