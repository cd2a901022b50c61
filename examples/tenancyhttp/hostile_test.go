package tenancyhttp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/examples/tenancyhttp"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/tenancy"
)

// portalState is everything the API can change, as the services read it:
// each agency's branding, clients and permissions, every client's user
// list (members and pending invitations, with role, status, last activity
// and expiry), the audit log, and how many emails were sent.
type portalState struct {
	Agencies []agencyState
	Mails    int
}

type agencyState struct {
	Agency  clientele.Agency
	Clients []clientState
	Audit   []clientele.AuditEvent
}

type clientState struct {
	Client clientele.Client
	Users  []tenancy.Entry
}

// snapshot reads the state of the fixture's agency and of others.
func snapshot(t *testing.T, f *fixture, others ...clientele.AgencyID) portalState {
	t.Helper()
	ctx := context.Background()
	s := portalState{Mails: len(f.env.Mailer.Messages())}
	for _, id := range append([]clientele.AgencyID{f.env.Agency.ID}, others...) {
		staff := clientele.AgencyAdmin(id)
		ag, err := f.env.Tenancy.Agency(ctx, staff)
		require.NoError(t, err)
		as := agencyState{Agency: ag}
		for page := (tenancy.Page{Limit: tenancy.MaxLimit}); ; {
			cp, err := f.env.Tenancy.ListClients(ctx, staff, page)
			require.NoError(t, err)
			for _, c := range cp.Clients {
				as.Clients = append(as.Clients, clientState{Client: c, Users: allUsers(t, f, staff, c.ID)})
			}
			if page.Cursor = cp.Next; page.Cursor == "" {
				break
			}
		}
		as.Audit, err = f.env.Store.ListAudit(ctx, id, "", nil, 100_000)
		require.NoError(t, err)
		s.Agencies = append(s.Agencies, as)
	}
	return s
}

// allUsers lists every entry of client's user list.
func allUsers(t *testing.T, f *fixture, staff clientele.Principal, client clientele.ClientID) []tenancy.Entry {
	t.Helper()
	var out []tenancy.Entry
	for page := (tenancy.Page{Limit: tenancy.MaxLimit}); ; {
		up, err := f.env.Tenancy.ListUsers(context.Background(), staff, client, page)
		require.NoError(t, err)
		out = append(out, up.Users...)
		if page.Cursor = up.Next; page.Cursor == "" {
			return out
		}
	}
}

// hostileEnv is the portal the hostile requests are sent to: the fixture
// (client A with manage_billing and view_reports, its Admin and Member
// and a pending invitation; client B with an Admin), a pending invitation
// in B, another agency (custom domain other.example) with client C, its
// Admin, her session and a pending invitation, the old sessions of a
// removed, a deactivated and a signed-out user of A, console cookies
// (good, expired, made with another token) and a cursor of every list.
// vars holds what the requests' templates name.
type hostileEnv struct {
	*fixture
	other  clientele.AgencyID
	vars   map[string]string
	owners []sessionOwner // whose sessions are counted when the env retires
	live   []string       // vars of sessions that must keep working
}

// sessionOwner is a user whose sessions are counted.
type sessionOwner struct {
	name   string
	agency clientele.AgencyID
	user   clientele.UserID
}

const otherAgencyToken = "another-agency-token-0123456789abcdef"

func newHostileEnv(t *testing.T) *hostileEnv {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t)
	env, staff := f.env, f.env.AgencyAdmin()
	h := &hostileEnv{fixture: f}
	invitation := func(by clientele.Principal, client clientele.ClientID, email string, role clientele.Role) (clientele.Invitation, string) {
		inv, err := env.Invites.Create(ctx, by, client, email, role)
		require.NoError(t, err)
		tok, err := env.Mailer.TokenTo(email)
		require.NoError(t, err)
		return inv, tok
	}
	invB, tokB := invitation(staff, f.b.ID, "pending-b@example.com", clientele.RoleMember)

	other, err := env.Tenancy.CreateAgency(ctx, clientele.Branding{Name: "Other Agency", CustomDomain: "other.example"})
	require.NoError(t, err)
	h.other = other.ID
	ostaff := clientele.AgencyAdmin(other.ID)
	c, err := env.Tenancy.CreateClient(ctx, ostaff, "Charlie")
	require.NoError(t, err)
	_, tok := invitation(ostaff, c.ID, "admin-c@example.com", clientele.RoleAdmin)
	adminC, err := env.Invites.Accept(ctx, inviteAccept(tok))
	require.NoError(t, err)
	invC, tokC := invitation(ostaff, c.ID, "pending-c@example.com", clientele.RoleMember)
	sessC, _, err := env.Authn.SignIn(ctx, authn.SignInRequest{AgencyID: other.ID, Email: "admin-c@example.com",
		Password: clienteletest.Password, IP: netip.MustParseAddr("192.0.2.1")})
	require.NoError(t, err)

	removed, _ := env.AddUser(t, f.a.ID, "removed-a@example.com", clientele.RoleMember)
	deactivated, _ := env.AddUser(t, f.a.ID, "deactivated-a@example.com", clientele.RoleMember)
	removedTok, deactivatedTok := f.signIn("removed-a@example.com", ""), f.signIn("deactivated-a@example.com", "")
	require.NoError(t, env.Tenancy.Remove(ctx, staff, f.a.ID, removed.UserID))
	_, err = env.Tenancy.Deactivate(ctx, staff, f.a.ID, deactivated.UserID)
	require.NoError(t, err)
	signedOut := f.signIn("admin-a@example.com", "")
	require.NoError(t, env.Authn.SignOut(ctx, signedOut))

	console := consoleCookie(t, h.api(), agencyToken)
	expired := consoleCookie(t, h.api(func(c *tenancyhttp.Config) {
		c.Clock = func() time.Time { return env.Clock.Now().Add(-tenancyhttp.AgencySessionTTL - time.Hour) }
	}), agencyToken)
	otherToken := consoleCookie(t, h.api(func(c *tenancyhttp.Config) { c.AgencyToken = otherAgencyToken }), otherAgencyToken)

	cursor := func(next string, err error) string {
		require.NoError(t, err)
		require.NotEmpty(t, next)
		return next
	}
	one := tenancy.Page{Limit: 1}
	cp, err := env.Tenancy.ListClients(ctx, staff, one)
	curClients := cursor(cp.Next, err)
	up, err := env.Tenancy.ListUsers(ctx, staff, f.a.ID, one)
	curUsers := cursor(up.Next, err)
	ap, err := env.Tenancy.ListAudit(ctx, staff, "", one)
	curAudit := cursor(ap.Next, err)
	ap, err = env.Tenancy.ListAudit(ctx, staff, f.a.ID, one)
	curAuditA := cursor(ap.Next, err)

	h.vars = map[string]string{
		"A": string(f.a.ID), "B": string(f.b.ID), "C": string(c.ID),
		"adminA": string(f.adminA.UserID), "memberA": string(f.memberA.UserID), "adminB": string(f.adminB.UserID),
		"adminC": string(adminC.UserID), "removedID": string(removed.UserID), "deactivatedID": string(deactivated.UserID),
		"invA": string(f.inv.ID), "invB": string(invB.ID), "invC": string(invC.ID),
		"tokA": f.invTok, "tokB": tokB, "tokC": tokC,
		"agency": agencyToken,
		"sessA":  f.signIn("admin-a@example.com", ""), "sessM": f.signIn("member-a@example.com", ""),
		"sessB": f.signIn("admin-b@example.com", ""), "sessC": sessC,
		"removed": removedTok, "deactivated": deactivatedTok, "signedOut": signedOut,
		"console": console, "consoleExpired": expired, "consoleOther": otherToken,
		"curClients": curClients, "curUsers": curUsers, "curAudit": curAudit, "curAuditA": curAuditA,
		"pw":         clienteletest.Password,
		"pad":        strings.Repeat(" ", maxBody),
		"bigString":  `"` + strings.Repeat("a", maxBody) + `"`,
		"deep":       strings.Repeat("[", 100_000),
		"deepClosed": strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000),
		"long":       strings.Repeat("A", 64<<10),
	}
	h.live = []string{"sessA", "sessM", "sessB", "sessC"}
	h.owners = []sessionOwner{
		{"adminA", f.env.Agency.ID, f.adminA.UserID}, {"memberA", f.env.Agency.ID, f.memberA.UserID},
		{"adminB", f.env.Agency.ID, f.adminB.UserID}, {"removed", f.env.Agency.ID, removed.UserID},
		{"deactivated", f.env.Agency.ID, deactivated.UserID}, {"adminC", other.ID, adminC.UserID},
	}
	return h
}

