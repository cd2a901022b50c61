package pcache

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

func resolved(name, client, user string) authn.Resolved {
	h := sha256.Sum256([]byte(name))
	return authn.Resolved{
		Session:     authn.Session{TokenHash: h[:], ClientID: clientele.ClientID(client), UserID: clientele.UserID(user)},
		Member:      clientele.Member{Membership: clientele.Membership{ClientID: clientele.ClientID(client), UserID: clientele.UserID(user), Role: clientele.RoleMember}},
		Permissions: clientele.PermissionSet{clientele.PermViewReports},
	}
}

func serving(max int) *Cache {
	c := New(max)
	c.Serve(time.Now().Add(time.Hour))
	return c
}

func TestNothingOutsideALease(t *testing.T) {
	c := New(10)
	r := resolved("s1", "c1", "u1")
	c.PutSession(c.Gen(), r)
	_, ok := c.Session(r.Session.TokenHash)
	assert.False(t, ok, "served before Serve")
	assert.Equal(t, 0, c.Len(), "stored before Serve")

	c.Serve(time.Now().Add(-time.Second))
	assert.False(t, c.Serving(), "a lease in the past")
	c.Serve(time.Now().Add(time.Hour))
	c.PutSession(c.Gen(), r)
	_, ok = c.Session(r.Session.TokenHash)
	assert.True(t, ok)
	c.Stop()
	_, ok = c.Session(r.Session.TokenHash)
	assert.False(t, ok, "served after Stop")
}

func TestApply(t *testing.T) {
	a, b, other := resolved("a", "c1", "u1"), resolved("b", "c1", "u2"), resolved("o", "c2", "u3")
	tests := []struct {
		name   string
		change Change
		gone   []authn.Resolved
		kept   []authn.Resolved
	}{
		{"member", Change{Kind: Member, ClientID: "c1", UserID: "u1"}, []authn.Resolved{a}, []authn.Resolved{b, other}},
		{"user", Change{Kind: User, UserID: "u2"}, []authn.Resolved{b}, []authn.Resolved{a, other}},
		{"client", Change{Kind: Client, ClientID: "c1"}, []authn.Resolved{a, b}, []authn.Resolved{other}},
		{"session", Change{Kind: Session, TokenHash: other.Session.TokenHash}, []authn.Resolved{other}, []authn.Resolved{a, b}},
		{"agency", Change{Kind: Agency, AgencyID: "agy"}, nil, []authn.Resolved{a, b, other}},
		{"unknown kind", Change{Kind: "future"}, []authn.Resolved{a, b, other}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serving(10)
			for _, r := range []authn.Resolved{a, b, other} {
				c.PutSession(c.Gen(), r)
			}
			c.PutClient(c.Gen(), clientele.Client{ID: "c1", AgencyID: "agy"})
			c.PutAgency(c.Gen(), clientele.Agency{ID: "agy"})
			gen := c.Gen()
			c.Apply([]Change{tt.change})
			assert.Greater(t, c.Gen(), gen, "Apply bumps the generation")
			for _, r := range tt.gone {
				_, ok := c.Session(r.Session.TokenHash)
				assert.False(t, ok, "session of %s/%s kept", r.Session.ClientID, r.Session.UserID)
			}
			for _, r := range tt.kept {
				_, ok := c.Session(r.Session.TokenHash)
				assert.True(t, ok, "session of %s/%s dropped", r.Session.ClientID, r.Session.UserID)
			}
			_, clientKept := c.Client("c1")
			assert.Equal(t, tt.change.Kind != Client && tt.change.Kind != "future", clientKept)
			_, agencyKept := c.Agency("agy")
			assert.Equal(t, tt.change.Kind != Agency && tt.change.Kind != "future", agencyKept)
		})
	}
}

// TestFillRace: a value read before a change was applied is not stored
// after it.
func TestFillRace(t *testing.T) {
	c := serving(10)
	r := resolved("s", "c1", "u1")
	gen := c.Gen() // a fill starts
	c.Apply([]Change{{Kind: Member, ClientID: "c1", UserID: "u1"}})
	c.PutSession(gen, r)
	c.PutClient(gen, clientele.Client{ID: "c1"})
	c.PutAgency(gen, clientele.Agency{ID: "agy"})
	_, ok := c.Session(r.Session.TokenHash)
	assert.False(t, ok)
	_, ok = c.Client("c1")
	assert.False(t, ok)
	_, ok = c.Agency("agy")
	assert.False(t, ok)
	assert.Equal(t, uint64(3), c.Stats().Refused)

	gen = c.Gen()
	c.Flush()
	c.PutSession(gen, r)
	_, ok = c.Session(r.Session.TokenHash)
	assert.False(t, ok, "a fill across a flush")
}

func TestBoundAndCopies(t *testing.T) {
	c := serving(2)
	for _, n := range []string{"a", "b", "c"} {
		c.PutSession(c.Gen(), resolved(n, "c1", "u-"+n))
	}
	assert.Equal(t, 2, c.Len())

	r := resolved("d", "c2", "u4")
	c.PutSession(c.Gen(), r)
	got, ok := c.Session(r.Session.TokenHash)
	require.True(t, ok)
	got.Permissions[0] = clientele.PermManageBilling
	again, _ := c.Session(r.Session.TokenHash)
	assert.Equal(t, clientele.PermissionSet{clientele.PermViewReports}, again.Permissions, "a caller changed the cache")

	seen := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	c.TouchSession(r.Session.TokenHash, seen)
	again, _ = c.Session(r.Session.TokenHash)
	assert.Equal(t, seen, again.Session.LastSeenAt)
	c.TouchSession(r.Session.TokenHash, seen.Add(-time.Minute))
	again, _ = c.Session(r.Session.TokenHash)
	assert.Equal(t, seen, again.Session.LastSeenAt, "a touch never moves back")
}

func TestAbsent(t *testing.T) {
	c := New(2)
	h := resolved("gone", "c1", "u1").Session.TokenHash
	c.PutAbsent(c.Gen(), h)
	assert.False(t, c.Absent(h), "marked outside a lease")
	c.Serve(time.Now().Add(time.Hour))
	gen := c.Gen()
	c.Flush()
	c.PutAbsent(gen, h)
	assert.False(t, c.Absent(h), "marked across a flush")
	c.PutAbsent(c.Gen(), h)
	assert.True(t, c.Absent(h))
	c.CreatedSession(h)
	assert.False(t, c.Absent(h), "a session made here clears the mark")
	for _, n := range []string{"a", "b", "c"} {
		c.PutAbsent(c.Gen(), resolved(n, "c1", "u1").Session.TokenHash)
	}
	c.mu.RLock()
	assert.LessOrEqual(t, len(c.absent), 2, "bounded")
	c.mu.RUnlock()
}
