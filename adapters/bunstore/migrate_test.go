package bunstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun/migrate"

	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/internal/dbtest"
)

func TestMigrate(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Empty(t, kind)

			// Several processes starting at once: each call succeeds and the
			// schema is applied once.
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() { errs[i] = bunstore.Migrate(ctx, db) })
			}
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			require.NoError(t, bunstore.Migrate(ctx, db), "migrating again is a no-op")

			ms, err := bunstore.Migrations(db)
			require.NoError(t, err)
			m := migrate.NewMigrator(db, ms, migrate.WithTableName(bunstore.MigrationTable),
				migrate.WithLocksTableName(bunstore.MigrationLockTable))
			applied, err := m.AppliedMigrations(ctx)
			require.NoError(t, err)
			assert.Len(t, applied, len(ms.Sorted()), "every embedded migration applied exactly once")
			assert.NotEmpty(t, applied)

			var n int
			require.NoError(t, db.NewSelect().TableExpr("clientele_agencies").ColumnExpr("count(*)").Scan(ctx, &n))
			assert.Zero(t, n)
		})
	}
}