// maxBody is the API's body cap, 1 MiB: the oversized bodies are one byte
// and more over it.
const maxBody = 1 << 20

func inviteAccept(tok string) invite.AcceptRequest {
	return invite.AcceptRequest{Token: tok, Name: "Cora", Password: clienteletest.Password}
}

// api returns a fresh API on the env's services, so that no in-process
// rate limit carries from one hostile request to the next.
func (h *hostileEnv) api(change ...func(*tenancyhttp.Config)) http.Handler {
	cfg := tenancyhttp.Config{Tenancy: h.env.Tenancy, Invites: h.env.Invites, Authn: h.env.Authn, Authorizer: h.env.Authorizer,
		AgencyID: h.env.Agency.ID, AgencyToken: agencyToken, BaseURL: clienteletest.BaseURL,
		Logger: slog.New(slog.NewTextHandler(h.logs, nil)), Clock: h.env.Clock.Now}
	for _, c := range change {
		c(&cfg)
	}
	api, err := tenancyhttp.New(cfg)
	require.NoError(h.t, err)
	return api.Handler()
}

// consoleCookie signs in to the console of h with token and returns the
// cookie's value.
func consoleCookie(t *testing.T, h http.Handler, token string) string {
	t.Helper()
	w := serve(h, "POST", "/api/v1/agency/session", jsonString(map[string]string{"token": token}))
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	for _, c := range w.Result().Cookies() {
		if c.Name == "__Host-agency" && c.Value != "" {
			return c.Value
		}
	}
	t.Fatal("no console cookie")
	return ""
}

// hostileState is the portal's state and which known sessions work.
type hostileState struct {
	Portal   portalState
	Sessions map[string]string // var -> the principal it resolves to, or the error
	Links    map[string]string // var -> the preview of an invitation link, or the error
}

func (h *hostileEnv) state(t *testing.T) hostileState {
	t.Helper()
	s := hostileState{Portal: snapshot(t, h.fixture, h.other), Sessions: map[string]string{}, Links: map[string]string{}}
	for _, v := range append(slices.Clone(h.live), "removed", "deactivated", "signedOut") {
		id, err := h.env.Authn.Resolve(context.Background(), h.vars[v])
		if err != nil {
			s.Sessions[v] = err.Error()
			continue
		}
		s.Sessions[v] = fmt.Sprintf("%+v", id.Principal)
	}
	for _, v := range []string{"tokA", "tokB", "tokC"} {
		p, err := h.env.Invites.Lookup(context.Background(), h.vars[v])
		if err != nil {
			s.Links[v] = err.Error()
			continue
		}
		s.Links[v] = fmt.Sprintf("%+v", p)
	}
	return s
}

// sessionCounts ends every session of the env's users and returns how many
// each had. It is the last thing done with an env.
func (h *hostileEnv) sessionCounts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, o := range h.owners {
		n, err := h.env.Store.DeleteUserSessions(context.Background(), o.agency, o.user)
		require.NoError(t, err)
		out[o.name] = n
	}
	return out
}

// placeholder is {var} or {var|mod,mod…} in a hostile request's template.
var placeholder = regexp.MustCompile(`\{([A-Za-z]+)(?:\|([A-Za-z0-9,]+))?\}`)

// expand fills a template with the env's vars, tampered as its modifiers
// say. Every modifier but the escapes must change the value.
func (h *hostileEnv) expand(t *testing.T, s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		v, ok := h.vars[sub[1]]
		require.True(t, ok, "unknown placeholder %s", m)
		for mod := range strings.SplitSeq(sub[2], ",") {
			if mod == "" {
				continue
			}
			next := tamper(t, v, mod)
			if mod != "q" && mod != "p" { // escaping may leave a value as it is; tampering may not
				require.NotEqual(t, v, next, "%s does not change %s", mod, sub[1])
			}
			v = next
		}
		return v
	})
}

// tamper changes v: flip0, flipMid and flipLast change one character,
// trunc drops the last, ext appends one, padded appends "=", std
// re-encodes base64url as padded standard base64, upper upper-cases, nul
// appends a NUL, bumpexp moves a console cookie's expiry, q and p escape
// for a query or a path.
func tamper(t *testing.T, v, mod string) string {
	flip := func(i int) string {
		c := byte('A')
		if v[i] == 'A' {
			c = 'B'
		}
		return v[:i] + string(c) + v[i+1:]
	}
	switch mod {
	case "flip0":
		return flip(0)
	case "flipMid":
		return flip(len(v) / 2)
	case "flipLast":
		return flip(len(v) - 1)
	case "trunc":
		return v[:len(v)-1]
	case "ext":
		return v + "A"
	case "padded":
		return v + "="
	case "std":
		raw, err := base64.RawURLEncoding.DecodeString(v)
		require.NoError(t, err)
		return base64.StdEncoding.EncodeToString(raw)
	case "upper":
		return strings.ToUpper(v)
	case "nul":
		return v + "\x00"
	case "bumpexp":
		secs, mac, ok := strings.Cut(v, ".")
		n, err := strconv.ParseInt(secs, 10, 64)
		require.True(t, ok && err == nil, "not a console cookie: %q", v)
		return strconv.FormatInt(n+86400, 10) + "." + mac
	case "q":
		return url.QueryEscape(v)
	case "p":
		return url.PathEscape(v)
	}
	t.Fatalf("unknown modifier %q", mod)
	return ""
}

// hostileCase is one hostile request. Its path, body and header values are
// templates (see expand). status 0 accepts any 4xx; code "" any code.
type hostileCase struct {
	group, name  string
	method, path string
	body         string
	headers      [][2]string // "Host" sets the Host; "Cookie NAME" adds a cookie; "-NAME" deletes; "+NAME" adds
	status       int
	code         string
}

// Credentials, as header templates.
var (
	asAgency  = [2]string{"Authorization", "Bearer {agency}"}
	asAdminA  = [2]string{"Authorization", "Bearer {sessA}"}
	asMemberA = [2]string{"Authorization", "Bearer {sessM}"}
	asAdminC  = [2]string{"Authorization", "Bearer {sessC}"}
)

func hdrs(h ...[2]string) [][2]string { return h }

// bodyField is one field of a route's JSON body: its name, a valid value
// (JSON) and its kind: 's' string, 'a' array of strings, 'r' any JSON.
type bodyField struct {
	name, valid string
	kind        byte
}

// bodyRoute is a route that reads a JSON body, with a credential that
// may call it and fields that make a valid body.
type bodyRoute struct {
	method, path string
	auth         [][2]string
	fields       []bodyField
	changes      bool // a valid body changes the portal's state
}

