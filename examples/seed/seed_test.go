package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/internal/dbtest"
)

// The small data set of the tests: 30 clients x 4 users x 2 invitations.
func testConfig() Config {
	return Config{DSN: "sqlite:unused", Clients: 30, UsersPerClient: 4, InvitationsPerClient: 2,
		AgencyName: "Test Agency", Password: "seed-test-password"}
}

func TestSeedWritesEveryTable(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Fresh(t, kind)
			ctx := t.Context()
			cfg := testConfig()

			var out bytes.Buffer
			first, err := seed(ctx, db, cfg, time.Now(), &out)
			require.NoError(t, err)
			assert.Equal(t, counts{Agencies: 1, Clients: 30, Users: 120, Memberships: 120, Invitations: 60}, first.Counts)
			assert.Equal(t, 10, strings.Count(out.String(), "%  "), "a progress line each 10%%:\n%s", out.String())
			assert.Contains(t, out.String(), "seed: 100%  30/30 clients  331 rows")
			assertTables(t, db, first.Counts)
			checkAgency(t, db, first, cfg)

			// A second run adds a second agency beside the first, without
			// conflicts.
			second, err := seed(ctx, db, cfg, time.Now(), io.Discard)
			require.NoError(t, err)
			assert.NotEqual(t, first.Agency, second.Agency)
			assert.NotEqual(t, first.SignIn, second.SignIn)
			assertTables(t, db, counts{Agencies: 2, Clients: 60, Users: 240, Memberships: 240, Invitations: 120})
			checkAgency(t, db, second, cfg)
		})
	}
}

// assertTables checks the row count of each table.
func assertTables(t *testing.T, db *bun.DB, want counts) {
	t.Helper()
	got := counts{}
	for table, n := range map[string]*int64{"clientele_agencies": &got.Agencies, "clientele_clients": &got.Clients,
		"clientele_users": &got.Users, "clientele_memberships": &got.Memberships, "clientele_invitations": &got.Invitations} {
		c, err := db.NewSelect().TableExpr(table).Count(t.Context())
		require.NoError(t, err, table)
		*n = c
	}
	assert.Equal(t, want, got)
}

// checkAgency checks the rows of one run's agency.
func checkAgency(t *testing.T, db *bun.DB, res result, cfg Config) {
	t.Helper()
	ctx := t.Context()
	agency := string(res.Agency)

	var perClient []struct {
		ClientID string `bun:"client_id"`
		Admins   int    `bun:"admins"`
		Members  int    `bun:"members"`
	}
	require.NoError(t, db.NewSelect().TableExpr("clientele_memberships AS m").
		Join("JOIN clientele_clients AS c ON c.id = m.client_id").Where("c.agency_id = ?", agency).
		ColumnExpr("m.client_id").ColumnExpr("COUNT(CASE WHEN m.role = 'admin' THEN 1 END) AS admins").
		ColumnExpr("COUNT(*) AS members").Where("m.status = 'active' AND m.last_active_at IS NULL").
		Group("m.client_id").Scan(ctx, &perClient))
	require.Len(t, perClient, cfg.Clients, "every client has active memberships")
	for _, c := range perClient {
		assert.Equal(t, 1, c.Admins, "client %s has exactly one admin", c.ClientID)
		assert.Equal(t, cfg.UsersPerClient, c.Members, c.ClientID)
	}

	var users []struct {
		Email        string `bun:"email"`
		PasswordHash string `bun:"password_hash"`
	}
	require.NoError(t, db.NewSelect().TableExpr("clientele_users").Column("email", "password_hash").
		Where("agency_id = ?", agency).Scan(ctx, &users))
	require.Len(t, users, cfg.Clients*cfg.UsersPerClient)
	for _, u := range users {
		e, err := clientele.ParseEmail(u.Email)
		require.NoError(t, err)
		assert.Equal(t, u.Email, string(e), "stored normalized")
		assert.True(t, strings.HasSuffix(u.Email, "@seed"+res.Tag+".example"), u.Email)
		assert.Equal(t, users[0].PasswordHash, u.PasswordHash, "one shared hash")
	}

	mismatched, err := db.NewSelect().TableExpr("clientele_memberships AS m").
		Join("JOIN clientele_users AS u ON u.id = m.user_id").Where("u.agency_id = ?", agency).
		Where("u.email <> m.email").Count(ctx)
	require.NoError(t, err)
	assert.Zero(t, mismatched, "memberships copy their user's email")

	n, err := db.NewSelect().TableExpr("clientele_clients").Where("agency_id = ?", agency).
		Where("permissions = ?", "manage_billing,view_reports").Where("name LIKE ?", "Client 0000__").Count(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, cfg.Clients, n)

	n, err = db.NewSelect().TableExpr("clientele_invitations").Where("agency_id = ?", agency).
		Where("status = 'pending' AND role = 'member' AND accepted_by = '' AND replaced_by = ''").
		Where("email LIKE ?", "i%@seed"+res.Tag+".example").Count(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, cfg.Clients*cfg.InvitationsPerClient, n)
}

