package tenancy_test

import (
	"context"
	"fmt"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

// An Admin's role change is in the client's audit log with who made it,
// the role before and after, and the IP the request came from; the host's
// middleware puts that IP in the context.
func ExampleService_ListAudit() {
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
	req := clientele.WithSourceIP(ctx, "203.0.113.9")
	if _, err := p.tenants.ChangeRole(req, asAda, p.client.ID, bob.UserID, clientele.RoleAdmin); err != nil {
		fmt.Println(err)
		return
	}

	page, err := p.tenants.ListAudit(ctx, asAda, p.client.ID, tenancy.Page{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("events:", len(page.Events))
	for _, ev := range page.Events {
		if ev.Action == clientele.AuditMemberRole {
			fmt.Println(ev.Action, ev.Actor == string(ada.UserID), ev.Target == string(bob.UserID), ev.Before, "->", ev.After, ev.IP)
		}
	}
	_, err = p.tenants.ListAudit(ctx, asAda, "", tenancy.Page{})
	fmt.Println(err)
	// Output:
	// events: 5
	// member.role true true member -> admin 203.0.113.9
	// rbac: denied: the agency's audit log is the agency admin's
}
