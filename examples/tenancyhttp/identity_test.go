package tenancyhttp_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/tenancy"
)

// from sets the request's TCP peer.
func from(addr string) opt { return func(r *http.Request) { r.RemoteAddr = addr } }

// accepted is the answer of a successful acceptance.
type accepted struct {
	User         map[string]any `json:"user"`
	SessionToken string         `json:"session_token"`
}

// membersOf returns client's users by email, with their status.
func (f *fixture) membersOf(client clientele.ClientID) map[string]tenancy.Entry {
	f.t.Helper()
	page, err := f.env.Tenancy.ListUsers(context.Background(), f.env.AgencyAdmin(), client, tenancy.Page{Limit: 200})
	require.NoError(f.t, err)
	out := map[string]tenancy.Entry{}
	for _, e := range page.Users {
		out[string(e.Email)] = e
	}
	return out
}

// inviteTo invites email to client as the agency and returns the link's
// token.
func (f *fixture) inviteTo(client clientele.ClientID, email string, role clientele.Role) string {
	f.t.Helper()
	_, err := f.env.Invites.Create(context.Background(), f.env.AgencyAdmin(), client, email, role)
	require.NoError(f.t, err)
	tok, err := f.env.Mailer.TokenTo(email)
	require.NoError(f.t, err)
	return tok
}

// The finding: the Admin of client B is invited to client A; whoever
// holds the link accepted with any name and password and got a session
// as that user. A link is not a sign-in.
func TestAcceptForAnExistingAccountNeedsProof(t *testing.T) {
	f := newFixture(t)
	link := f.inviteTo(f.a.ID, "admin-b@example.com", clientele.RoleMember)

	w := f.do("GET", "/api/v1/invitations/"+link, "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, true, decode[map[string]any](t, w)["has_account"])

	mallory := jsonString(map[string]string{"token": link, "name": "Mallory", "password": "mallory's own password"})
	attempts := []struct {
		name string
		body string
		opts []opt
		code string
	}{
		{"a new name and password", jsonString(map[string]string{"token": link, "name": "Mallory"}), nil, "sign_in_required"},
		{"no password", jsonString(map[string]string{"token": link}), nil, "sign_in_required"},
		{"another user's session", jsonString(map[string]string{"token": link}),
			[]opt{bearer(f.signIn("member-a@example.com", ""))}, "sign_in_required"},
		{"another user's session cookie", jsonString(map[string]string{"token": link}),
			[]opt{cookie("__Host-session", f.signIn("member-a@example.com", ""))}, "sign_in_required"},
		{"the agency token", jsonString(map[string]string{"token": link}), []opt{bearer(agencyToken)}, "sign_in_required"},
		{"a stale session", jsonString(map[string]string{"token": link}), []opt{bearer("stale-session-token")}, "sign_in_required"},
		{"a wrong password", mallory, nil, "invalid_credentials"},
	}
	for _, tt := range attempts {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("POST", "/api/v1/invitations/accept", tt.body, tt.opts...)
			assert.Equal(t, tt.code, errorCode(t, w, http.StatusUnauthorized))
			assert.Empty(t, w.Result().Cookies(), "no session")

			assert.Equal(t, tenancy.EntryPending, f.membersOf(f.a.ID)["admin-b@example.com"].Status, "nothing changed")
			w = f.do("GET", "/api/v1/invitations/"+link, "")
			assert.Equal(t, http.StatusOK, w.Code, "the link keeps working")
		})
	}
	// The account is untouched: its own password still signs in, its name
	// is its own.
	w = f.do("POST", "/api/v1/session", signInBody("admin-b@example.com"))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	u, err := f.env.Store.UserByEmail(t.Context(), f.env.Agency.ID, "admin-b@example.com")
	require.NoError(t, err)
	assert.Equal(t, f.adminB.Name, u.Name)

	// With the account's current password, the link works, and changes
	// neither its name nor its password.
	w = f.do("POST", "/api/v1/invitations/accept", jsonString(map[string]string{"token": link, "name": "Mallory",
		"password": clienteletest.Password}))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	got := decode[accepted](t, w)
	assert.Equal(t, string(f.adminB.UserID), got.User["id"])
	assert.Equal(t, f.adminB.Name, got.User["name"])
	assert.Equal(t, "member", got.User["role"])
	w = f.do("GET", "/api/v1/me", "", bearer(got.SessionToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, string(f.a.ID), decode[map[string]any](t, w)["client"].(map[string]any)["id"])
	w = f.do("POST", "/api/v1/session", jsonString(map[string]string{"email": "admin-b@example.com",
		"password": clienteletest.Password, "client": string(f.b.ID)}))
	assert.Equal(t, http.StatusCreated, w.Code, "the password is the account's own")
}

