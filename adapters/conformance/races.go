package conformance

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// RaceTrialsEnv names the environment variable that sets how many trials
// [RaceTrials] gives each race of [RunRaces]; unset, it is
// DefaultRaceTrials, the size CI runs.
const (
	RaceTrialsEnv     = "CLIENTELE_RACE_TRIALS"
	DefaultRaceTrials = 30
)

// RaceTrials returns the number of trials per race that RaceTrialsEnv
// asks for, or DefaultRaceTrials when it is unset. A value that is not a
// positive integer fails t.
func RaceTrials(t testing.TB) int {
	t.Helper()
	v := os.Getenv(RaceTrialsEnv)
	if v == "" {
		return DefaultRaceTrials
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("conformance: %s=%q: want a positive integer", RaceTrialsEnv, v)
	}
	return n
}

// Reopener is implemented by a Store that can be opened a second time on
// the same data through its own connection pool, as a second process of
// the host would open it. RunRaces serves the request side of its
// remove-vs-request race through the second Store when the store given
// by newStore implements Reopener, and through the same Store otherwise.
type Reopener interface {
	// Reopen returns another Store on the same data, on a connection pool
	// of its own that is closed when t ends.
	Reopen(t *testing.T) Store
}

// RunRaces runs races between two operations that users start at the same
// instant, through the services (invite.Service, tenancy.Service,
// authn.Service) wired on the store as clienteletest wires them, with an
// injected clock. Each race runs trials independent trials, each on a
// fresh client; in each the contenders are released together by a start
// barrier, and then the answers and the final state must be one of the
// race's consistent outcomes:
//
//   - accept vs cancel of one pending invitation: the accept succeeds and
//     the cancel answers invite.ErrUsed (one user, one active membership,
//     invitation accepted), or the cancel succeeds and the accept answers
//     invite.ErrCancelled (no user, no membership, invitation cancelled);
//   - accept vs resend: the accept succeeds and the resend answers
//     invite.ErrUsed (no pending invitation left), or the resend succeeds
//     and the accept answers invite.ErrReplaced (old invitation replaced by
//     the new one, the new one the only pending entry, its link usable, no
//     user);
//   - accept vs accept of one token: one succeeds, the other answers
//     invite.ErrUsed, one user (the winner's) and one membership;
//   - remove vs request: the agency or a client Admin removes a member
//     while a request of that member resolves its session and lists the
//     client's users; the request succeeds or answers
//     clientele.ErrUnauthenticated, the removal succeeds, the session then
//     never resolves (not even after the user is invited back), the
//     membership is gone and exactly one member.remove event records it;
//   - demote vs demote: the only two Admins of a client demote each other;
//     one succeeds, the other answers tenancy.ErrLastAdmin, and one active
//     Admin is left, the winner.
//
// It logs each race's outcomes counted ("accept-vs-cancel: 1000 trials,
// 512 accepted, 488 cancelled, 0 inconsistent") and reports every
// inconsistent trial as an error. newStore returns a fresh, empty store
// for each race; see [Reopener] for the request side of remove vs
// request.
func RunRaces(t *testing.T, newStore func(t *testing.T) Store, trials int) {
	if trials < 1 {
		t.Fatalf("conformance: %d race trials: want at least 1", trials)
	}
	for _, r := range []struct {
		name, label string
		outcomes    []string
		reopen      bool
		trial       func(t *testing.T, e *raceEnv, i int) (string, error)
	}{
		{"AcceptVsCancel", "accept-vs-cancel", []string{"accepted", "cancelled"}, false, acceptVsCancel},
		{"AcceptVsResend", "accept-vs-resend", []string{"accepted", "resent"}, false, acceptVsResend},
		{"AcceptVsAccept", "accept-vs-accept", []string{"first accepted", "second accepted"}, false, acceptVsAccept},
		{"NewAccountVsNewAccount", "new-account-vs-new-account", []string{"first made the account", "second made the account"}, false, newAccountVsNewAccount},
		{"RemoveVsRequest", "remove-vs-request", []string{"served", "refused"}, true, removeVsRequest},
		{"DemoteVsDemote", "demote-vs-demote", []string{"first demoted", "second demoted"}, false, demoteVsDemote},
	} {
		t.Run(r.name, func(t *testing.T) {
			e := newRaceEnv(t, newStore(t), r.reopen)
			tl := tally{label: r.label, outcomes: r.outcomes, counts: map[string]int{}}
			began := time.Now() // wall time of the race, for the log only
			for i := range trials {
				outcome, err := r.trial(t, e, i)
				tl.add(i, outcome, err)
			}
			tl.report(t, time.Since(began), e.stores)
		})
	}
}