func TestSeedStopsBetweenBatchesWhenCancelled(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			db := dbtest.Fresh(t, kind)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			// The first progress line (after the first batch of 3 clients)
			// stands for a SIGINT.
			out := writerFunc(func(p []byte) (int, error) { cancel(); return len(p), nil })
			res, err := seed(ctx, db, testConfig(), time.Now(), out)
			require.ErrorIs(t, err, context.Canceled)
			assert.NotEmpty(t, res.Agency)
			assert.Equal(t, counts{Agencies: 1, Clients: 3, Users: 12, Memberships: 12, Invitations: 6}, res.Counts)
			assertTables(t, db, res.Counts)
		})
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestRunMigratesSeedsAndSummarizes(t *testing.T) {
	cfg := testConfig()
	cfg.DSN = "sqlite:" + filepath.Join(t.TempDir(), "seed.db")
	cfg.Clients, cfg.InvitationsPerClient = 25, 0
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), cfg, &out))
	s := out.String()
	assert.Contains(t, s, "seed: done: agencies=1 clients=25 users=100 memberships=100 invitations=0 rows=226 in ")
	assert.Contains(t, s, `"Test Agency"`)
	assert.Contains(t, s, "every seeded user shares ONE argon2id hash of the -password value")
	assert.NotContains(t, s, cfg.Password, "a password given by flag is not echoed")
}

// otherDialect is SQLite under another dialect's name.
type otherDialect struct{ *sqlitedialect.Dialect }

func (otherDialect) Name() dialect.Name { return dialect.MSSQL }

func TestSeedRejectsAnUnknownDialect(t *testing.T) {
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+filepath.Join(t.TempDir(), "x.db"))
	require.NoError(t, err)
	db := bun.NewDB(sqldb, otherDialect{sqlitedialect.New()})
	t.Cleanup(func() { _ = db.Close() })
	_, err = seed(t.Context(), db, testConfig(), time.Now(), io.Discard)
	require.ErrorIs(t, err, clientele.ErrInvalidArgument)
	assert.ErrorContains(t, err, "unsupported dialect mssql")
}

func TestRowColumnsMatchTheModels(t *testing.T) {
	db := bun.NewDB(nil, sqlitedialect.New())
	for typ, columns := range map[reflect.Type][]string{
		reflect.TypeFor[agencyRow]():     agencyColumns,
		reflect.TypeFor[clientRow]():     clientColumns,
		reflect.TypeFor[userRow]():       userColumns,
		reflect.TypeFor[membershipRow](): membershipColumns,
		reflect.TypeFor[invitationRow](): invitationColumns,
	} {
		table := db.Table(typ)
		var names []string
		for _, f := range table.Fields {
			names = append(names, f.Name)
		}
		assert.Equal(t, names, columns, table.Name)
		row := reflect.New(typ).Interface().(interface{ values() []any })
		assert.Len(t, row.values(), len(columns), table.Name)
	}
}
