package clientele_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
)

// longEmail returns an address of exactly n bytes (n >= 77) with a 64-byte
// local part and a domain of labels no longer than 63 bytes.
func longEmail(n int) string {
	local := strings.Repeat("a", 64)
	rest := n - len(local) - 1 - len(".com")
	var labels []string
	for rest > 0 {
		l := min(rest, 63)
		if rest-l == 1 { // a lone byte left could not be a label after its dot
			l--
		}
		labels = append(labels, strings.Repeat("b", l))
		rest -= l + 1
	}
	return local + "@" + strings.Join(labels, ".") + ".com"
}

func TestParseEmailValid(t *testing.T) {
	max := longEmail(clientele.MaxEmailLength)
	require.Len(t, max, clientele.MaxEmailLength)
	tests := []struct {
		name, in string
		want     clientele.Email
	}{
		{"plain", "ada@example.com", "ada@example.com"},
		{"mixed case normalized", "Ada.Lovelace@Example.COM", "ada.lovelace@example.com"},
		{"plus addressing", "ada+billing@example.com", "ada+billing@example.com"},
		{"subdomains", "ada@mail.eu.example.co.uk", "ada@mail.eu.example.co.uk"},
		{"hyphen and digits", "a-1@x-2.example9.com", "a-1@x-2.example9.com"},
		{"surrounding spaces trimmed", "  ada@example.com\t", "ada@example.com"},
		{"254 bytes", max, clientele.Email(max)},
		{"64-byte local part", strings.Repeat("x", 64) + "@example.com", clientele.Email(strings.Repeat("x", 64) + "@example.com")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := clientele.ParseEmail(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, string(tt.want), got.String())
		})
	}
}

func TestParseEmailInvalid(t *testing.T) {
	tooLong := longEmail(clientele.MaxEmailLength + 1)
	require.Len(t, tooLong, clientele.MaxEmailLength+1)
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"only spaces", "   "},
		{"no at", "ada.example.com"},
		{"two at", "ada@home@example.com"},
		{"empty local part", "@example.com"},
		{"empty domain", "ada@"},
		{"display name", "Ada <a@b.co>"},
		{"angle brackets", "<a@b.co>"},
		{"list", "a@b.co, c@d.co"},
		{"list without space", "a@b.co,c@d.co"},
		{"CRLF header injection", "a@b.co\r\nBcc: x@y.z"},
		{"LF", "a@b.co\nx"},
		{"NUL", "a@b.co\x00"},
		{"tab inside", "a\t@b.co"},
		{"space inside", "ada lovelace@example.com"},
		{"space before domain", "ada@ example.com"},
		{"Cyrillic lookalike", "\u0430dmin@example.com"},
		{"non-ASCII domain", "ada@exämple.com"},
		{"invalid UTF-8", "ada\xff@example.com"},
		{"255 bytes", tooLong},
		{"local part over 64 bytes", strings.Repeat("a", 65) + "@example.com"},
		{"domain without dot", "ada@localhost"},
		{"label starting with hyphen", "ada@-example.com"},
		{"label ending with hyphen", "ada@example-.com"},
		{"empty label", "ada@example..com"},
		{"leading dot in domain", "ada@.example.com"},
		{"label over 63 bytes", "ada@" + strings.Repeat("b", 64) + ".com"},
		{"underscore in domain", "ada@ex_ample.com"},
		{"quoted local part", `"ada lovelace"@example.com`},
		{"quoted local part without space", `"ada"@example.com`},
		{"trailing dot", "ada@example.com."},
		{"comment", "ada(comment)@example.com"},
		{"domain literal", "ada@[127.0.0.1]"},
		{"bare IPv4 domain", "ada@127.0.0.1"},
		{"backslash", `ad\a@example.com`},
		{"semicolon", "a@b.co;c@d.co"},
		{"colon group", "group:a@b.co;"},
		{"dot at end of local part", "ada.@example.com"},
		{"double dot in local part", "a..da@example.com"},
		{"DEL", "ada\x7f@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := clientele.ParseEmail(tt.in)
			require.ErrorIs(t, err, clientele.ErrInvalidEmail)
			assert.Empty(t, got)
		})
	}
}

