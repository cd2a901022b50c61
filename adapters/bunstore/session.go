package bunstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore/internal/pcache"
	"github.com/clientele/clientele/authn"
)

type sessionRow struct {
	bun.BaseModel `bun:"table:clientele_sessions,alias:s"`

	TokenHash  []byte    `bun:"token_hash,pk"`
	AgencyID   string    `bun:"agency_id"`
	ClientID   string    `bun:"client_id"`
	UserID     string    `bun:"user_id"`
	CreatedAt  time.Time `bun:"created_at"`
	SignedInAt time.Time `bun:"signed_in_at"`
	LastSeenAt time.Time `bun:"last_seen_at"`
	ExpiresAt  time.Time `bun:"expires_at"`
}

func (r *sessionRow) session() authn.Session {
	return authn.Session{TokenHash: r.TokenHash, AgencyID: clientele.AgencyID(r.AgencyID),
		ClientID: clientele.ClientID(r.ClientID), UserID: clientele.UserID(r.UserID),
		CreatedAt: r.CreatedAt.UTC(), SignedInAt: r.SignedInAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
}

// resolvedRow is a session joined with its membership, user and client.
type resolvedRow struct {
	sessionRow `bun:",extend"`

	Role               string     `bun:"role"`
	Status             string     `bun:"status"`
	Email              string     `bun:"email"`
	Name               string     `bun:"name"`
	MemberLastActiveAt *time.Time `bun:"member_last_active_at"`
	MemberCreatedAt    time.Time  `bun:"member_created_at"`
	Permissions        string     `bun:"permissions"`
}

// resolvedColumns are what ResolveSession reads.
const resolvedColumns = "s.token_hash, s.agency_id, s.client_id, s.user_id, s.created_at, s.signed_in_at, s.last_seen_at, s.expires_at, " +
	"m.role, m.status, m.email, m.name, m.last_active_at AS member_last_active_at, " +
	"m.created_at AS member_created_at, c.permissions"

func (r *resolvedRow) resolved() authn.Resolved {
	m := memberRow{membershipRow: membershipRow{Name: r.Name, ClientID: r.ClientID, UserID: r.UserID,
		Email: r.Email, Role: r.Role, Status: r.Status, LastActiveAt: r.MemberLastActiveAt, CreatedAt: r.MemberCreatedAt}}
	return authn.Resolved{Session: r.session(), Member: m.member(), Permissions: splitPermissions(r.Permissions)}
}

// CreateSession stores sess. A hash that is not 32 bytes or no user
// answers [clientele.ErrInvalidArgument], no agency or client
// [clientele.ErrMissingScope]; a taken hash [clientele.ErrDuplicate]; a
// membership that does not exist, or whose client is not of
// sess.AgencyID, [clientele.ErrNotFound]. The foreign key on the
// membership keeps a session from outliving it. Up to sweepBatch sessions
// expired by sess.CreatedAt are deleted first.
func (s *Store) CreateSession(ctx context.Context, sess authn.Session) error {
	if err := validSession(sess); err != nil {
		return err
	}
	op := fmt.Sprintf("client %s: member %s: create session", sess.ClientID, sess.UserID)
	if hasNUL(string(sess.AgencyID), string(sess.ClientID), string(sess.UserID)) {
		return notFound(op, sql.ErrNoRows)
	}
	ok, err := s.db.NewSelect().Model((*membershipRow)(nil)).
		Join("JOIN clientele_clients AS c ON c.id = m.client_id").
		Where("m.client_id = ?", string(sess.ClientID)).Where("m.user_id = ?", string(sess.UserID)).
		Where("c.agency_id = ?", string(sess.AgencyID)).Exists(ctx)
	switch {
	case err != nil:
		return failed(op, err)
	case !ok:
		return notFound(op, sql.ErrNoRows)
	}
	s.forget(ctx, sweepSessions, sess.CreatedAt)
	if s.cache != nil {
		s.cache.CreatedSession(sess.TokenHash)
	}
	_, err = s.db.NewInsert().Model(&sessionRow{TokenHash: sess.TokenHash, AgencyID: string(sess.AgencyID),
		ClientID: string(sess.ClientID), UserID: string(sess.UserID), CreatedAt: sess.CreatedAt.UTC(),
		SignedInAt: sess.SignedInAt.UTC(), LastSeenAt: sess.LastSeenAt.UTC(), ExpiresAt: sess.ExpiresAt.UTC()}).Exec(ctx)
	switch {
	case err == nil:
		return nil
	case isUnique(err):
		return fmt.Errorf("bunstore: %s: %w", op, clientele.ErrDuplicate)
	case isForeignKey(err): // the membership was removed meanwhile
		return notFound(op, sql.ErrNoRows)
	}
	return failed(op, err)
}

// ResolveSession returns, in one indexed query, the session with hash
// joined with its membership, its user's name and email and its client's
// permissions as they are now. A session that is missing, whose
// membership is gone, that expired at now (now >= ExpiresAt) or that has
// been idle since idleSince (LastSeenAt <= idleSince) answers
// [clientele.ErrNotFound].
func (s *Store) ResolveSession(ctx context.Context, hash []byte, now, idleSince time.Time) (authn.Resolved, error) {
	if len(hash) != sha256.Size {
		return authn.Resolved{}, notFound("session", sql.ErrNoRows)
	}
	if s.cache == nil {
		return s.resolveSession(ctx, hash, now, idleSince)
	}
	if r, ok := s.cache.Session(hash); ok && r.Session.ExpiresAt.After(now) && r.Session.LastSeenAt.After(idleSince) {
		return r, nil
	}
	if s.cache.Absent(hash) {
		return authn.Resolved{}, notFound("session", sql.ErrNoRows)
	}
	gen := s.cache.Gen()
	// The idle test is made here, with a touch this process has not
	// written yet (see TouchSession).
	r, err := s.resolveSession(ctx, hash, now, time.Time{})
	if errors.Is(err, clientele.ErrNotFound) {
		// No session, or an expired one: either stays so (pcache.Absent).
		s.cache.PutAbsent(gen, hash)
	}
	if err != nil {
		return r, err
	}
	if at, ok := s.node.pendingTouch(hash); ok && at.After(r.Session.LastSeenAt) {
		r.Session.LastSeenAt = at
	}
	if !r.Session.LastSeenAt.After(idleSince) {
		return authn.Resolved{}, notFound("session", sql.ErrNoRows)
	}
	s.cache.PutSession(gen, r)
	return r, nil
}

// resolveSession is ResolveSession's query; a zero idleSince leaves the
// idle test to the caller.
func (s *Store) resolveSession(ctx context.Context, hash []byte, now, idleSince time.Time) (authn.Resolved, error) {
	if db, ok := s.db.(*bun.DB); ok && s.dialect == dialect.PG {
		return resolvePG(ctx, db.DB, hash, now, idleSince)
	}
	var r resolvedRow
	q := s.db.NewSelect().Model(&r).ColumnExpr(resolvedColumns).
		Join("JOIN clientele_memberships AS m ON m.client_id = s.client_id AND m.user_id = s.user_id").
		Join("JOIN clientele_clients AS c ON c.id = s.client_id AND c.agency_id = s.agency_id").
		Where("s.token_hash = ?", hash).Where("s.expires_at > ?", now.UTC())
	if !idleSince.IsZero() {
		q = q.Where("s.last_seen_at > ?", idleSince.UTC())
	}
	err := q.Scan(ctx)
	if err != nil {
		return authn.Resolved{}, notFound("session", err)
	}
	return r.resolved(), nil
}

// TouchSession sets the session's LastSeenAt to at; a missing session is
// not an error. With a cache, the request does not wait for the write:
// the touch is kept in memory, counted by this process at once, and
// written with the others at most a second later (touchEvery), so the
// request path is read-only; other processes see it then.
func (s *Store) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	if s.node != nil && len(hash) == sha256.Size {
		s.cache.TouchSession(hash, at.UTC())
		s.node.touch(hash, at.UTC())
		return nil
	}
	_, err := s.db.NewUpdate().Model((*sessionRow)(nil)).Set("last_seen_at = ?", at.UTC()).
		Where("token_hash = ?", hash).Exec(ctx)
	if err != nil {
		return failed("touch session", err)
	}
	return nil
}

