package bunstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
)

func TestOpenRejectsBadDSNs(t *testing.T) {
	for _, dsn := range []string{"", "portal.db", "sqlite:", "sqlite:x.db?mode=ro", "mysql://not a dsn", "redis://127.0.0.1"} {
		_, err := bunstore.Open(context.Background(), dsn)
		assert.ErrorIs(t, err, clientele.ErrInvalidArgument, dsn)
	}
}

// The embedded default must answer concurrent writers, not fail with
// "database is locked": WAL, a busy timeout and foreign keys are on.
func TestOpenSQLiteSettings(t *testing.T) {
	ctx := context.Background()
	db, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()

	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		require.NoError(t, db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got))
		assert.Equal(t, want, got, pragma)
	}
}
