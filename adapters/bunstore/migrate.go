package bunstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"

	"github.com/clientele/clientele"
)

// The tables bun's migrator keeps Clientele's migration state in, apart
// from any the host has.
const (
	MigrationTable     = "clientele_migrations"
	MigrationLockTable = "clientele_migration_locks"
)

//go:embed migrations
var migrationFS embed.FS

// Migrations returns Clientele's migrations for db's dialect (PostgreSQL,
// MySQL/MariaDB or SQLite), for a host that runs them in its own pipeline.
// Run them with MigrationTable and MigrationLockTable, or through Migrate.
// Another dialect answers clientele.ErrInvalidArgument.
func Migrations(db bun.IDB) (*migrate.Migrations, error) {
	dir, err := migrationDir(db.Dialect().Name())
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrationFS, "migrations/"+dir)
	if err != nil {
		return nil, fmt.Errorf("bunstore: migrations: %w", err)
	}
	m := migrate.NewMigrations()
	if err := m.Discover(sub); err != nil {
		return nil, fmt.Errorf("bunstore: migrations: %w", err)
	}
	return m, nil
}

func migrationDir(name dialect.Name) (string, error) {
	switch name {
	case dialect.PG:
		return "pg", nil
	case dialect.MySQL:
		return "mysql", nil
	case dialect.SQLite:
		return "sqlite", nil
	}
	return "", fmt.Errorf("%w: bunstore: unsupported dialect %s", clientele.ErrInvalidArgument, name)
}

// Migrate creates or upgrades Clientele's schema in db to the latest
// version. It is safe to run at every start and from several processes at
// once: bun's migration lock lets one of them apply the migrations while
// the others retry for the lock until it is free or ctx ends (at most a
// minute of waiting). Applying them is bounded only by ctx: an upgrade of
// a large database may take minutes. A migration is recorded as applied
// only once it has succeeded, and the lock is released even when ctx has
// ended. A database that cannot be reached answers
// clientele.ErrUnavailable.
func Migrate(ctx context.Context, db *bun.DB) error {
	ms, err := Migrations(db)
	if err != nil {
		return err
	}
	m := migrate.NewMigrator(db, ms, migrate.WithTableName(MigrationTable), migrate.WithLocksTableName(MigrationLockTable),
		migrate.WithMarkAppliedOnSuccess(true))
	if err := lock(ctx, m); err != nil {
		return err
	}
	_, err = m.Migrate(ctx)
	if uerr := m.Unlock(context.WithoutCancel(ctx)); err == nil && uerr != nil {
		return failed("migrate unlock", uerr)
	}
	if err != nil {
		return failed("migrate", err)
	}
	return nil
}

// lock creates the migration tables and takes the migration lock,
// retrying for up to a minute while another process holds it.
func lock(ctx context.Context, m *migrate.Migrator) error {
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		err := m.Init(wctx)
		if err == nil {
			err = m.Lock(wctx)
		}
		if err == nil {
			return nil
		}
		select {
		case <-wctx.Done():
			return fmt.Errorf("bunstore: migrate: %w (last error: %w)", wctx.Err(), unavailable(err))
		case <-time.After(wait):
		}
	}
}
