package bunstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore/internal/pcache"
)

// The cache of a process and the protocol that keeps it exact.
//
// Writers: every change to access (role, status, removal, activity of a
// membership; a client's permissions; an agency's branding; sessions
// ended) bumps the one row of clientele_change_clock as the last statement
// of its transaction and records what it touched in clientele_changes
// under the new version. The row lock serializes these transactions from
// the bump to their commit, so versions become visible in order: whoever
// sees version v sees every version before it. After the commit the
// writer waits (settle) until no registered process with a live lease
// still has seen < v. Only then does the change return.
//
// Caching processes (nodes): each registers in clientele_nodes with a
// lease measured by the database's clock, polls clientele_changes for
// versions past the one it has seen, drops what they touch, then writes
// its new seen version (its acknowledgement) and renews the lease. It
// serves from its cache only until lease - margin after it sent its last
// successful renewal, by its own monotonic clock: the database's lease
// runs out later, so a writer that stops waiting for a silent node
// (its lease gone) knows that node is no longer serving. A node whose
// lease lapsed starts over: it flushes everything and serves again only
// after a poll made after its new lease committed.
//
// A fill (a miss read from the database) is stored only if no change was
// applied while it was read (pcache's generation), so a read that raced a
// change never outlives it.

// CacheOptions configures [WithCache]. Zero fields take the defaults.
type CacheOptions struct {
	// Sessions bounds the cached sessions (default 100,000), and the
	// cached clients and agencies alike.
	Sessions int
	// Poll is how often the process looks for changes (default 10 ms); a
	// change by any process returns about one to two polls after commit.
	Poll time.Duration
	// Lease is how long the database counts a node as live after its
	// last renewal (default 4 s): the longest a writer waits for a node
	// that stopped answering, such as a killed process.
	Lease time.Duration
	// Margin is how much sooner than the database the node itself
	// considers its lease over (default 1 s): it absorbs a difference in
	// clock rates and a statement's delay.
	Margin time.Duration
	// Logger receives the cache's warnings (default: discard).
	Logger *slog.Logger
}