// tally counts a race's outcomes and keeps its inconsistent trials.
type tally struct {
	label    string
	outcomes []string // the consistent outcomes, in log order
	counts   map[string]int
	trials   int
	bad      []string
}

// add counts trial i: outcome when err is nil and outcome is one of the
// consistent ones, else an inconsistency.
func (tl *tally) add(i int, outcome string, err error) {
	tl.trials++
	switch {
	case err != nil && outcome != "":
		tl.bad = append(tl.bad, fmt.Sprintf("trial %d (%s): %v", i, outcome, err))
	case err != nil:
		tl.bad = append(tl.bad, fmt.Sprintf("trial %d: %v", i, err))
	case !slices.Contains(tl.outcomes, outcome):
		tl.bad = append(tl.bad, fmt.Sprintf("trial %d: unknown outcome %q", i, outcome))
	default:
		tl.counts[outcome]++
	}
}

// report logs the counts and fails t on any inconsistent trial, listing
// the first ten.
func (tl *tally) report(t *testing.T, took time.Duration, stores int) {
	t.Helper()
	parts := []string{fmt.Sprintf("%d trials", tl.trials)}
	for _, o := range tl.outcomes {
		parts = append(parts, fmt.Sprintf("%d %s", tl.counts[o], o))
	}
	parts = append(parts, fmt.Sprintf("%d inconsistent", len(tl.bad)))
	t.Logf("%s: %s (%d Store instance(s), %v)", tl.label, strings.Join(parts, ", "), stores, took.Round(time.Millisecond))
	for _, b := range tl.bad[:min(len(tl.bad), 10)] {
		t.Errorf("%s: inconsistent: %s", tl.label, b)
	}
	if len(tl.bad) > 10 {
		t.Errorf("%s: %d more inconsistent trials", tl.label, len(tl.bad)-10)
	}
}

// services are the three services wired on one store.
type services struct {
	tenancy *tenancy.Service
	invites *invite.Service
	authn   *authn.Service
}

// raceEnv is one race's world: services on a store, the request side of
// remove vs request, a settable clock, a capturing mailer and an agency.
type raceEnv struct {
	services
	store  Store
	clock  *clienteletest.Clock
	mailer *clienteletest.Mailer
	agency clientele.Agency
	// request serves the request side of remove vs request: services on a
	// second Store (see Reopener), or the same ones.
	request services
	// stores is 2 when request runs on a second Store, else 1.
	stores int
}

// raceIP is the address the races' sign-ins come from.
var raceIP = netip.MustParseAddr("192.0.2.7")

// newRaceEnv wires services on s as clienteletest.New does; with reopen
// the request side gets its own Store when s is a Reopener.
func newRaceEnv(t *testing.T, s Store, reopen bool) *raceEnv {
	t.Helper()
	e := &raceEnv{store: s, clock: clienteletest.NewClock(clienteletest.Start), mailer: &clienteletest.Mailer{}, stores: 1}
	authz, err := rbac.New(t.Context())
	require.NoError(t, err)
	hasher, err := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	require.NoError(t, err)
	wire := func(s Store) services {
		var sv services
		var err error
		sv.tenancy, err = tenancy.New(s, authz, tenancy.WithClock(e.clock.Now))
		require.NoError(t, err)
		sv.invites, err = invite.New(s, authz, e.mailer, clienteletest.BaseURL,
			invite.WithClock(e.clock.Now), invite.WithPasswordHasher(hasher))
		require.NoError(t, err)
		// The races sign in far more often than a person would.
		many := authn.Rule{Max: 1 << 30, Window: time.Minute}
		sv.authn, err = authn.New(s, sv.invites, clienteletest.BaseURL, authn.WithClock(e.clock.Now),
			authn.WithPasswordHasher(hasher), authn.WithLimits(authn.Limits{SignInPerAccountIP: many, SignInPerIP: many, SignInPerDevice: many, AcceptPerIP: many, PasskeyPerIP: many}))
		require.NoError(t, err)
		return sv
	}
	e.services = wire(s)
	e.request = e.services
	if r, ok := s.(Reopener); ok && reopen {
		e.request = wire(r.Reopen(t))
		e.stores = 2
	}
	e.agency, err = e.tenancy.CreateAgency(t.Context(), clientele.Branding{Name: "Race Agency"})
	require.NoError(t, err)
	return e
}

