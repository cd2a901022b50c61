package tenancy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/memory"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// outbox is a Mailer that keeps every message instead of sending it.
type outbox struct {
	mu   sync.Mutex
	sent []invite.Message
}

func (o *outbox) Send(_ context.Context, m invite.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}

func (o *outbox) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.sent)
}

// token returns the invitation token of the last message.
func (o *outbox) token() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	link := o.sent[len(o.sent)-1].Link
	return link[strings.LastIndex(link, "/")+1:]
}

// portal is Clientele wired by hand on the in-memory store, with one
// agency and one client.
type portal struct {
	authz   *rbac.Authorizer
	tenants *tenancy.Service
	invites *invite.Service
	mail    *outbox
	agency  clientele.AgencyID
	client  clientele.Client
}

func newPortal(ctx context.Context) (*portal, error) {
	store := memory.New()
	authz, err := rbac.New(ctx)
	if err != nil {
		return nil, err
	}
	tenants, err := tenancy.New(store, authz)
	if err != nil {
		return nil, err
	}
	// Cheap argon2id parameters keep the example fast; use the defaults in
	// production.
	hasher, err := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	if err != nil {
		return nil, err
	}
	mail := &outbox{}
	invites, err := invite.New(store, authz, mail, "https://portal.example.com", invite.WithPasswordHasher(hasher))
	if err != nil {
		return nil, err
	}
	agency, err := tenants.CreateAgency(ctx, clientele.Branding{Name: "Acme"})
	if err != nil {
		return nil, err
	}
	client, err := tenants.CreateClient(ctx, clientele.AgencyAdmin(agency.ID), "Globex")
	if err != nil {
		return nil, err
	}
	return &portal{authz: authz, tenants: tenants, invites: invites, mail: mail, agency: agency.ID, client: client}, nil
}

// join invites email to the client as the agency and accepts the link.
func (p *portal) join(ctx context.Context, email string, role clientele.Role) (clientele.Member, error) {
	if _, err := p.invites.Create(ctx, clientele.AgencyAdmin(p.agency), p.client.ID, email, role); err != nil {
		return clientele.Member{}, err
	}
	return p.invites.Accept(ctx, invite.AcceptRequest{Token: p.mail.token(), Name: email, Password: "correct horse battery"})
}

// principal resolves user as the host does at the start of each request.
func (p *portal) principal(ctx context.Context, user clientele.UserID) (clientele.Principal, error) {
	m, err := p.tenants.Member(ctx, clientele.AgencyAdmin(p.agency), p.client.ID, user)
	if err != nil {
		return clientele.Principal{}, err
	}
	return clientele.ClientUser(p.agency, m.ClientID, m.UserID, m.Role), nil
}

// An Admin promotes a Member to Admin. The new role holds from the
// member's next request: its freshly resolved principal may invite.
func ExampleService_ChangeRole() {
	ctx := context.Background()
	p, err := newPortal(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	ada, err := p.join(ctx, "ada@globex.example", clientele.RoleAdmin)
	if err != nil {
		fmt.Println(err)
		return
	}
	bob, err := p.join(ctx, "bob@globex.example", clientele.RoleMember)
	if err != nil {
		fmt.Println(err)
		return
	}
	asAda, err := p.principal(ctx, ada.UserID)
	if err != nil {
		fmt.Println(err)
		return
	}
	asBob, err := p.principal(ctx, bob.UserID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.authz.Decide(ctx, asBob, rbac.ActionInvite, p.client.Permissions))

	m, err := p.tenants.ChangeRole(ctx, asAda, p.client.ID, bob.UserID, clientele.RoleAdmin)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("bob is now:", m.Role)

	asBob, err = p.principal(ctx, bob.UserID) // bob's next request
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.authz.Decide(ctx, asBob, rbac.ActionInvite, p.client.Permissions))
	// Output:
	// member may not invitations.create: no rule for the role
	// bob is now: admin
	// admin may invitations.create
}

// An Admin removes a Member at once. The member leaves the user list, and
// nobody is emailed.
func ExampleService_Remove() {
	ctx := context.Background()
	p, err := newPortal(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	ada, err := p.join(ctx, "ada@globex.example", clientele.RoleAdmin)
	if err != nil {
		fmt.Println(err)
		return
	}
	bob, err := p.join(ctx, "bob@globex.example", clientele.RoleMember)
	if err != nil {
		fmt.Println(err)
		return
	}
	asAda, err := p.principal(ctx, ada.UserID)
	if err != nil {
		fmt.Println(err)
		return
	}
	sent := p.mail.count()

	if err := p.tenants.Remove(ctx, asAda, p.client.ID, bob.UserID); err != nil {
		fmt.Println(err)
		return
	}
	page, err := p.tenants.ListUsers(ctx, asAda, p.client.ID, tenancy.Page{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range page.Users {
		fmt.Println(e.Email, e.Role, e.Status)
	}
	_, err = p.tenants.Member(ctx, asAda, p.client.ID, bob.UserID)
	fmt.Println("bob not found:", errors.Is(err, clientele.ErrNotFound))
	fmt.Println("emails sent:", p.mail.count()-sent)
	// Output:
	// ada@globex.example admin active
	// bob not found: true
	// emails sent: 0
}