var bodyRoutes = []bodyRoute{
	{"PUT", "/api/v1/agency/branding", hdrs(asAgency), []bodyField{{"name", `"Evil Agency"`, 's'},
		{"logo_url", `"https://evil.example/logo.png"`, 's'}, {"primary_color", `"#000000"`, 's'}, {"custom_domain", `"evil.example"`, 's'}}, true},
	{"POST", "/api/v1/clients", hdrs(asAgency), []bodyField{{"name", `"Evil Corp"`, 's'}}, true},
	{"PUT", "/api/v1/clients/{A}/permissions", hdrs(asAgency), []bodyField{{"permissions", `["export_data"]`, 'a'}}, true},
	{"POST", "/api/v1/clients/{A}/invitations", hdrs(asAdminA), []bodyField{{"email", `"evil@example.com"`, 's'}, {"role", `"admin"`, 's'}}, true},
	{"PATCH", "/api/v1/clients/{A}/users/{memberA}", hdrs(asAdminA), []bodyField{{"role", `"admin"`, 's'}}, true},
	{"POST", "/api/v1/invitations/accept", nil, []bodyField{{"token", `"{tokA}"`, 's'}, {"name", `"Evil"`, 's'}, {"password", `"{pw}"`, 's'}}, true},
	{"POST", "/api/v1/session", nil, []bodyField{{"email", `"member-a@example.com"`, 's'}, {"password", `"{pw}"`, 's'}, {"client", `"{A}"`, 's'}}, true},
	{"POST", "/api/v1/agency/session", nil, []bodyField{{"token", `"{agency}"`, 's'}}, true},
	{"POST", "/api/v1/passkeys/setup/begin", nil, []bodyField{{"token", `"{tokA}"`, 's'}}, true},
	{"POST", "/api/v1/passkeys/setup/finish", nil, []bodyField{{"token", `"{tokA}"`, 's'}, {"ceremony", `"nope"`, 's'},
		{"response", `{}`, 'r'}, {"name", `"Evil"`, 's'}, {"password", `"{pw}"`, 's'}, {"passkey_name", `"Key"`, 's'}}, false},
	{"POST", "/api/v1/passkeys/signin/finish", nil, []bodyField{{"ceremony", `"nope"`, 's'}, {"response", `{}`, 'r'}, {"client", `"{A}"`, 's'}}, false},
	{"POST", "/api/v1/passkeys/register/finish", hdrs(asAdminA), []bodyField{{"ceremony", `"nope"`, 's'}, {"response", `{}`, 'r'}, {"name", `"Key"`, 's'}}, false},
}

// object writes fields as a JSON object, with value i replaced when
// alt is set (i < 0: none) and extra fields after.
func object(fields []bodyField, i int, alt string, extra ...bodyField) string {
	var b strings.Builder
	b.WriteByte('{')
	for j, fl := range append(slices.Clone(fields), extra...) {
		if j > 0 {
			b.WriteByte(',')
		}
		v := fl.valid
		if j == i {
			v = alt
		}
		b.WriteString(`"` + fl.name + `":` + v)
	}
	b.WriteByte('}')
	return b.String()
}

// bodyCases sends every body route malformed bodies: oversized, unknown
// fields, trailing data, duplicate keys, deep nesting, invalid UTF-8,
// values of the wrong JSON type for every field, and no object at all.
func bodyCases() []hostileCase {
	var out []hostileCase
	const bad = "bad_request"
	for _, r := range bodyRoutes {
		add := func(name, body string, status int, code string) {
			out = append(out, hostileCase{group: "body", name: r.method + " " + r.path + ": " + name,
				method: r.method, path: r.path, body: body, headers: r.auth, status: status, code: code})
		}
		valid, first := object(r.fields, -1, ""), r.fields[0]
		add("oversized by white space", valid+"{pad}", http.StatusRequestEntityTooLarge, "body_too_large")
		big := "{bigString}"
		if first.kind == 'a' {
			big = "[{bigString}]"
		}
		add("oversized value", object(r.fields, 0, big), http.StatusRequestEntityTooLarge, "body_too_large")
		add("unknown field", object(r.fields, -1, "", bodyField{name: "is_admin", valid: "true"}), 400, bad)
		add("trailing garbage", valid+"x", 400, bad)
		add("trailing value", valid+valid, 400, bad)
		add("trailing comma", valid+",", 400, bad)
		add("duplicate key", object(r.fields, -1, "", first), 0, "")
		add("duplicate key in another case", object(r.fields, -1, "", bodyField{name: strings.ToUpper(first.name), valid: first.valid}), 0, "")
		add("deep nesting, unclosed", object(r.fields, 0, "{deep}"), 400, bad)
		add("deep nesting, closed", object(r.fields, 0, "{deepClosed}"), 400, bad)
		add("invalid UTF-8 in a key", `{"`+first.name+"\xff"+`":`+first.valid+`}`, 400, bad)
		for _, body := range []string{``, `[]`, `"x"`, `5`, `true`, `{`, `}`, `{"` + first.name + `"}`, "\xef\xbb\xbf" + valid} {
			add(fmt.Sprintf("not one JSON object: %.20q", body), body, 400, bad)
		}
		add("null instead of an object", `null`, 0, "")
		for i, fl := range r.fields {
			var wrong []string
			switch fl.kind {
			case 's':
				wrong = []string{`5`, `true`, `[]`, `{}`, `["x"]`}
				inner := fl.valid[:len(fl.valid)-1]
				add("invalid UTF-8 in "+fl.name, object(r.fields, i, inner+"\xff\""), 0, "")
				add("lone surrogate in "+fl.name, object(r.fields, i, inner+`\ud800"`), 0, "")
			case 'a':
				wrong = []string{`"export_data"`, `5`, `true`, `{}`, `[5]`, `[[]]`, `[{}]`}
			}
			for _, v := range wrong {
				add(fmt.Sprintf("%s as %s", fl.name, v), object(r.fields, i, v), 400, bad)
			}
		}
	}
	return out
}

// contentTypeCases send valid bodies of state-changing routes under
// another media type than application/json.
func contentTypeCases() []hostileCase {
	var out []hostileCase
	for _, r := range bodyRoutes {
		if !r.changes {
			continue
		}
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
			out = append(out, hostileCase{group: "content type", name: r.method + " " + r.path + " as " + ct,
				method: r.method, path: r.path, body: object(r.fields, -1, ""),
				headers: append(slices.Clone(r.auth), [2]string{"Content-Type", ct})})
		}
	}
	return out
}

// hostileEmails cannot be one plain ASCII address: look-alike letters and
// signs, IDN, header injection in raw and %-encoded forms, lists, display
// names, address literals and lengths over the limits.
var hostileEmails = []string{
	"ada@exаmple.com",       // Cyrillic а in the domain
	"аda@example.com",       // Cyrillic а in the local part
	"ada@ехаmple.com",       // three Cyrillic letters: a homoglyph domain
	"ada＠example.com",       // fullwidth @
	"ada@example．com",       // fullwidth full stop
	"ａｄａ@example.com",       // fullwidth letters
	"ada@bücher.example",    // IDN, not punycode
	"ada@exam\u200bple.com", // zero-width space
	"ada\u202e@example.com", // right-to-left override
	"ada@example.com\u0000", // NUL
	"ada@example.com\r\nBcc: x@y.com",
	"ada@example.com\nBcc: x@y.com",
	"ada@example.com\rBcc: x@y.com",
	"ada@example.com%0d%0aBcc: x@y.com",
	"ada@example.com%0D%0ABcc:x@y.com",
	"ada@example.com%0aBcc:x@y.com",
	"Ada <ada@example.com>",
	"ada@example.com, bob@example.com",
	"ada@example.com;bob@example.com",
	"ada@example.com bob@example.com",
	`"ada"@example.com`,
	"ada@[127.0.0.1]",
	"ada@127.0.0.1",
	"ada@localhost",
	"ada@@example.com",
	"@example.com",
	"ada@",
	"",
	"   ",
	"ada@-example.com",
	"ada@exa_mple.com",
	strings.Repeat("a", 65) + "@example.com",  // local part over 64
	"ada@" + strings.Repeat("a", 64) + ".com", // label over 63
	strings.Repeat("a", 64) + "@" + strings.Repeat("b.", 94) + "com", // 255 bytes
	strings.Repeat("a", 10_000) + "@example.com",
}

