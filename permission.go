package clientele

import (
	"fmt"
	"slices"
)

// Permission is a client-level feature toggle set by the agency, such as
// [PermManageBilling]. Hosts may define their own through rbac policy.
type Permission string

// The permissions Clientele knows by default.
const (
	PermManageBilling Permission = "manage_billing"
	PermViewReports   Permission = "view_reports"
	PermExportData    Permission = "export_data"
)

// ParsePermission checks the syntax of a permission name: 1 to 64 bytes of
// lower-case ASCII letters, digits and underscores, starting with a letter.
// Whether the name is known is decided by the authorizer's policy.
func ParsePermission(s string) (Permission, error) {
	if len(s) == 0 || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return "", fmt.Errorf("%w: permission %q", ErrInvalidArgument, s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return "", fmt.Errorf("%w: permission %q", ErrInvalidArgument, s)
		}
	}
	return Permission(s), nil
}

// PermissionSet is a client's enabled permissions: sorted, without
// duplicates. Build one with [NewPermissionSet]; the zero value is empty.
type PermissionSet []Permission

// NewPermissionSet returns the sorted, de-duplicated set of ps.
func NewPermissionSet(ps ...Permission) PermissionSet {
	s := slices.Clone(ps)
	slices.Sort(s)
	return PermissionSet(slices.Compact(s))
}

// Has reports whether p is in the set. It does not allocate.
func (s PermissionSet) Has(p Permission) bool {
	for _, q := range s {
		if q == p {
			return true
		}
	}
	return false
}