func (e *raceEnv) agencyAdmin() clientele.Principal { return clientele.AgencyAdmin(e.agency.ID) }

// raceEmail is the email of a trial's user: unique in the agency, so that
// every acceptance makes a new account.
func raceEmail(tag string, i int) string { return fmt.Sprintf("%s-%d@example.com", tag, i) }

// newClient creates trial i's client.
func (e *raceEnv) newClient(t *testing.T, i int) clientele.Client {
	t.Helper()
	c, err := e.tenancy.CreateClient(t.Context(), e.agencyAdmin(), fmt.Sprintf("Client %d", i))
	require.NoError(t, err)
	return c
}

// invite invites email to c as the agency and returns the invitation and
// the token of its email.
func (e *raceEnv) invite(t *testing.T, c clientele.Client, email string, role clientele.Role) (clientele.Invitation, string) {
	t.Helper()
	inv, err := e.invites.Create(t.Context(), e.agencyAdmin(), c.ID, email, role)
	require.NoError(t, err)
	tok, err := e.mailer.TokenTo(email)
	require.NoError(t, err)
	return inv, tok
}

// join makes email a member of c with role through its invitation, and
// returns the member and its principal.
func (e *raceEnv) join(t *testing.T, c clientele.Client, email string, role clientele.Role) (clientele.Member, clientele.Principal) {
	t.Helper()
	_, tok := e.invite(t, c, email, role)
	m, err := e.invites.Accept(t.Context(), acceptAs(tok, "User "+email))
	require.NoError(t, err)
	return m, clientele.ClientUser(e.agency.ID, c.ID, m.UserID, m.Role)
}

func acceptAs(token, name string) invite.AcceptRequest {
	return invite.AcceptRequest{Token: token, Name: name, Password: clienteletest.Password}
}

// findings collects what is wrong with a trial's final state.
type findings []string

func (f *findings) expect(ok bool, format string, args ...any) {
	if !ok {
		*f = append(*f, fmt.Sprintf(format, args...))
	}
}

func (f findings) err() error {
	if len(f) == 0 {
		return nil
	}
	return errors.New(strings.Join(f, "; "))
}

// invitationState is the final state around one invitation: the
// invitation as stored, the agency's user with its email, and the
// client's user list.
type invitationState struct {
	inv     clientele.Invitation
	user    clientele.User
	userErr error
	entries []tenancy.Entry
}

func (e *raceEnv) invitationState(t *testing.T, c clientele.Client, id clientele.InvitationID, email string) invitationState {
	t.Helper()
	var st invitationState
	var err error
	st.inv, err = e.store.Invitation(t.Context(), c.ID, id)
	require.NoError(t, err)
	st.user, st.userErr = e.store.UserByEmail(t.Context(), e.agency.ID, clientele.Email(email))
	page, err := e.tenancy.ListUsers(t.Context(), e.agencyAdmin(), c.ID, tenancy.Page{})
	require.NoError(t, err)
	st.entries = page.Users
	return st
}

// expectAccepted checks that user accepted the invitation: one user, one
// active membership with the invited role and nothing pending.
func (st invitationState) expectAccepted(f *findings, user clientele.UserID, role clientele.Role) {
	f.expect(st.inv.Status == clientele.InvitationAccepted && st.inv.AcceptedBy == user,
		"invitation %s accepted by %q, want accepted by %s", st.inv.Status, st.inv.AcceptedBy, user)
	f.expect(st.userErr == nil && st.user.ID == user, "user by email: %s, %v; want %s", st.user.ID, st.userErr, user)
	f.expect(len(st.entries) == 1 && st.entries[0].ID == string(user) && st.entries[0].Status == tenancy.EntryActive &&
		st.entries[0].Role == role, "user list %+v, want only %s active as %s", st.entries, user, role)
}