// DeleteSession deletes the session with hash; a missing one is not an
// error.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	return s.committed(ctx, func(ctx context.Context, tx bun.Tx) ([]pcache.Change, error) {
		res, err := tx.NewDelete().Model((*sessionRow)(nil)).Where("token_hash = ?", hash).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("bunstore: delete session: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return nil, nil // nothing to tell
		}
		return []pcache.Change{{Kind: pcache.Session, TokenHash: hash}}, nil
	})
}

// DeleteUserSessions deletes every session of user in agency and returns
// how many there were.
func (s *Store) DeleteUserSessions(ctx context.Context, agency clientele.AgencyID, user clientele.UserID) (int, error) {
	if agency == "" {
		return 0, missingScope("delete user sessions", "agency")
	}
	if hasNUL(string(agency), string(user)) {
		return 0, nil
	}
	op := fmt.Sprintf("agency %s: user %s: delete sessions", agency, user)
	var n int64
	err := s.committed(ctx, func(ctx context.Context, tx bun.Tx) ([]pcache.Change, error) {
		res, err := tx.NewDelete().Model((*sessionRow)(nil)).
			Where("agency_id = ?", string(agency)).Where("user_id = ?", string(user)).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("bunstore: %s: %w", op, err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("bunstore: %s: %w", op, err)
		}
		if n == 0 {
			return nil, nil
		}
		return []pcache.Change{{Kind: pcache.User, AgencyID: agency, UserID: user}}, nil
	})
	return int(n), err
}

