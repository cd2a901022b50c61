package rbac

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/clientele/clientele"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	agencyAdmin = clientele.AgencyAdmin("agc_1")
	clientAdmin = clientele.ClientUser("agc_1", "cli_1", "usr_1", clientele.RoleAdmin)
	member      = clientele.ClientUser("agc_1", "cli_1", "usr_2", clientele.RoleMember)

	principals = map[Subject]clientele.Principal{
		SubjectAgencyAdmin: agencyAdmin,
		SubjectAdmin:       clientAdmin,
		SubjectMember:      member,
	}

	allActions = []Action{
		ActionListClients, ActionCreateClient, ActionSetPermissions, ActionSetBranding, ActionViewClient,
		ActionListUsers, ActionInvite, ActionResendInvitation, ActionCancelInvitation, ActionChangeRole,
		ActionRemoveUser, ActionDeactivateUser, ActionReactivateUser,
		ActionUseBilling, ActionUseReports, ActionExportData, ActionViewAudit,
	}

	billing = clientele.PermManageBilling
	reports = clientele.PermViewReports
	export  = clientele.PermExportData
)

const (
	open   = clientele.Permission("-") // no permission needed
	denied = clientele.Permission("")  // no rule
)

// wantPolicy is the default policy written out independently of policy.csv.
var wantPolicy = map[Subject]map[Action]clientele.Permission{
	SubjectAgencyAdmin: {
		ActionListClients: open, ActionCreateClient: open, ActionSetPermissions: open, ActionSetBranding: open,
		ActionViewClient: open, ActionListUsers: open, ActionInvite: open, ActionResendInvitation: open,
		ActionCancelInvitation: open, ActionChangeRole: open, ActionRemoveUser: open,
		ActionDeactivateUser: open, ActionReactivateUser: open, ActionViewAudit: open,
		ActionUseBilling: open, ActionUseReports: open, ActionExportData: open,
	},
	SubjectAdmin: {
		ActionViewClient: open, ActionListUsers: open, ActionInvite: open, ActionResendInvitation: open,
		ActionCancelInvitation: open, ActionChangeRole: open, ActionRemoveUser: open, ActionViewAudit: open,
		ActionUseBilling: billing, ActionUseReports: reports, ActionExportData: export,
	},
	SubjectMember: {
		ActionViewClient: open, ActionListUsers: open,
		ActionUseReports: reports, ActionExportData: export,
	},
}

func newAuthorizer(t testing.TB, opts ...Option) *Authorizer {
	t.Helper()
	a, err := New(context.Background(), opts...)
	require.NoError(t, err)
	return a
}

// subsets returns every subset of ps as a PermissionSet.
func subsets(ps ...clientele.Permission) []clientele.PermissionSet {
	var out []clientele.PermissionSet
	for mask := 0; mask < 1<<len(ps); mask++ {
		var s []clientele.Permission
		for i, p := range ps {
			if mask&(1<<i) != 0 {
				s = append(s, p)
			}
		}
		out = append(out, clientele.NewPermissionSet(s...))
	}
	return out
}

func TestDefaultPolicyEverySubjectActionAndPermissionSet(t *testing.T) {
	a := newAuthorizer(t)
	ctx := context.Background()
	for sub, p := range principals {
		for _, act := range allActions {
			for _, perms := range subsets(billing, reports, export) {
				t.Run(fmt.Sprintf("%s/%s/%v", sub, act, perms), func(t *testing.T) {
					d := a.Decide(ctx, p, act, perms)
					assert.Equal(t, sub, d.Subject)
					assert.Equal(t, act, d.Action)
					switch req := wantPolicy[sub][act]; {
					case req == denied:
						assert.Equal(t, Decision{Subject: sub, Action: act, Reason: ReasonNoRule}, d)
					case req == open || perms.Has(req):
						assert.Equal(t, Decision{Allowed: true, Subject: sub, Action: act, Reason: ReasonAllowed}, d)
					default:
						assert.Equal(t, Decision{Subject: sub, Action: act, Reason: ReasonMissingPermission, Missing: []clientele.Permission{req}}, d)
					}
				})
			}
		}
	}
}

