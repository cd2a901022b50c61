package bunstore_test

import (
	"context"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/internal/dbtest"
	"github.com/clientele/clientele/invite"
)

// noticesMigration is the migration that lets the outbox queue notices.
const noticesMigration = "20261127000009"

// outboxV3 is a row of the outbox as version 3 made it: invitations only.
type outboxV3 struct {
	bun.BaseModel `bun:"table:clientele_outbox"`

	ID            string     `bun:"id,pk"`
	AgencyID      string     `bun:"agency_id"`
	ClientID      string     `bun:"client_id"`
	InvitationID  string     `bun:"invitation_id"`
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	LastError     string     `bun:"last_error"`
	CreatedAt     time.Time  `bun:"created_at"`
	SentAt        *time.Time `bun:"sent_at"`
}

// migrator returns a migrator of ms on Clientele's migration tables.
func migrator(db *bun.DB, ms *migrate.Migrations) *migrate.Migrator {
	return migrate.NewMigrator(db, ms, migrate.WithTableName(bunstore.MigrationTable),
		migrate.WithLocksTableName(bunstore.MigrationLockTable), migrate.WithMarkAppliedOnSuccess(true))
}

// The outbox upgrade on every database: a schema at the version before
// notices, holding queued and sent invitation deliveries, is migrated up
// (the rows become invitations, a notice can be queued beside them), then
// down (notices are deleted, the invitations kept, invitation_id NOT NULL
// again), then up again.
func TestMigrateOutboxNotices(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Empty(t, kind)
			all, err := bunstore.Migrations(db)
			require.NoError(t, err)
			prior := migrate.NewMigrations()
			for _, m := range all.Sorted() {
				if m.Name < noticesMigration {
					prior.Add(m)
				}
			}
			require.Len(t, prior.Sorted(), len(all.Sorted())-1, "the notices migration is the newest")
			old := migrator(db, prior)
			require.NoError(t, old.Init(ctx))
			_, err = old.Migrate(ctx)
			require.NoError(t, err)

			store, err := bunstore.New(db)
			require.NoError(t, err)
			at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			a := clientele.Agency{ID: "agy_mig", Branding: clientele.Branding{Name: "Acme"}, CreatedAt: at}
			require.NoError(t, store.CreateAgency(ctx, a))
			c := clientele.Client{ID: "cli_mig", AgencyID: a.ID, Name: "Globex", CreatedAt: at}
			require.NoError(t, store.CreateClient(ctx, c))
			invs := make([]clientele.Invitation, 3)
			for i, email := range []clientele.Email{"ada@example.com", "bob@example.com", "carol@example.com"} {
				id := clientele.InvitationID(clientele.NewID("inv"))
				h := sha256.Sum256([]byte(id))
				invs[i] = clientele.Invitation{ID: id, AgencyID: a.ID, ClientID: c.ID, Email: email, Role: clientele.RoleMember,
					Status: clientele.InvitationPending, TokenHash: h[:], CreatedAt: at, ExpiresAt: at.Add(7 * 24 * time.Hour)}
				ev := clientele.AuditEvent{ID: clientele.NewID("aud"), At: at, Actor: clientele.AuditActorAgency}
				require.NoError(t, store.CreateInvitation(ctx, invs[i], at, nil, ev))
			}
			queued := outboxV3{ID: "dlv_queued", AgencyID: string(a.ID), ClientID: string(c.ID), InvitationID: string(invs[0].ID),
				Attempts: 2, NextAttemptAt: at.Add(time.Minute), LastError: "smtp 451", CreatedAt: at}
			sentAt := at.Add(time.Second)
			sent := outboxV3{ID: "dlv_sent", AgencyID: string(a.ID), ClientID: string(c.ID), InvitationID: string(invs[1].ID),
				NextAttemptAt: at, CreatedAt: at, SentAt: ptr(sentAt)}
			_, err = db.NewInsert().Model(&[]outboxV3{queued, sent}).Exec(ctx)
			require.NoError(t, err)
			wantQueued := invite.Delivery{ID: "dlv_queued", Kind: invite.KindInvitation, AgencyID: a.ID, ClientID: c.ID,
				InvitationID: invs[0].ID, Attempts: 2, NextAttemptAt: queued.NextAttemptAt, LastError: "smtp 451", CreatedAt: at}
			wantSent := invite.Delivery{ID: "dlv_sent", Kind: invite.KindInvitation, AgencyID: a.ID, ClientID: c.ID,
				InvitationID: invs[1].ID, NextAttemptAt: at, CreatedAt: at, SentAt: ptr(sentAt)}

			// Up: the rows are invitations; a notice queues beside them.
			require.NoError(t, bunstore.Migrate(ctx, db))
			requireOutboxShape(t, db)
			requireDeliveries(t, store, c.ID, wantQueued, wantSent)
			acc := invite.Acceptance{TokenHash: invs[2].TokenHash, Now: at,
				NewUser: clientele.User{ID: "usr_mig", Name: "Carol", CreatedAt: at},
				Audit:   clientele.AuditEvent{ID: clientele.NewID("aud"), At: at}}
			_, err = store.AcceptInvitation(ctx, acc)
			require.NoError(t, err)
			notice := invite.NewNotice(a.ID, c.ID, "usr_mig", invite.NoticePasswordChanged, at)
			require.NoError(t, store.ChangePassword(ctx, a.ID, "usr_mig", "new-hash", authn.CredentialChange{
				Audit: clientele.AuditEvent{ID: clientele.NewID("aud"), At: at, Actor: "usr_mig"}, Notice: &notice}))
			due, err := store.DueDeliveries(ctx, at.Add(time.Hour), 10)
			require.NoError(t, err)
			require.Len(t, due, 2)
			assert.Equal(t, []invite.DeliveryID{notice.ID, wantQueued.ID}, []invite.DeliveryID{due[0].ID, due[1].ID})
			assert.Equal(t, invite.KindNotice, due[0].Kind)

			// Down: the notice is gone, the invitations kept as they were.
			_, err = migrator(db, all).Rollback(ctx)
			require.NoError(t, err)
			var rows []outboxV3
			require.NoError(t, db.NewSelect().Model(&rows).OrderExpr("id").Scan(ctx))
			for i := range rows {
				rows[i].NextAttemptAt, rows[i].CreatedAt = rows[i].NextAttemptAt.UTC(), rows[i].CreatedAt.UTC()
				if rows[i].SentAt != nil {
					rows[i].SentAt = ptr(rows[i].SentAt.UTC())
				}
			}
			sent.SentAt = ptr(sentAt) // the insert changed the location of the time it wrote
			assert.Equal(t, []outboxV3{queued, sent}, rows, "the invitations' deliveries, unchanged")
			_, err = db.NewRaw("SELECT kind FROM clientele_outbox").Exec(ctx)
			require.Error(t, err, "no kind column")
			_, err = db.NewInsert().Model(&struct {
				bun.BaseModel `bun:"table:clientele_outbox"`
				ID            string    `bun:"id"`
				AgencyID      string    `bun:"agency_id"`
				ClientID      string    `bun:"client_id"`
				InvitationID  *string   `bun:"invitation_id"`
				NextAttemptAt time.Time `bun:"next_attempt_at"`
				CreatedAt     time.Time `bun:"created_at"`
			}{ID: "dlv_null", AgencyID: string(a.ID), ClientID: string(c.ID), NextAttemptAt: at, CreatedAt: at}).Exec(ctx)
			require.Error(t, err, "invitation_id is NOT NULL again")
			if kind == dbtest.SQLite {
				requireSQLiteOutbox(t, db)
			}

			// Up again.
			require.NoError(t, bunstore.Migrate(ctx, db))
			requireOutboxShape(t, db)
			requireDeliveries(t, store, c.ID, wantQueued, wantSent)
		})
	}
}

