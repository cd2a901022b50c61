// Command quickstart walks Clientele's whole lifecycle in one process, on
// the in-memory store, and prints each step: an agency brands its portal,
// creates a client and enables billing, invites an Admin who accepts and
// invites a Member; the rules decide who may use billing; a role change
// holds at once; a resend kills the old link; a removal is immediate; and
// every change to access is in the audit log.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/memory"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// outbox is a Mailer that keeps the last link sent to each address.
type outbox struct {
	mu    sync.Mutex
	links map[clientele.Email]string
	w     func(format string, args ...any)
}

func (o *outbox) Send(_ context.Context, m invite.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.links[m.To] = m.Link
	o.w("   mail to %s: %q\n", m.To, m.Subject)
	return nil
}

func (o *outbox) token(to clientele.Email) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	l := o.links[to]
	return l[strings.LastIndex(l, "/")+1:]
}

func run(ctx context.Context, w interface{ Write([]byte) (int, error) }) error {
	say := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	store := memory.New()
	authz, err := rbac.New(ctx)
	if err != nil {
		return err
	}
	tenants, err := tenancy.New(store, authz, tenancy.WithClock(clock))
	if err != nil {
		return err
	}
	mail := &outbox{links: map[clientele.Email]string{}, w: say}
	invites, err := invite.New(store, authz, mail, "http://127.0.0.1:8080", invite.WithClock(clock))
	if err != nil {
		return err
	}

	say("1. The platform creates an agency and brands its portal\n")
	agency, err := tenants.CreateAgency(ctx, clientele.Branding{Name: "Northwind Agency"})
	if err != nil {
		return err
	}
	staff := clientele.AgencyAdmin(agency.ID)
	agency, err = tenants.SetBranding(ctx, staff, clientele.Branding{Name: "Northwind Agency",
		LogoURL: "https://northwind.example/logo.png", PrimaryColor: "#0F766E", CustomDomain: "portal.northwind.example"})
	if err != nil {
		return err
	}
	say("   %s, color %s, portal %s\n", agency.Branding.Name, agency.Branding.PrimaryColor, agency.Branding.PortalURL(""))

	say("2. The agency creates a client and enables billing and reports\n")
	client, err := tenants.CreateClient(ctx, staff, "Globex")
	if err != nil {
		return err
	}
	client, err = tenants.SetPermissions(ctx, staff, client.ID, []clientele.Permission{clientele.PermManageBilling, clientele.PermViewReports})
	if err != nil {
		return err
	}
	say("   client %s has %v\n", client.Name, client.Permissions)

	say("3. The agency invites Ada as the client's Admin\n")
	if _, err := invites.Create(ctx, staff, client.ID, "ada@globex.example", clientele.RoleAdmin); err != nil {
		return err
	}
	say("4. Ada opens the link and sets up her account with a password\n")
	adaM, err := invites.Accept(ctx, invite.AcceptRequest{Token: mail.token("ada@globex.example"), Name: "Ada Lovelace", Password: "analytical engine"})
	if err != nil {
		return err
	}
	ada := clientele.ClientUser(agency.ID, client.ID, adaM.UserID, adaM.Role)
	say("   %s is now %s of %s\n", adaM.Name, adaM.Role, client.Name)

	say("5. Ada (Admin) invites Bob as a Member; Bob accepts\n")
	if _, err := invites.Create(ctx, ada, client.ID, "bob@globex.example", clientele.RoleMember); err != nil {
		return err
	}
	bobM, err := invites.Accept(ctx, invite.AcceptRequest{Token: mail.token("bob@globex.example"), Name: "Bob", Password: "hunter2hunter2"})
	if err != nil {
		return err
	}
	bob := clientele.ClientUser(agency.ID, client.ID, bobM.UserID, bobM.Role)

	say("6. Who may use billing? Role and client permission both apply\n")
	for _, p := range []struct {
		name string
		p    clientele.Principal
	}{{"Ada (admin)", ada}, {"Bob (member)", bob}} {
		d := authz.Decide(ctx, p.p, rbac.ActionUseBilling, client.Permissions)
		say("   %-13s billing: %-5v %s\n", p.name, d.Allowed, d)
	}
	if _, err := invites.Create(ctx, bob, client.ID, "eve@globex.example", clientele.RoleAdmin); err != nil {
		say("   Bob may not invite: %v\n", err)
	}

	say("7. Ada promotes Bob to Admin; it holds from his next request\n")
	bobM, err = tenants.ChangeRole(ctx, ada, client.ID, bob.UserID, clientele.RoleAdmin)
	if err != nil {
		return err
	}
	bob = clientele.ClientUser(agency.ID, client.ID, bobM.UserID, bobM.Role)
	say("   Bob billing now: %v\n", authz.Decide(ctx, bob, rbac.ActionUseBilling, client.Permissions).Allowed)

	say("8. Bob invites Carol; the link is resent; the old link dies\n")
	inv, err := invites.Create(ctx, bob, client.ID, "carol@globex.example", clientele.RoleMember)
	if err != nil {
		return err
	}
	oldToken := mail.token("carol@globex.example")
	if _, err := invites.Resend(ctx, bob, client.ID, inv.ID); err != nil {
		return err
	}
	_, err = invites.Lookup(ctx, oldToken)
	say("   old link: %v\n", err)
	say("   The user list: members and pending invitations together\n")
	page, err := tenants.ListUsers(ctx, ada, client.ID, tenancy.Page{})
	if err != nil {
		return err
	}
	for _, u := range page.Users {
		say("   %-22s %-7s %s\n", u.Email, u.Role, u.Status)
	}

	now = now.Add(8 * 24 * time.Hour)
	_, err = invites.Lookup(ctx, mail.token("carol@globex.example"))
	say("   new link, 8 days later: %v\n", err)

	say("9. Ada removes Bob at once; nobody is notified\n")
	if err := tenants.Remove(ctx, ada, client.ID, bob.UserID); err != nil {
		return err
	}
	_, err = tenants.Member(ctx, ada, client.ID, bob.UserID)
	say("   Bob's membership is gone: %v\n", errors.Is(err, clientele.ErrNotFound))

	say("10. Ada cannot remove herself: she is the last Admin\n")
	err = tenants.Remove(ctx, ada, client.ID, ada.UserID)
	say("   refused, last Admin: %v\n", errors.Is(err, tenancy.ErrLastAdmin))

	say("11. Ada reads her client's audit log; the refused removal left nothing\n")
	log, err := tenants.ListAudit(ctx, ada, client.ID, tenancy.Page{Limit: tenancy.MaxLimit})
	if err != nil {
		return err
	}
	names := map[string]string{string(adaM.UserID): "Ada", string(bobM.UserID): "Bob"}
	newest := log.Events[0]
	say("   %d events; newest: %s of %s by %s (before: %s)\n", len(log.Events), newest.Action,
		names[newest.Target], names[newest.Actor], newest.Before)
	_, err = tenants.ListAudit(ctx, ada, "", tenancy.Page{})
	say("   the agency's whole log is the agency's: %v\n", errors.Is(err, rbac.ErrDenied))
	return nil
}
