package rbac

import (
	"fmt"

	"github.com/clientele/clientele"
)

// Subject is who a rule is about: the agency admin or a client user's role.
// A valid subject is 1 to 64 bytes of lower-case ASCII letters, digits and
// underscores. Rules may name other subjects (a host may define more roles
// later), but only the three below are reachable through [SubjectOf].
type Subject string

// The subjects a [clientele.Principal] maps to.
const (
	SubjectAgencyAdmin Subject = "agency_admin"
	SubjectAdmin       Subject = Subject(clientele.RoleAdmin)
	SubjectMember      Subject = Subject(clientele.RoleMember)
)

// SubjectOf returns the subject p acts as: [SubjectAgencyAdmin] for the
// agency admin, the role ([SubjectAdmin] or [SubjectMember]) for a client
// user. An invalid principal returns an error wrapping
// [clientele.ErrUnauthenticated]. It does not allocate on success.
func SubjectOf(p clientele.Principal) (Subject, error) {
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("rbac: %w", err)
	}
	sub, _ := subjectOf(p)
	return sub, nil
}

// subjectOf is SubjectOf without building an error.
func subjectOf(p clientele.Principal) (Subject, bool) {
	if p.Validate() != nil {
		return "", false
	}
	if p.Kind == clientele.KindAgencyAdmin {
		return SubjectAgencyAdmin, true
	}
	return Subject(p.Role), true
}

// valid reports whether s is 1 to 64 bytes of [a-z0-9_].
func (s Subject) valid() bool {
	if len(s) == 0 || len(s) > maxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