func TestDefaultPolicyNamedCases(t *testing.T) {
	a := newAuthorizer(t)
	all := clientele.NewPermissionSet(billing, reports, export)
	none := clientele.PermissionSet(nil)
	tests := []struct {
		name    string
		p       clientele.Principal
		act     Action
		perms   clientele.PermissionSet
		allowed bool
		reason  Reason
		missing []clientele.Permission
		text    string
	}{
		{"admin needs manage_billing", clientAdmin, ActionUseBilling, clientele.NewPermissionSet(reports), false, ReasonMissingPermission, []clientele.Permission{billing}, "admin may not billing.use: client lacks manage_billing"},
		{"admin with manage_billing", clientAdmin, ActionUseBilling, clientele.NewPermissionSet(billing), true, ReasonAllowed, nil, "admin may billing.use"},
		{"member never billing", member, ActionUseBilling, all, false, ReasonNoRule, nil, "member may not billing.use: no rule for the role"},
		{"member reports need view_reports", member, ActionUseReports, none, false, ReasonMissingPermission, []clientele.Permission{reports}, "member may not reports.use: client lacks view_reports"},
		{"member reports", member, ActionUseReports, clientele.NewPermissionSet(reports), true, ReasonAllowed, nil, "member may reports.use"},
		{"admin export needs export_data", clientAdmin, ActionExportData, clientele.NewPermissionSet(billing, reports), false, ReasonMissingPermission, []clientele.Permission{export}, "admin may not data.export: client lacks export_data"},
		{"agency admin calls features whatever the client has", agencyAdmin, ActionUseBilling, none, true, ReasonAllowed, nil, "agency_admin may billing.use"},
		{"agency admin reports", agencyAdmin, ActionUseReports, all, true, ReasonAllowed, nil, "agency_admin may reports.use"},
		{"agency admin deactivates", agencyAdmin, ActionDeactivateUser, none, true, ReasonAllowed, nil, "agency_admin may users.deactivate"},
		{"admin cannot deactivate", clientAdmin, ActionDeactivateUser, all, false, ReasonNoRule, nil, "admin may not users.deactivate: no rule for the role"},
		{"admin cannot reactivate", clientAdmin, ActionReactivateUser, all, false, ReasonNoRule, nil, "admin may not users.reactivate: no rule for the role"},
		{"admin cannot set permissions", clientAdmin, ActionSetPermissions, all, false, ReasonNoRule, nil, "admin may not clients.set_permissions: no rule for the role"},
		{"admin cannot brand", clientAdmin, ActionSetBranding, all, false, ReasonNoRule, nil, "admin may not agency.set_branding: no rule for the role"},
		{"admin cannot create clients", clientAdmin, ActionCreateClient, all, false, ReasonNoRule, nil, "admin may not clients.create: no rule for the role"},
		{"member cannot list clients", member, ActionListClients, all, false, ReasonNoRule, nil, "member may not clients.list: no rule for the role"},
		{"admin invites", clientAdmin, ActionInvite, none, true, ReasonAllowed, nil, "admin may invitations.create"},
		{"member cannot invite", member, ActionInvite, all, false, ReasonNoRule, nil, "member may not invitations.create: no rule for the role"},
		{"admin changes roles", clientAdmin, ActionChangeRole, none, true, ReasonAllowed, nil, "admin may users.change_role"},
		{"member cannot change roles", member, ActionChangeRole, all, false, ReasonNoRule, nil, "member may not users.change_role: no rule for the role"},
		{"admin removes users", clientAdmin, ActionRemoveUser, none, true, ReasonAllowed, nil, "admin may users.remove"},
		{"member cannot remove users", member, ActionRemoveUser, all, false, ReasonNoRule, nil, "member may not users.remove: no rule for the role"},
		{"member cannot view audit", member, ActionViewAudit, all, false, ReasonNoRule, nil, "member may not audit.view: no rule for the role"},
		{"member lists users", member, ActionListUsers, none, true, ReasonAllowed, nil, "member may users.list"},
		{"unknown action", clientAdmin, Action("nope.nope"), all, false, ReasonNoRule, nil, "admin may not nope.nope: no rule for the role"},
		{"empty action", clientAdmin, Action(""), all, false, ReasonNoRule, nil, "admin may not : no rule for the role"},
		{"invalid principal", clientele.Principal{}, ActionViewClient, all, false, ReasonUnauthenticated, nil, "unauthenticated principal may not clients.view"},
		{"client user without a role", clientele.ClientUser("agc_1", "cli_1", "usr_1", ""), ActionViewClient, all, false, ReasonUnauthenticated, nil, "unauthenticated principal may not clients.view"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := a.Decide(context.Background(), tt.p, tt.act, tt.perms)
			assert.Equal(t, tt.allowed, d.Allowed)
			assert.Equal(t, tt.reason, d.Reason)
			assert.Equal(t, tt.missing, d.Missing)
			assert.Equal(t, tt.text, d.String())
		})
	}
}

