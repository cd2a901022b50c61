package rbac_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/rbac"
)

func ExampleAuthorizer_Decide() {
	ctx := context.Background()
	authz, err := rbac.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	member := clientele.ClientUser("agc_1", "cli_1", "usr_1", clientele.RoleMember)
	perms := clientele.NewPermissionSet(clientele.PermManageBilling, clientele.PermViewReports)

	d := authz.Decide(ctx, member, rbac.ActionUseBilling, perms)
	fmt.Println(d.Allowed, d.Reason)
	fmt.Println(d)

	admin := clientele.ClientUser("agc_1", "cli_1", "usr_2", clientele.RoleAdmin)
	fmt.Println(authz.Decide(ctx, admin, rbac.ActionUseBilling, nil))
	fmt.Println(authz.Decide(ctx, admin, rbac.ActionUseBilling, perms))
	// Output:
	// false no_rule
	// member may not billing.use: no rule for the role
	// admin may not billing.use: client lacks manage_billing
	// admin may billing.use
}

func ExampleWithRules() {
	ctx := context.Background()
	const openTicket rbac.Action = "tickets.open"
	authz, err := rbac.New(ctx, rbac.WithRules(
		rbac.Rule{Subject: rbac.SubjectMember, Action: openTicket, Requires: "support"},
	))
	if err != nil {
		fmt.Println(err)
		return
	}
	member := clientele.ClientUser("agc_1", "cli_1", "usr_1", clientele.RoleMember)

	fmt.Println(authz.Known("support"))
	fmt.Println(authz.Decide(ctx, member, openTicket, clientele.NewPermissionSet("support")))
	fmt.Println(authz.Decide(ctx, member, openTicket, nil))
	// Output:
	// true
	// member may tickets.open
	// member may not tickets.open: client lacks support
}

func ExampleAuthorizer_Authorize() {
	ctx := context.Background()
	authz, err := rbac.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	admin := clientele.ClientUser("agc_1", "cli_1", "usr_1", clientele.RoleAdmin)

	err = authz.Authorize(ctx, admin, rbac.ActionDeactivateUser, nil)
	var denied *rbac.DeniedError
	if errors.As(err, &denied) {
		fmt.Println(errors.Is(err, rbac.ErrDenied), denied.Decision.Reason)
	}
	fmt.Println(err)
	// Output:
	// true no_rule
	// rbac: denied: admin may not users.deactivate: no rule for the role
}

func ExampleAuthorizer_Allowed() {
	ctx := context.Background()
	authz, err := rbac.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	member := clientele.ClientUser("agc_1", "cli_1", "usr_1", clientele.RoleMember)
	fmt.Println(authz.Allowed(ctx, member, clientele.NewPermissionSet(clientele.PermViewReports)))
	// Output:
	// [clients.view reports.use users.list]
}
