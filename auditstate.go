package clientele

import (
	"encoding/base64"
	"encoding/json"
)

// The audit states below are the Before and After of [AuditEvent]s, so
// that every store writes the same text for the same state: a plain value
// where one field changes, else a small JSON value with a fixed field
// order. They carry emails, roles, statuses, permissions, branding and
// passkey names, never a token, a key or a hash.

// AuditMember is a membership's state in an event of action: its status
// ("active", "deactivated") for member.deactivate and member.reactivate,
// else its role ("admin", "member").
func AuditMember(action string, m Membership) string {
	if action == AuditMemberDeactivate || action == AuditMemberReactivate {
		return string(m.Status)
	}
	return string(m.Role)
}

// AuditInvitation is an invitation's state: {"email","role","status"},
// with "replaced_by" (the new invitation of a resend) and "accepted_by"
// (the user who accepted) when set. The token hash is never part of it.
func AuditInvitation(inv Invitation) string {
	return auditJSON(struct {
		Email      Email            `json:"email"`
		Role       Role             `json:"role"`
		Status     InvitationStatus `json:"status"`
		ReplacedBy InvitationID     `json:"replaced_by,omitempty"`
		AcceptedBy UserID           `json:"accepted_by,omitempty"`
	}{inv.Email, inv.Role, inv.Status, inv.ReplacedBy, inv.AcceptedBy})
}

// AuditPermissions is a client's permission set as a JSON array, sorted:
// ["manage_billing","view_reports"], [] for none.
func AuditPermissions(ps PermissionSet) string {
	return auditJSON(append(PermissionSet{}, NewPermissionSet(ps...)...))
}

// AuditBranding is the agency's branding:
// {"name","logo_url","primary_color","custom_domain"}.
func AuditBranding(b Branding) string {
	return auditJSON(struct {
		Name         string `json:"name"`
		LogoURL      string `json:"logo_url"`
		PrimaryColor string `json:"primary_color"`
		CustomDomain string `json:"custom_domain"`
	}{b.Name, b.LogoURL, b.PrimaryColor, b.CustomDomain})
}

// AuditPasskey is a passkey: {"id","name"}, its credential id in
// unpadded base64url (as WebAuthn writes it) and its name. The public key
// is never part of it.
func AuditPasskey(p Passkey) string {
	return auditJSON(struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}{base64.RawURLEncoding.EncodeToString(p.ID), p.Name})
}

func auditJSON(v any) string {
	b, _ := json.Marshal(v) // structs of strings cannot fail to marshal
	return string(b)
}