func TestDecisionMissingIsTheCallers(t *testing.T) {
	a := newAuthorizer(t)
	d := a.Decide(context.Background(), clientAdmin, ActionUseBilling, nil)
	require.Equal(t, []clientele.Permission{billing}, d.Missing)
	d.Missing[0] = "tampered"
	d = a.Decide(context.Background(), clientAdmin, ActionUseBilling, nil)
	assert.Equal(t, []clientele.Permission{billing}, d.Missing)
}

func TestDecisionStringSeveralMissing(t *testing.T) {
	a := newAuthorizer(t, WithRules(Rule{SubjectMember, "docs.read", "docs"}, Rule{SubjectMember, "docs.read", "wiki"}))
	d := a.Decide(context.Background(), member, "docs.read", nil)
	assert.Equal(t, []clientele.Permission{"docs", "wiki"}, d.Missing)
	assert.Equal(t, "member may not docs.read: client has none of docs, wiki", d.String())
	assert.True(t, a.Decide(context.Background(), member, "docs.read", clientele.NewPermissionSet("wiki")).Allowed)
	assert.Equal(t, "nobody may not x: denied", Decision{Action: "x"}.String())
}

// equivalent checks that the compiled table and Casbin agree everywhere.
func equivalent(t *testing.T, a *Authorizer, subjects []Subject, actions []Action, perms []clientele.Permission) {
	t.Helper()
	n := 0
	for _, sub := range subjects {
		for _, act := range actions {
			for _, set := range subsets(perms...) {
				want, err := a.enforce(sub, act, set)
				require.NoError(t, err)
				got := a.load().decide(sub, act, set)
				require.Equalf(t, want, got.Allowed, "%s %s %v: casbin %v, table %v", sub, act, set, want, got)
				if p, ok := principals[sub]; ok {
					require.Equal(t, got, a.Decide(context.Background(), p, act, set))
				}
				n++
			}
		}
	}
	require.Positive(t, n)
}

func TestDecideEqualsCasbinEnforce(t *testing.T) {
	ctx := context.Background()
	host := []Rule{
		{SubjectMember, "tickets.open", "support"},
		{SubjectAdmin, "tickets.open", ""},
		{"auditor", ActionViewAudit, ""},
		{SubjectAdmin, ActionUseBilling, "support"}, // a second way to billing
	}
	a := newAuthorizer(t, WithRules(host...))
	subjects := []Subject{SubjectAgencyAdmin, SubjectAdmin, SubjectMember, "auditor", "ghost"}
	actions := append(slices.Clone(allActions), "tickets.open", "tickets.close", "unknown")
	perms := []clientele.Permission{billing, reports, export, "support"}

	t.Run("initial", func(t *testing.T) { equivalent(t, a, subjects, actions, perms) })

	require.NoError(t, a.AddRules(ctx,
		Rule{SubjectMember, "tickets.close", "support"},
		Rule{SubjectMember, ActionUseBilling, billing},
	))
	assert.True(t, a.Decide(ctx, member, ActionUseBilling, clientele.NewPermissionSet(billing)).Allowed)
	t.Run("after AddRules", func(t *testing.T) { equivalent(t, a, subjects, actions, perms) })

	require.NoError(t, a.RemoveRules(ctx,
		Rule{SubjectMember, ActionUseBilling, billing},
		Rule{SubjectAdmin, ActionUseBilling, billing},
		Rule{SubjectAdmin, ActionInvite, ""},
		Rule{SubjectAdmin, "never.added", ""}, // ignored
	))
	assert.False(t, a.Decide(ctx, member, ActionUseBilling, clientele.NewPermissionSet(billing)).Allowed)
	d := a.Decide(ctx, clientAdmin, ActionUseBilling, clientele.NewPermissionSet(billing))
	assert.Equal(t, []clientele.Permission{"support"}, d.Missing)
	assert.Equal(t, ReasonNoRule, a.Decide(ctx, clientAdmin, ActionInvite, nil).Reason)
	t.Run("after RemoveRules", func(t *testing.T) { equivalent(t, a, subjects, actions, perms) })

	empty := newAuthorizer(t, WithoutDefaultPolicy())
	t.Run("empty policy", func(t *testing.T) { equivalent(t, empty, subjects, actions, perms) })
}

