package rbac

import (
	"context"
	"slices"

	"github.com/clientele/clientele"
)

// Effective returns, sorted and without duplicates, the permissions of
// perms that p can actually use now: those some rule of p's subject
// requires, so that the client having them lets p do that rule's action.
// A permission the client has but no rule of p's role needs (billing for a
// Member) is left out, as is any name outside perms. An invalid principal
// gets nil; so does a principal that can use none. The slice is the
// caller's. ctx is not used today; it never blocks.
func (a *Authorizer) Effective(ctx context.Context, p clientele.Principal, perms clientele.PermissionSet) []clientele.Permission {
	sub, ok := subjectOf(p)
	if !ok || len(perms) == 0 {
		return nil
	}
	t := a.load()
	var out []clientele.Permission
	for _, act := range t.actions[sub] {
		for _, perm := range t.reqs[ruleKey{sub, act}].anyOf {
			if perms.Has(perm) && !slices.Contains(out, perm) {
				out = append(out, perm)
			}
		}
	}
	slices.Sort(out)
	return out
}
