package clienteletest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/memory"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// BaseURL is the portal URL the environment's links use.
const BaseURL = "https://portal.test"

// Password is the password of every user AddUser sets up.
const Password = "correct horse battery"

// Start is where the environment's clock stands at first.
var Start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Env is a ready in-memory Clientele for one test.
type Env struct {
	Store      *memory.Store
	Clock      *Clock
	Mailer     *Mailer
	Authorizer *rbac.Authorizer
	Tenancy    *tenancy.Service
	Invites    *invite.Service
	// Authn signs users in and resolves sessions.
	Authn *authn.Service
	// Agency is the environment's agency, branded "Acme Agency".
	Agency clientele.Agency
}

// New returns a fresh environment; it fails t on any setup error.
func New(t testing.TB) *Env {
	t.Helper()
	ctx := context.Background()
	e := &Env{Store: memory.New(), Clock: NewClock(Start), Mailer: &Mailer{}}
	var err error
	e.Authorizer, err = rbac.New(ctx)
	require.NoError(t, err)
	e.Tenancy, err = tenancy.New(e.Store, e.Authorizer, tenancy.WithClock(e.Clock.Now))
	require.NoError(t, err)
	hasher, err := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	require.NoError(t, err)
	e.Invites, err = invite.New(e.Store, e.Authorizer, e.Mailer, BaseURL,
		invite.WithClock(e.Clock.Now), invite.WithPasswordHasher(hasher))
	require.NoError(t, err)
	e.Authn, err = authn.New(e.Store, e.Invites, BaseURL, authn.WithClock(e.Clock.Now), authn.WithPasswordHasher(hasher))
	require.NoError(t, err)
	e.Agency, err = e.Tenancy.CreateAgency(ctx, clientele.Branding{Name: "Acme Agency", PrimaryColor: "#0f766e"})
	require.NoError(t, err)
	return e
}

// AgencyAdmin returns the principal of the environment's agency admin.
func (e *Env) AgencyAdmin() clientele.Principal { return clientele.AgencyAdmin(e.Agency.ID) }

// NewClient creates a client with the given permissions.
func (e *Env) NewClient(t testing.TB, name string, perms ...clientele.Permission) clientele.Client {
	t.Helper()
	ctx := context.Background()
	c, err := e.Tenancy.CreateClient(ctx, e.AgencyAdmin(), name)
	require.NoError(t, err)
	if len(perms) > 0 {
		c, err = e.Tenancy.SetPermissions(ctx, e.AgencyAdmin(), c.ID, perms)
		require.NoError(t, err)
	}
	return c
}

// AddUser invites email to client with role as the agency admin and
// accepts the invitation through the captured email, as a real user
// would: a new account with [Password], or the agency's existing user
// with email, proving to be that user. It returns the member and its principal.
func (e *Env) AddUser(t testing.TB, client clientele.ClientID, email string, role clientele.Role) (clientele.Member, clientele.Principal) {
	t.Helper()
	ctx := context.Background()
	_, err := e.Invites.Create(ctx, e.AgencyAdmin(), client, email, role)
	require.NoError(t, err)
	token, err := e.Mailer.TokenTo(email)
	require.NoError(t, err)
	req := invite.AcceptRequest{Token: token, Name: "User " + email, Password: Password}
	if addr, err := clientele.ParseEmail(email); err == nil {
		if u, err := e.Store.UserByEmail(ctx, e.Agency.ID, addr); err == nil {
			// An existing account: the user proves who they are instead.
			req = invite.AcceptRequest{Token: token, Account: u.ID}
		}
	}
	m, err := e.Invites.Accept(ctx, req)
	require.NoError(t, err)
	return m, e.Principal(m)
}

// Principal returns the principal of member m as a request would resolve
// it now.
func (e *Env) Principal(m clientele.Member) clientele.Principal {
	return clientele.ClientUser(e.Agency.ID, m.ClientID, m.UserID, m.Role)
}

// Admin adds a fresh Admin to client and returns its principal.
func (e *Env) Admin(t testing.TB, client clientele.ClientID) clientele.Principal {
	t.Helper()
	_, p := e.AddUser(t, client, e.nextEmail("admin"), clientele.RoleAdmin)
	return p
}

// Member adds a fresh Member to client and returns its principal.
func (e *Env) Member(t testing.TB, client clientele.ClientID) clientele.Principal {
	t.Helper()
	_, p := e.AddUser(t, client, e.nextEmail("member"), clientele.RoleMember)
	return p
}

func (e *Env) nextEmail(kind string) string {
	return fmt.Sprintf("%s-%s@example.com", kind, clientele.NewID("u")[2:12])
}

// AuditLog returns the environment agency's whole audit log, newest first:
// every event of the agency when client is empty, else that client's.
func (e *Env) AuditLog(t testing.TB, client clientele.ClientID) []clientele.AuditEvent {
	t.Helper()
	evs, err := e.Store.ListAudit(context.Background(), e.Agency.ID, client, nil, 10_000)
	require.NoError(t, err)
	return evs
}
