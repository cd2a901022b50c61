package bunstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/clientele/clientele"
)

// unavailable wraps err with [clientele.ErrUnavailable] when it reports a
// database that cannot be reached (isUnavailable), keeping err's chain so
// that the driver's error still matches; any other error, nil, or an
// error already wrapped comes back as it is. Errors leave the store
// through it: inTx, failed and notFound.
func unavailable(err error) error {
	if !isUnavailable(err) || errors.Is(err, clientele.ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", clientele.ErrUnavailable, err)
}

// isUnavailable reports an error of a database that could not be reached
// or lost the connection, in any dialect: database/sql's
// driver.ErrBadConn, sql.ErrConnDone and its error of a closed *sql.DB; a
// refused, reset or aborted connection or a broken pipe, bare or in a
// *net.OpError (which also carries an unreachable host and a failed DNS
// lookup); io.ErrUnexpectedEOF (a connection closed mid-answer, as pgx
// reports it); PostgreSQL's SQLSTATE class 08 (connection exception) and
// 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now: a
// server stopping or starting); MySQL's and MariaDB's lost connection
// (mysql.ErrInvalidConn: the driver reports so what the C client calls
// 2006 and 2013), 1053 (server shutdown in progress) and MariaDB's 1927
// (connection killed); SQLite's CANTOPEN and IOERR (the file or its
// folder cannot be opened, read or written). SQLite's BUSY and LOCKED are
// not: the database answered, and another writer held it past the busy
// timeout. Nor is a cancelled call: its caller is gone.
func isUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	for _, target := range []error{driver.ErrBadConn, sql.ErrConnDone, dbClosed(), io.ErrUnexpectedEOF, mysql.ErrInvalidConn,
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE} {
		if errors.Is(err, target) {
			return true
		}
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03"
	}
	var my *mysql.MySQLError
	if errors.As(err, &my) {
		return my.Number == 1053 || my.Number == 1927
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		primary := lite.Code() & 0xff // the extended codes keep the primary one in their low byte
		return primary == sqlite3.SQLITE_CANTOPEN || primary == sqlite3.SQLITE_IOERR
	}
	return false
}

// dbClosed returns database/sql's error of a call on a closed *sql.DB
// ("sql: database is closed"), which it does not export: the error of a
// pool that is closed before it ever connects.
var dbClosed = sync.OnceValue(func() error {
	db := sql.OpenDB(noConnector{})
	_ = db.Close() // nothing was opened
	return db.PingContext(context.Background())
})

// noConnector is a database/sql connector that never connects.
type noConnector struct{}

func (noConnector) Connect(context.Context) (driver.Conn, error) {
	return nil, errors.New("bunstore: no connection")
}
func (c noConnector) Driver() driver.Driver { return c }
func (noConnector) Open(string) (driver.Conn, error) {
	return nil, errors.New("bunstore: no connection")
}

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
