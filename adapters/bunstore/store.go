package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore/internal/pcache"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/tenancy"
)

var (
	_ tenancy.Store      = (*Store)(nil)
	_ invite.Store       = (*Store)(nil)
	_ invite.OutboxStore = (*Store)(nil)
	_ authn.Store        = (*Store)(nil)
)

// Store implements Clientele's stores on a bun database or transaction. It
// is safe for concurrent use when db is a *bun.DB; on a bun.Tx it shares
// the transaction's limits. It never closes db. Any method whose database
// cannot be reached (down, restarting, a connection dropped or killed, a
// closed pool, an SQLite file that cannot be opened) answers
// [clientele.ErrUnavailable], wrapping the driver's error.
type Store struct {
	db      bun.IDB
	dialect dialect.Name
	cache   *pcache.Cache // nil without WithCache
	node    *node
}

// New returns a Store on db, whose schema Migrate has created. db may be a
// *bun.DB, or a bun.Tx of the host's in which every write then happens (as
// savepoints). A dialect other than PostgreSQL, MySQL or SQLite answers
// clientele.ErrInvalidArgument. With [WithCache], call [Store.Close] when
// done.
func New(db bun.IDB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: bunstore: nil database", clientele.ErrInvalidArgument)
	}
	name := db.Dialect().Name()
	if _, err := migrationDir(name); err != nil {
		return nil, err
	}
	s := &Store{db: db, dialect: name}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.node != nil {
		s.node.start()
	}
	return s, nil
}

// txAttempts bounds how often inTx runs a transaction that the database
// rolled back to break a deadlock.
const txAttempts = 5

// inTx runs fn in a transaction (a savepoint inside the host's one). A
// transaction of ours that the database rolled back to break a deadlock
// (InnoDB picks a victim among concurrent writers, e.g. an accept and a
// resend of one invitation) changed nothing and is run again; inside a
// host's transaction the deadlock is the host's to handle. Every write in
// a transaction ends here, so this is where a database that cannot be
// reached, at BEGIN, in fn or at COMMIT, is named
// [clientele.ErrUnavailable].
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	_, own := s.db.(*bun.DB)
	for attempt := 1; ; attempt++ {
		err := s.db.RunInTx(ctx, nil, fn)
		if own && attempt < txAttempts && isDeadlock(err) {
			continue
		}
		return unavailable(err)
	}
}

// forUpdate makes q a locking read where the dialect has one. SQLite has
// none and needs none: its transactions take the write lock at BEGIN
// (Open sets _txlock=immediate), so they already run one at a time.
func (s *Store) forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if s.dialect == dialect.SQLite {
		return q
	}
	return q.For("UPDATE")
}

// missingScope reports a call without the agency or client it is confined
// to.
func missingScope(op, what string) error {
	return fmt.Errorf("bunstore: %s: no %s: %w", op, what, clientele.ErrMissingScope)
}

// invalid reports input that fails validation.
func invalid(op, format string, args ...any) error {
	return fmt.Errorf("bunstore: %s: %w: %s", op, clientele.ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// notFound maps sql.ErrNoRows to clientele.ErrNotFound and wraps other
// errors as failed does.
func notFound(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("bunstore: %s: %w", op, clientele.ErrNotFound)
	}
	return failed(op, err)
}

// failed wraps err, the error of a statement of op run outside inTx,
// with op, naming a database that cannot be reached
// [clientele.ErrUnavailable] (see unavailable).
func failed(op string, err error) error {
	return fmt.Errorf("bunstore: %s: %w", op, unavailable(err))
}

// hasNUL reports whether any of ss holds a NUL byte. bun v1.3.0 refuses to
// send such a string, so no stored value holds one: a key with a NUL finds
// nothing, and a value with a NUL is invalid.
func hasNUL(ss ...string) bool {
	for _, s := range ss {
		if strings.IndexByte(s, 0) >= 0 {
			return true
		}
	}
	return false
}

// nulArgument reports a value holding a NUL byte.
func nulArgument(op string) error {
	return invalid(op, "a string holds a NUL byte")
}
