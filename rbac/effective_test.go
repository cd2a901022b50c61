package rbac_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/rbac"
)

func TestEffective(t *testing.T) {
	ctx := context.Background()
	authz, err := rbac.New(ctx, rbac.WithRules(rbac.Rule{Subject: rbac.SubjectMember, Action: "tickets.open", Requires: "support"}),
		rbac.WithPermissions("unused"))
	require.NoError(t, err)

	agency := clientele.AgencyAdmin("agc_1")
	admin := clientele.ClientUser("agc_1", "cli_1", "usr_1", clientele.RoleAdmin)
	member := clientele.ClientUser("agc_1", "cli_1", "usr_2", clientele.RoleMember)
	all := clientele.NewPermissionSet(clientele.PermManageBilling, clientele.PermViewReports, clientele.PermExportData, "support", "unused")

	tests := []struct {
		name  string
		p     clientele.Principal
		perms clientele.PermissionSet
		want  []clientele.Permission
	}{
		{"the agency admin's features need no client permission", agency, all, nil},
		{"admin uses every built-in feature", admin, all,
			[]clientele.Permission{clientele.PermExportData, clientele.PermManageBilling, clientele.PermViewReports}},
		{"member never gets billing, gets the host's feature", member, all,
			[]clientele.Permission{clientele.PermExportData, "support", clientele.PermViewReports}},
		{"only what the client has", admin, clientele.NewPermissionSet(clientele.PermViewReports), []clientele.Permission{clientele.PermViewReports}},
		{"member with billing only uses nothing", member, clientele.NewPermissionSet(clientele.PermManageBilling), nil},
		{"no permissions", admin, nil, nil},
		{"invalid principal", clientele.Principal{}, all, nil},
		{"malformed client user", clientele.ClientUser("agc_1", "cli_1", "usr_1", "owner"), all, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, authz.Effective(ctx, tt.p, tt.perms))
		})
	}
}

func TestEffectiveZeroAuthorizer(t *testing.T) {
	var authz *rbac.Authorizer
	admin := clientele.ClientUser("agc_1", "cli_1", "usr_1", clientele.RoleAdmin)
	assert.Nil(t, authz.Effective(context.Background(), admin, clientele.NewPermissionSet(clientele.PermViewReports)))
	assert.Nil(t, (&rbac.Authorizer{}).Effective(context.Background(), admin, clientele.NewPermissionSet(clientele.PermViewReports)))
}