// expectNoUser checks that no account was made for the invitation.
func (st invitationState) expectNoUser(f *findings) {
	f.expect(errors.Is(st.userErr, clientele.ErrNotFound), "user by email: %s, %v; want none", st.user.ID, st.userErr)
}

// acceptVsCancel races accepting a pending invitation with the agency
// cancelling it.
func acceptVsCancel(t *testing.T, e *raceEnv, i int) (string, error) {
	ctx := t.Context()
	c := e.newClient(t, i)
	email := raceEmail("cancel", i)
	inv, tok := e.invite(t, c, email, clientele.RoleMember)
	var m clientele.Member
	errs := race(2, func(k int) error {
		if k == 0 {
			var err error
			m, err = e.invites.Accept(ctx, acceptAs(tok, "Racer"))
			return err
		}
		return e.invites.Cancel(ctx, e.agencyAdmin(), c.ID, inv.ID)
	})
	acceptErr, cancelErr := errs[0], errs[1]
	st := e.invitationState(t, c, inv.ID, email)
	var f findings
	switch {
	case acceptErr == nil && errors.Is(cancelErr, invite.ErrUsed):
		st.expectAccepted(&f, m.UserID, clientele.RoleMember)
		return "accepted", f.err()
	case cancelErr == nil && errors.Is(acceptErr, invite.ErrCancelled):
		f.expect(st.inv.Status == clientele.InvitationCancelled, "invitation %s, want cancelled", st.inv.Status)
		st.expectNoUser(&f)
		f.expect(len(st.entries) == 0, "user list %+v, want empty", st.entries)
		return "cancelled", f.err()
	}
	return "", fmt.Errorf("accept answered %v, cancel answered %v", acceptErr, cancelErr)
}

// acceptVsResend races accepting a pending invitation with the agency
// resending it.
func acceptVsResend(t *testing.T, e *raceEnv, i int) (string, error) {
	ctx := t.Context()
	c := e.newClient(t, i)
	email := raceEmail("resend", i)
	inv, tok := e.invite(t, c, email, clientele.RoleMember)
	var m clientele.Member
	var next clientele.Invitation
	errs := race(2, func(k int) error {
		var err error
		if k == 0 {
			m, err = e.invites.Accept(ctx, acceptAs(tok, "Racer"))
			return err
		}
		next, err = e.invites.Resend(ctx, e.agencyAdmin(), c.ID, inv.ID)
		return err
	})
	acceptErr, resendErr := errs[0], errs[1]
	st := e.invitationState(t, c, inv.ID, email)
	var f findings
	switch {
	case acceptErr == nil && errors.Is(resendErr, invite.ErrUsed):
		st.expectAccepted(&f, m.UserID, clientele.RoleMember) // the only entry: nothing pending
		return "accepted", f.err()
	case resendErr == nil && errors.Is(acceptErr, invite.ErrReplaced):
		f.expect(st.inv.Status == clientele.InvitationReplaced && st.inv.ReplacedBy == next.ID,
			"old invitation %s, replaced by %q; want replaced by %s", st.inv.Status, st.inv.ReplacedBy, next.ID)
		st.expectNoUser(&f)
		f.expect(len(st.entries) == 1 && st.entries[0].ID == string(next.ID) && st.entries[0].Status == tenancy.EntryPending,
			"user list %+v, want only %s pending", st.entries, next.ID)
		newTok, err := e.mailer.TokenTo(email)
		require.NoError(t, err)
		got, err := e.invites.Pending(ctx, newTok)
		f.expect(err == nil && got.ID == next.ID, "the new link: %s, %v; want %s pending", got.ID, err, next.ID)
		return "resent", f.err()
	}
	return "", fmt.Errorf("accept answered %v, resend answered %v", acceptErr, resendErr)
}