func emailCases() []hostileCase {
	var out []hostileCase
	for _, e := range hostileEmails {
		name := fmt.Sprintf("%.40q", e)
		inv := jsonString(map[string]string{"email": e, "role": "member"})
		out = append(out,
			hostileCase{group: "email", name: "client Admin invites " + name, method: "POST", path: "/api/v1/clients/{A}/invitations",
				body: inv, headers: hdrs(asAdminA), status: 400, code: "invalid_email"},
			hostileCase{group: "email", name: "agency invites " + name, method: "POST", path: "/api/v1/clients/{B}/invitations",
				body: inv, headers: hdrs(asAgency), status: 400, code: "invalid_email"},
			hostileCase{group: "email", name: "sign-in as " + name, method: "POST", path: "/api/v1/session",
				body: jsonString(map[string]string{"email": e, "password": clienteletest.Password}), status: 400, code: "invalid_email"})
	}
	return out
}

// idRoute is a route with a client and maybe a user or invitation in its
// path, and whether the contract calls it an agency endpoint.
type idRoute struct {
	method, path, body string
	agencyOnly         bool
}

var idRoutes = []idRoute{
	{"GET", "/api/v1/clients/{client}/users", "", false},
	{"POST", "/api/v1/clients/{client}/invitations", `{"email":"evil@example.com","role":"member"}`, false},
	{"POST", "/api/v1/clients/{client}/invitations/{inv}/resend", "", false},
	{"DELETE", "/api/v1/clients/{client}/invitations/{inv}", "", false},
	{"PATCH", "/api/v1/clients/{client}/users/{user}", `{"role":"admin"}`, false},
	{"DELETE", "/api/v1/clients/{client}/users/{user}", "", false},
	{"GET", "/api/v1/clients/{client}/billing", "", false},
	{"GET", "/api/v1/clients/{client}/reports", "", false},
	{"GET", "/api/v1/clients/{client}/audit", "", false},
	{"PUT", "/api/v1/clients/{client}/permissions", `{"permissions":["export_data"]}`, true},
	{"POST", "/api/v1/clients/{client}/users/{user}/deactivate", "", true},
	{"POST", "/api/v1/clients/{client}/users/{user}/reactivate", "", true},
}

// foreignIDCases call every client route with ids of another client or
// of another agency: 404 (an agency endpoint called by a client user:
// 403; another agency's session: 401).
func foreignIDCases() []hostileCase {
	type target struct {
		name, client, user, inv string
		mixed                   bool // only the user or invitation is foreign
	}
	targets := []target{
		{"client B", "{B}", "{adminB}", "{invB}", false},
		{"another agency's client", "{C}", "{adminC}", "{invC}", false},
		{"A with B's user and invitation", "{A}", "{adminB}", "{invB}", true},
		{"A with another agency's user and invitation", "{A}", "{adminC}", "{invC}", true},
		{"B with A's user and invitation", "{B}", "{memberA}", "{invA}", true},
	}
	type caller struct {
		name string
		auth [2]string
	}
	var out []hostileCase
	for _, r := range idRoutes {
		hasIDs := strings.Contains(r.path, "{user}") || strings.Contains(r.path, "{inv}")
		for _, tg := range targets {
			if tg.mixed && !hasIDs {
				continue
			}
			path := strings.NewReplacer("{client}", tg.client, "{user}", tg.user, "{inv}", tg.inv).Replace(r.path)
			callers := []caller{{"client A's Admin", asAdminA}}
			if tg.client != "{B}" || tg.mixed {
				callers = append(callers, caller{"the agency", asAgency})
			}
			if tg.client == "{C}" {
				callers = append(callers, caller{"another agency's Admin", asAdminC})
			}
			for _, c := range callers {
				status, code := http.StatusNotFound, "not_found"
				switch {
				case c.auth == asAdminC:
					status, code = http.StatusUnauthorized, "unauthenticated"
				case r.agencyOnly && c.auth == asAdminA:
					status, code = http.StatusForbidden, "forbidden"
				}
				out = append(out, hostileCase{group: "foreign id", name: fmt.Sprintf("%s %s: %s as %s", r.method, r.path, tg.name, c.name),
					method: r.method, path: path, body: r.body, headers: hdrs(c.auth), status: status, code: code})
			}
		}
	}
	for _, tok := range []struct{ method, path, body string }{
		{"GET", "/api/v1/invitations/{tokC}", ""},
		{"POST", "/api/v1/invitations/accept", `{"token":"{tokC}","name":"Evil","password":"{pw}"}`},
		{"POST", "/api/v1/passkeys/setup/begin", `{"token":"{tokC}"}`},
	} {
		out = append(out, hostileCase{group: "foreign id", name: tok.method + " " + tok.path + " with another agency's invitation",
			method: tok.method, path: tok.path, body: tok.body, status: http.StatusNotFound, code: "not_found"})
	}
	return out
}

// malformedIDCases put malformed and tampered ids in every kind of path
// segment, and tampered invitation tokens in links and acceptances.
func malformedIDCases() []hostileCase {
	var out []hostileCase
	add := func(name, method, path, body string, auth ...[2]string) {
		out = append(out, hostileCase{group: "malformed id", name: name + ": " + method + " " + path, method: method, path: path,
			body: body, headers: auth, status: http.StatusNotFound, code: "not_found"})
	}
	ids := func(v string) []string {
		return []string{"NOPE!", "x", "{long}", "%00", "'%20OR%20'1'='1", "..%2f..%2fagency", "*", "%D0%BA%D0%BB%D0%B8%D0%B5%D0%BD%D1%82",
			"%E2%80%AE" + v, "{" + v[1:len(v)-1] + "|upper}", "{" + v[1:len(v)-1] + "|ext}", "{" + v[1:len(v)-1] + "|trunc}", v + "%00", v + "%20", "%20" + v}
	}
	for _, id := range ids("{A}") {
		add("client "+id, "GET", "/api/v1/clients/"+id+"/users", "", asAgency)
		add("client "+id, "GET", "/api/v1/clients/"+id+"/billing", "", asAdminA)
	}
	for _, id := range ids("{memberA}") {
		add("user "+id, "PATCH", "/api/v1/clients/{A}/users/"+id, `{"role":"admin"}`, asAgency)
		add("user "+id, "DELETE", "/api/v1/clients/{A}/users/"+id, "", asAdminA)
	}
	for _, id := range ids("{invA}") {
		add("invitation "+id, "POST", "/api/v1/clients/{A}/invitations/"+id+"/resend", "", asAgency)
		add("invitation "+id, "DELETE", "/api/v1/clients/{A}/invitations/"+id, "", asAdminA)
	}
	for _, id := range []string{"not+base64", "%00", "{long}", "AAAA%3D", "====", "-_-_", "..%2f..%2fme"} {
		add("passkey "+id, "DELETE", "/api/v1/passkeys/"+id, "", asAdminA)
	}
	for _, tok := range []string{"{tokA|flip0}", "{tokA|flipMid}", "{tokA|flipLast}", "{tokA|trunc}", "{tokA|ext}", "{tokA|padded}",
		"{tokA|std,p}", "{tokA|upper}", "{long}", "!!!!", "{tokA}%00", "{tokA}%20", "{sessA}", "{tokB}x"} {
		add("link "+tok, "GET", "/api/v1/invitations/"+tok, "")
		body := `{"token":"` + strings.ReplaceAll(tok, "|std,p}", "|std}") + `","name":"Evil","password":"{pw}"}`
		add("accept "+tok, "POST", "/api/v1/invitations/accept", body)
	}
	// Paths that are not clean.
	for _, p := range []string{"/api/v1/clients//users", "/api/v1/clients/{A}/../{B}/users", "/api/v1/clients/{A}/./users",
		"/api/v1/clients/%2e%2e/users", "/api/v1/./clients"} {
		out = append(out, hostileCase{group: "malformed id", name: "unclean path " + p, method: "GET", path: p, headers: hdrs(asAdminA)})
	}
	return out
}

