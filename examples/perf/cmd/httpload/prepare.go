package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/examples/internal/pgxconn"
)

// portalAgency is the one agency the reference server serves
// (examples/portal: a fixed id, so that every process finds it).
const portalAgency = "agy_portal"

// Defaults of prepare.
const (
	defaultMaxSessions = 1000000
	// sqliteTxRows is the sessions per transaction on SQLite and MySQL,
	// written sqliteInsertRows per INSERT.
	sqliteTxRows     = 50000
	sqliteInsertRows = 1000
)

// prepareConfig is what prepare does.
type prepareConfig struct {
	DSN      string
	Agency   string // the portal's agency
	Adopt    string // the seeded agency to move into Agency; "" picks the largest
	Max      int    // sessions at most
	Sessions string // the sessions file to write
}

func (c *prepareConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.DSN, "db", "", "database seeded by examples/seed: sqlite:PATH or postgres://... (required)")
	fs.StringVar(&c.Agency, "agency", portalAgency, "the agency the portal serves")
	fs.StringVar(&c.Adopt, "adopt", "", "seeded agency whose clients and users move into -agency when it has none (default: the one with the most clients)")
	fs.IntVar(&c.Max, "max", defaultMaxSessions, "sessions to create at most, one per active membership")
	fs.StringVar(&c.Sessions, "sessions", "sessions.tsv", "write the sessions' memberships to this file, in token order")
}

// prepareResult is what prepare did.
type prepareResult struct {
	Adopted  string // the agency moved into the portal's, or ""
	Sessions int
	Deleted  int64
	Elapsed  time.Duration // of writing the sessions, the delete included
}

// cmdPrepare is `httpload prepare`.
func cmdPrepare(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("prepare", flag.ContinueOnError)
	var cfg prepareConfig
	cfg.flags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if cfg.DSN == "" {
		return fmt.Errorf("%w: prepare needs -db", errUsage)
	}
	_, err := prepare(ctx, cfg, out)
	return err
}

// prepare gives the seeded database one session per active membership of
// the portal's agency (up to cfg.Max, in (client_id, user_id) order) with a
// token derived from the membership (sessionToken), created now and
// expiring in 12 hours, after deleting every earlier session of the agency;
// and writes the memberships in that order to cfg.Sessions. When the
// portal's agency has no client yet, the seeded agency is first moved into
// it (the portal serves only its own agency, examples/seed makes a new one
// per run). Nothing here runs ANALYZE on SQLite (see FIELD-NOTES.md).
func prepare(ctx context.Context, cfg prepareConfig, out io.Writer) (prepareResult, error) {
	var res prepareResult
	db, err := bunstore.Open(ctx, cfg.DSN)
	if err != nil {
		return res, err
	}
	defer func() { _ = db.Close() }()
	start := time.Now()
	if err := migrateSchema(ctx, db); err != nil {
		return res, err
	}
	fmt.Fprintf(out, "prepare: schema up to date in %.1fs\n", time.Since(start).Seconds())
	start = time.Now()
	if res.Adopted, err = adopt(ctx, db, cfg.Agency, cfg.Adopt); err != nil {
		return res, err
	}
	if res.Adopted != "" {
		fmt.Fprintf(out, "prepare: moved agency %s's clients and users into %s in %.1fs\n", res.Adopted, cfg.Agency, time.Since(start).Seconds())
	}

	start = time.Now()
	ms, err := activeMembers(ctx, db, cfg.Agency, cfg.Max)
	if err != nil {
		return res, err
	}
	if len(ms) == 0 {
		return res, fmt.Errorf("agency %s has no active membership: seed the database first (examples/seed)", cfg.Agency)
	}
	if err := writeMembersFile(cfg.Sessions, ms); err != nil {
		return res, err
	}
	fmt.Fprintf(out, "prepare: read %d active memberships in %.1fs, wrote %s\n", len(ms), time.Since(start).Seconds(), cfg.Sessions)

	now := time.Now().UTC().Truncate(time.Microsecond)
	start = time.Now()
	switch db.Dialect().Name() {
	case dialect.PG:
		res.Deleted, err = copySessions(ctx, db, cfg.Agency, ms, now)
	case dialect.SQLite, dialect.MySQL:
		res.Deleted, err = insertSessions(ctx, db, cfg.Agency, ms, now)
	default:
		err = fmt.Errorf("%w: unsupported dialect %s", clientele.ErrInvalidArgument, db.Dialect().Name())
	}
	if err != nil {
		return res, err
	}
	res.Sessions, res.Elapsed = len(ms), time.Since(start)
	fmt.Fprintf(out, "prepare: deleted %d sessions and created %d in %.1fs (%.0f sessions/s), valid until %s (idle after 30 min)\n",
		res.Deleted, res.Sessions, res.Elapsed.Seconds(), float64(res.Sessions)/res.Elapsed.Seconds(),
		now.Add(authn.DefaultAbsoluteTimeout).Format(time.RFC3339))
	if db.Dialect().Name() == dialect.PG {
		start = time.Now()
		if _, err := db.ExecContext(ctx, "VACUUM (ANALYZE) clientele_sessions"); err != nil {
			return res, fmt.Errorf("vacuum sessions: %w", err)
		}
		fmt.Fprintf(out, "prepare: VACUUM (ANALYZE) clientele_sessions in %.1fs\n", time.Since(start).Seconds())
	}
	return res, nil
}