// acceptVsAccept races two acceptances of one token with different names
// and passwords.
func acceptVsAccept(t *testing.T, e *raceEnv, i int) (string, error) {
	ctx := t.Context()
	c := e.newClient(t, i)
	email := raceEmail("twice", i)
	inv, tok := e.invite(t, c, email, clientele.RoleAdmin)
	ms := make([]clientele.Member, 2)
	names := []string{"First Racer", "Second Racer"}
	errs := race(2, func(k int) error {
		var err error
		ms[k], err = e.invites.Accept(ctx, acceptAs(tok, names[k]))
		return err
	})
	var w int
	switch {
	case errs[0] == nil && errors.Is(errs[1], invite.ErrUsed):
		w = 0
	case errs[1] == nil && errors.Is(errs[0], invite.ErrUsed):
		w = 1
	default:
		return "", fmt.Errorf("the accepts answered %v and %v", errs[0], errs[1])
	}
	st := e.invitationState(t, c, inv.ID, email)
	var f findings
	st.expectAccepted(&f, ms[w].UserID, clientele.RoleAdmin)
	f.expect(st.user.Name == names[w], "user named %q, want the winner's %q", st.user.Name, names[w])
	return []string{"first accepted", "second accepted"}[w], f.err()
}

// newAccountVsNewAccount races two links to one new email, in two
// clients, each accepted as a new account with its own name and password:
// one makes the account; the other finds it made and, proving nothing,
// answers invite.ErrSignInRequired with its link still pending — never a
// session of an account it did not prove.
func newAccountVsNewAccount(t *testing.T, e *raceEnv, i int) (string, error) {
	ctx := t.Context()
	cs := []clientele.Client{e.newClient(t, 2*i), e.newClient(t, 2*i+1)}
	email := raceEmail("both", i)
	invs := make([]clientele.Invitation, 2)
	toks := make([]string, 2)
	for k, c := range cs {
		invs[k], toks[k] = e.invite(t, c, email, clientele.RoleMember)
	}
	ms := make([]clientele.Member, 2)
	names := []string{"First Racer", "Second Racer"}
	errs := race(2, func(k int) error {
		var err error
		ms[k], err = e.invites.Accept(ctx, acceptAs(toks[k], names[k]))
		return err
	})
	var w int
	switch {
	case errs[0] == nil && errors.Is(errs[1], invite.ErrSignInRequired):
		w = 0
	case errs[1] == nil && errors.Is(errs[0], invite.ErrSignInRequired):
		w = 1
	default:
		return "", fmt.Errorf("the accepts answered %v and %v", errs[0], errs[1])
	}
	var f findings
	won := e.invitationState(t, cs[w], invs[w].ID, email)
	won.expectAccepted(&f, ms[w].UserID, clientele.RoleMember)
	f.expect(won.user.Name == names[w], "user named %q, want the winner's %q", won.user.Name, names[w])
	lost := e.invitationState(t, cs[1-w], invs[1-w].ID, email)
	f.expect(lost.inv.Status == clientele.InvitationPending, "the other link is %s, want pending", lost.inv.Status)
	f.expect(len(lost.entries) == 1 && lost.entries[0].Status == tenancy.EntryPending,
		"the other client's list %+v, want only the pending invitation", lost.entries)
	return []string{"first made the account", "second made the account"}[w], f.err()
}

