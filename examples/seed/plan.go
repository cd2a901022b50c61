package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/invite"
)

// seedPermissions are every seeded client's permissions.
var seedPermissions = clientele.NewPermissionSet(clientele.PermViewReports, clientele.PermManageBilling)

// plan is what one run writes, fixed at its start and read-only after.
type plan struct {
	cfg          Config
	agency       agencyRow
	tag          string // in every email's domain: seed<tag>.example
	now, expires time.Time
	passwordHash string // the one hash every user shares
	permissions  string // sorted names joined by ",", as bunstore stores them
}

// newPlan reads the clock once and hashes cfg.Password once with
// authn/password's defaults.
func newPlan(ctx context.Context, cfg Config, now time.Time) (*plan, error) {
	b, err := (clientele.Branding{Name: cfg.AgencyName}).Normalize()
	if err != nil {
		return nil, err
	}
	h, err := password.New()
	if err != nil {
		return nil, err
	}
	hash, err := h.Hash(ctx, cfg.Password)
	if err != nil {
		return nil, fmt.Errorf("hash the shared password: %w", err)
	}
	// The databases keep microseconds; so the rows read back equal the
	// ones written.
	now = now.UTC().Truncate(time.Microsecond)
	id := clientele.NewID("agy")
	names := make([]string, len(seedPermissions))
	for i, p := range seedPermissions {
		names[i] = string(p)
	}
	return &plan{
		cfg:          cfg,
		agency:       agencyRow{ID: id, Name: b.Name, CreatedAt: now},
		tag:          id[len("agy_"):][:8],
		now:          now,
		expires:      now.Add(invite.DefaultTTL),
		passwordHash: hash,
		permissions:  strings.Join(names, ","),
	}, nil
}

// chunk is a run of consecutive clients written in one transaction. It
// keeps their ids and their users' ids, which later tables refer to.
type chunk struct {
	first   int      // number of the first client, from 1
	clients []string // ids
	users   []string // ids, UsersPerClient per client in order
}

func (p *plan) newChunk(first, n int) *chunk {
	ch := &chunk{first: first, clients: make([]string, n), users: make([]string, n*p.cfg.UsersPerClient)}
	for i := range ch.clients {
		ch.clients[i] = clientele.NewID("cli")
	}
	for i := range ch.users {
		ch.users[i] = clientele.NewID("usr")
	}
	return ch
}

func (p *plan) userEmail(client, n int) string {
	return fmt.Sprintf("u%06d-%d@seed%s.example", client, n, p.tag)
}

func (p *plan) invitationEmail(client, n int) string {
	return fmt.Sprintf("i%06d-%d@seed%s.example", client, n, p.tag)
}

// client returns the chunk's i-th client.
func (p *plan) client(ch *chunk, i int) clientRow {
	return clientRow{ID: ch.clients[i], AgencyID: p.agency.ID, Name: fmt.Sprintf("Client %06d", ch.first+i),
		Permissions: p.permissions, CreatedAt: p.now}
}

// user returns the chunk's i-th user: user i%M+1 of client i/M.
func (p *plan) user(ch *chunk, i int) userRow {
	c, n := ch.first+i/p.cfg.UsersPerClient, i%p.cfg.UsersPerClient+1
	return userRow{ID: ch.users[i], AgencyID: p.agency.ID, Email: p.userEmail(c, n),
		Name: p.userName(c, n), PasswordHash: p.passwordHash, CreatedAt: p.now}
}

// userName is the name of user n of client c.
func (p *plan) userName(c, n int) string { return fmt.Sprintf("Seed User %06d-%d", c, n) }

// membership returns the i-th user's active membership in its client: an
// Admin for each client's first user, a Member for the others.
func (p *plan) membership(ch *chunk, i int) membershipRow {
	c, n := i/p.cfg.UsersPerClient, i%p.cfg.UsersPerClient+1
	role := clientele.RoleMember
	if n == 1 {
		role = clientele.RoleAdmin
	}
	return membershipRow{ClientID: ch.clients[c], UserID: ch.users[i], Email: p.userEmail(ch.first+c, n),
		Name: p.userName(ch.first+c, n), Role: string(role), Status: string(clientele.StatusActive), CreatedAt: p.now}
}

// invitation returns the chunk's i-th invitation: invitation i%K+1 of
// client i/K, sent by the client's Admin, pending until now+7 days. Its
// token hash is the SHA-256 of 32 random bytes that are then discarded, so
// it is unique but nobody holds a link that accepts it.
func (p *plan) invitation(ch *chunk, i int) invitationRow {
	k := p.cfg.InvitationsPerClient
	c, n := i/k, i%k+1
	var token [32]byte
	_, _ = rand.Read(token[:]) // crypto/rand.Read never returns an error (Go 1.24+).
	sum := sha256.Sum256(token[:])
	return invitationRow{ID: clientele.NewID("inv"), AgencyID: p.agency.ID, ClientID: ch.clients[c],
		Email: p.invitationEmail(ch.first+c, n), Role: string(clientele.RoleMember),
		Status: string(clientele.InvitationPending), TokenHash: sum[:], InvitedBy: ch.users[c*p.cfg.UsersPerClient],
		CreatedAt: p.now, ExpiresAt: p.expires}
}

// counts are rows written per table.
type counts struct {
	Agencies, Clients, Users, Memberships, Invitations int64
}

func (c counts) total() int64 {
	return c.Agencies + c.Clients + c.Users + c.Memberships + c.Invitations
}

func (c *counts) add(ch *chunk, k int) {
	c.Clients += int64(len(ch.clients))
	c.Users += int64(len(ch.users))
	c.Memberships += int64(len(ch.users))
	c.Invitations += int64(len(ch.clients) * k)
}
