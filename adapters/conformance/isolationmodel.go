package conformance

import (
	"cmp"
	"slices"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// The reference model of RunIsolation: what every agency, client, user,
// invitation and audit log holds after each step, and what each operation
// answers. It follows the documented contracts of package tenancy and
// invite and nothing else. Every collection keeps creation order, so a
// seed replays the same choices.

// isoModel is the whole expected state.
type isoModel struct {
	now      time.Time
	agencies []*isoAgency
	clients  []*isoClient // every client, in creation order
	byClient map[clientele.ClientID]*isoClient
	users    []*isoUser // every user, in creation order
	invs     []*isoInv  // every invitation, in creation order
	tokens   []string   // every mailed token, in mailing order
	byToken  map[string]*isoInv
}

type isoAgency struct {
	id       clientele.AgencyID
	label    string
	branding clientele.Branding
	clients  []*isoClient
	users    map[clientele.Email]*isoUser
	events   []isoEvent // the agency's whole audit log, oldest first
}

type isoClient struct {
	id      clientele.ClientID
	agency  *isoAgency
	label   string
	name    string
	perms   clientele.PermissionSet
	created time.Time
	members []*isoMember // in acceptance order
	invs    []*isoInv    // every invitation, in creation order
	open    []*isoInv    // invitations whose stored status is pending
	events  []isoEvent   // the client's audit log, oldest first
}

type isoUser struct {
	id     clientele.UserID
	agency *isoAgency
	email  clientele.Email
	name   string
	label  string
}

type isoMember struct {
	user    *isoUser
	role    clientele.Role
	status  clientele.MemberStatus
	created time.Time
}

type isoInv struct {
	id         clientele.InvitationID
	label      string
	client     *isoClient
	email      clientele.Email
	role       clientele.Role
	status     clientele.InvitationStatus // as stored
	invitedBy  clientele.UserID
	created    time.Time
	expires    time.Time
	token      string
	hash       []byte
	acceptedBy clientele.UserID
	replacedBy clientele.InvitationID
}

// isoEvent is the part of an audit event the model predicts.
type isoEvent struct {
	At     time.Time
	Agency clientele.AgencyID
	Client clientele.ClientID
	Action string
	Target string
	Actor  string
}

// isoTarget is a client an operation names: one of the model's, or an
// id that exists nowhere (c nil).
type isoTarget struct {
	id    clientele.ClientID
	c     *isoClient
	label string
}

// isoClientRights is the default policy for client users (rbac/policy.csv)
// on the operations the property runs; the agency admin may do them all.
var isoClientRights = map[clientele.Role]map[rbac.Action]bool{
	clientele.RoleAdmin: {
		rbac.ActionViewClient: true, rbac.ActionListUsers: true, rbac.ActionInvite: true,
		rbac.ActionResendInvitation: true, rbac.ActionCancelInvitation: true, rbac.ActionChangeRole: true,
		rbac.ActionRemoveUser: true, rbac.ActionViewAudit: true,
	},
	clientele.RoleMember: {rbac.ActionViewClient: true, rbac.ActionListUsers: true},
}

// gate is what every client-confined operation answers before it looks at
// its target: the services trust the principal they are given (the host
// resolves it fresh per request), so only its claims count. A client the
// principal may not see, or one of another agency, is not found; an
// action its role lacks is denied.
func (m *isoModel) gate(p clientele.Principal, t isoTarget, act rbac.Action) error {
	if p.Kind == clientele.KindClientUser && p.ClientID != t.id {
		return clientele.ErrNotFound
	}
	if t.c == nil || t.c.agency.id != p.AgencyID {
		return clientele.ErrNotFound
	}
	if p.Kind != clientele.KindAgencyAdmin && !isoClientRights[p.Role][act] {
		return rbac.ErrDenied
	}
	return nil
}

// isoAgencyGate is what an agency-level operation answers: only the agency
// admin may.
func isoAgencyGate(p clientele.Principal) error {
	if p.Kind != clientele.KindAgencyAdmin {
		return rbac.ErrDenied
	}
	return nil
}

// isoInScope reports whether t is inside what p may reach at all: its own
// client for a client user, a client of its agency for the agency admin.
func isoInScope(p clientele.Principal, t isoTarget) bool {
	if t.c == nil || t.c.agency.id != p.AgencyID {
		return false
	}
	return p.Kind == clientele.KindAgencyAdmin || p.ClientID == t.id
}

func (c *isoClient) member(u clientele.UserID) *isoMember {
	for _, m := range c.members {
		if m.user.id == u {
			return m
		}
	}
	return nil
}

// lastActiveAdmin reports whether m is the client's only active Admin.
func (c *isoClient) lastActiveAdmin(m *isoMember) bool {
	if m.role != clientele.RoleAdmin || m.status != clientele.StatusActive {
		return false
	}
	for _, o := range c.members {
		if o != m && o.role == clientele.RoleAdmin && o.status == clientele.StatusActive {
			return false
		}
	}
	return true
}

func (c *isoClient) remove(m *isoMember) {
	c.members = slices.DeleteFunc(c.members, func(o *isoMember) bool { return o == m })
}

// setStatus sets inv's stored status; it is no longer open unless pending.
func (inv *isoInv) setStatus(s clientele.InvitationStatus) {
	inv.status = s
	if s != clientele.InvitationPending {
		inv.client.open = slices.DeleteFunc(inv.client.open, func(o *isoInv) bool { return o == inv })
	}
}

// statusAt is the invitation's effective status at now.
func (inv *isoInv) statusAt(now time.Time) clientele.InvitationStatus {
	if inv.status == clientele.InvitationPending && !now.Before(inv.expires) {
		return clientele.InvitationExpired
	}
	return inv.status
}

// record appends an event of client c at the model's time.
func (m *isoModel) record(c *isoClient, action, target, actor string) {
	ev := isoEvent{At: m.now, Agency: c.agency.id, Client: c.id, Action: action, Target: target, Actor: actor}
	c.events = append(c.events, ev)
	c.agency.events = append(c.agency.events, ev)
}

// isoNewest returns the last n events of log, newest first.
func isoNewest(log []isoEvent, n int) []isoEvent {
	out := make([]isoEvent, 0, min(n, len(log)))
	for i := len(log) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, log[i])
	}
	return out
}