// removeVsRequest races removing a member (by the agency in even trials,
// by a client Admin in odd ones) with a request of that member on the
// request side: resolve its session, then list the client's users. In
// trials 2 and 3 of every 4 the session is due a touch, so the request
// also writes.
func removeVsRequest(t *testing.T, e *raceEnv, i int) (string, error) {
	ctx := t.Context()
	c := e.newClient(t, i)
	_, admin := e.join(t, c, raceEmail("admin", i), clientele.RoleAdmin)
	email := raceEmail("member", i)
	m, _ := e.join(t, c, email, clientele.RoleMember)
	tok, _, err := e.authn.SignIn(ctx, authn.SignInRequest{AgencyID: e.agency.ID, Email: email, Password: clienteletest.Password, IP: raceIP})
	require.NoError(t, err)
	if i%4 >= 2 {
		e.clock.Advance(2 * time.Minute) // past authn's touch interval
	}
	actor := e.agencyAdmin()
	if i%2 == 1 {
		actor = admin
	}
	errs := race(2, func(k int) error {
		if k == 0 {
			return e.tenancy.Remove(ctx, actor, c.ID, m.UserID)
		}
		id, err := e.request.authn.Resolve(ctx, tok)
		if err != nil {
			return err
		}
		_, err = e.request.tenancy.ListUsers(ctx, id.Principal, c.ID, tenancy.Page{})
		return err
	})
	removeErr, requestErr := errs[0], errs[1]
	var outcome string
	switch {
	case removeErr != nil:
		return "", fmt.Errorf("remove answered %v (request %v)", removeErr, requestErr)
	case requestErr == nil:
		outcome = "served"
	case errors.Is(requestErr, clientele.ErrUnauthenticated):
		outcome = "refused"
	default:
		return "", fmt.Errorf("request answered %v", requestErr)
	}

	var f findings
	for side, sv := range []services{e.services, e.request} {
		_, err := sv.authn.Resolve(ctx, tok)
		f.expect(errors.Is(err, clientele.ErrUnauthenticated), "resolve after the removal (side %d): %v, want ErrUnauthenticated", side, err)
	}
	_, err = e.tenancy.Member(ctx, e.agencyAdmin(), c.ID, m.UserID)
	f.expect(errors.Is(err, clientele.ErrNotFound), "membership after the removal: %v, want ErrNotFound", err)
	audit, err := e.tenancy.ListAudit(ctx, e.agencyAdmin(), c.ID, tenancy.Page{})
	require.NoError(t, err)
	removals := 0
	wantActor := clientele.AuditActorAgency
	if actor.Kind != clientele.KindAgencyAdmin {
		wantActor = string(actor.UserID)
	}
	for _, ev := range audit.Events {
		if ev.Action == clientele.AuditMemberRemove && ev.Target == string(m.UserID) {
			removals++
			f.expect(ev.Actor == wantActor, "member.remove by %q, want %q", ev.Actor, wantActor)
		}
	}
	f.expect(removals == 1, "%d member.remove events, want 1", removals)
	if len(f) == 0 {
		// Invited back, the user gets a new membership: a session row left
		// behind by the removal would resolve again through it.
		_, back := e.invite(t, c, email, clientele.RoleMember)
		_, err := e.invites.Accept(ctx, invite.AcceptRequest{Token: back, Account: m.UserID})
		require.NoError(t, err)
		_, err = e.authn.Resolve(ctx, tok)
		f.expect(errors.Is(err, clientele.ErrUnauthenticated), "resolve after the user came back: %v, want ErrUnauthenticated", err)
	}
	return outcome, f.err()
}

// demoteVsDemote races the only two Admins of a client demoting each other.
func demoteVsDemote(t *testing.T, e *raceEnv, i int) (string, error) {
	ctx := t.Context()
	c := e.newClient(t, i)
	x, px := e.join(t, c, raceEmail("x", i), clientele.RoleAdmin)
	y, py := e.join(t, c, raceEmail("y", i), clientele.RoleAdmin)
	errs := race(2, func(k int) error {
		var err error
		if k == 0 {
			_, err = e.tenancy.ChangeRole(ctx, px, c.ID, y.UserID, clientele.RoleMember)
		} else {
			_, err = e.tenancy.ChangeRole(ctx, py, c.ID, x.UserID, clientele.RoleMember)
		}
		return err
	})
	var winner clientele.UserID
	var outcome string
	switch {
	case errs[0] == nil && errors.Is(errs[1], tenancy.ErrLastAdmin):
		winner, outcome = x.UserID, "first demoted"
	case errs[1] == nil && errors.Is(errs[0], tenancy.ErrLastAdmin):
		winner, outcome = y.UserID, "second demoted"
	default:
		return "", fmt.Errorf("the demotions answered %v and %v", errs[0], errs[1])
	}
	page, err := e.tenancy.ListUsers(ctx, e.agencyAdmin(), c.ID, tenancy.Page{})
	require.NoError(t, err)
	var admins []string
	for _, en := range page.Users {
		if en.Role == clientele.RoleAdmin && en.Status == tenancy.EntryActive {
			admins = append(admins, en.ID)
		}
	}
	var f findings
	f.expect(len(admins) == 1 && admins[0] == string(winner), "active admins %v, want only %s", admins, winner)
	audit, err := e.tenancy.ListAudit(ctx, e.agencyAdmin(), c.ID, tenancy.Page{})
	require.NoError(t, err)
	changes := 0
	for _, ev := range audit.Events {
		if ev.Action == clientele.AuditMemberRole {
			changes++
		}
	}
	f.expect(changes == 1, "%d member.role events, want 1", changes)
	return outcome, f.err()
}