func TestHostExtension(t *testing.T) {
	ctx := context.Background()
	a := newAuthorizer(t, WithRules(Rule{SubjectMember, "tickets.open", "support"}), WithPermissions("sso"))
	assert.True(t, a.Known("support"))
	assert.True(t, a.Known("sso"))
	assert.True(t, a.Known(billing))
	assert.False(t, a.Known("unknown"))
	assert.Equal(t, []clientele.Permission{export, billing, "sso", "support", reports}, a.Permissions())

	assert.True(t, a.Decide(ctx, member, "tickets.open", clientele.NewPermissionSet("support")).Allowed)
	d := a.Decide(ctx, member, "tickets.open", nil)
	assert.Equal(t, ReasonMissingPermission, d.Reason)
	assert.Equal(t, []clientele.Permission{"support"}, d.Missing)
	assert.Equal(t, ReasonNoRule, a.Decide(ctx, clientAdmin, "tickets.open", clientele.NewPermissionSet("support")).Reason)
	// The default policy is still there.
	assert.True(t, a.Decide(ctx, clientAdmin, ActionUseBilling, clientele.NewPermissionSet(billing)).Allowed)

	// A permission named only by a removed rule is no longer known.
	require.NoError(t, a.RemoveRules(ctx, Rule{SubjectMember, "tickets.open", "support"}))
	assert.False(t, a.Known("support"))
	assert.True(t, a.Known("sso"))
}

func TestWithoutDefaultPolicy(t *testing.T) {
	ctx := context.Background()
	a := newAuthorizer(t, WithoutDefaultPolicy(), WithRules(Rule{SubjectAdmin, ActionViewClient, ""}))
	assert.Equal(t, []Rule{{SubjectAdmin, ActionViewClient, ""}}, a.Rules())
	assert.True(t, a.Decide(ctx, clientAdmin, ActionViewClient, nil).Allowed)
	assert.Equal(t, ReasonNoRule, a.Decide(ctx, agencyAdmin, ActionViewClient, nil).Reason)
	assert.Equal(t, []clientele.Permission{export, billing, reports}, a.Permissions())
}

func TestRulesReflectCasbinPolicy(t *testing.T) {
	a := newAuthorizer(t)
	def, err := parsePolicy(defaultPolicy)
	require.NoError(t, err)
	rules := a.Rules()
	assert.Len(t, rules, len(def))
	assert.ElementsMatch(t, def, rules)
	assert.True(t, slices.IsSortedFunc(rules, compareRules))
	for sub, acts := range wantPolicy {
		for act, req := range acts {
			r := Rule{Subject: sub, Action: act}
			if req != open {
				r.Requires = req
			}
			assert.Contains(t, rules, r)
		}
	}
	// Re-adding existing rules changes nothing.
	require.NoError(t, a.AddRules(context.Background(), def...))
	assert.Equal(t, rules, a.Rules())
	policy, err := a.enforcer.GetPolicy()
	require.NoError(t, err)
	assert.Len(t, policy, len(def))
}

func TestAllowed(t *testing.T) {
	ctx := context.Background()
	a := newAuthorizer(t)
	assert.Equal(t, []Action{ActionViewClient, ActionListUsers}, a.Allowed(ctx, member, nil))
	assert.Equal(t, []Action{ActionViewClient, ActionExportData, ActionUseReports, ActionListUsers},
		a.Allowed(ctx, member, clientele.NewPermissionSet(billing, reports, export)))
	got := a.Allowed(ctx, clientAdmin, clientele.NewPermissionSet(billing))
	assert.True(t, slices.IsSorted(got))
	assert.Contains(t, got, ActionUseBilling)
	assert.NotContains(t, got, ActionUseReports)
	assert.Len(t, a.Allowed(ctx, agencyAdmin, clientele.NewPermissionSet(billing, reports, export)), len(allActions))
	assert.Nil(t, a.Allowed(ctx, clientele.Principal{}, nil))
}