// listRoutes are the lists, with a credential and the var of a real
// cursor of theirs.
var listRoutes = []struct {
	path, cursor string
	auth         [2]string
}{
	{"/api/v1/clients", "curClients", asAgency},
	{"/api/v1/clients/{A}/users", "curUsers", asAdminA},
	{"/api/v1/audit", "curAudit", asAgency},
	{"/api/v1/clients/{A}/audit", "curAuditA", asAdminA},
}

// pageCases ask every list for absurd page sizes and forged or tampered
// cursors.
func pageCases() []hostileCase {
	var out []hostileCase
	b64 := base64.RawURLEncoding.EncodeToString
	for _, l := range listRoutes {
		for _, limit := range []string{"-1", "0", "201", "1e9", "1000000000", "99999999999999999999999999", "abc", "", "%20",
			"5%20", "0x10", "1.5", "%00", "%EF%BC%95", "2147483648", "-9223372036854775809"} {
			out = append(out, hostileCase{group: "page size", name: l.path + "?limit=" + limit, method: "GET",
				path: l.path + "?limit=" + limit, headers: hdrs(l.auth), status: 400, code: "bad_request"})
		}
		c := l.cursor
		for _, cur := range []string{"{" + c + "|ext}", "{" + c + "|trunc}", "{" + c + "|padded,q}",
			"{" + c + "|flip0}", "{" + c + "|upper}", "{" + c + "}%00",
			b64([]byte(`["x","' OR 1=1 --"]`)), b64([]byte(`["x"]`)), b64([]byte(`{}`)), b64([]byte(`null`)), b64([]byte(`[1,2]`)),
			b64([]byte(`["a","b","c"]`)), b64([]byte(`["x","cli_a"] `)), "{long}", "..%2F..%2Fetc%2Fpasswd", "AAAA", "%00"} {
			out = append(out, hostileCase{group: "cursor", name: l.path + "?cursor=" + cur, method: "GET",
				path: l.path + "?cursor=" + cur, headers: hdrs(l.auth), status: 400, code: "bad_request"})
		}
	}
	return out
}

// goodRequests are requests that work at the portal's host, each with
// a working credential or link.
var goodRequests = []struct {
	name, method, path, body string
	headers                  [][2]string
}{
	{"me", "GET", "/api/v1/me", "", hdrs(asMemberA)},
	{"clients", "GET", "/api/v1/clients", "", hdrs(asAgency)},
	{"console clients", "GET", "/api/v1/clients", "", hdrs([2]string{"Cookie __Host-agency", "{console}"})},
	{"invite", "POST", "/api/v1/clients/{A}/invitations", `{"email":"evil@example.com","role":"admin"}`, hdrs(asAgency)},
	{"sign-in", "POST", "/api/v1/session", `{"email":"member-a@example.com","password":"{pw}"}`, nil},
	{"link", "GET", "/api/v1/invitations/{tokA}", "", nil},
	{"accept", "POST", "/api/v1/invitations/accept", `{"token":"{tokA}","name":"Evil","password":"{pw}"}`, nil},
}

// hostCases send the good requests to hosts that are not the portal's,
// and with X-Forwarded-Host or Forwarded naming the portal: 404
// unknown_portal, whatever the credential.
func hostCases() []hostileCase {
	var out []hostileCase
	hosts := []string{"evil.example", "portal.test.evil.example", "evilportal.test", "portal.tes", "127.0.0.1", "[::1]:443",
		"localhost", "", "portal.test@evil.example", "other.example", "portal.test\x00", "xn--80ak6aa92e.com"}
	forwarded := [][][2]string{
		{{"X-Forwarded-Host", portalHost}},
		{{"Forwarded", "host=" + portalHost + ";proto=https"}},
		{{"X-Forwarded-Host", portalHost}, {"Forwarded", "for=192.0.2.9;host=" + portalHost}, {"X-Forwarded-Proto", "https"},
			{"X-Original-Host", portalHost}, {"X-Host", portalHost}},
	}
	for _, g := range goodRequests {
		for _, hst := range hosts {
			out = append(out, hostileCase{group: "host", name: fmt.Sprintf("%s at %q", g.name, hst), method: g.method, path: g.path,
				body: g.body, headers: append(slices.Clone(g.headers), [2]string{"Host", hst}), status: 404, code: "unknown_portal"})
		}
		for i, fw := range forwarded {
			hs := append(append(slices.Clone(g.headers), [2]string{"Host", "evil.example"}), fw...)
			out = append(out, hostileCase{group: "host", name: fmt.Sprintf("%s at evil.example, forwarded for the portal (%d)", g.name, i),
				method: g.method, path: g.path, body: g.body, headers: hs, status: 404, code: "unknown_portal"})
		}
	}
	return out
}

