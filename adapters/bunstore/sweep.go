package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/feature"
)

// sweepBatch bounds the rows one sweep deletes, so that forgetting old
// rows costs each call at most a small, fixed amount of work.
const sweepBatch = 100

// sweepTable names a table whose rows are forgotten once a time column is
// past: the table, its primary-key columns and the time column (indexed).
type sweepTable struct{ table, key, column string }

// The tables swept.
var (
	sweepSessions   = sweepTable{"clientele_sessions", "token_hash", "expires_at"}
	sweepCeremonies = sweepTable{"clientele_ceremonies", "id", "expires_at"}
	sweepDevices    = sweepTable{"clientele_devices", "token_hash", "expires_at"}
	sweepLimits     = sweepTable{"clientele_rate_limits", "limit_key, window_start", "window_start"}
)

// sweep deletes up to sweepBatch rows of t whose time column is at or
// before cutoff, oldest first. MySQL bounds a DELETE with LIMIT; the others
// delete the keys a bounded select returns, which PostgreSQL locks with
// SKIP LOCKED so that concurrent sweeps share the work instead of waiting
// on (or deadlocking over) the same rows.
func (s *Store) sweep(ctx context.Context, t sweepTable, cutoff time.Time) error {
	q := s.db.NewDelete().TableExpr(t.table)
	if s.db.Dialect().Features().Has(feature.DeleteOrderLimit) {
		q = q.Where("? <= ?", bun.Ident(t.column), cutoff.UTC()).OrderExpr("?", bun.Ident(t.column)).Limit(sweepBatch)
	} else {
		old := s.db.NewSelect().TableExpr(t.table).ColumnExpr(t.key).
			Where("? <= ?", bun.Ident(t.column), cutoff.UTC()).OrderExpr("?", bun.Ident(t.column)).Limit(sweepBatch)
		if s.dialect != dialect.SQLite {
			old = old.For("UPDATE SKIP LOCKED")
		}
		q = q.Where("(?) IN (?)", bun.Safe(t.key), old)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("bunstore: forget old rows of %s: %w", t.table, err)
	}
	return nil
}

// forget runs sweep as housekeeping beside an operation, not as part of
// it: a failed sweep (such as MySQL's deadlock between two concurrent
// sweeps of the same rows) leaves those rows to the next call and never
// fails the caller's operation.
func (s *Store) forget(ctx context.Context, t sweepTable, cutoff time.Time) {
	_ = s.sweep(ctx, t, cutoff) // best effort by design; see above
}