func TestAuthorize(t *testing.T) {
	ctx := context.Background()
	a := newAuthorizer(t)
	require.NoError(t, a.Authorize(ctx, clientAdmin, ActionInvite, nil))

	err := a.Authorize(ctx, member, ActionUseBilling, clientele.NewPermissionSet(billing))
	require.ErrorIs(t, err, ErrDenied)
	assert.EqualError(t, err, "rbac: denied: member may not billing.use: no rule for the role")
	var de *DeniedError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, ReasonNoRule, de.Decision.Reason)

	err = a.Authorize(ctx, clientAdmin, ActionUseBilling, nil)
	require.ErrorAs(t, err, &de)
	assert.Equal(t, []clientele.Permission{billing}, de.Decision.Missing)
	assert.Contains(t, err.Error(), "client lacks manage_billing")

	err = a.Authorize(ctx, clientele.Principal{Kind: clientele.KindClientUser}, ActionViewClient, nil)
	require.ErrorIs(t, err, clientele.ErrUnauthenticated)
	assert.NotErrorIs(t, err, ErrDenied)
	assert.Contains(t, err.Error(), "clients.view")
}

func TestSubjectOf(t *testing.T) {
	for want, p := range principals {
		got, err := SubjectOf(p)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, p := range []clientele.Principal{
		{},
		{Kind: clientele.KindAgencyAdmin},
		{Kind: clientele.KindAgencyAdmin, AgencyID: "agc_1", Role: clientele.RoleAdmin},
		clientele.ClientUser("agc_1", "cli_1", "usr_1", "owner"),
		{Kind: "robot", AgencyID: "agc_1"},
	} {
		_, err := SubjectOf(p)
		assert.ErrorIs(t, err, clientele.ErrUnauthenticated, "%+v", p)
	}
}

func TestInvalidInput(t *testing.T) {
	ctx := context.Background()
	long := Action(strings.Repeat("a", 65))
	bad := []Rule{
		{},
		{Subject: "", Action: ActionViewClient},
		{Subject: "Admin", Action: ActionViewClient},
		{Subject: "ad min", Action: ActionViewClient},
		{Subject: "admin-x", Action: ActionViewClient},
		{Subject: Subject(strings.Repeat("a", 65)), Action: ActionViewClient},
		{Subject: SubjectAdmin, Action: ""},
		{Subject: SubjectAdmin, Action: "a b"},
		{Subject: SubjectAdmin, Action: "a,b"},
		{Subject: SubjectAdmin, Action: "a\nb"},
		{Subject: SubjectAdmin, Action: "café"},
		{Subject: SubjectAdmin, Action: long},
		{Subject: SubjectAdmin, Action: ActionViewClient, Requires: "-"},
		{Subject: SubjectAdmin, Action: ActionViewClient, Requires: "Billing"},
		{Subject: SubjectAdmin, Action: ActionViewClient, Requires: "1x"},
		{Subject: SubjectAdmin, Action: ActionViewClient, Requires: "a,b"},
	}
	a := newAuthorizer(t)
	before := a.Rules()
	for _, r := range bad {
		t.Run(fmt.Sprintf("%q/%q/%q", r.Subject, r.Action, r.Requires), func(t *testing.T) {
			_, err := New(ctx, WithRules(r))
			assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
			// One bad rule among good ones: nothing changes.
			assert.ErrorIs(t, a.AddRules(ctx, Rule{SubjectMember, "x.y", ""}, r), clientele.ErrInvalidArgument)
			assert.ErrorIs(t, a.RemoveRules(ctx, Rule{SubjectAdmin, ActionInvite, ""}, r), clientele.ErrInvalidArgument)
			assert.Equal(t, before, a.Rules())
		})
	}
	// The longest valid names are accepted.
	_, err := New(ctx, WithRules(Rule{Subject(strings.Repeat("a", 64)), long[:64], clientele.Permission(strings.Repeat("p", 64))}))
	require.NoError(t, err)

	_, err = New(ctx, WithPermissions("Not_Valid"))
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
	_, err = New(ctx, nil, WithPermissions())
	assert.NoError(t, err, "nil and empty options are ignored")

	var nilCtx context.Context
	_, err = New(nilCtx)
	assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
	assert.ErrorIs(t, a.AddRules(nilCtx, Rule{SubjectMember, "x.y", ""}), clientele.ErrInvalidArgument)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = New(cancelled)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, a.RemoveRules(cancelled, Rule{SubjectAdmin, ActionInvite, ""}), context.Canceled)
	assert.Equal(t, before, a.Rules())
	assert.NoError(t, a.AddRules(ctx), "no rules is a no-op")
}