func (o *CacheOptions) defaults() error {
	if o.Sessions == 0 {
		o.Sessions = 100_000
	}
	if o.Poll == 0 {
		o.Poll = 10 * time.Millisecond
	}
	if o.Lease == 0 {
		o.Lease = 4 * time.Second
	}
	if o.Margin == 0 {
		o.Margin = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Sessions < 1 || o.Poll < time.Millisecond || o.Margin < 0 || o.Lease < 2*o.Margin || o.Lease < 4*o.Poll {
		return fmt.Errorf("%w: bunstore: cache options %+v", clientele.ErrInvalidArgument, *o)
	}
	return nil
}

// Option configures a [Store].
type Option func(*Store) error

// WithCache makes the store keep this process's copies of the reads every
// request makes (a session with its membership and client permissions,
// an agency, a client) and keep them exact across every process on the
// database, as described in the package documentation. It needs a *bun.DB
// (not a transaction). Call [Store.Close] to stop it.
func WithCache(o CacheOptions) Option {
	return func(s *Store) error {
		if err := o.defaults(); err != nil {
			return err
		}
		db, ok := s.db.(*bun.DB)
		if !ok {
			return fmt.Errorf("%w: bunstore: WithCache needs a *bun.DB", clientele.ErrInvalidArgument)
		}
		id := make([]byte, 16)
		_, _ = rand.Read(id)
		s.cache = pcache.New(o.Sessions)
		s.node = &node{db: db, nowMS: nowMS(s.dialect), cache: s.cache, opts: o, id: hex.EncodeToString(id),
			stop: make(chan struct{}), done: make(chan struct{})}
		return nil
	}
}

// CacheStats counts what the cache did since the store was made.
type CacheStats = pcache.Stats

// CacheStats returns the cache's counters (zero without a cache).
func (s *Store) CacheStats() CacheStats {
	if s.cache == nil {
		return CacheStats{}
	}
	return s.cache.Stats()
}

// Close stops the cache, if any: the process stops serving from it and
// leaves the nodes table, so writers no longer wait for it. It does not
// close the database. Close is idempotent.
func (s *Store) Close(ctx context.Context) error {
	if s.node == nil {
		return nil
	}
	return s.node.close(ctx)
}

// Sync waits until every caching process has applied every change
// committed so far. Changes made through a Store wait by themselves; a
// host that runs them in its own transaction (New on a bun.Tx) calls Sync
// on a Store of the *bun.DB after its commit.
func (s *Store) Sync(ctx context.Context) error {
	var v int64
	if err := s.db.NewRaw("SELECT version FROM clientele_change_clock WHERE id = 1").Scan(ctx, &v); err != nil {
		return failed("sync", err)
	}
	return s.settle(ctx, v)
}

// nowMS is the database's clock in milliseconds since 1970, as SQL.
func nowMS(d dialect.Name) string {
	switch d {
	case dialect.PG:
		return "(extract(epoch from clock_timestamp()) * 1000)::bigint"
	case dialect.MySQL:
		return "CAST(UNIX_TIMESTAMP(NOW(6)) * 1000 AS SIGNED)"
	}
	return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
}

// publish bumps the change clock and records changes under the new
// version, inside tx; it must be the transaction's last statement so the
// clock's row lock is held only to the commit. It returns the version to
// settle after the commit.
func (s *Store) publish(ctx context.Context, tx bun.IDB, changes ...pcache.Change) (int64, error) {
	var v int64
	var err error
	if s.dialect == dialect.MySQL {
		if _, err = tx.NewRaw("UPDATE clientele_change_clock SET version = LAST_INSERT_ID(version + 1) WHERE id = 1").Exec(ctx); err == nil {
			err = tx.NewRaw("SELECT LAST_INSERT_ID()").Scan(ctx, &v)
		}
	} else {
		err = tx.NewRaw("UPDATE clientele_change_clock SET version = version + 1 WHERE id = 1 RETURNING version").Scan(ctx, &v)
	}
	if err != nil {
		return 0, fmt.Errorf("bunstore: publish change: %w", err)
	}
	for i, c := range changes {
		var hash any
		if c.TokenHash != nil {
			hash = c.TokenHash
		}
		_, err := tx.NewRaw("INSERT INTO clientele_changes (version, seq, kind, agency_id, client_id, user_id, token_hash, created_ms) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, "+nowMS(s.dialect)+")",
			v, i, string(c.Kind), string(c.AgencyID), string(c.ClientID), string(c.UserID), hash).Exec(ctx)
		if err != nil {
			return 0, fmt.Errorf("bunstore: publish change: %w", err)
		}
	}
	return v, nil
}

// settlePoll is how often a writer looks at the nodes' acknowledgements.
const settlePoll = 2 * time.Millisecond

// settle waits until no node with a live lease has seen less than v. On
// a host's transaction it returns at once (see Sync). An error means the
// change is committed but some process may not have dropped it yet.
func (s *Store) settle(ctx context.Context, v int64) error {
	if _, ok := s.db.(*bun.DB); !ok || v == 0 {
		return nil
	}
	q := "SELECT COUNT(*) FROM clientele_nodes WHERE seen < ? AND lease_until > " + nowMS(s.dialect)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		var n int
		err := s.db.NewRaw(q, v).Scan(ctx, &n)
		if err == nil && n == 0 {
			return nil
		}
		t.Reset(settlePoll)
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
			return failed(fmt.Sprintf("change %d committed, not yet applied by every caching process", v), err)
		case <-t.C:
		}
	}
}

// committed runs fn in a transaction, publishes the changes fn returns as
// its last statement, and after the commit waits for every caching
// process to apply them.
func (s *Store) committed(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) ([]pcache.Change, error)) error {
	var v int64
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		changes, err := fn(ctx, tx)
		if err != nil || len(changes) == 0 {
			return err
		}
		v, err = s.publish(ctx, tx, changes...)
		return err
	})
	if err != nil {
		return err
	}
	return s.settle(ctx, v)
}

// node is a caching process's membership in clientele_nodes.
type node struct {
	db    *bun.DB
	nowMS string
	cache *pcache.Cache
	opts  CacheOptions
	id    string

	started bool
	hold    atomic.Bool // tests: the loop skips its polls, as if cut off
	stepMu  sync.Mutex  // held by a poll, so that a test's hold waits for it
	stop    chan struct{}
	done    chan struct{}

	// Owned by the loop.
	registered bool      // our row exists and our lease has held since
	synced     bool      // a poll made after the lease began has been applied
	seen       int64     // last version applied
	acked      int64     // last version written to our row
	leaseEnd   time.Time // local end of the lease (monotonic)
	renewedAt  time.Time
	prunedAt   time.Time
	touchedAt  time.Time // last write of the pending touches

	touchMu sync.Mutex
	touches map[[32]byte]time.Time // session hash -> last seen, not yet written
}

