package memory

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/clientele/clientele"
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

// Store keeps agencies, clients, users, memberships, invitations, queued
// emails (invitations and security notices), sessions, passkeys,
// ceremonies, remembered devices, rate-limit counts and the audit log in
// memory. Create one with [New]; it is safe for concurrent use. A change,
// its audit event and its queued email are written under one lock.
type Store struct {
	mu sync.RWMutex

	agencies map[clientele.AgencyID]clientele.Agency
	domains  map[string]clientele.AgencyID // custom domain -> agency

	clients map[clientele.ClientID]clientele.Client

	users  map[clientele.UserID]user
	emails map[userKey]clientele.UserID

	members map[clientele.ClientID]map[clientele.UserID]clientele.Membership

	invitations map[clientele.InvitationID]clientele.Invitation
	hashes      map[string]clientele.InvitationID               // token hash -> invitation
	invited     map[clientele.ClientID][]clientele.InvitationID // client -> its invitations
	deliveries  map[invite.DeliveryID]invite.Delivery

	sessions   map[string]authn.Session     // token hash -> session
	passkeys   map[string]clientele.Passkey // credential id -> passkey
	ceremonies map[string]authn.Ceremony    // id -> ceremony
	devices    map[string]authn.Device      // token hash -> device
	limits     map[limitKey]int             // key and window -> attempts

	audit    []clientele.AuditEvent // in the order written
	auditIDs map[string]struct{}
}

// New returns an empty store.
func New() *Store {
	return &Store{
		agencies:    make(map[clientele.AgencyID]clientele.Agency),
		domains:     make(map[string]clientele.AgencyID),
		clients:     make(map[clientele.ClientID]clientele.Client),
		users:       make(map[clientele.UserID]user),
		emails:      make(map[userKey]clientele.UserID),
		members:     make(map[clientele.ClientID]map[clientele.UserID]clientele.Membership),
		invitations: make(map[clientele.InvitationID]clientele.Invitation),
		hashes:      make(map[string]clientele.InvitationID),
		invited:     make(map[clientele.ClientID][]clientele.InvitationID),
		deliveries:  make(map[invite.DeliveryID]invite.Delivery),
		sessions:    make(map[string]authn.Session),
		passkeys:    make(map[string]clientele.Passkey),
		ceremonies:  make(map[string]authn.Ceremony),
		devices:     make(map[string]authn.Device),
		limits:      make(map[limitKey]int),
		auditIDs:    make(map[string]struct{}),
	}
}

// missingScope reports a call without the agency or client it is confined
// to.
func missingScope(op, what string) error {
	return fmt.Errorf("memory: %s: no %s: %w", op, what, clientele.ErrMissingScope)
}

// invalid reports input that fails validation.
func invalid(op, format string, args ...any) error {
	return fmt.Errorf("memory: %s: %w: %s", op, clientele.ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// cloneTime returns a copy of t, so that the caller and the store never
// share it.
func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func cloneClient(c clientele.Client) clientele.Client {
	c.Permissions = slices.Clone(c.Permissions)
	return c
}

func cloneInvitation(inv clientele.Invitation) clientele.Invitation {
	inv.TokenHash = slices.Clone(inv.TokenHash)
	return inv
}