func FuzzParseEmail(f *testing.F) {
	for _, s := range []string{
		"ada@example.com", "Ada+x@Sub.Example.COM", "Ada <a@b.co>", "a@b.co, c@d.co",
		"a@b.co\r\nBcc: x@y.z", "\u0430dmin@example.com", `"a b"@example.com`, "a@b.co.",
		" a@b.co ", "a@-b.co", "a@b", longEmail(254), longEmail(255), "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := clientele.ParseEmail(s)
		if err != nil {
			require.ErrorIs(t, err, clientele.ErrInvalidEmail)
			require.Empty(t, e)
			return
		}
		str := string(e)
		require.NotEmpty(t, str)
		require.LessOrEqual(t, len(str), clientele.MaxEmailLength)
		require.Equal(t, strings.ToLower(str), str, "not lower-case")
		require.NotContainsf(t, str, " ", "space in %q", str)
		require.False(t, strings.ContainsAny(str, "\r\n\t"), "control character in %q", str)
		for i := 0; i < len(str); i++ {
			require.True(t, str[i] > ' ' && str[i] < 0x7f, "byte %#x in %q", str[i], str)
		}
		require.Equal(t, 1, strings.Count(str, "@"))
		again, err := clientele.ParseEmail(str)
		require.NoError(t, err, "accepted %q does not re-parse", str)
		require.Equal(t, e, again)
	})
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		in   string
		want clientele.Role
		ok   bool
	}{
		{"admin", clientele.RoleAdmin, true},
		{"member", clientele.RoleMember, true},
		{"Admin", "", false},
		{"MEMBER", "", false},
		{" admin", "", false},
		{"owner", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := clientele.ParseRole(tt.in)
			if !tt.ok {
				require.ErrorIs(t, err, clientele.ErrInvalidRole)
				assert.Empty(t, got)
				assert.False(t, clientele.Role(tt.in).Valid())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.True(t, got.Valid())
		})
	}
}

func TestParsePermission(t *testing.T) {
	valid := []string{"manage_billing", "view_reports", "export_data", "a", "sso2", "a_", strings.Repeat("p", 64)}
	for _, s := range valid {
		t.Run("valid/"+s, func(t *testing.T) {
			got, err := clientele.ParsePermission(s)
			require.NoError(t, err)
			assert.Equal(t, clientele.Permission(s), got)
		})
	}
	invalid := []string{"", "Manage_billing", "manage billing", "Manage Billing", "1reports", "_reports",
		"view-reports", "view.reports", "rèports", "reports\n", strings.Repeat("p", 65)}
	for _, s := range invalid {
		t.Run("invalid/"+s, func(t *testing.T) {
			got, err := clientele.ParsePermission(s)
			require.ErrorIs(t, err, clientele.ErrInvalidArgument)
			assert.Empty(t, got)
		})
	}
}

func TestNewPermissionSet(t *testing.T) {
	in := []clientele.Permission{clientele.PermViewReports, clientele.PermExportData, clientele.PermViewReports, clientele.PermManageBilling}
	orig := append([]clientele.Permission(nil), in...)

	got := clientele.NewPermissionSet(in...)

	assert.Equal(t, clientele.PermissionSet{clientele.PermExportData, clientele.PermManageBilling, clientele.PermViewReports}, got)
	assert.Equal(t, orig, in, "the argument must not be reordered")
	assert.Empty(t, clientele.NewPermissionSet())
	assert.Equal(t, clientele.PermissionSet{"a"}, clientele.NewPermissionSet("a", "a", "a"))
}

func TestPermissionSetHas(t *testing.T) {
	s := clientele.NewPermissionSet(clientele.PermViewReports, clientele.PermExportData)
	assert.True(t, s.Has(clientele.PermViewReports))
	assert.True(t, s.Has(clientele.PermExportData))
	assert.False(t, s.Has(clientele.PermManageBilling))
	assert.False(t, s.Has(""))
	assert.False(t, clientele.PermissionSet(nil).Has(clientele.PermViewReports))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = s.Has(clientele.PermManageBilling) }))
}