func TestZeroAndNilAuthorizerDenyAndNeverPanic(t *testing.T) {
	ctx := context.Background()
	for name, a := range map[string]*Authorizer{"zero": {}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			d := a.Decide(ctx, clientAdmin, ActionViewClient, nil)
			assert.Equal(t, Decision{Subject: SubjectAdmin, Action: ActionViewClient, Reason: ReasonNoRule}, d)
			assert.ErrorIs(t, a.Authorize(ctx, clientAdmin, ActionViewClient, nil), ErrDenied)
			assert.Empty(t, a.Allowed(ctx, clientAdmin, nil))
			assert.False(t, a.Known(billing))
			assert.Empty(t, a.Permissions())
			assert.Empty(t, a.Rules())
			assert.ErrorIs(t, a.AddRules(ctx, Rule{SubjectAdmin, "x.y", ""}), clientele.ErrInvalidArgument)
			assert.ErrorIs(t, a.RemoveRules(ctx, Rule{SubjectAdmin, "x.y", ""}), clientele.ErrInvalidArgument)
			_, err := a.enforce(SubjectAdmin, ActionViewClient, nil)
			assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
		})
	}
}

func TestParsePolicy(t *testing.T) {
	rules, err := parsePolicy("# comment\n\n p , admin , x.y , - \np,member,x.y,view_reports\n")
	require.NoError(t, err)
	assert.Equal(t, []Rule{{SubjectAdmin, "x.y", ""}, {SubjectMember, "x.y", reports}}, rules)
	for _, text := range []string{"p, admin, x.y", "g, admin, x.y, -", "p, Admin, x.y, -", "p, admin, x.y, Bad", "p, admin, x y, -"} {
		_, err := parsePolicy(text)
		assert.ErrorIs(t, err, clientele.ErrInvalidArgument, text)
	}
	_, err = ruleFromLine([]string{"admin", "x.y"})
	assert.Error(t, err)
}

func TestHasPermRejectsBadArguments(t *testing.T) {
	ok, err := hasPerm(clientele.NewPermissionSet(billing), "manage_billing")
	require.NoError(t, err)
	assert.Equal(t, true, ok)
	for _, args := range [][]any{nil, {clientele.PermissionSet{}}, {[]string{"x"}, "x"}, {clientele.PermissionSet{}, 1}} {
		_, err := hasPerm(args...)
		assert.Error(t, err)
	}
}

func TestConcurrentDecideAndRuleChanges(t *testing.T) {
	ctx := context.Background()
	a := newAuthorizer(t)
	extra := Rule{SubjectMember, ActionUseBilling, billing}
	perms := clientele.NewPermissionSet(billing)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				// Rules that never change never flicker.
				if !a.Decide(ctx, clientAdmin, ActionUseBilling, perms).Allowed {
					t.Error("admin lost billing")
					return
				}
				if a.Decide(ctx, member, ActionDeactivateUser, perms).Allowed {
					t.Error("member gained deactivate")
					return
				}
				d := a.Decide(ctx, member, ActionUseBilling, perms)
				if d.Reason != ReasonAllowed && d.Reason != ReasonNoRule {
					t.Errorf("unexpected %v", d)
					return
				}
				_ = a.Allowed(ctx, member, perms)
				_ = a.Known(billing)
			}
		})
	}
	for i := range 200 {
		require.NoError(t, a.AddRules(ctx, extra, Rule{SubjectMember, Action(fmt.Sprintf("host.a%d", i%5)), "support"}))
		assert.True(t, a.Decide(ctx, member, ActionUseBilling, perms).Allowed, "visible once AddRules returns")
		require.NoError(t, a.RemoveRules(ctx, extra))
		assert.False(t, a.Decide(ctx, member, ActionUseBilling, perms).Allowed, "gone once RemoveRules returns")
		_, err := a.enforce(SubjectMember, ActionUseBilling, perms)
		require.NoError(t, err)
	}
	close(stop)
	wg.Wait()
}

func BenchmarkDecide(b *testing.B) {
	a := newAuthorizer(b)
	ctx := context.Background()
	perms := clientele.NewPermissionSet(billing, reports, export)
	cases := []struct {
		name string
		p    clientele.Principal
		act  Action
	}{
		{"allowed", clientAdmin, ActionUseBilling},
		{"no_rule", member, ActionUseBilling},
		{"open", clientAdmin, ActionInvite},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if d := a.Decide(ctx, c.p, c.act, perms); d.Reason == ReasonUnauthenticated {
					b.Fatal(d)
				}
			}
		})
	}
	b.Run("missing_permission", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if d := a.Decide(ctx, clientAdmin, ActionUseBilling, nil); d.Allowed {
				b.Fatal(d)
			}
		}
	})
}
