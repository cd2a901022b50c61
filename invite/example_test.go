package invite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/memory"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// lastLink is a Mailer that keeps the link of the last message.
type lastLink struct{ link string }

func (m *lastLink) Send(_ context.Context, msg invite.Message) error {
	m.link = msg.Link
	return nil
}

func (m *lastLink) token() string { return m.link[strings.LastIndex(m.link, "/")+1:] }

// An agency invites an Admin to a client; the Admin accepts and may then
// use billing, which the client has; a Member never may.
func Example() {
	ctx := context.Background()
	store := memory.New()
	authz, _ := rbac.New(ctx)
	tenants, _ := tenancy.New(store, authz)
	mail := &lastLink{}
	hasher, _ := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	invites, _ := invite.New(store, authz, mail, "https://portal.example.com", invite.WithPasswordHasher(hasher))

	agency, _ := tenants.CreateAgency(ctx, clientele.Branding{Name: "Acme"})
	staff := clientele.AgencyAdmin(agency.ID)
	client, _ := tenants.CreateClient(ctx, staff, "Globex")
	client, _ = tenants.SetPermissions(ctx, staff, client.ID, []clientele.Permission{clientele.PermManageBilling})

	if _, err := invites.Create(ctx, staff, client.ID, "ada@globex.example", clientele.RoleAdmin); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("link:", strings.HasPrefix(mail.link, "https://portal.example.com/invite/"))

	m, err := invites.Accept(ctx, invite.AcceptRequest{Token: mail.token(), Name: "Ada", Password: "analytical engine"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ada := clientele.ClientUser(agency.ID, client.ID, m.UserID, m.Role)
	fmt.Println("ada billing:", authz.Authorize(ctx, ada, rbac.ActionUseBilling, client.Permissions) == nil)

	_, err = invites.Accept(ctx, invite.AcceptRequest{Token: mail.token(), Name: "Mallory", Password: "analytical engine"})
	fmt.Println("second use:", errors.Is(err, invite.ErrUsed))

	member := clientele.ClientUser(agency.ID, client.ID, "usr_someone", clientele.RoleMember)
	fmt.Println(authz.Decide(ctx, member, rbac.ActionUseBilling, client.Permissions))
	// Output:
	// link: true
	// ada billing: true
	// second use: true
	// member may not billing.use: no rule for the role
}

// With an outbox, Create only queues the email, in the invitation's own
// atomic step; a Deliverer sends it (and retries it if the mail server is
// down). Its link is made at that moment.
func Example_outbox() {
	ctx := context.Background()
	store := memory.New()
	authz, _ := rbac.New(ctx)
	tenants, _ := tenancy.New(store, authz)
	mail := &lastLink{}
	deliverer, _ := invite.NewDeliverer(store, mail, "https://portal.example.com")
	invites, _ := invite.New(store, authz, nil, "https://portal.example.com", invite.WithOutbox(),
		invite.WithOutboxNotify(deliverer.Notify))

	agency, _ := tenants.CreateAgency(ctx, clientele.Branding{Name: "Acme"})
	staff := clientele.AgencyAdmin(agency.ID)
	client, _ := tenants.CreateClient(ctx, staff, "Globex")
	if _, err := invites.Create(ctx, staff, client.ID, "ada@globex.example", clientele.RoleMember); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sent by Create:", mail.link != "")

	sent, err := deliverer.DeliverDue(ctx) // Run(ctx) does this in a loop
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sent by the Deliverer:", sent)
	p, err := invites.Lookup(ctx, mail.token())
	fmt.Println("the link works:", err == nil && p.Email == "ada@globex.example")
	// Output:
	// sent by Create: false
	// sent by the Deliverer: 1
	// the link works: true
}

// A link is never a sign-in: an email that already has an account accepts
// only as that account, once the host has proved the caller is it (by its
// session or current password; authn.Service.AcceptInvitation does this).
func Example_existingAccount() {
	ctx := context.Background()
	store := memory.New()
	authz, _ := rbac.New(ctx)
	tenants, _ := tenancy.New(store, authz)
	mail := &lastLink{}
	hasher, _ := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	invites, _ := invite.New(store, authz, mail, "https://portal.example.com", invite.WithPasswordHasher(hasher))

	agency, _ := tenants.CreateAgency(ctx, clientele.Branding{Name: "Acme"})
	staff := clientele.AgencyAdmin(agency.ID)
	globex, _ := tenants.CreateClient(ctx, staff, "Globex")
	initech, _ := tenants.CreateClient(ctx, staff, "Initech")
	_, _ = invites.Create(ctx, staff, globex.ID, "ada@example.com", clientele.RoleAdmin)
	ada, _ := invites.Accept(ctx, invite.AcceptRequest{Token: mail.token(), Name: "Ada", Password: "analytical engine"})

	_, _ = invites.Create(ctx, staff, initech.ID, "ada@example.com", clientele.RoleMember)
	p, _ := invites.Lookup(ctx, mail.token())
	fmt.Println("has an account:", p.HasAccount)

	_, err := invites.Accept(ctx, invite.AcceptRequest{Token: mail.token(), Name: "Mallory", Password: "mallory's password"})
	fmt.Println("without proof:", errors.Is(err, invite.ErrSignInRequired))

	m, err := invites.Accept(ctx, invite.AcceptRequest{Token: mail.token(), Account: ada.UserID})
	fmt.Println("as Ada:", err == nil && m.UserID == ada.UserID && m.ClientID == initech.ID, m.Name)
	// Output:
	// has an account: true
	// without proof: true
	// as Ada: true Ada
}