// credentialCases send tampered bearer tokens, session cookies and
// console cookies, credentials that no longer work, and cross-site
// cookie requests.
func credentialCases() []hostileCase {
	var out []hostileCase
	authRoutes := []struct{ method, path, body string }{
		{"GET", "/api/v1/me", ""},
		{"GET", "/api/v1/clients", ""},
		{"POST", "/api/v1/clients/{A}/invitations", `{"email":"evil@example.com","role":"admin"}`},
		{"DELETE", "/api/v1/clients/{A}/users/{memberA}", ""},
	}
	for _, auth := range []string{"Bearer {sessA|flip0}", "Bearer {sessA|flipMid}", "Bearer {sessA|flipLast}", "Bearer {sessA|trunc}",
		"Bearer {sessA|ext}", "Bearer {sessA|padded}", "Bearer {sessA|std}", "Bearer {sessA|upper}", "Bearer {sessA|nul}",
		"Bearer ", "Bearer", "Bearer !!!!", "Bearer {long}", "Basic YWRtaW46cGFzc3dvcmQ=", "Token {sessA}", "Digest {sessA}",
		"Bearer {sessA} {sessA}", "Bearer {sessA},{sessA}", "{sessA}", "Bearer{sessA}",
		"Bearer {agency|flip0}", "Bearer {agency|trunc}", "Bearer {agency|ext}", "Bearer {agency|upper}", "Bearer " + otherAgencyToken,
		"Bearer {removed}", "Bearer {deactivated}", "Bearer {signedOut}", "Bearer {sessC}", "Bearer {tokA}", "Bearer {console}"} {
		for _, r := range authRoutes {
			out = append(out, hostileCase{group: "bearer", name: fmt.Sprintf("%s %s with %.40q", r.method, r.path, auth),
				method: r.method, path: r.path, body: r.body, headers: hdrs([2]string{"Authorization", auth}), status: 401, code: "unauthenticated"})
		}
	}
	for _, r := range authRoutes {
		out = append(out, hostileCase{group: "bearer", name: r.method + " " + r.path + " with a tampered and a good Authorization header",
			method: r.method, path: r.path, body: r.body, status: 401, code: "unauthenticated",
			headers: hdrs([2]string{"Authorization", "Bearer {sessA|flip0}"}, [2]string{"+Authorization", "Bearer {sessA}"})})
	}

	sessionRoutes := []struct{ method, path, body string }{
		{"GET", "/api/v1/me", ""},
		{"POST", "/api/v1/clients/{A}/invitations", `{"email":"evil@example.com","role":"member"}`},
	}
	for _, ck := range [][2]string{
		{"__Host-session", "{sessA|flip0}"}, {"__Host-session", "{sessA|flipLast}"}, {"__Host-session", "{sessA|trunc}"},
		{"__Host-session", "{sessA|ext}"}, {"__Host-session", "garbage"}, {"__Host-session", "{removed}"},
		{"__Host-session", "{deactivated}"}, {"__Host-session", "{signedOut}"}, {"__Host-session", "{sessC}"},
		{"__Host-session", "{tokA}"}, {"session", "{sessA}"}, {"__Secure-session", "{sessA}"}, {"__host-session", "{sessA}"},
	} {
		for _, r := range sessionRoutes {
			out = append(out, hostileCase{group: "session cookie", name: fmt.Sprintf("%s %s with %s=%s", r.method, r.path, ck[0], ck[1]),
				method: r.method, path: r.path, body: r.body, headers: hdrs([2]string{"Cookie " + ck[0], ck[1]}), status: 401, code: "unauthenticated"})
		}
	}

	consoleRoutes := []struct{ method, path, body string }{
		{"GET", "/api/v1/clients", ""},
		{"POST", "/api/v1/clients", `{"name":"Evil Corp"}`},
	}
	for _, ck := range [][2]string{
		{"__Host-agency", "{console|flipLast}"}, {"__Host-agency", "{console|flipMid}"}, {"__Host-agency", "{console|trunc}"},
		{"__Host-agency", "{console|ext}"}, {"__Host-agency", "{console|bumpexp}"}, {"__Host-agency", "{consoleExpired}"},
		{"__Host-agency", "{consoleOther}"}, {"__Host-agency", "garbage"}, {"__Host-agency", "1."}, {"__Host-agency", ".abc"},
		{"__Host-agency", "99999999999999999999.abc"}, {"__Host-agency", "-1.abc"}, {"__Host-agency", "{agency}"},
		{"__Host-agency", "{sessA}"},
	} {
		for _, r := range consoleRoutes {
			out = append(out, hostileCase{group: "console cookie", name: fmt.Sprintf("%s %s with %s=%s", r.method, r.path, ck[0], ck[1]),
				method: r.method, path: r.path, body: r.body, headers: hdrs([2]string{"Cookie " + ck[0], ck[1]}), status: 401, code: "unauthenticated"})
		}
	}
	for _, r := range consoleRoutes {
		out = append(out, hostileCase{group: "console cookie", name: r.method + " " + r.path + " with the console cookie under the http name",
			method: r.method, path: r.path, body: r.body, headers: hdrs([2]string{"Cookie agency", "{console}"}), status: 401, code: "unauthenticated"})
	}

	// Good cookies, or none, from another site: 403.
	crossSite := [][][2]string{
		{{"Sec-Fetch-Site", "cross-site"}},
		{{"Sec-Fetch-Site", "same-site"}},
		{{"Origin", "https://evil.example"}},
		{{"Origin", "null"}},
	}
	forged := []struct {
		name, method, path, body string
		cookie                   [2]string
	}{
		{"console creates a client", "POST", "/api/v1/clients", `{"name":"Evil Corp"}`, [2]string{"Cookie __Host-agency", "{console}"}},
		{"Admin invites", "POST", "/api/v1/clients/{A}/invitations", `{"email":"evil@example.com","role":"admin"}`, [2]string{"Cookie __Host-session", "{sessA}"}},
		{"Admin removes", "DELETE", "/api/v1/clients/{A}/users/{memberA}", "", [2]string{"Cookie __Host-session", "{sessA}"}},
		{"sign-out", "DELETE", "/api/v1/session", "", [2]string{"Cookie __Host-session", "{sessA}"}},
		{"login", "POST", "/api/v1/session", `{"email":"member-a@example.com","password":"{pw}"}`, [2]string{}},
		{"console login", "POST", "/api/v1/agency/session", `{"token":"{agency}"}`, [2]string{}},
		{"accept", "POST", "/api/v1/invitations/accept", `{"token":"{tokA}","name":"Evil","password":"{pw}"}`, [2]string{}},
	}
	for _, fg := range forged {
		for i, cs := range crossSite {
			hs := slices.Clone(cs)
			if fg.cookie[0] != "" {
				hs = append(hs, fg.cookie)
			}
			out = append(out, hostileCase{group: "cross-site", name: fmt.Sprintf("%s (%d)", fg.name, i), method: fg.method, path: fg.path,
				body: fg.body, headers: hs, status: 403, code: "forbidden"})
		}
	}
	return out
}

// patterns are the API's paths with the methods each serves (HEAD with
// GET).
var patterns = []struct {
	path    string
	methods []string
}{
	{"/api/v1/agency/session", []string{"POST", "DELETE"}},
	{"/api/v1/agency/branding", []string{"PUT"}},
	{"/api/v1/clients", []string{"GET", "POST"}},
	{"/api/v1/clients/{A}/permissions", []string{"PUT"}},
	{"/api/v1/clients/{A}/users/{memberA}/deactivate", []string{"POST"}},
	{"/api/v1/clients/{A}/users/{deactivatedID}/reactivate", []string{"POST"}},
	{"/api/v1/audit", []string{"GET"}},
	{"/api/v1/clients/{A}/users", []string{"GET"}},
	{"/api/v1/clients/{A}/users/{memberA}", []string{"PATCH", "DELETE"}},
	{"/api/v1/clients/{A}/invitations", []string{"POST"}},
	{"/api/v1/clients/{A}/invitations/{invA}/resend", []string{"POST"}},
	{"/api/v1/clients/{A}/invitations/{invA}", []string{"DELETE"}},
	{"/api/v1/clients/{A}/billing", []string{"GET"}},
	{"/api/v1/clients/{A}/reports", []string{"GET"}},
	{"/api/v1/clients/{A}/audit", []string{"GET"}},
	{"/api/v1/invitations/{tokA}", []string{"GET"}},
	{"/api/v1/invitations/accept", []string{"POST"}},
	{"/api/v1/session", []string{"POST", "DELETE"}},
	{"/api/v1/me", []string{"GET"}},
	{"/api/v1/passkeys/setup/begin", []string{"POST"}},
	{"/api/v1/passkeys/setup/finish", []string{"POST"}},
	{"/api/v1/passkeys/signin/begin", []string{"POST"}},
	{"/api/v1/passkeys/signin/finish", []string{"POST"}},
	{"/api/v1/passkeys/register/begin", []string{"POST"}},
	{"/api/v1/passkeys/register/finish", []string{"POST"}},
	{"/api/v1/passkeys", []string{"GET"}},
	{"/api/v1/passkeys/{invA}", []string{"DELETE"}},
}

// methodCases call every path with every method it does not serve: 405.
func methodCases() []hostileCase {
	var out []hostileCase
	for _, p := range patterns {
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"} {
			if slices.Contains(p.methods, m) || m == "HEAD" && slices.Contains(p.methods, "GET") {
				continue
			}
			body := ""
			if m == "POST" || m == "PUT" || m == "PATCH" {
				body = `{}`
			}
			out = append(out, hostileCase{group: "method", name: m + " " + p.path, method: m, path: p.path, body: body,
				headers: hdrs(asAgency), status: http.StatusMethodNotAllowed, code: "method_not_allowed"})
		}
	}
	return out
}