// touchEvery is how often a node writes the sessions' last-seen times it
// holds.
const touchEvery = time.Second

// touch keeps a session's last-seen time for the next write.
func (n *node) touch(hash []byte, at time.Time) {
	n.touchMu.Lock()
	defer n.touchMu.Unlock()
	if n.touches == nil {
		n.touches = make(map[[32]byte]time.Time)
	}
	if old, ok := n.touches[[32]byte(hash)]; !ok || at.After(old) {
		n.touches[[32]byte(hash)] = at
	}
}

// pendingTouch returns a last-seen time not yet written for hash.
func (n *node) pendingTouch(hash []byte) (time.Time, bool) {
	if len(hash) != 32 {
		return time.Time{}, false
	}
	n.touchMu.Lock()
	defer n.touchMu.Unlock()
	at, ok := n.touches[[32]byte(hash)]
	return at, ok
}

// writeTouches writes the pending last-seen times, one statement per
// second of them (each session gets its time truncated to the second, so
// an idle clock can only run early, never late). What fails is kept for
// the next write.
func (n *node) writeTouches(ctx context.Context) {
	n.touchMu.Lock()
	pending := n.touches
	n.touches = nil
	n.touchMu.Unlock()
	bySecond := map[time.Time][][]byte{}
	for h, at := range pending {
		bySecond[at.Truncate(time.Second)] = append(bySecond[at.Truncate(time.Second)], bytes.Clone(h[:]))
	}
	for at, hashes := range bySecond {
		for chunk := range slices.Chunk(hashes, 500) {
			_, err := n.db.NewUpdate().Model((*sessionRow)(nil)).Set("last_seen_at = ?", at).
				Where("token_hash IN (?)", bun.List(chunk)).Where("last_seen_at < ?", at).Exec(ctx)
			if err != nil {
				n.warn(ctx, "session touches not written", err)
				for _, h := range chunk {
					n.touch(h, at)
				}
			}
		}
	}
}

// start runs the loop; New calls it.
func (n *node) start() {
	n.started = true
	go n.loop()
}

func (n *node) loop() {
	defer close(n.done)
	t := time.NewTicker(n.opts.Poll)
	defer t.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-n.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		n.step(ctx)
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
	}
}

// step is one poll: apply the changes past seen, then acknowledge and
// renew the lease when needed.
func (n *node) step(ctx context.Context) {
	n.stepMu.Lock()
	defer n.stepMu.Unlock()
	if n.hold.Load() {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, n.opts.Lease)
	defer cancel()
	if n.registered {
		changes, top, err := n.fetch(pctx)
		if err != nil {
			n.warn(ctx, "cache poll failed", err)
			return
		}
		if top > n.seen {
			n.cache.Apply(changes)
			n.seen = top
		}
		if !n.synced && time.Now().Before(n.leaseEnd) {
			// This poll began after the lease's first renewal committed:
			// every writer that did not wait for us committed before it.
			n.cache.Flush()
			n.synced = true
			n.cache.Serve(n.leaseEnd)
		}
	}
	now := time.Now()
	if now.Sub(n.touchedAt) >= touchEvery {
		n.touchedAt = now
		n.writeTouches(pctx)
	}
	if n.registered && n.acked == n.seen && now.Sub(n.renewedAt) < n.opts.Lease/4 {
		n.prune(pctx, now)
		return
	}
	sent := time.Now()
	fresh, err := n.renew(pctx)
	if err != nil {
		n.warn(ctx, "cache lease renewal failed", err)
		return
	}
	end := sent.Add(n.opts.Lease - n.opts.Margin)
	if !fresh && n.registered && time.Now().Before(n.leaseEnd) {
		n.leaseEnd, n.renewedAt = end, sent
		if n.synced {
			n.cache.Serve(end)
		}
		return
	}
	// A new lease: writers may have passed us by since the last one.
	n.cache.Stop()
	n.cache.Flush()
	n.registered, n.synced, n.leaseEnd, n.renewedAt = true, false, end, sent
}