func TestBrandingNormalizeValid(t *testing.T) {
	tests := []struct {
		name string
		in   clientele.Branding
		want clientele.Branding
	}{
		{"name only", clientele.Branding{Name: "Acme"}, clientele.Branding{Name: "Acme"}},
		{"name trimmed", clientele.Branding{Name: "  Acme Agency \t"}, clientele.Branding{Name: "Acme Agency"}},
		{"100 runes", clientele.Branding{Name: strings.Repeat("é", 100)}, clientele.Branding{Name: strings.Repeat("é", 100)}},
		{"https logo", clientele.Branding{Name: "A", LogoURL: "https://cdn.example.com/logo.png"},
			clientele.Branding{Name: "A", LogoURL: "https://cdn.example.com/logo.png"}},
		{"http logo", clientele.Branding{Name: "A", LogoURL: "http://cdn.example.com/logo.png?v=2"},
			clientele.Branding{Name: "A", LogoURL: "http://cdn.example.com/logo.png?v=2"}},
		{"color lower-cased", clientele.Branding{Name: "A", PrimaryColor: "#0F766E"}, clientele.Branding{Name: "A", PrimaryColor: "#0f766e"}},
		{"color lower", clientele.Branding{Name: "A", PrimaryColor: "#abcdef"}, clientele.Branding{Name: "A", PrimaryColor: "#abcdef"}},
		{"domain lower-cased", clientele.Branding{Name: "A", CustomDomain: "Portal.Example.COM"},
			clientele.Branding{Name: "A", CustomDomain: "portal.example.com"}},
		{"domain trailing dot removed", clientele.Branding{Name: "A", CustomDomain: "portal.example.com."},
			clientele.Branding{Name: "A", CustomDomain: "portal.example.com"}},
		{"domain with hyphens and digits", clientele.Branding{Name: "A", CustomDomain: "client-1.portal9.example.com"},
			clientele.Branding{Name: "A", CustomDomain: "client-1.portal9.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.Normalize()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := got.Normalize()
			require.NoError(t, err)
			assert.Equal(t, got, again, "Normalize must be idempotent")
		})
	}
}

func TestBrandingNormalizeInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   clientele.Branding
	}{
		{"empty name", clientele.Branding{}},
		{"blank name", clientele.Branding{Name: " \t "}},
		{"name over 100 runes", clientele.Branding{Name: strings.Repeat("é", 101)}},
		{"name with newline", clientele.Branding{Name: "Acme\nBcc: x"}},
		{"name with NUL", clientele.Branding{Name: "Acme\x00"}},
		{"name with DEL", clientele.Branding{Name: "Acme\x7f"}},
		{"name with C1 control", clientele.Branding{Name: "Ac\u0085me"}},
		{"name with line separator", clientele.Branding{Name: "Ac\u2028me"}},
		{"name invalid UTF-8", clientele.Branding{Name: "Acme\xff"}},
		{"javascript logo", clientele.Branding{Name: "A", LogoURL: "javascript:alert(1)"}},
		{"data logo", clientele.Branding{Name: "A", LogoURL: "data:image/png;base64,AAAA"}},
		{"relative logo", clientele.Branding{Name: "A", LogoURL: "/static/logo.png"}},
		{"scheme-relative logo", clientele.Branding{Name: "A", LogoURL: "//cdn.example.com/logo.png"}},
		{"ftp logo", clientele.Branding{Name: "A", LogoURL: "ftp://cdn.example.com/logo.png"}},
		{"logo without host", clientele.Branding{Name: "A", LogoURL: "https:///logo.png"}},
		{"logo with newline", clientele.Branding{Name: "A", LogoURL: "https://cdn.example.com/\nlogo.png"}},
		{"logo too long", clientele.Branding{Name: "A", LogoURL: "https://cdn.example.com/" + strings.Repeat("a", 2048)}},
		{"color without hash", clientele.Branding{Name: "A", PrimaryColor: "0f766e"}},
		{"short color", clientele.Branding{Name: "A", PrimaryColor: "#fff"}},
		{"color with alpha", clientele.Branding{Name: "A", PrimaryColor: "#0f766eff"}},
		{"non-hex color", clientele.Branding{Name: "A", PrimaryColor: "#gggggg"}},
		{"named color", clientele.Branding{Name: "A", PrimaryColor: "teal"}},
		{"CSS injection color", clientele.Branding{Name: "A", PrimaryColor: "#000;}"}},
		{"domain with space", clientele.Branding{Name: "A", CustomDomain: "a b.com"}},
		{"domain with scheme", clientele.Branding{Name: "A", CustomDomain: "http://x.com"}},
		{"domain with port", clientele.Branding{Name: "A", CustomDomain: "x.com:443"}},
		{"domain with path", clientele.Branding{Name: "A", CustomDomain: "x.com/portal"}},
		{"domain without dot", clientele.Branding{Name: "A", CustomDomain: "localhost"}},
		{"domain label starting with hyphen", clientele.Branding{Name: "A", CustomDomain: "-x.com"}},
		{"domain empty label", clientele.Branding{Name: "A", CustomDomain: "x..com"}},
		{"domain non-ASCII", clientele.Branding{Name: "A", CustomDomain: "exämple.com"}},
		{"domain only a dot", clientele.Branding{Name: "A", CustomDomain: "."}},
		{"IPv4 domain", clientele.Branding{Name: "A", CustomDomain: "127.0.0.1"}},
		{"short IPv4 domain", clientele.Branding{Name: "A", CustomDomain: "127.1"}},
		{"hex IPv4 domain", clientele.Branding{Name: "A", CustomDomain: "0x7f.0.0.1"}},
		{"IPv6 domain", clientele.Branding{Name: "A", CustomDomain: "[::1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.Normalize()
			require.ErrorIs(t, err, clientele.ErrInvalidArgument)
			assert.Zero(t, got)
		})
	}
}

