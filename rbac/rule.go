package rbac

import (
	"cmp"
	"fmt"

	"github.com/clientele/clientele"
)

// Rule lets Subject do Action. Requires is the client permission the rule
// needs, or empty when it needs none: the rule allows the action when
// Requires is empty or is in the client's [clientele.PermissionSet]. Several
// rules for the same subject and action allow it when any one of them does.
type Rule struct {
	Subject  Subject
	Action   Action
	Requires clientele.Permission
}

// validate checks the syntax of every field; failures wrap
// [clientele.ErrInvalidArgument].
func (r Rule) validate() error {
	if !r.Subject.valid() {
		return fmt.Errorf("%w: rule subject %q must be 1 to 64 of [a-z0-9_]", clientele.ErrInvalidArgument, r.Subject)
	}
	if !r.Action.valid() {
		return fmt.Errorf("%w: rule action %q must be 1 to 64 printable ASCII bytes without spaces or commas", clientele.ErrInvalidArgument, r.Action)
	}
	if r.Requires != "" {
		if _, err := clientele.ParsePermission(string(r.Requires)); err != nil {
			return fmt.Errorf("rbac: rule %s %s: %w", r.Subject, r.Action, err)
		}
	}
	return nil
}

// validateRules checks every rule and returns them without duplicates.
func validateRules(rules []Rule) ([]Rule, error) {
	out := make([]Rule, 0, len(rules))
	seen := make(map[Rule]struct{}, len(rules))
	for _, r := range rules {
		if err := r.validate(); err != nil {
			return nil, err
		}
		if _, dup := seen[r]; !dup {
			seen[r] = struct{}{}
			out = append(out, r)
		}
	}
	return out, nil
}

// compareRules orders rules by subject, action, then requirement.
func compareRules(a, b Rule) int {
	return cmp.Or(cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Action, b.Action), cmp.Compare(a.Requires, b.Requires))
}
