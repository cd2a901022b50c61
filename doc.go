// Package clientele is the domain of an embeddable library that gives an
// agency platform its client accounts, client users, roles, client-level
// permissions, invitations and a white-labeled, isolated client portal.
//
// # The model
//
// An [Agency] has many client accounts ([Client]). A client has many users,
// each linked to it by a [Membership] that carries one [Role] (Admin or
// Member), a [MemberStatus] (active or deactivated) and the time the user
// was last active. A [User] belongs to one agency and is identified there by
// a case-insensitive [Email]; one email may be a member of several clients
// of the same agency, and nothing of its membership in one client is visible
// from another.
//
// The agency enables client-level permissions ([Permission], feature toggles
// such as "manage_billing") per client. What a user may do is decided from
// both the role and the client's permissions by package rbac: an Admin
// cannot use a feature the client lacks, and a Member never gets billing.
//
// An [Invitation] asks an email to join a client with a role. Its token is
// shown once, in the email, and only its SHA-256 hash is stored. It is
// pending until accepted, cancelled, replaced by a resend, or expired.
//
// The agency's [Branding] (name, logo, color, custom domain) carries the
// portal and its emails.
//
// # Packages
//
//   - tenancy: clients, branding, the user list, role changes, removal,
//     deactivation, the audit log; every operation scoped to one client.
//   - invite: the invitation token lifecycle and its email.
//   - rbac: role-over-permission decisions on Casbin.
//   - authn: credentials (passwords) and, later, sessions and passkeys.
//   - adapters/memory: an in-memory store; adapters/conformance: the suite
//     every store passes.
//   - clienteletest: a ready in-memory setup for a host's own tests.
//
// Every change to access is recorded as an [AuditEvent] in the same atomic
// step as the change, with who made it, when and from which IP
// ([WithSourceIP]).
//
// Every operation takes a [Principal]: the agency admin, or a client user
// with a role in one client. Operations fail closed: a missing scope is an
// error, and an id that belongs to another client is reported as not found.
package clientele
