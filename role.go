package clientele

import "fmt"

// Role is a client user's role in one client.
type Role string

// The roles of a client user.
const (
	// RoleAdmin invites and removes users of its own client and manages
	// billing where the client has it.
	RoleAdmin Role = "admin"
	// RoleMember uses the client's features but never invites, removes or
	// sees billing.
	RoleMember Role = "member"
)

// ParseRole returns the role named s ("admin" or "member", exact case), or
// [ErrInvalidRole].
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleMember:
		return r, nil
	}
	return "", fmt.Errorf("%w: %q", ErrInvalidRole, s)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember }
