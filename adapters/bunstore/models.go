package bunstore

import (
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// The models mirror the migrations; one set serves every dialect.

type agencyRow struct {
	bun.BaseModel `bun:"table:clientele_agencies,alias:a"`

	ID           string    `bun:"id,pk"`
	Name         string    `bun:"name"`
	LogoURL      string    `bun:"logo_url"`
	PrimaryColor string    `bun:"primary_color"`
	CustomDomain *string   `bun:"custom_domain"` // NULL when the agency has none
	CreatedAt    time.Time `bun:"created_at"`
}

func toAgencyRow(a clientele.Agency) *agencyRow {
	r := &agencyRow{ID: string(a.ID), Name: a.Branding.Name, LogoURL: a.Branding.LogoURL,
		PrimaryColor: a.Branding.PrimaryColor, CreatedAt: a.CreatedAt.UTC()}
	if a.Branding.CustomDomain != "" {
		d := a.Branding.CustomDomain
		r.CustomDomain = &d
	}
	return r
}

func (r *agencyRow) agency() clientele.Agency {
	a := clientele.Agency{ID: clientele.AgencyID(r.ID), CreatedAt: r.CreatedAt.UTC(), Branding: clientele.Branding{
		Name: r.Name, LogoURL: r.LogoURL, PrimaryColor: r.PrimaryColor}}
	if r.CustomDomain != nil {
		a.Branding.CustomDomain = *r.CustomDomain
	}
	return a
}

type clientRow struct {
	bun.BaseModel `bun:"table:clientele_clients,alias:c"`

	ID          string    `bun:"id,pk"`
	AgencyID    string    `bun:"agency_id"`
	Name        string    `bun:"name"`
	Permissions string    `bun:"permissions"` // sorted names joined by ","
	CreatedAt   time.Time `bun:"created_at"`
}

func toClientRow(c clientele.Client) *clientRow {
	return &clientRow{ID: string(c.ID), AgencyID: string(c.AgencyID), Name: c.Name,
		Permissions: joinPermissions(c.Permissions), CreatedAt: c.CreatedAt.UTC()}
}

func (r *clientRow) client() clientele.Client {
	return clientele.Client{ID: clientele.ClientID(r.ID), AgencyID: clientele.AgencyID(r.AgencyID), Name: r.Name,
		Permissions: splitPermissions(r.Permissions), CreatedAt: r.CreatedAt.UTC()}
}

// joinPermissions stores a set as its sorted names joined by commas
// (permission names never hold a comma).
func joinPermissions(ps clientele.PermissionSet) string {
	names := make([]string, 0, len(ps))
	for _, p := range clientele.NewPermissionSet(ps...) {
		names = append(names, string(p))
	}
	return strings.Join(names, ",")
}

func splitPermissions(s string) clientele.PermissionSet {
	ps := clientele.PermissionSet{}
	if s == "" {
		return ps
	}
	for name := range strings.SplitSeq(s, ",") {
		ps = append(ps, clientele.Permission(name))
	}
	return ps
}

type userRow struct {
	bun.BaseModel `bun:"table:clientele_users,alias:u"`

	ID           string    `bun:"id,pk"`
	AgencyID     string    `bun:"agency_id"`
	Email        string    `bun:"email"`
	Name         string    `bun:"name"`
	PasswordHash string    `bun:"password_hash"`
	CreatedAt    time.Time `bun:"created_at"`
}

func (r *userRow) user() clientele.User {
	return clientele.User{ID: clientele.UserID(r.ID), AgencyID: clientele.AgencyID(r.AgencyID),
		Email: clientele.Email(r.Email), Name: r.Name, CreatedAt: r.CreatedAt.UTC()}
}

type membershipRow struct {
	bun.BaseModel `bun:"table:clientele_memberships,alias:m"`

	ClientID     string     `bun:"client_id,pk"`
	UserID       string     `bun:"user_id,pk"`
	Email        string     `bun:"email"` // the user's, copied for the indexed user list
	Name         string     `bun:"name"`  // the user's, copied likewise (names never change)
	Role         string     `bun:"role"`
	Status       string     `bun:"status"`
	LastActiveAt *time.Time `bun:"last_active_at"`
	CreatedAt    time.Time  `bun:"created_at"`
}

func (r *membershipRow) membership() clientele.Membership {
	m := clientele.Membership{ClientID: clientele.ClientID(r.ClientID), UserID: clientele.UserID(r.UserID),
		Role: clientele.Role(r.Role), Status: clientele.MemberStatus(r.Status), CreatedAt: r.CreatedAt.UTC()}
	if r.LastActiveAt != nil {
		t := r.LastActiveAt.UTC()
		m.LastActiveAt = &t
	}
	return m
}

// memberRow is a membership read as a Member.
type memberRow struct {
	membershipRow `bun:",extend"`
}

func (r *memberRow) member() clientele.Member {
	return clientele.Member{Email: clientele.Email(r.Email), Name: r.Name, Membership: r.membership()}
}

type invitationRow struct {
	bun.BaseModel `bun:"table:clientele_invitations,alias:i"`

	ID         string    `bun:"id,pk"`
	AgencyID   string    `bun:"agency_id"`
	ClientID   string    `bun:"client_id"`
	Email      string    `bun:"email"`
	Role       string    `bun:"role"`
	Status     string    `bun:"status"`
	TokenHash  []byte    `bun:"token_hash"`
	InvitedBy  string    `bun:"invited_by"`
	ReplacedBy string    `bun:"replaced_by"`
	AcceptedBy string    `bun:"accepted_by"`
	CreatedAt  time.Time `bun:"created_at"`
	ExpiresAt  time.Time `bun:"expires_at"`
}

func toInvitationRow(inv clientele.Invitation) *invitationRow {
	return &invitationRow{ID: string(inv.ID), AgencyID: string(inv.AgencyID), ClientID: string(inv.ClientID),
		Email: string(inv.Email), Role: string(inv.Role), Status: string(clientele.InvitationPending),
		TokenHash: inv.TokenHash, InvitedBy: string(inv.InvitedBy), CreatedAt: inv.CreatedAt.UTC(), ExpiresAt: inv.ExpiresAt.UTC()}
}

func (r *invitationRow) invitation() clientele.Invitation {
	return clientele.Invitation{ID: clientele.InvitationID(r.ID), AgencyID: clientele.AgencyID(r.AgencyID),
		ClientID: clientele.ClientID(r.ClientID), Email: clientele.Email(r.Email), Role: clientele.Role(r.Role),
		Status: clientele.InvitationStatus(r.Status), TokenHash: r.TokenHash, InvitedBy: clientele.UserID(r.InvitedBy),
		ReplacedBy: clientele.InvitationID(r.ReplacedBy), AcceptedBy: clientele.UserID(r.AcceptedBy),
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}
}

type deliveryRow struct {
	bun.BaseModel `bun:"table:clientele_outbox,alias:o"`

	ID            string     `bun:"id,pk"`
	Kind          string     `bun:"kind"`
	AgencyID      string     `bun:"agency_id"`
	ClientID      string     `bun:"client_id"`
	InvitationID  string     `bun:"invitation_id,nullzero"` // NULL for a notice
	UserID        string     `bun:"user_id"`                // '' for an invitation
	Notice        string     `bun:"notice"`                 // '' for an invitation
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	LastError     string     `bun:"last_error"`
	CreatedAt     time.Time  `bun:"created_at"`
	SentAt        *time.Time `bun:"sent_at"` // NULL while queued
}

func toDeliveryRow(d invite.Delivery) *deliveryRow {
	r := &deliveryRow{ID: string(d.ID), Kind: string(d.Kind), AgencyID: string(d.AgencyID), ClientID: string(d.ClientID),
		InvitationID: string(d.InvitationID), UserID: string(d.UserID), Notice: string(d.Notice), Attempts: d.Attempts,
		NextAttemptAt: d.NextAttemptAt.UTC(), LastError: d.LastError, CreatedAt: d.CreatedAt.UTC()}
	if d.SentAt != nil {
		t := d.SentAt.UTC()
		r.SentAt = &t
	}
	return r
}

func (r *deliveryRow) delivery() invite.Delivery {
	d := invite.Delivery{ID: invite.DeliveryID(r.ID), Kind: invite.DeliveryKind(r.Kind), AgencyID: clientele.AgencyID(r.AgencyID),
		ClientID: clientele.ClientID(r.ClientID), InvitationID: clientele.InvitationID(r.InvitationID),
		UserID: clientele.UserID(r.UserID), Notice: invite.Notice(r.Notice), Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(), LastError: r.LastError, CreatedAt: r.CreatedAt.UTC()}
	if r.SentAt != nil {
		t := r.SentAt.UTC()
		d.SentAt = &t
	}
	return d
}

type auditRow struct {
	bun.BaseModel `bun:"table:clientele_audit,alias:au"`

	ID       string    `bun:"id,pk"`
	AgencyID string    `bun:"agency_id"`
	ClientID string    `bun:"client_id"` // '' for an agency-level event
	At       time.Time `bun:"at"`
	Actor    string    `bun:"actor"`
	Action   string    `bun:"action"`
	Target   string    `bun:"target"`
	Before   string    `bun:"before_value"`
	After    string    `bun:"after_value"`
	IP       string    `bun:"ip"`
}

func toAuditRow(ev clientele.AuditEvent) *auditRow {
	return &auditRow{ID: ev.ID, AgencyID: string(ev.AgencyID), ClientID: string(ev.ClientID), At: ev.At.UTC(),
		Actor: ev.Actor, Action: ev.Action, Target: ev.Target, Before: ev.Before, After: ev.After, IP: ev.IP}
}

func (r *auditRow) event() clientele.AuditEvent {
	return clientele.AuditEvent{ID: r.ID, AgencyID: clientele.AgencyID(r.AgencyID), ClientID: clientele.ClientID(r.ClientID),
		At: r.At.UTC(), Actor: r.Actor, Action: r.Action, Target: r.Target, Before: r.Before, After: r.After, IP: r.IP}
}