// fetch reads the changes past seen; past a batch it reports a flush
// (one change of an unknown kind) and the current version.
func (n *node) fetch(ctx context.Context) ([]pcache.Change, int64, error) {
	const batch = 1000
	var rows []struct {
		Version   int64  `bun:"version"`
		Kind      string `bun:"kind"`
		AgencyID  string `bun:"agency_id"`
		ClientID  string `bun:"client_id"`
		UserID    string `bun:"user_id"`
		TokenHash []byte `bun:"token_hash"`
	}
	err := n.db.NewRaw("SELECT version, kind, agency_id, client_id, user_id, token_hash FROM clientele_changes "+
		"WHERE version > ? ORDER BY version, seq LIMIT ?", n.seen, batch+1).Scan(ctx, &rows)
	if err != nil {
		return nil, 0, err
	}
	if len(rows) > batch {
		var v int64
		if err := n.db.NewRaw("SELECT version FROM clientele_change_clock WHERE id = 1").Scan(ctx, &v); err != nil {
			return nil, 0, err
		}
		return []pcache.Change{{Kind: "flush"}}, v, nil
	}
	top := n.seen
	changes := make([]pcache.Change, len(rows))
	for i, r := range rows {
		changes[i] = pcache.Change{Kind: pcache.Kind(r.Kind), AgencyID: clientele.AgencyID(r.AgencyID),
			ClientID: clientele.ClientID(r.ClientID), UserID: clientele.UserID(r.UserID), TokenHash: r.TokenHash}
		top = max(top, r.Version)
	}
	return changes, top, nil
}

// renew writes seen and a new lease to our row, or registers the row
// (seen = the current version) when it is missing; fresh reports the
// latter.
func (n *node) renew(ctx context.Context) (fresh bool, err error) {
	lease := n.opts.Lease.Milliseconds()
	res, err := n.db.NewRaw("UPDATE clientele_nodes SET seen = ?, lease_until = "+n.nowMS+" + ? WHERE id = ?",
		n.seen, lease, n.id).Exec(ctx)
	if err != nil {
		return false, err
	}
	if k, err := res.RowsAffected(); err == nil && k > 0 {
		n.acked = n.seen
		return false, nil
	}
	err = n.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var v int64
		if err := tx.NewRaw("SELECT version FROM clientele_change_clock WHERE id = 1").Scan(ctx, &v); err != nil {
			return err
		}
		if _, err := tx.NewRaw("INSERT INTO clientele_nodes (id, seen, lease_until) VALUES (?, ?, "+n.nowMS+" + ?)",
			n.id, v, lease).Exec(ctx); err != nil {
			return err
		}
		n.seen = v
		return nil
	})
	if isUnique(err) {
		// MySQL reports an UPDATE that changed nothing (the same
		// millisecond) as no row: the row is there and current.
		n.acked = n.seen
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n.acked = n.seen
	return true, nil
}

// pruneEvery is how often a node deletes dead nodes' rows and old changes.
const pruneEvery = 30 * time.Second

// prune deletes the rows of nodes dead for a minute and changes older
// than ten minutes (a node that far behind has lost its lease and starts
// over).
func (n *node) prune(ctx context.Context, now time.Time) {
	if now.Sub(n.prunedAt) < pruneEvery {
		return
	}
	n.prunedAt = now
	if _, err := n.db.NewRaw("DELETE FROM clientele_nodes WHERE lease_until < " + n.nowMS + " - 60000").Exec(ctx); err != nil {
		n.warn(ctx, "cache prune failed", err)
	}
	if _, err := n.db.NewRaw("DELETE FROM clientele_changes WHERE created_ms < " + n.nowMS + " - 600000").Exec(ctx); err != nil {
		n.warn(ctx, "cache prune failed", err)
	}
}

func (n *node) warn(ctx context.Context, msg string, err error) {
	if ctx.Err() == nil {
		n.opts.Logger.WarnContext(ctx, msg, "node", n.id, "err", err)
	}
}

// close stops the loop and deletes our row.
func (n *node) close(ctx context.Context) error {
	select {
	case <-n.stop:
		return nil
	default:
	}
	close(n.stop)
	if n.started {
		<-n.done
	}
	n.writeTouches(ctx)
	n.cache.Stop()
	n.cache.Flush()
	if _, err := n.db.NewRaw("DELETE FROM clientele_nodes WHERE id = ?", n.id).Exec(ctx); err != nil {
		return failed("close cache", err)
	}
	return nil
}