func (c *isoClient) client() clientele.Client {
	return clientele.Client{ID: c.id, AgencyID: c.agency.id, Name: c.name, Permissions: c.perms, CreatedAt: c.created}
}

func (m *isoMember) member(c *isoClient) clientele.Member {
	return clientele.Member{
		Membership: clientele.Membership{ClientID: c.id, UserID: m.user.id, Role: m.role, Status: m.status, CreatedAt: m.created},
		Email:      m.user.email, Name: m.user.name,
	}
}

func (inv *isoInv) invitation() clientele.Invitation {
	return clientele.Invitation{
		ID: inv.id, AgencyID: inv.client.agency.id, ClientID: inv.client.id, Email: inv.email, Role: inv.role,
		Status: inv.status, TokenHash: inv.hash, InvitedBy: inv.invitedBy, CreatedAt: inv.created,
		ExpiresAt: inv.expires, ReplacedBy: inv.replacedBy, AcceptedBy: inv.acceptedBy,
	}
}

// entries is the client's user list at now, as ListUsers orders it.
func (c *isoClient) entries(now time.Time) []tenancy.Entry {
	out := []tenancy.Entry{}
	for _, m := range c.members {
		out = append(out, tenancy.Entry{ID: string(m.user.id), Name: m.user.name, Email: m.user.email, Role: m.role,
			Status: tenancy.EntryStatus(m.status)})
	}
	for _, inv := range c.open {
		if now.Before(inv.expires) {
			out = append(out, tenancy.Entry{ID: string(inv.id), Email: inv.email, Role: inv.role,
				Status: tenancy.EntryPending, ExpiresAt: ptr(inv.expires)})
		}
	}
	slices.SortFunc(out, func(a, b tenancy.Entry) int { return cmp.Or(cmp.Compare(a.Email, b.Email), cmp.Compare(a.ID, b.ID)) })
	return out
}

// clientList is the agency's clients as ListClients orders them.
func (a *isoAgency) clientList() []clientele.Client {
	out := make([]clientele.Client, 0, len(a.clients))
	for _, c := range a.clients {
		out = append(out, normClient(c.client()))
	}
	slices.SortFunc(out, func(x, y clientele.Client) int { return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID)) })
	return out
}

// isoEventsOf turns stored events into what the model predicts of them.
func isoEventsOf(evs []clientele.AuditEvent) []isoEvent {
	out := make([]isoEvent, len(evs))
	for i, ev := range evs {
		out[i] = isoEvent{At: ev.At.UTC(), Agency: ev.AgencyID, Client: ev.ClientID, Action: ev.Action, Target: ev.Target, Actor: ev.Actor}
	}
	return out
}
