package clientele_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
)

func TestSourceIP(t *testing.T) {
	ctx := context.Background()
	assert.Empty(t, clientele.SourceIP(ctx), "unknown by default")
	for in, want := range map[string]string{
		"192.0.2.1":            "192.0.2.1",
		"2001:DB8::1":          "2001:db8::1",
		"::ffff:192.0.2.1":     "192.0.2.1",
		"fe80::1%eth0":         "fe80::1",
		"":                     "",
		"invalid IP":           "",
		"192.0.2.1:443":        "",
		"192.0.2.1\r\nX-Evil:": "",
	} {
		got := clientele.SourceIP(clientele.WithSourceIP(ctx, in))
		assert.Equal(t, want, got, "%q", in)
	}
	outer := clientele.WithSourceIP(ctx, "192.0.2.1")
	assert.Empty(t, clientele.SourceIP(clientele.WithSourceIP(outer, "nonsense")), "a bad IP makes it unknown")
}

func TestAuditStamp(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ctx := clientele.WithSourceIP(context.Background(), "192.0.2.1")
	user := clientele.ClientUser("agy_1", "cli_1", "usr_1", clientele.RoleAdmin)

	ev := clientele.NewAuditStamp(ctx, user, at)
	require.NoError(t, ev.CheckStamp())
	assert.True(t, clientele.ValidID(ev.ID))
	assert.Equal(t, clientele.AuditEvent{ID: ev.ID, At: at, Actor: "usr_1", IP: "192.0.2.1"}, ev)
	assert.NotEqual(t, ev.ID, clientele.NewAuditStamp(ctx, user, at).ID, "fresh ids")
	assert.Equal(t, clientele.AuditActorAgency, clientele.NewAuditStamp(ctx, clientele.AgencyAdmin("agy_1"), at).Actor)
	assert.Empty(t, clientele.NewAuditStamp(context.Background(), user, at).IP)
	assert.Empty(t, clientele.Principal{}.AuditActor())

	for name, change := range map[string]func(*clientele.AuditEvent){
		"no id":        func(e *clientele.AuditEvent) { e.ID = "" },
		"bad id":       func(e *clientele.AuditEvent) { e.ID = "Aud 1" },
		"no time":      func(e *clientele.AuditEvent) { e.At = time.Time{} },
		"no actor":     func(e *clientele.AuditEvent) { e.Actor = "" },
		"bad actor":    func(e *clientele.AuditEvent) { e.Actor = "usr_1\n" },
		"bad IP":       func(e *clientele.AuditEvent) { e.IP = "localhost" },
		"IP not canon": func(e *clientele.AuditEvent) { e.IP = "2001:DB8::1" },
	} {
		bad := ev
		change(&bad)
		assert.ErrorIs(t, bad.CheckStamp(), clientele.ErrInvalidArgument, name)
	}
	ev.IP = ""
	assert.NoError(t, ev.CheckStamp(), "an unknown IP is allowed")
}

func TestAuditStates(t *testing.T) {
	m := clientele.Membership{Role: clientele.RoleAdmin, Status: clientele.StatusDeactivated}
	assert.Equal(t, "admin", clientele.AuditMember(clientele.AuditMemberRole, m))
	assert.Equal(t, "admin", clientele.AuditMember(clientele.AuditMemberRemove, m))
	assert.Equal(t, "deactivated", clientele.AuditMember(clientele.AuditMemberDeactivate, m))
	assert.Equal(t, "deactivated", clientele.AuditMember(clientele.AuditMemberReactivate, m))

	inv := clientele.Invitation{ID: "inv_1", Email: "bob@example.com", Role: clientele.RoleMember, Status: clientele.InvitationPending,
		TokenHash: []byte("0123456789abcdef0123456789abcdef")}
	assert.Equal(t, `{"email":"bob@example.com","role":"member","status":"pending"}`, clientele.AuditInvitation(inv))
	inv.Status, inv.ReplacedBy = clientele.InvitationReplaced, "inv_2"
	assert.Equal(t, `{"email":"bob@example.com","role":"member","status":"replaced","replaced_by":"inv_2"}`, clientele.AuditInvitation(inv))
	inv.Status, inv.ReplacedBy, inv.AcceptedBy = clientele.InvitationAccepted, "", "usr_2"
	assert.Equal(t, `{"email":"bob@example.com","role":"member","status":"accepted","accepted_by":"usr_2"}`, clientele.AuditInvitation(inv))

	assert.Equal(t, `[]`, clientele.AuditPermissions(nil))
	assert.Equal(t, `["manage_billing","view_reports"]`,
		clientele.AuditPermissions(clientele.PermissionSet{clientele.PermViewReports, clientele.PermManageBilling, clientele.PermViewReports}))

	b := clientele.Branding{Name: `Acme "<b>"`, LogoURL: "https://acme.example/l.png", PrimaryColor: "#0f766e", CustomDomain: "portal.acme.example"}
	assert.Equal(t, `{"name":"Acme \"\u003cb\u003e\"","logo_url":"https://acme.example/l.png","primary_color":"#0f766e","custom_domain":"portal.acme.example"}`,
		clientele.AuditBranding(b))

	p := clientele.Passkey{ID: []byte{0xfb, 0xff, 0x01}, Name: `Ada's "<Mac>"`, PublicKey: []byte("public key")}
	assert.Equal(t, `{"id":"-_8B","name":"Ada's \"\u003cMac\u003e\""}`, clientele.AuditPasskey(p),
		"unpadded base64url id, the name, no key")
}