// valueCases send well-formed bodies with values the contract refuses.
func valueCases() []hostileCase {
	var out []hostileCase
	add := func(name, method, path, body string, auth [][2]string, status int, code string) {
		out = append(out, hostileCase{group: "value", name: name, method: method, path: path, body: body, headers: auth, status: status, code: code})
	}
	for _, n := range []string{"", " ", strings.Repeat("a", 101), "a\u0000b", "\u202eevil", "line\nbreak", "\t", "\u0085", "\u200b"} {
		add(fmt.Sprintf("client name %q", n), "POST", "/api/v1/clients", jsonString(map[string]string{"name": n}), hdrs(asAgency), 400, "bad_request")
	}
	branding := func(k, v string) string {
		b := map[string]string{"name": "Acme Agency", "logo_url": "", "primary_color": "#0f766e", "custom_domain": ""}
		b[k] = v
		return jsonString(b)
	}
	for _, kv := range [][2]string{{"name", ""}, {"name", strings.Repeat("n", 101)}, {"name", "a\rb"},
		{"logo_url", "javascript:alert(1)"}, {"logo_url", "data:text/html,<script>alert(1)</script>"}, {"logo_url", "//evil.example/x.png"},
		{"logo_url", "http://"}, {"logo_url", "https://evil.example/\r\nx"}, {"primary_color", "red"}, {"primary_color", "#12345"},
		{"primary_color", "#1234567"}, {"primary_color", "#GGGGGG"}, {"primary_color", "#123456;background:url(x)"},
		{"custom_domain", "evil.example/path"}, {"custom_domain", "ex ample.com"}, {"custom_domain", "*.evil.example"},
		{"custom_domain", "127.0.0.1"}, {"custom_domain", "https://evil.example"}, {"custom_domain", "exаmple.com"}} {
		add(fmt.Sprintf("branding %s %q", kv[0], kv[1]), "PUT", "/api/v1/agency/branding", branding(kv[0], kv[1]), hdrs(asAgency), 400, "bad_request")
	}
	add("branding: another agency's domain", "PUT", "/api/v1/agency/branding", branding("custom_domain", "other.example"), hdrs(asAgency), 409, "conflict")
	for _, role := range []string{"owner", "", "agency_admin", "admin\u0000", "Ａdmin"} {
		add(fmt.Sprintf("invite as %q", role), "POST", "/api/v1/clients/{A}/invitations",
			jsonString(map[string]string{"email": "evil@example.com", "role": role}), hdrs(asAdminA), 400, "invalid_role")
		add(fmt.Sprintf("make %q", role), "PATCH", "/api/v1/clients/{A}/users/{memberA}",
			jsonString(map[string]string{"role": role}), hdrs(asAdminA), 400, "invalid_role")
	}
	for _, perms := range []string{`["teleport"]`, `["manage_billing "]`, `[""]`, `["manage_billing","teleport"]`, `["view_reports\u0000"]`} {
		add("permissions "+perms, "PUT", "/api/v1/clients/{A}/permissions", `{"permissions":`+perms+`}`, hdrs(asAgency), 400, "unknown_permission")
	}
	add("permissions missing", "PUT", "/api/v1/clients/{A}/permissions", `{}`, hdrs(asAgency), 400, "bad_request")
	add("permissions null", "PUT", "/api/v1/clients/{A}/permissions", `{"permissions":null}`, hdrs(asAgency), 400, "bad_request")
	for _, pw := range []string{"", "short", "1234567", "correct\u0000horse", strings.Repeat("p", 1025)} {
		add(fmt.Sprintf("accept with password %q", pw), "POST", "/api/v1/invitations/accept",
			`{"token":"{tokA}","name":"Evil","password":`+jsonString(pw)+`}`, nil, 400, "weak_password")
	}
	add("sign-in with a wrong password", "POST", "/api/v1/session", `{"email":"member-a@example.com","password":"wrong password"}`, nil, 401, "invalid_credentials")
	add("sign-in into another client", "POST", "/api/v1/session", `{"email":"member-a@example.com","password":"{pw}","client":"{B}"}`, nil, 401, "no_access")
	add("sign-in into another agency's client", "POST", "/api/v1/session", `{"email":"member-a@example.com","password":"{pw}","client":"{C}"}`, nil, 401, "no_access")
	add("sign-in as another agency's user", "POST", "/api/v1/session", `{"email":"admin-c@example.com","password":"{pw}"}`, nil, 401, "invalid_credentials")
	add("sign-in as a removed user", "POST", "/api/v1/session", `{"email":"removed-a@example.com","password":"{pw}"}`, nil, 401, "")
	add("sign-in as a deactivated user", "POST", "/api/v1/session", `{"email":"deactivated-a@example.com","password":"{pw}"}`, nil, 401, "")
	add("console sign-in with another token", "POST", "/api/v1/agency/session", `{"token":"`+otherAgencyToken+`"}`, nil, 401, "invalid_credentials")
	add("console sign-in with a session token", "POST", "/api/v1/agency/session", `{"token":"{sessA}"}`, nil, 401, "invalid_credentials")
	add("member resends", "POST", "/api/v1/clients/{A}/invitations/{invA}/resend", "", hdrs(asMemberA), 403, "forbidden")
	add("member demotes the Admin", "PATCH", "/api/v1/clients/{A}/users/{adminA}", `{"role":"member"}`, hdrs(asMemberA), 403, "forbidden")
	add("last Admin demotes herself", "PATCH", "/api/v1/clients/{A}/users/{adminA}", `{"role":"member"}`, hdrs(asAdminA), 409, "last_admin")
	add("last Admin removes herself", "DELETE", "/api/v1/clients/{A}/users/{adminA}", "", hdrs(asAdminA), 409, "last_admin")
	add("invite a member again", "POST", "/api/v1/clients/{A}/invitations", `{"email":"MEMBER-A@example.com","role":"admin"}`, hdrs(asAdminA), 409, "already_member")
	add("invite a pending email again", "POST", "/api/v1/clients/{A}/invitations", `{"email":"pending@example.com","role":"admin"}`, hdrs(asAdminA), 409, "pending_invitation")
	add("reactivate a removed user", "POST", "/api/v1/clients/{A}/users/{removedID}/reactivate", "", hdrs(asAgency), 404, "not_found")
	add("remove a removed user", "DELETE", "/api/v1/clients/{A}/users/{removedID}", "", hdrs(asAdminA), 404, "not_found")
	return out
}

// TestHostileRequests sends over a thousand hostile requests through the
// API (see the *Cases functions: malformed bodies for every body route,
// wrong media types, look-alike and header-injecting emails, ids of other
// clients and agencies on every client route, malformed ids and links,
// absurd page sizes and forged cursors, foreign hosts and forwarded
// headers, tampered bearer tokens, session and console cookies,
// cross-site cookie requests, wrong methods and refused values). Each
// must answer a 4xx with the contract's error JSON (the status and code
// named, where the case names them), set no cookie and hand out no
// session, and change nothing: the portal's whole state (see
// portalState), which known sessions work and which links are pending
// are read before and after every request, and every user's sessions are
// counted at the end. A request that fails this is a library bug: it is
// reported and the test goes on with a fresh portal. All cases run at
// the default size; there is no larger one.
func TestHostileRequests(t *testing.T) {
	groups := [][]hostileCase{bodyCases(), contentTypeCases(), emailCases(), foreignIDCases(), malformedIDCases(),
		pageCases(), hostCases(), credentialCases(), methodCases(), valueCases()}
	control := newHostileEnv(t).sessionCounts(t)
	byStatus, byGroup, sent, failed := map[int]int{}, map[string]int{}, 0, 0
	for _, cases := range groups {
		t.Run(cases[0].group, func(t *testing.T) {
			h := newHostileEnv(t)
			start := h.state(t)
			retire := func() {
				assert.Equal(t, control, h.sessionCounts(t), "no hostile request makes or ends a session")
			}
			before := start
			for _, c := range cases {
				w := h.send(t, c)
				sent++
				byStatus[w.Code]++
				byGroup[c.group]++
				problems := judge(c, w)
				after := h.state(t)
				if changed := before.diff(after); changed != "" {
					problems = append(problems, "changed "+changed)
				}
				before = after
				if len(problems) > 0 {
					failed++
					t.Errorf("hostile request accepted or mishandled (library bug): %s\n\t-> %d %.200s\n\t%s",
						c.name, w.Code, w.Body, strings.Join(problems, "; "))
					retire() // and go on with a fresh portal, so that one bug hides no other
					h = newHostileEnv(t)
					start = h.state(t)
					before = start
				}
			}
			assert.Equal(t, start, h.state(t), "the portal is as it was")
			retire()
		})
	}

	var per, perGroup []string
	for _, s := range slices.Sorted(maps.Keys(byStatus)) {
		per = append(per, fmt.Sprintf("%d: %d", s, byStatus[s]))
	}
	for _, g := range slices.Sorted(maps.Keys(byGroup)) {
		perGroup = append(perGroup, fmt.Sprintf("%s: %d", g, byGroup[g]))
	}
	t.Logf("hostile requests: %d sent, %d mishandled; by status {%s}; by group {%s}",
		sent, failed, strings.Join(per, ", "), strings.Join(perGroup, ", "))
	assert.GreaterOrEqual(t, sent, 200)
	assert.Zero(t, byStatus[http.StatusInternalServerError], "no 500")
}

