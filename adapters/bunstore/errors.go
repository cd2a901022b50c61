package bunstore

import (
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// isUnique reports a unique or primary-key violation, in any dialect.
func isUnique(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var my *mysql.MySQLError
	if errors.As(err, &my) {
		return my.Number == 1062
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isForeignKey reports a foreign-key violation, in any dialect.
func isForeignKey(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23503"
	}
	var my *mysql.MySQLError
	if errors.As(err, &my) {
		return my.Number == 1452
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// isDeadlock reports a statement the database rolled back to break a
// deadlock (or, in PostgreSQL, a serialization failure): it changed
// nothing and may be run again.
func isDeadlock(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40P01" || pg.Code == "40001"
	}
	var my *mysql.MySQLError
	if errors.As(err, &my) {
		return my.Number == 1213
	}
	return false
}

// isPendingConflict reports a violation of the index that allows one
// pending invitation per client and email (clientele_invitations_one_pending).
func isPendingConflict(err error) bool {
	return uniqueOn(err, "clientele_invitations_one_pending",
		"clientele_invitations.client_id, clientele_invitations.email")
}

// isUserEmailConflict reports a violation of the one user per agency and
// email constraint (clientele_users_agency_email).
func isUserEmailConflict(err error) bool {
	return uniqueOn(err, "clientele_users_agency_email", "clientele_users.agency_id, clientele_users.email")
}

// uniqueOn reports a violation of the unique constraint or index name.
// PostgreSQL names it in the error, MySQL and MariaDB in the message
// ("... for key 'name'" or "'table.name'"); SQLite names only the columns
// ("UNIQUE constraint failed: t.a, t.b"), which sqliteColumns lists.
func uniqueOn(err error, name, sqliteColumns string) bool {
	if !isUnique(err) {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.ConstraintName == name
	}
	var my *mysql.MySQLError
	if errors.As(err, &my) {
		return strings.HasSuffix(my.Message, "'"+name+"'") || strings.HasSuffix(my.Message, "."+name+"'")
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		msg := lite.Error()
		i := strings.Index(msg, sqliteColumns)
		if i < 0 {
			return false
		}
		rest := msg[i+len(sqliteColumns):]
		return rest == "" || rest[0] == ' ' || rest[0] == ')'
	}
	return false
}
