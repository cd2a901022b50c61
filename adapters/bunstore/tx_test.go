package bunstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/internal/dbtest"
)

// A host runs Clientele's writes inside its own transaction: they commit
// and roll back with it.
func TestHostTransaction(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Fresh(t, kind)
			outside, err := bunstore.New(db)
			require.NoError(t, err)
			at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

			for _, commit := range []bool{false, true} {
				tx, err := db.BeginTx(ctx, nil)
				require.NoError(t, err)
				inside, err := bunstore.New(tx)
				require.NoError(t, err)
				a := clientele.Agency{ID: clientele.AgencyID(clientele.NewID("agy")), Branding: clientele.Branding{Name: "Acme"}, CreatedAt: at}
				require.NoError(t, inside.CreateAgency(ctx, a))
				c := clientele.Client{ID: clientele.ClientID(clientele.NewID("cli")), AgencyID: a.ID, Name: "Globex", CreatedAt: at}
				require.NoError(t, inside.CreateClient(ctx, c))
				if commit {
					require.NoError(t, tx.Commit())
					_, err = outside.Client(ctx, a.ID, c.ID)
					require.NoError(t, err, "committed with the host's transaction")
				} else {
					require.NoError(t, tx.Rollback())
					_, err = outside.Agency(ctx, a.ID)
					require.ErrorIs(t, err, clientele.ErrNotFound, "rolled back with the host's transaction")
				}
			}
		})
	}
}