// validSession checks a new session (authn.Session.Validate).
func validSession(sess authn.Session) error {
	if err := sess.Validate(); err != nil {
		return fmt.Errorf("bunstore: create session: %w", err)
	}
	return nil
}

// resolvePGQuery is resolveSession's query with bind parameters: bun
// writes values into the SQL text, so PostgreSQL would plan this join
// anew on every request (planning took ~0.7 ms, running it ~0.02 ms);
// pgx prepares it once per connection instead.
const resolvePGQuery = "SELECT s.token_hash, s.agency_id, s.client_id, s.user_id, s.created_at, s.signed_in_at, s.last_seen_at, s.expires_at, " +
	"m.role, m.status, m.email, m.name, m.last_active_at, m.created_at, c.permissions " +
	"FROM clientele_sessions AS s " +
	"JOIN clientele_memberships AS m ON m.client_id = s.client_id AND m.user_id = s.user_id " +
	"JOIN clientele_clients AS c ON c.id = s.client_id AND c.agency_id = s.agency_id " +
	"WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3"

// resolvePG runs resolvePGQuery on db.
func resolvePG(ctx context.Context, db *sql.DB, hash []byte, now, idleSince time.Time) (authn.Resolved, error) {
	var r resolvedRow
	var lastActive sql.NullTime
	err := db.QueryRowContext(ctx, resolvePGQuery, hash, now.UTC(), idleSince.UTC()).Scan(
		&r.TokenHash, &r.AgencyID, &r.ClientID, &r.UserID, &r.CreatedAt, &r.SignedInAt, &r.LastSeenAt, &r.ExpiresAt,
		&r.Role, &r.Status, &r.Email, &r.Name, &lastActive, &r.MemberCreatedAt, &r.Permissions)
	if err != nil {
		return authn.Resolved{}, notFound("session", err)
	}
	if lastActive.Valid {
		r.MemberLastActiveAt = &lastActive.Time
	}
	return r.resolved(), nil
}