// A session of the invited account is proof too; the new session keeps
// the time that session signed in.
func TestAcceptWithTheAccountsSession(t *testing.T) {
	f := newFixture(t)
	session := f.signIn("admin-b@example.com", "")
	f.env.Clock.Advance(20 * time.Minute)
	link := f.inviteTo(f.a.ID, "admin-b@example.com", clientele.RoleAdmin)

	w := f.do("POST", "/api/v1/invitations/accept", jsonString(map[string]string{"token": link}),
		cookie("__Host-session", session))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	got := decode[accepted](t, w)
	assert.Equal(t, string(f.adminB.UserID), got.User["id"])
	assert.Equal(t, "admin", got.User["role"])

	id, err := f.env.Authn.Resolve(t.Context(), got.SessionToken)
	require.NoError(t, err)
	assert.Equal(t, f.a.ID, id.Principal.ClientID)
	assert.Equal(t, clienteletest.Start, id.SignedInAt, "an acceptance by session is no new sign-in")
	// So it cannot change credentials without re-authenticating.
	w = f.do("POST", "/api/v1/passkeys/register/begin", "", bearer(got.SessionToken))
	assert.Equal(t, "reauth_required", errorCode(t, w, http.StatusForbidden))
}

// An account without a password (passkeys only) accepts by signing in with
// one of its passkeys; another account's passkey is refused.
func TestAcceptWithAPasskeyOfTheAccount(t *testing.T) {
	f := newFixture(t)
	phone := newDevice()
	c := f.begin("/api/v1/passkeys/setup/begin", jsonString(map[string]string{"token": f.invTok}))
	w := f.do("POST", "/api/v1/passkeys/setup/finish", jsonString(map[string]any{"token": f.invTok, "ceremony": c.Ceremony,
		"response": phone.create(t, c), "name": "Pat"}))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	pat := decode[accepted](t, w)

	// A stranger's passkey, registered on another account.
	other := newDevice()
	signedIn := f.signIn("member-a@example.com", "")
	c = f.begin("/api/v1/passkeys/register/begin", "", bearer(signedIn))
	w = f.do("POST", "/api/v1/passkeys/register/finish", jsonString(map[string]any{"ceremony": c.Ceremony,
		"response": other.create(t, c)}), bearer(signedIn))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())

	link := f.inviteTo(f.b.ID, "pending@example.com", clientele.RoleMember)
	w = f.do("POST", "/api/v1/passkeys/setup/begin", jsonString(map[string]string{"token": link}))
	assert.Equal(t, "has_account", errorCode(t, w, http.StatusConflict), "no new passkey for an existing account")
	w = f.do("POST", "/api/v1/invitations/accept", jsonString(map[string]string{"token": link, "name": "Eve", "password": "a new password 123"}))
	assert.Equal(t, "invalid_credentials", errorCode(t, w, http.StatusUnauthorized), "no password is no proof")

	c = f.begin("/api/v1/passkeys/accept/begin", jsonString(map[string]string{"token": link}))
	w = f.do("POST", "/api/v1/passkeys/accept/finish", jsonString(map[string]any{"token": link, "ceremony": c.Ceremony,
		"response": other.get(t, c)}))
	assert.Equal(t, "passkey_failed", errorCode(t, w, http.StatusBadRequest), "another account's passkey")
	assert.Equal(t, tenancy.EntryPending, f.membersOf(f.b.ID)["pending@example.com"].Status)

	c = f.begin("/api/v1/passkeys/accept/begin", jsonString(map[string]string{"token": link}))
	w = f.do("POST", "/api/v1/passkeys/accept/finish", jsonString(map[string]any{"token": link, "ceremony": c.Ceremony,
		"response": phone.get(t, c)}))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	got := decode[accepted](t, w)
	assert.Equal(t, pat.User["id"], got.User["id"])
	assert.Equal(t, "Pat", got.User["name"])
	assert.Equal(t, tenancy.EntryActive, f.membersOf(f.b.ID)["pending@example.com"].Status)
	w = f.do("GET", "/api/v1/passkeys", "", bearer(got.SessionToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Len(t, decode[map[string][]any](t, w)["passkeys"], 1, "accepting added no passkey")

	// A link for a new account has nothing to sign in to.
	fresh := f.inviteTo(f.b.ID, "nobody@example.com", clientele.RoleMember)
	w = f.do("POST", "/api/v1/passkeys/accept/begin", jsonString(map[string]string{"token": fresh}))
	assert.Equal(t, "bad_request", errorCode(t, w, http.StatusBadRequest))
}

// Credential changes need a sign-in within the last five minutes; a
// password or a passkey proves it again and replaces the session.
func TestCredentialChangesNeedARecentSignIn(t *testing.T) {
	f := newFixture(t)
	phone := newDevice()
	session := f.signIn("admin-a@example.com", "")
	c := f.begin("/api/v1/passkeys/register/begin", "", bearer(session))
	w := f.do("POST", "/api/v1/passkeys/register/finish", jsonString(map[string]any{"ceremony": c.Ceremony,
		"response": phone.create(t, c), "name": "Phone"}), bearer(session))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	credential := decode[map[string]any](t, w)["id"].(string)

	f.env.Clock.Advance(5*time.Minute + time.Second)
	w = f.do("POST", "/api/v1/passkeys/register/begin", "", bearer(session))
	assert.Equal(t, "reauth_required", errorCode(t, w, http.StatusForbidden))
	w = f.do("DELETE", "/api/v1/passkeys/"+credential, "", bearer(session))
	assert.Equal(t, "reauth_required", errorCode(t, w, http.StatusForbidden))
	w = f.do("GET", "/api/v1/passkeys", "", bearer(session))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Len(t, decode[map[string][]any](t, w)["passkeys"], 1, "nothing removed")

	// A wrong password proves nothing and keeps the session as it is.
	w = f.do("POST", "/api/v1/session/reauth", `{"password":"not my password"}`, bearer(session))
	assert.Equal(t, "invalid_credentials", errorCode(t, w, http.StatusUnauthorized))
	require.Equal(t, http.StatusOK, f.do("GET", "/api/v1/me", "", bearer(session)).Code)

	w = f.do("POST", "/api/v1/session/reauth", jsonString(map[string]string{"password": clienteletest.Password}), bearer(session))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	renewed := decode[map[string]string](t, w)["session_token"]
	assert.NotEqual(t, session, renewed)
	assert.Equal(t, renewed, cookieNamed(t, w, "__Host-session").Value)
	assert.Equal(t, "unauthenticated", errorCode(t, f.do("GET", "/api/v1/me", "", bearer(session)), 401), "the old session ended")
	w = f.do("DELETE", "/api/v1/passkeys/"+credential, "", bearer(renewed))
	assert.Equal(t, http.StatusNoContent, w.Code, w.Body.String())

	// A passkey proves it too (here a passkey-only account).
	c = f.begin("/api/v1/passkeys/setup/begin", jsonString(map[string]string{"token": f.invTok}))
	w = f.do("POST", "/api/v1/passkeys/setup/finish", jsonString(map[string]any{"token": f.invTok, "ceremony": c.Ceremony,
		"response": phone.create(t, c), "name": "Pat"}))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	pat := decode[accepted](t, w).SessionToken
	f.env.Clock.Advance(10 * time.Minute)
	w = f.do("POST", "/api/v1/passkeys/register/begin", "", bearer(pat))
	assert.Equal(t, "reauth_required", errorCode(t, w, http.StatusForbidden))
	stranger := newDevice()
	c = f.begin("/api/v1/passkeys/reauth/begin", "", bearer(pat))
	w = f.do("POST", "/api/v1/passkeys/reauth/finish", jsonString(map[string]any{"ceremony": c.Ceremony,
		"response": stranger.get(t, c)}), bearer(pat))
	assert.Equal(t, "passkey_failed", errorCode(t, w, http.StatusBadRequest), "an unknown passkey")
	c = f.begin("/api/v1/passkeys/reauth/begin", "", bearer(pat))
	w = f.do("POST", "/api/v1/passkeys/reauth/finish", jsonString(map[string]any{"ceremony": c.Ceremony,
		"response": phone.get(t, c)}), bearer(pat))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	patRenewed := decode[map[string]string](t, w)["session_token"]
	assert.Equal(t, "unauthenticated", errorCode(t, f.do("GET", "/api/v1/me", "", bearer(pat)), 401), "the old session ended")
	f.begin("/api/v1/passkeys/register/begin", "", bearer(patRenewed))

	// The agency token has no credentials to re-authenticate.
	w = f.do("POST", "/api/v1/session/reauth", jsonString(map[string]string{"password": clienteletest.Password}), bearer(agencyToken))
	assert.Equal(t, "forbidden", errorCode(t, w, http.StatusForbidden))
}

// Every acceptance counts toward the per-address limit, unknown links
// too, so links cannot be guessed from one address.
func TestUnknownInvitationTokensCountTowardTheLimit(t *testing.T) {
	f := newFixture(t)
	guesser := from("198.51.100.66:4000")
	for i := range 30 {
		w := f.do("POST", "/api/v1/invitations/accept", jsonString(map[string]string{"token": fmt.Sprintf("guess-%02d", i),
			"name": "G", "password": "guessing-password-1"}), guesser)
		require.Equal(t, "not_found", errorCode(t, w, http.StatusNotFound), "guess %d", i)
	}
	w := f.do("POST", "/api/v1/invitations/accept", jsonString(map[string]string{"token": f.invTok, "name": "G",
		"password": "guessing-password-1"}), guesser)
	assert.Equal(t, "rate_limited", errorCode(t, w, http.StatusTooManyRequests), "even a real link, from that address")
	assert.NotEmpty(t, w.Header().Get("Retry-After"))
	w = f.do("POST", "/api/v1/invitations/accept", jsonString(map[string]string{"token": f.invTok, "name": "Pat",
		"password": clienteletest.Password}), from("203.0.113.50:1"))
	assert.Equal(t, http.StatusCreated, w.Code, "another address is not held")
}

// Anonymous passkey ceremonies are stored until they end: they are
// limited per address.
func TestPasskeyCeremoniesAreLimitedPerAddress(t *testing.T) {
	f := newFixture(t)
	spammer := from("198.51.100.77:4000")
	for i := range 60 {
		w := f.do("POST", "/api/v1/passkeys/signin/begin", "", spammer)
		require.Equal(t, http.StatusOK, w.Code, "ceremony %d: %s", i, w.Body)
	}
	w := f.do("POST", "/api/v1/passkeys/signin/begin", "", spammer)
	assert.Equal(t, "rate_limited", errorCode(t, w, http.StatusTooManyRequests))
	w = f.do("POST", "/api/v1/passkeys/setup/begin", jsonString(map[string]string{"token": f.invTok}), spammer)
	assert.Equal(t, "rate_limited", errorCode(t, w, http.StatusTooManyRequests), "set-up ceremonies count too")
	w = f.do("POST", "/api/v1/passkeys/signin/begin", "", from("203.0.113.51:1"))
	assert.Equal(t, http.StatusOK, w.Code, "another address is not held")
}

// The finding: ten wrong passwords for someone's email locked them out
// for 15 minutes, renewable forever by anyone. Now an attacker spraying
// 1,000 guesses from 50 addresses at one account is held to 10 guesses
// per address, and the real user signs in on the first try from their
// own address, and from their own browser even at one of the attacker's
// addresses (a shared office or carrier address).
func TestStrangersCannotLockAUserOut(t *testing.T) {
	f := newFixture(t)
	victim := "admin-a@example.com"
	// The user's browser signed in once before: it holds a device cookie.
	w := f.do("POST", "/api/v1/session", signInBody(victim), from("192.0.2.10:1000"))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	device := cookieNamed(t, w, "__Host-clientele-device")

	const addresses, perAddress = 50, 20
	evaluated := map[string]int{}
	refused := 0
	for i := range addresses * perAddress {
		addr := fmt.Sprintf("198.51.100.%d", i%addresses+1)
		w := f.do("POST", "/api/v1/session", jsonString(map[string]string{"email": victim, "password": fmt.Sprintf("guess number %d", i)}),
			from(addr+":5000"))
		switch w.Code {
		case http.StatusUnauthorized:
			evaluated[addr]++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("guess %d from %s: %d %s", i, addr, w.Code, w.Body)
		}
	}
	most := 0
	for _, n := range evaluated {
		most = max(most, n)
	}
	total := 0
	for _, n := range evaluated {
		total += n
	}
	t.Logf("%d guesses from %d addresses: %d checked (at most %d per address), %d refused with 429",
		addresses*perAddress, addresses, total, most, refused)
	assert.Equal(t, 10, most, "each address is held to 10 guesses per 15 minutes")
	assert.Equal(t, addresses*10, total)

	// The real user, first try, from their own address.
	w = f.do("POST", "/api/v1/session", signInBody(victim), from("192.0.2.20:1000"))
	assert.Equal(t, http.StatusCreated, w.Code, "from the user's own address: %s", w.Body)
	// From their own browser, even at an address the attacker exhausted.
	w = f.do("POST", "/api/v1/session", signInBody(victim), from("198.51.100.1:5000"), cookie(device.Name, device.Value))
	assert.Equal(t, http.StatusCreated, w.Code, "from the user's own browser: %s", w.Body)
	// Without it, that address stays held.
	w = f.do("POST", "/api/v1/session", signInBody(victim), from("198.51.100.1:5000"))
	assert.Equal(t, "rate_limited", errorCode(t, w, http.StatusTooManyRequests))

	// A device cookie is the account's own: for another account it
	// exempts nothing, and for its own it allows 10 guesses too.
	for range 10 {
		w = f.do("POST", "/api/v1/session", jsonString(map[string]string{"email": "member-a@example.com", "password": "a wrong guess"}),
			from("203.0.113.98:5000"), cookie(device.Name, device.Value))
		assert.Equal(t, "invalid_credentials", errorCode(t, w, http.StatusUnauthorized))
	}
	w = f.do("POST", "/api/v1/session", signInBody("member-a@example.com"), from("203.0.113.98:5000"), cookie(device.Name, device.Value))
	assert.Equal(t, "rate_limited", errorCode(t, w, http.StatusTooManyRequests), "another account's device cookie exempts nothing")
	for range 10 {
		w = f.do("POST", "/api/v1/session", jsonString(map[string]string{"email": victim, "password": "a wrong guess"}),
			from("203.0.113.99:5000"), cookie(device.Name, device.Value))
		assert.Equal(t, "invalid_credentials", errorCode(t, w, http.StatusUnauthorized))
	}
	w = f.do("POST", "/api/v1/session", signInBody(victim), from("203.0.113.99:5000"), cookie(device.Name, device.Value))
	assert.Equal(t, "rate_limited", errorCode(t, w, http.StatusTooManyRequests), "a stolen device cookie guesses 10 times")
	w = f.do("POST", "/api/v1/session", signInBody(victim), from("192.0.2.20:1000"))
	assert.Equal(t, http.StatusCreated, w.Code, "and the user's own address still works: %s", w.Body)
}

// A password change needs a recent sign-in, refuses a common password,
// and ends every session of the user but the new one it answers.
func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	elsewhere := f.signIn("admin-a@example.com", "")
	session := f.signIn("admin-a@example.com", "")
	f.env.Clock.Advance(6 * time.Minute)
	w := f.do("POST", "/api/v1/password", `{"password":"a brand new passphrase"}`, bearer(session))
	assert.Equal(t, "reauth_required", errorCode(t, w, http.StatusForbidden))

	w = f.do("POST", "/api/v1/session/reauth", jsonString(map[string]string{"password": clienteletest.Password}), bearer(session))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	session = decode[map[string]string](t, w)["session_token"]
	w = f.do("POST", "/api/v1/password", `{"password":"password1234"}`, bearer(session))
	assert.Equal(t, "weak_password", errorCode(t, w, http.StatusBadRequest), "a common password")

	w = f.do("POST", "/api/v1/password", `{"password":"a brand new passphrase"}`, bearer(session))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	renewed := decode[map[string]string](t, w)["session_token"]
	assert.Equal(t, http.StatusOK, f.do("GET", "/api/v1/me", "", bearer(renewed)).Code)
	for _, old := range []string{session, elsewhere} {
		assert.Equal(t, "unauthenticated", errorCode(t, f.do("GET", "/api/v1/me", "", bearer(old)), 401))
	}
	w = f.do("POST", "/api/v1/session", signInBody("admin-a@example.com"))
	assert.Equal(t, "invalid_credentials", errorCode(t, w, 401), "the old password")
	w = f.do("POST", "/api/v1/session", `{"email":"admin-a@example.com","password":"a brand new passphrase"}`)
	assert.Equal(t, http.StatusCreated, w.Code, w.Body.String())
}

// Resending cannot mail-bomb an address: past the daily share of
// invitation emails to one address, 429 with Retry-After.
func TestResendIsCappedPerRecipient(t *testing.T) {
	f := newFixture(t)
	admin := f.signIn("admin-a@example.com", "")
	id := string(f.inv.ID)
	for i := range 9 { // the invitation's own email was the first
		w := f.do("POST", fmt.Sprintf("/api/v1/clients/%s/invitations/%s/resend", f.a.ID, id), "", bearer(admin))
		require.Equal(t, http.StatusOK, w.Code, "resend %d: %s", i, w.Body)
		id = decode[map[string]any](t, w)["id"].(string)
	}
	w := f.do("POST", fmt.Sprintf("/api/v1/clients/%s/invitations/%s/resend", f.a.ID, id), "", bearer(admin))
	assert.Equal(t, "rate_limited", errorCode(t, w, http.StatusTooManyRequests))
	assert.NotEmpty(t, w.Header().Get("Retry-After"))
	assert.Equal(t, tenancy.EntryPending, f.membersOf(f.a.ID)["pending@example.com"].Status, "the invitation stays")
}
