package clientele

import "fmt"

// PrincipalKind tells who acts.
type PrincipalKind string

// The kinds of principal.
const (
	// KindAgencyAdmin manages every client of its agency; it is not a
	// client user.
	KindAgencyAdmin PrincipalKind = "agency_admin"
	// KindClientUser is a user acting inside one client with one role.
	KindClientUser PrincipalKind = "client_user"
)

// Principal is who performs an operation, as resolved for the current
// request: the host (or package authn) builds it from fresh state, so a
// role change holds from the next request. The zero value is no principal
// and is refused everywhere.
type Principal struct {
	Kind     PrincipalKind
	AgencyID AgencyID
	// UserID, ClientID and Role are set for a client user only.
	UserID   UserID
	ClientID ClientID
	Role     Role
}

// AgencyAdmin returns the principal of the agency's admin.
func AgencyAdmin(agency AgencyID) Principal {
	return Principal{Kind: KindAgencyAdmin, AgencyID: agency}
}

// ClientUser returns the principal of a client user with role in client.
func ClientUser(agency AgencyID, client ClientID, user UserID, role Role) Principal {
	return Principal{Kind: KindClientUser, AgencyID: agency, ClientID: client, UserID: user, Role: role}
}

// Validate reports [ErrUnauthenticated] unless p is a complete agency admin
// or client user.
func (p Principal) Validate() error {
	switch p.Kind {
	case KindAgencyAdmin:
		if p.AgencyID == "" || p.UserID != "" || p.ClientID != "" || p.Role != "" {
			return fmt.Errorf("%w: malformed agency admin", ErrUnauthenticated)
		}
	case KindClientUser:
		if p.AgencyID == "" || p.UserID == "" || p.ClientID == "" || !p.Role.Valid() {
			return fmt.Errorf("%w: malformed client user", ErrUnauthenticated)
		}
	default:
		return fmt.Errorf("%w: no principal", ErrUnauthenticated)
	}
	return nil
}

// CanSee reports whether p may see anything of client in agency: the
// agency admin sees every client of its agency, a client user only its own.
// Callers report a false answer as [ErrNotFound].
func (p Principal) CanSee(agency AgencyID, client ClientID) bool {
	if p.Validate() != nil || p.AgencyID != agency || client == "" {
		return false
	}
	return p.Kind == KindAgencyAdmin || p.ClientID == client
}

// Scope is the gate every client-confined operation passes first: it
// answers [ErrUnauthenticated] for an invalid principal, [ErrMissingScope]
// for an empty client id, and [ErrNotFound] for a malformed id or a client
// p may not see (never telling another client's ids from unknown ones).
func (p Principal) Scope(client ClientID) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if client == "" {
		return ErrMissingScope
	}
	if !ValidID(string(client)) || !p.CanSee(p.AgencyID, client) {
		return fmt.Errorf("client %q: %w", client, ErrNotFound)
	}
	return nil
}