func TestBrandingPortalURL(t *testing.T) {
	tests := []struct {
		name   string
		b      clientele.Branding
		base   string
		expect string
	}{
		{"custom domain wins", clientele.Branding{Name: "A", CustomDomain: "portal.acme.com"}, "https://app.example.com/", "https://portal.acme.com"},
		{"base without trailing slash", clientele.Branding{Name: "A"}, "https://app.example.com", "https://app.example.com"},
		{"base trailing slash removed", clientele.Branding{Name: "A"}, "https://app.example.com/", "https://app.example.com"},
		{"base with path", clientele.Branding{Name: "A"}, "https://example.com/portal///", "https://example.com/portal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.expect, tt.b.PortalURL(tt.base))
		})
	}
}

func TestPrincipalValidate(t *testing.T) {
	tests := []struct {
		name string
		p    clientele.Principal
		ok   bool
	}{
		{"agency admin", clientele.AgencyAdmin("agy_1"), true},
		{"client admin", clientele.ClientUser("agy_1", "cli_1", "usr_1", clientele.RoleAdmin), true},
		{"client member", clientele.ClientUser("agy_1", "cli_1", "usr_1", clientele.RoleMember), true},
		{"zero", clientele.Principal{}, false},
		{"unknown kind", clientele.Principal{Kind: "root", AgencyID: "agy_1"}, false},
		{"agency admin without agency", clientele.AgencyAdmin(""), false},
		{"agency admin with user", clientele.Principal{Kind: clientele.KindAgencyAdmin, AgencyID: "agy_1", UserID: "usr_1"}, false},
		{"agency admin with client", clientele.Principal{Kind: clientele.KindAgencyAdmin, AgencyID: "agy_1", ClientID: "cli_1"}, false},
		{"agency admin with role", clientele.Principal{Kind: clientele.KindAgencyAdmin, AgencyID: "agy_1", Role: clientele.RoleAdmin}, false},
		{"client user without agency", clientele.ClientUser("", "cli_1", "usr_1", clientele.RoleAdmin), false},
		{"client user without client", clientele.ClientUser("agy_1", "", "usr_1", clientele.RoleAdmin), false},
		{"client user without user", clientele.ClientUser("agy_1", "cli_1", "", clientele.RoleAdmin), false},
		{"client user without role", clientele.ClientUser("agy_1", "cli_1", "usr_1", ""), false},
		{"client user with unknown role", clientele.ClientUser("agy_1", "cli_1", "usr_1", "owner"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, clientele.ErrUnauthenticated)
			}
		})
	}
}

func TestPrincipalCanSee(t *testing.T) {
	agencyAdmin := clientele.AgencyAdmin("agy_1")
	admin := clientele.ClientUser("agy_1", "cli_1", "usr_1", clientele.RoleAdmin)
	member := clientele.ClientUser("agy_1", "cli_1", "usr_2", clientele.RoleMember)
	tests := []struct {
		name   string
		p      clientele.Principal
		agency clientele.AgencyID
		client clientele.ClientID
		want   bool
	}{
		{"agency admin, own client", agencyAdmin, "agy_1", "cli_1", true},
		{"agency admin, another client of its agency", agencyAdmin, "agy_1", "cli_2", true},
		{"agency admin, client of another agency", agencyAdmin, "agy_2", "cli_9", false},
		{"agency admin, empty client", agencyAdmin, "agy_1", "", false},
		{"agency admin, empty agency", agencyAdmin, "", "cli_1", false},
		{"admin, own client", admin, "agy_1", "cli_1", true},
		{"member, own client", member, "agy_1", "cli_1", true},
		{"admin, other client", admin, "agy_1", "cli_2", false},
		{"member, other client", member, "agy_1", "cli_2", false},
		{"admin, same client id in another agency", admin, "agy_2", "cli_1", false},
		{"admin, empty client", admin, "agy_1", "", false},
		{"zero principal", clientele.Principal{}, "agy_1", "cli_1", false},
		{"zero principal, empty scope", clientele.Principal{}, "", "", false},
		{"malformed agency admin", clientele.Principal{Kind: clientele.KindAgencyAdmin, AgencyID: "agy_1", ClientID: "cli_2"}, "agy_1", "cli_2", false},
		{"client user with bad role", clientele.ClientUser("agy_1", "cli_1", "usr_1", "owner"), "agy_1", "cli_1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.p.CanSee(tt.agency, tt.client))
		})
	}
}

