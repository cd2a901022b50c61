package conformance

import (
	"context"
	"testing"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/tenancy"
)

// Store is what the suite tests: every store interface of Clientele.
type Store interface {
	tenancy.Store
	invite.Store
	invite.OutboxStore
	authn.Store
	// PasswordHash returns the id and the stored password hash of agency's
	// user with email, or clientele.ErrNotFound.
	PasswordHash(ctx context.Context, agency clientele.AgencyID, email clientele.Email) (clientele.UserID, string, error)
}

// Run runs the suite. newStore returns a fresh, empty store for each
// subtest; it may register cleanups on t.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	t.Run("Agency", func(t *testing.T) { testAgency(t, newStore) })
	t.Run("Client", func(t *testing.T) { testClient(t, newStore) })
	t.Run("Invitation", func(t *testing.T) { testInvitation(t, newStore) })
	t.Run("Replace", func(t *testing.T) { testReplace(t, newStore) })
	t.Run("Accept", func(t *testing.T) { testAccept(t, newStore) })
	t.Run("Outbox", func(t *testing.T) { testOutbox(t, newStore) })
	t.Run("Member", func(t *testing.T) { testMember(t, newStore) })
	t.Run("ListUsers", func(t *testing.T) { testListUsers(t, newStore) })
	t.Run("KeepAdmin", func(t *testing.T) { testKeepAdmin(t, newStore) })
	t.Run("Scope", func(t *testing.T) { testScope(t, newStore) })
	t.Run("Authn", func(t *testing.T) { testAuthn(t, newStore) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, newStore) })
	t.Run("Concurrency", func(t *testing.T) { RunConcurrency(t, newStore, DefaultLoad) })
}
