// Package pcache holds one process's copies of the reads that every
// request makes (a session with its membership and client permissions, an
// agency, a client), and drops them on the changes other processes
// publish. It decides nothing about freshness by itself: its owner
// applies the published changes (Apply), and grants it a lease (Serve)
// only while every writer is bound to wait for this process's
// acknowledgement. Outside a lease nothing is served and nothing is
// stored.
//
// A fill is guarded by a generation: the owner reads Gen before reading
// the database and passes it to Put; any change applied (or lease lost)
// in between bumps the generation and the stale value is not stored.
package pcache

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

// Kind names what a change invalidates.
type Kind string

// The kinds of change.
const (
	// Member: a membership's role, status, activity or existence.
	Member Kind = "member"
	// Client: a client's permissions.
	Client Kind = "client"
	// User: every session of a user ended.
	User Kind = "user"
	// Session: one session ended.
	Session Kind = "session"
	// Agency: an agency's branding.
	Agency Kind = "agency"
)

// Change is one published change, by the keys its kind uses.
type Change struct {
	Kind      Kind
	AgencyID  clientele.AgencyID
	ClientID  clientele.ClientID
	UserID    clientele.UserID
	TokenHash []byte
}

// Stats counts what the cache did, for measurements.
type Stats struct {
	Hits, Misses, Stored, Refused, Dropped, Flushes uint64
}

type key [32]byte

// Cache is safe for concurrent use. The zero value is not usable; call
// New.
type Cache struct {
	base  time.Time    // monotonic origin of deadline
	until atomic.Int64 // serve while time.Since(base) < until (0: never)

	mu       sync.RWMutex
	gen      uint64
	max      int
	sessions map[key]authn.Resolved
	byUser   map[clientele.UserID]map[key]struct{}
	byClient map[clientele.ClientID]map[key]struct{}
	agencies map[clientele.AgencyID]clientele.Agency
	clients  map[clientele.ClientID]clientele.Client
	absent   map[key]struct{} // hashes with no session: one never comes back

	hits, misses, stored, refused, dropped, flushes atomic.Uint64
}

// New returns an empty cache holding at most max sessions (and as many
// clients and agencies), which serves nothing until Serve.
func New(max int) *Cache {
	if max < 1 {
		max = 1
	}
	c := &Cache{base: time.Now(), max: max}
	c.reset()
	return c
}

func (c *Cache) reset() {
	c.sessions = make(map[key]authn.Resolved)
	c.byUser = make(map[clientele.UserID]map[key]struct{})
	c.byClient = make(map[clientele.ClientID]map[key]struct{})
	c.agencies = make(map[clientele.AgencyID]clientele.Agency)
	c.clients = make(map[clientele.ClientID]clientele.Client)
	c.absent = make(map[key]struct{})
}

// Serve lets the cache answer until the monotonic time until (a lease
// that the owner holds); Stop ends that at once.
func (c *Cache) Serve(until time.Time) {
	d := until.Sub(c.base)
	if d <= 0 {
		d = -1
	}
	c.until.Store(int64(d))
}

// Stop makes the cache answer nothing and store nothing until the next
// Serve; it keeps its entries (see Flush).
func (c *Cache) Stop() { c.until.Store(0) }

// Serving reports whether the cache may answer now.
func (c *Cache) Serving() bool {
	u := c.until.Load()
	return u > 0 && int64(time.Since(c.base)) < u
}

// Gen returns the generation to pass to a Put of a value read from the
// database after this call.
func (c *Cache) Gen() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// Session returns the cached resolution of a session hash.
func (c *Cache) Session(hash []byte) (authn.Resolved, bool) {
	if len(hash) != len(key{}) || !c.Serving() {
		return authn.Resolved{}, false
	}
	c.mu.RLock()
	r, ok := c.sessions[key(hash)]
	c.mu.RUnlock()
	if !ok {
		c.misses.Add(1)
		return authn.Resolved{}, false
	}
	c.hits.Add(1)
	r.Session.TokenHash = hash // equal to the stored one, and the caller's own
	r.Permissions = slices.Clone(r.Permissions)
	return r, true
}

// PutSession stores r if nothing was applied since gen and the cache is
// serving.
func (c *Cache) PutSession(gen uint64, r authn.Resolved) {
	if len(r.Session.TokenHash) != len(key{}) {
		return
	}
	k := key(r.Session.TokenHash)
	r.Session.TokenHash = slices.Clone(r.Session.TokenHash)
	r.Permissions = slices.Clone(r.Permissions)
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.Serving() {
		c.refused.Add(1)
		return
	}
	if _, ok := c.sessions[k]; !ok && len(c.sessions) >= c.max {
		for old := range c.sessions { // evict one, in map order
			c.dropSession(old)
			break
		}
	}
	c.sessions[k] = r
	add(c.byUser, r.Session.UserID, k)
	add(c.byClient, r.Session.ClientID, k)
	c.stored.Add(1)
}