func TestInvitationStatusAt(t *testing.T) {
	exp := time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC)
	pending := clientele.Invitation{Status: clientele.InvitationPending, ExpiresAt: exp}
	tests := []struct {
		name string
		inv  clientele.Invitation
		now  time.Time
		want clientele.InvitationStatus
	}{
		{"long before expiry", pending, exp.Add(-24 * time.Hour), clientele.InvitationPending},
		{"one nanosecond before expiry", pending, exp.Add(-time.Nanosecond), clientele.InvitationPending},
		{"at expiry", pending, exp, clientele.InvitationExpired},
		{"after expiry", pending, exp.Add(time.Nanosecond), clientele.InvitationExpired},
		{"expiry in another zone", pending, exp.In(time.FixedZone("X", 3600)), clientele.InvitationExpired},
		{"accepted stays accepted", clientele.Invitation{Status: clientele.InvitationAccepted, ExpiresAt: exp}, exp.Add(time.Hour), clientele.InvitationAccepted},
		{"cancelled stays cancelled", clientele.Invitation{Status: clientele.InvitationCancelled, ExpiresAt: exp}, exp.Add(time.Hour), clientele.InvitationCancelled},
		{"replaced stays replaced", clientele.Invitation{Status: clientele.InvitationReplaced, ExpiresAt: exp}, exp.Add(-time.Hour), clientele.InvitationReplaced},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.inv.StatusAt(tt.now))
		})
	}
}

func TestValidID(t *testing.T) {
	valid := []string{"a", "cli_abc123", "usr-1", strings.Repeat("a", 64)}
	for _, s := range valid {
		assert.True(t, clientele.ValidID(s), s)
	}
	invalid := []string{"", "CLI_1", "cli 1", "cli.1", "cli/1", "cli_1\n", "clí", "../etc", strings.Repeat("a", 65)}
	for _, s := range invalid {
		assert.False(t, clientele.ValidID(s), s)
	}
}

func TestNewIDUnique(t *testing.T) {
	const n = 10_000
	seen := make(map[string]struct{}, n)
	for range n {
		id := clientele.NewID("cli")
		require.True(t, clientele.ValidID(id), id)
		require.True(t, strings.HasPrefix(id, "cli_"), id)
		require.Len(t, id, len("cli_")+26)
		_, dup := seen[id]
		require.False(t, dup, "duplicate id %s", id)
		seen[id] = struct{}{}
	}
}

func TestNormalizeName(t *testing.T) {
	got, err := clientele.NormalizeName("  Globex  ")
	require.NoError(t, err)
	assert.Equal(t, "Globex", got)
	got, err = clientele.NormalizeName("Café Ünïcode 東京")
	require.NoError(t, err)
	assert.Equal(t, "Café Ünïcode 東京", got)
	// Controls, invisible and direction-changing characters, separators
	// and U+FFFD are refused: a name must show what it is.
	for _, bad := range []string{"", "  ", "a\nb", "a\x00", strings.Repeat("x", 101), "\xff",
		"\u202eevil", "\u200b", "a\u200db", "\ufeffGlobex", "a\u2028b", "a\ufffdb", "a\u00adb"} {
		_, err := clientele.NormalizeName(bad)
		assert.ErrorIs(t, err, clientele.ErrInvalidArgument, "%q", bad)
	}
}

func TestPrincipalScope(t *testing.T) {
	agency := clientele.AgencyAdmin("agy_1")
	user := clientele.ClientUser("agy_1", "cli_a", "usr_1", clientele.RoleAdmin)
	tests := []struct {
		name   string
		p      clientele.Principal
		client clientele.ClientID
		want   error
	}{
		{"agency admin, any client of its agency", agency, "cli_b", nil},
		{"client user, own client", user, "cli_a", nil},
		{"client user, another client", user, "cli_b", clientele.ErrNotFound},
		{"malformed client id", agency, "cli/../b", clientele.ErrNotFound},
		{"empty client id", agency, "", clientele.ErrMissingScope},
		{"zero principal", clientele.Principal{}, "cli_a", clientele.ErrUnauthenticated},
		{"client user without role", clientele.Principal{Kind: clientele.KindClientUser, AgencyID: "agy_1", ClientID: "cli_a", UserID: "usr_1"}, "cli_a", clientele.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Scope(tt.client)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
		})
	}
}
