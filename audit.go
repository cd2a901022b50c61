package clientele

import (
	"context"
	"fmt"
	"net/netip"
	"time"
)

// AuditEvent is one recorded change to access: an invitation made,
// resent, cancelled or accepted, a role changed, a member removed,
// deactivated or reactivated, a client's permissions or the agency's
// branding replaced, a passkey added or removed, a password changed. It
// never holds a token, a token hash or a password hash.
//
// A store method that makes such a change takes its event and writes it in
// the same atomic step as the change (one lock, one transaction): a change
// that fails writes no event, and an event that cannot be written fails
// the change. Who fills what:
//
//   - the caller (a service) fills the stamp, who acted, when and from
//     where: ID, At, Actor and IP (see [NewAuditStamp] and
//     [AuditEvent.CheckStamp]);
//   - the store fills what changed, from the rows it changes: AgencyID,
//     ClientID, Action, Target, Before and After, replacing whatever the
//     caller put there; for an acceptance also Actor, the accepting user,
//     whom only the store knows for sure.
type AuditEvent struct {
	// ID identifies the event ("aud_…", from NewID).
	ID string
	// AgencyID is the agency the change belongs to.
	AgencyID AgencyID
	// ClientID is the client the change is confined to; empty for an
	// agency-level change (branding, and a user's credentials, which
	// belong to the user and not to one client): the agency's log shows
	// those, no client's log does.
	ClientID ClientID
	// At is when the change was made, in UTC.
	At time.Time
	// Actor is who made the change: a user id, or [AuditActorAgency].
	Actor string
	// Action is what was done: one of the Audit… actions below.
	Action string
	// Target is what the change is about: a user id (member.*, user.*),
	// an invitation id (invitation.*), a client id (client.permissions)
	// or the agency id (agency.branding).
	Target string
	// Before and After are the target's state before and after the change,
	// "" where there is none:
	//
	//   - invitation.*: {"email","role","status"}, with "replaced_by" or
	//     "accepted_by" when set (AuditInvitation); no Before on create;
	//   - member.role: the role, "admin" or "member"; member.remove: the
	//     role, no After;
	//   - member.deactivate, member.reactivate: the status, "active" or
	//     "deactivated" (AuditMember);
	//   - client.permissions: a JSON array, ["view_reports"]
	//     (AuditPermissions);
	//   - agency.branding: {"name","logo_url","primary_color",
	//     "custom_domain"} (AuditBranding);
	//   - user.passkey_add, user.passkey_remove: the passkey,
	//     {"id","name"} with the credential id in unpadded base64url
	//     (AuditPasskey); After on add, Before on remove;
	//   - user.password_change: none (never a hash).
	Before, After string
	// IP is the address the request came from, or "" when unknown.
	IP string
}

// The actions of audit events.
const (
	AuditInvitationCreate  = "invitation.create"
	AuditInvitationResend  = "invitation.resend"
	AuditInvitationCancel  = "invitation.cancel"
	AuditInvitationAccept  = "invitation.accept"
	AuditMemberRole        = "member.role"
	AuditMemberRemove      = "member.remove"
	AuditMemberDeactivate  = "member.deactivate"
	AuditMemberReactivate  = "member.reactivate"
	AuditClientPermissions = "client.permissions"
	AuditAgencyBranding    = "agency.branding"
	AuditPasskeyAdd        = "user.passkey_add"
	AuditPasskeyRemove     = "user.passkey_remove"
	AuditPasswordChange    = "user.password_change"
)

// AuditActorAgency is the Actor of a change the agency admin made.
const AuditActorAgency = "agency"

// AuditActor returns who p is in an audit event: [AuditActorAgency] for the
// agency admin, the user id for a client user, "" for no principal.
func (p Principal) AuditActor() string {
	if p.Kind == KindAgencyAdmin {
		return AuditActorAgency
	}
	return string(p.UserID)
}

// NewAuditStamp returns the caller's part of the audit event of a change p
// makes at at: a fresh id, at, p's actor and the source IP ctx carries.
// For an acceptance, which no principal makes, pass the zero Principal:
// the store sets the Actor.
func NewAuditStamp(ctx context.Context, p Principal, at time.Time) AuditEvent {
	return AuditEvent{ID: NewID("aud"), At: at, Actor: p.AuditActor(), IP: SourceIP(ctx)}
}

// CheckStamp reports whether e carries a caller's stamp as stores accept
// it: an ID and an Actor of [ValidID] form, a time, and an IP that is
// empty or an IP address. Otherwise it answers [ErrInvalidArgument].
// Stores call it (for an acceptance once they have set the Actor).
func (e AuditEvent) CheckStamp() error {
	switch {
	case !ValidID(e.ID):
		return fmt.Errorf("%w: audit event id %q", ErrInvalidArgument, e.ID)
	case e.At.IsZero():
		return fmt.Errorf("%w: audit event %s without a time", ErrInvalidArgument, e.ID)
	case !ValidID(e.Actor):
		return fmt.Errorf("%w: audit event %s: actor %q", ErrInvalidArgument, e.ID, e.Actor)
	case e.IP != "" && !validIP(e.IP):
		return fmt.Errorf("%w: audit event %s: IP %q", ErrInvalidArgument, e.ID, e.IP)
	}
	return nil
}

type sourceIPKey struct{}

// WithSourceIP returns ctx carrying ip, the address the request came from,
// for the audit events of the changes made with ctx. ip is kept in its
// canonical form (an IPv4-mapped IPv6 address as IPv4, no zone); a value
// that is not an IP address (such as "" or "invalid IP") makes ctx carry
// none. The IP is information, never a scope.
func WithSourceIP(ctx context.Context, ip string) context.Context {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return context.WithValue(ctx, sourceIPKey{}, "")
	}
	return context.WithValue(ctx, sourceIPKey{}, a.Unmap().WithZone("").String())
}

// SourceIP returns the address WithSourceIP put in ctx, or "" when unknown.
func SourceIP(ctx context.Context) string {
	ip, _ := ctx.Value(sourceIPKey{}).(string)
	return ip
}

// validIP reports whether s is an IP address in canonical form.
func validIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == "" && a.String() == s
}