// Absent reports a hash known to have no session. A session token is 32
// random bytes made when the session is, so a hash found without a
// session (none, expired, or ended) never gets one later; CreatedSession
// clears the mark for a hash this process creates all the same.
func (c *Cache) Absent(hash []byte) bool {
	if len(hash) != len(key{}) || !c.Serving() {
		return false
	}
	c.mu.RLock()
	_, ok := c.absent[key(hash)]
	c.mu.RUnlock()
	return ok
}

// PutAbsent marks hash as having no session, as PutSession stores.
func (c *Cache) PutAbsent(gen uint64, hash []byte) {
	if len(hash) != len(key{}) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.Serving() {
		c.refused.Add(1)
		return
	}
	if len(c.absent) >= c.max {
		clear(c.absent)
	}
	c.absent[key(hash)] = struct{}{}
}

// CreatedSession clears an absent mark of hash.
func (c *Cache) CreatedSession(hash []byte) {
	if len(hash) != len(key{}) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.absent, key(hash))
}

// TouchSession records a new last-seen time of a cached session (the
// owner wrote it to the database); it is not an authority change.
func (c *Cache) TouchSession(hash []byte, at time.Time) {
	if len(hash) != len(key{}) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.sessions[key(hash)]; ok && at.After(r.Session.LastSeenAt) {
		r.Session.LastSeenAt = at
		c.sessions[key(hash)] = r
	}
}

// Agency returns a cached agency.
func (c *Cache) Agency(id clientele.AgencyID) (clientele.Agency, bool) {
	if !c.Serving() {
		return clientele.Agency{}, false
	}
	c.mu.RLock()
	a, ok := c.agencies[id]
	c.mu.RUnlock()
	return a, ok
}

// PutAgency stores a as PutSession does.
func (c *Cache) PutAgency(gen uint64, a clientele.Agency) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.Serving() {
		c.refused.Add(1)
		return
	}
	if _, ok := c.agencies[a.ID]; !ok && len(c.agencies) >= c.max {
		clear(c.agencies)
	}
	c.agencies[a.ID] = a
}

// Client returns a cached client.
func (c *Cache) Client(id clientele.ClientID) (clientele.Client, bool) {
	if !c.Serving() {
		return clientele.Client{}, false
	}
	c.mu.RLock()
	cl, ok := c.clients[id]
	c.mu.RUnlock()
	if ok {
		cl.Permissions = slices.Clone(cl.Permissions)
	}
	return cl, ok
}

// PutClient stores cl as PutSession does.
func (c *Cache) PutClient(gen uint64, cl clientele.Client) {
	cl.Permissions = slices.Clone(cl.Permissions)
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.Serving() {
		c.refused.Add(1)
		return
	}
	if _, ok := c.clients[cl.ID]; !ok && len(c.clients) >= c.max {
		clear(c.clients)
	}
	c.clients[cl.ID] = cl
}

// Apply drops everything the changes touch and bumps the generation, so
// that no fill begun before it stores what it read.
func (c *Cache) Apply(changes []Change) {
	if len(changes) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, ch := range changes {
		switch ch.Kind {
		case Member, User:
			// A user's sessions in every client: memberships of one user
			// are few, and a user id is unique.
			for k := range c.byUser[ch.UserID] {
				c.dropSession(k)
			}
		case Client:
			for k := range c.byClient[ch.ClientID] {
				c.dropSession(k)
			}
			delete(c.clients, ch.ClientID)
		case Session:
			if len(ch.TokenHash) == len(key{}) {
				c.dropSession(key(ch.TokenHash))
			}
		case Agency:
			delete(c.agencies, ch.AgencyID)
		default: // a kind this version does not know: drop everything
			c.flushLocked()
		}
	}
}

// Flush drops every entry and bumps the generation.
func (c *Cache) Flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.flushLocked()
}

func (c *Cache) flushLocked() {
	c.dropped.Add(uint64(len(c.sessions)))
	c.flushes.Add(1)
	c.reset()
}

// Stats returns the counters so far.
func (c *Cache) Stats() Stats {
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Stored: c.stored.Load(),
		Refused: c.refused.Load(), Dropped: c.dropped.Load(), Flushes: c.flushes.Load()}
}

// Len returns the number of cached sessions.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.sessions)
}

func (c *Cache) dropSession(k key) {
	r, ok := c.sessions[k]
	if !ok {
		return
	}
	delete(c.sessions, k)
	remove(c.byUser, r.Session.UserID, k)
	remove(c.byClient, r.Session.ClientID, k)
	c.dropped.Add(1)
}

func add[K comparable](index map[K]map[key]struct{}, id K, k key) {
	set := index[id]
	if set == nil {
		set = make(map[key]struct{})
		index[id] = set
	}
	set[k] = struct{}{}
}

func remove[K comparable](index map[K]map[key]struct{}, id K, k key) {
	if set := index[id]; set != nil {
		delete(set, k)
		if len(set) == 0 {
			delete(index, id)
		}
	}
}
