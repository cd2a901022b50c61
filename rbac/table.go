package rbac

import (
	"fmt"
	"maps"
	"slices"

	"github.com/clientele/clientele"
)

// table is the decision state compiled from Casbin's policy. It is never
// modified after compile; a rule change builds and publishes a new one.
type table struct {
	reqs    map[ruleKey]requirement
	actions map[Subject][]Action // sorted, per subject
	known   map[clientele.Permission]struct{}
	perms   []clientele.Permission // sorted known permissions
	rules   []Rule                 // sorted
}

type ruleKey struct {
	sub Subject
	act Action
}

// requirement is what the rules for one subject and action need: nothing
// (open), or any one of anyOf.
type requirement struct {
	open  bool
	anyOf []clientele.Permission // sorted, without duplicates
}

// emptyTable answers for an Authorizer not made by New: it denies all.
var emptyTable = &table{}

// compile builds a table from Casbin policy lines (sub, act, perm) and the
// permissions known regardless of rules.
func compile(lines [][]string, fixed []clientele.Permission) (*table, error) {
	t := &table{
		reqs:    make(map[ruleKey]requirement, len(lines)),
		actions: make(map[Subject][]Action),
		known:   make(map[clientele.Permission]struct{}, len(fixed)),
		rules:   make([]Rule, 0, len(lines)),
	}
	for _, p := range fixed {
		t.known[p] = struct{}{}
	}
	for _, line := range lines {
		r, err := ruleFromLine(line)
		if err != nil {
			return nil, err
		}
		t.rules = append(t.rules, r)
		k := ruleKey{r.Subject, r.Action}
		req, seen := t.reqs[k]
		if !seen {
			t.actions[r.Subject] = append(t.actions[r.Subject], r.Action)
		}
		if r.Requires == "" {
			req.open = true
		} else if !slices.Contains(req.anyOf, r.Requires) {
			req.anyOf = append(req.anyOf, r.Requires)
			slices.Sort(req.anyOf)
			t.known[r.Requires] = struct{}{}
		}
		t.reqs[k] = req
	}
	for _, acts := range t.actions {
		slices.Sort(acts)
	}
	slices.SortFunc(t.rules, compareRules)
	t.perms = slices.Sorted(maps.Keys(t.known))
	return t, nil
}

// decide answers without allocating except for Missing on a denial for a
// missing permission (a copy, so the caller cannot alter the table).
func (t *table) decide(sub Subject, act Action, perms clientele.PermissionSet) Decision {
	req, ok := t.reqs[ruleKey{sub, act}]
	switch {
	case !ok:
		return Decision{Subject: sub, Action: act, Reason: ReasonNoRule}
	case req.allows(perms):
		return Decision{Allowed: true, Subject: sub, Action: act, Reason: ReasonAllowed}
	}
	return Decision{Subject: sub, Action: act, Reason: ReasonMissingPermission, Missing: slices.Clone(req.anyOf)}
}

func (r requirement) allows(perms clientele.PermissionSet) bool {
	if r.open {
		return true
	}
	for _, p := range r.anyOf {
		if perms.Has(p) {
			return true
		}
	}
	return false
}

// ruleFromLine reads a Casbin policy line back into a rule.
func ruleFromLine(line []string) (Rule, error) {
	if len(line) != 3 {
		return Rule{}, fmt.Errorf("rbac: policy line %q: want 3 fields", line)
	}
	r := Rule{Subject: Subject(line[0]), Action: Action(line[1])}
	if line[2] != noPermission {
		r.Requires = clientele.Permission(line[2])
	}
	if err := r.validate(); err != nil {
		return Rule{}, err
	}
	return r, nil
}