// requireDeliveries fails unless the store reads want from the outbox.
func requireDeliveries(t *testing.T, store *bunstore.Store, client clientele.ClientID, want ...invite.Delivery) {
	t.Helper()
	for _, w := range want {
		got, err := store.Delivery(t.Context(), client, w.ID)
		require.NoError(t, err)
		got.NextAttemptAt, got.CreatedAt = got.NextAttemptAt.UTC(), got.CreatedAt.UTC()
		if got.SentAt != nil {
			got.SentAt = ptr(got.SentAt.UTC())
		}
		assert.Equal(t, w, got)
	}
}

// requireOutboxShape checks, on SQLite, that the rebuilt outbox kept its
// indexes and foreign keys; elsewhere the table was altered in place.
func requireOutboxShape(t *testing.T, db *bun.DB) {
	t.Helper()
	if db.Dialect().Name() == dialect.SQLite {
		requireSQLiteOutbox(t, db)
	}
}

// requireSQLiteOutbox checks the outbox's indexes and foreign keys on
// SQLite.
func requireSQLiteOutbox(t *testing.T, db *bun.DB) {
	t.Helper()
	ctx := t.Context()
	var indexes []string
	require.NoError(t, db.NewRaw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'clientele_outbox' AND sql IS NOT NULL").
		Scan(ctx, &indexes))
	slices.Sort(indexes)
	assert.Equal(t, []string{"clientele_outbox_due", "clientele_outbox_invitation"}, indexes)
	var parents []string
	require.NoError(t, db.NewRaw(`SELECT "table" FROM pragma_foreign_key_list('clientele_outbox')`).Scan(ctx, &parents))
	slices.Sort(parents)
	assert.Equal(t, []string{"clientele_clients", "clientele_invitations"}, parents)
	var broken int
	require.NoError(t, db.NewRaw("SELECT count(*) FROM pragma_foreign_key_check('clientele_outbox')").Scan(ctx, &broken))
	assert.Zero(t, broken)
}

func ptr[T any](v T) *T { return &v }