// send serves c through a fresh API on h.
func (h *hostileEnv) send(t *testing.T, c hostileCase) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	body := h.expand(t, c.body)
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(c.method, "http://"+portalHost+h.expand(t, c.path), rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, hd := range c.headers {
		k, v := hd[0], h.expand(t, hd[1])
		switch {
		case k == "Host":
			r.Host = v
		case strings.HasPrefix(k, "Cookie "):
			r.AddCookie(&http.Cookie{Name: strings.TrimPrefix(k, "Cookie "), Value: v})
		case strings.HasPrefix(k, "+"):
			r.Header.Add(k[1:], v)
		default:
			r.Header.Set(k, v)
		}
	}
	w := httptest.NewRecorder()
	h.api().ServeHTTP(w, r)
	return w
}

// judge lists what is wrong with w as the answer to c.
func judge(c hostileCase, w *httptest.ResponseRecorder) []string {
	var out []string
	if w.Code < 400 || w.Code > 499 {
		out = append(out, fmt.Sprintf("status %d, want a 4xx", w.Code))
	} else if c.status != 0 && w.Code != c.status {
		out = append(out, fmt.Sprintf("status %d, want %d", w.Code, c.status))
	}
	var body struct {
		Error *struct {
			Code    *string `json:"code"`
			Message *string `json:"message"`
		} `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.DisallowUnknownFields()
	switch err := dec.Decode(&body); {
	case w.Header().Get("Content-Type") != "application/json":
		out = append(out, fmt.Sprintf("Content-Type %q", w.Header().Get("Content-Type")))
	case err != nil || dec.More() || body.Error == nil || body.Error.Code == nil || body.Error.Message == nil ||
		*body.Error.Code == "" || *body.Error.Message == "":
		out = append(out, "not the contract's {\"error\":{\"code\",\"message\"}}")
	case c.code != "" && *body.Error.Code != c.code:
		out = append(out, fmt.Sprintf("code %q, want %q", *body.Error.Code, c.code))
	}
	for _, ck := range w.Result().Cookies() {
		if ck.Value != "" {
			out = append(out, "sets the cookie "+ck.Name)
		}
	}
	if bytes.Contains(w.Body.Bytes(), []byte("session_token")) {
		out = append(out, "answers a session token")
	}
	return out
}

// diff names the parts of the state that differ from s to o ("" when
// none).
func (s hostileState) diff(o hostileState) string {
	var parts []string
	if s.Portal.Mails != o.Portal.Mails {
		parts = append(parts, fmt.Sprintf("the emails sent (%d -> %d)", s.Portal.Mails, o.Portal.Mails))
	}
	if !reflect.DeepEqual(s.Sessions, o.Sessions) {
		parts = append(parts, fmt.Sprintf("the sessions (%v -> %v)", s.Sessions, o.Sessions))
	}
	if !reflect.DeepEqual(s.Links, o.Links) {
		parts = append(parts, fmt.Sprintf("the links (%v -> %v)", s.Links, o.Links))
	}
	if len(s.Portal.Agencies) != len(o.Portal.Agencies) {
		return strings.Join(append(parts, "the agencies"), ", ")
	}
	for i, a := range s.Portal.Agencies {
		b := o.Portal.Agencies[i]
		if !reflect.DeepEqual(a.Agency, b.Agency) {
			parts = append(parts, fmt.Sprintf("agency %d's branding (%+v -> %+v)", i, a.Agency.Branding, b.Agency.Branding))
		}
		if !reflect.DeepEqual(a.Clients, b.Clients) {
			parts = append(parts, fmt.Sprintf("agency %d's clients, permissions or users", i))
		}
		if !reflect.DeepEqual(a.Audit, b.Audit) {
			var added []string
			for _, ev := range b.Audit[:max(0, len(b.Audit)-len(a.Audit))] {
				added = append(added, ev.Action+" "+ev.Target)
			}
			parts = append(parts, fmt.Sprintf("agency %d's audit log (new: %v)", i, added))
		}
	}
	return strings.Join(parts, ", ")
}

// TestForwardedHeadersDoNotChangeLinks: at the portal's host,
// X-Forwarded-Host, Forwarded and X-Forwarded-Proto change neither the
// invitation links (the base URL, or the agency's custom domain), nor the
// portal a link shows, nor the session cookie.
func TestForwardedHeadersDoNotChangeLinks(t *testing.T) {
	f := newFixture(t)
	forged := []opt{header("X-Forwarded-Host", "evil.example"), header("Forwarded", "host=evil.example;proto=http"),
		header("X-Forwarded-Proto", "http"), header("X-Original-Host", "evil.example")}
	as := func(o ...opt) []opt { return append(slices.Clone(forged), o...) }

	w := f.do("POST", fmt.Sprintf("/api/v1/clients/%s/invitations", f.a.ID), `{"email":"ada@example.com","role":"member"}`, as(bearer(agencyToken))...)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	msg, err := f.env.Mailer.LastTo("ada@example.com")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(msg.Link, clienteletest.BaseURL+"/invite/"), msg.Link)
	for _, part := range []string{msg.Link, msg.Text, msg.HTML, msg.Subject} {
		assert.NotContains(t, part, "evil.example")
	}

	w = f.do("POST", fmt.Sprintf("/api/v1/clients/%s/invitations/%s/resend", f.a.ID, f.inv.ID), "", as(bearer(agencyToken))...)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	msg, err = f.env.Mailer.LastTo("pending@example.com")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(msg.Link, clienteletest.BaseURL+"/invite/"), msg.Link)

	w = f.do("PUT", "/api/v1/agency/branding", `{"name":"Acme Agency","custom_domain":"portal.acme.example"}`, bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	w = f.do("POST", fmt.Sprintf("/api/v1/clients/%s/invitations", f.a.ID), `{"email":"bob@example.com","role":"member"}`, as(bearer(agencyToken))...)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	msg, err = f.env.Mailer.LastTo("bob@example.com")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(msg.Link, "https://portal.acme.example/invite/"), msg.Link)

	tok, err := f.env.Mailer.TokenTo("bob@example.com")
	require.NoError(t, err)
	w = f.do("GET", "/api/v1/invitations/"+tok, "", as()...)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "Acme Agency", decode[struct {
		Agency struct {
			Name string `json:"name"`
		} `json:"agency"`
	}](t, w).Agency.Name)

	w = f.do("POST", "/api/v1/session", `{"email":"member-a@example.com","password":"`+clienteletest.Password+`"}`, as()...)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	cookies := w.Result().Cookies()
	require.NotEmpty(t, cookies)
	for _, c := range cookies {
		assert.Empty(t, c.Domain, "host-only")
		if c.Value != "" {
			assert.Contains(t, []string{"__Host-session", "__Host-clientele-device"}, c.Name)
			assert.True(t, c.Secure, "the https base URL keeps the cookie Secure whatever X-Forwarded-Proto says")
		}
	}
}