// migrateSchema applies bunstore's migrations like bunstore.Migrate, but
// with no time limit: on a seeded database a migration that rewrites a
// million rows takes longer than the minute Migrate allows (and then the
// portal could not start). The portal then finds nothing left to do.
func migrateSchema(ctx context.Context, db *bun.DB) (err error) {
	ms, err := bunstore.Migrations(db)
	if err != nil {
		return err
	}
	m := migrate.NewMigrator(db, ms, migrate.WithTableName(bunstore.MigrationTable),
		migrate.WithLocksTableName(bunstore.MigrationLockTable), migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return fmt.Errorf("migrate: %w (another process is migrating, or one died holding %s)", err, bunstore.MigrationLockTable)
	}
	defer func() { err = errors.Join(err, m.Unlock(context.WithoutCancel(ctx))) }()
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// agencyTables are the tables with an agency_id column.
var agencyTables = []string{"clientele_clients", "clientele_users", "clientele_invitations", "clientele_sessions",
	"clientele_passkeys", "clientele_ceremonies", "clientele_outbox", "clientele_audit"}

// adopt moves agency from (or, when from is "", the agency with the most
// clients) into agency to, in one transaction, when to has no client; it
// returns the agency moved, or "" when to already has clients.
func adopt(ctx context.Context, db *bun.DB, to, from string) (string, error) {
	n, err := db.NewSelect().TableExpr("clientele_clients").Where("agency_id = ?", to).Count(ctx)
	if err != nil {
		return "", fmt.Errorf("count clients: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	if from == "" {
		err := db.NewSelect().TableExpr("clientele_clients").Column("agency_id").Where("agency_id <> ?", to).
			Group("agency_id").OrderExpr("count(*) DESC").Limit(1).Scan(ctx, &from)
		if errors.Is(err, sql.ErrNoRows) || err == nil && from == "" {
			return "", fmt.Errorf("no seeded agency to serve: run examples/seed first")
		}
		if err != nil {
			return "", fmt.Errorf("find the seeded agency: %w", err)
		}
	}
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		exists, err := tx.NewSelect().TableExpr("clientele_agencies").Where("id = ?", to).Exists(ctx)
		if err != nil {
			return err
		}
		if !exists {
			_, err := tx.ExecContext(ctx, "INSERT INTO clientele_agencies (id, name, logo_url, primary_color, custom_domain, created_at) "+
				"SELECT ?, name, logo_url, primary_color, NULL, created_at FROM clientele_agencies WHERE id = ?", to, from)
			if err != nil {
				return fmt.Errorf("create agency %s: %w", to, err)
			}
		}
		for _, t := range agencyTables {
			if _, err := tx.ExecContext(ctx, "UPDATE "+t+" SET agency_id = ? WHERE agency_id = ?", to, from); err != nil {
				return fmt.Errorf("move %s: %w", t, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM clientele_agencies WHERE id = ?", from); err != nil {
			return fmt.Errorf("delete agency %s: %w", from, err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if db.Dialect().Name() == dialect.PG {
		if _, err := db.ExecContext(ctx, "VACUUM (ANALYZE) clientele_agencies, clientele_clients, clientele_users, clientele_invitations"); err != nil {
			return "", fmt.Errorf("vacuum: %w", err)
		}
	}
	return from, nil
}

// activeMembers lists up to limit active memberships of agency's clients
// in (client_id, user_id) order.
func activeMembers(ctx context.Context, db *bun.DB, agency string, limit int) ([]member, error) {
	var rows []struct {
		ClientID string `bun:"client_id"`
		UserID   string `bun:"user_id"`
		Role     string `bun:"role"`
	}
	err := db.NewSelect().TableExpr("clientele_memberships AS m").ColumnExpr("m.client_id, m.user_id, m.role").
		Join("JOIN clientele_clients AS c ON c.id = m.client_id").Where("c.agency_id = ?", agency).
		Where("m.status = ?", string(clientele.StatusActive)).OrderExpr("m.client_id, m.user_id").
		Limit(int64(limit)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	ms := make([]member, len(rows))
	for i, r := range rows {
		ms[i] = member{Client: r.ClientID, User: r.UserID, Role: r.Role}
	}
	return ms, nil
}

// sessionRow mirrors adapters/bunstore's model of clientele_sessions.
type sessionRow struct {
	bun.BaseModel `bun:"table:clientele_sessions"`

	TokenHash  []byte    `bun:"token_hash,pk"`
	AgencyID   string    `bun:"agency_id"`
	ClientID   string    `bun:"client_id"`
	UserID     string    `bun:"user_id"`
	CreatedAt  time.Time `bun:"created_at"`
	SignedInAt time.Time `bun:"signed_in_at"`
	LastSeenAt time.Time `bun:"last_seen_at"`
	ExpiresAt  time.Time `bun:"expires_at"`
}

var sessionColumns = []string{"token_hash", "agency_id", "client_id", "user_id", "created_at", "signed_in_at", "last_seen_at", "expires_at"}

func newSessionRow(agency string, m member, now time.Time) sessionRow {
	return sessionRow{TokenHash: sessionHash(m.Client, m.User), AgencyID: agency, ClientID: m.Client, UserID: m.User,
		CreatedAt: now, SignedInAt: now, LastSeenAt: now, ExpiresAt: now.Add(authn.DefaultAbsoluteTimeout)}
}

func (r *sessionRow) values() []any {
	return []any{r.TokenHash, r.AgencyID, r.ClientID, r.UserID, r.CreatedAt, r.SignedInAt, r.LastSeenAt, r.ExpiresAt}
}

// copySessions replaces agency's sessions with those of ms in one
// transaction on PostgreSQL, with COPY.
func copySessions(ctx context.Context, db *bun.DB, agency string, ms []member, now time.Time) (int64, error) {
	var deleted int64
	err := pgxconn.With(ctx, db, func(conn *pgx.Conn) error {
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, "DELETE FROM clientele_sessions WHERE agency_id = $1", agency)
			if err != nil {
				return fmt.Errorf("delete sessions: %w", err)
			}
			deleted = tag.RowsAffected()
			i := 0
			src := pgx.CopyFromFunc(func() ([]any, error) {
				if i == len(ms) {
					return nil, nil
				}
				r := newSessionRow(agency, ms[i], now)
				i++
				return r.values(), nil
			})
			n, err := tx.CopyFrom(ctx, pgx.Identifier{"clientele_sessions"}, sessionColumns, src)
			if err != nil {
				return fmt.Errorf("copy sessions: %w", err)
			}
			if n != int64(len(ms)) {
				return fmt.Errorf("copy sessions: wrote %d rows, want %d", n, len(ms))
			}
			return nil
		})
	})
	return deleted, err
}

// insertSessions replaces agency's sessions with those of ms on SQLite or
// MySQL: one DELETE, then INSERTs of sqliteInsertRows rows, sqliteTxRows
// per transaction.
func insertSessions(ctx context.Context, db *bun.DB, agency string, ms []member, now time.Time) (int64, error) {
	res, err := db.NewDelete().TableExpr("clientele_sessions").Where("agency_id = ?", agency).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	deleted, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	rows := make([]sessionRow, 0, sqliteInsertRows)
	for first := 0; first < len(ms); first += sqliteTxRows {
		chunk := ms[first:min(first+sqliteTxRows, len(ms))]
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i, m := range chunk {
				rows = append(rows, newSessionRow(agency, m, now))
				if len(rows) < sqliteInsertRows && i < len(chunk)-1 {
					continue
				}
				if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
					return fmt.Errorf("insert sessions: %w", err)
				}
				rows = rows[:0]
			}
			return nil
		})
		if err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}
