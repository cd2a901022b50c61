package rbac

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v3"
	"github.com/clientele/clientele"
)

// Authorizer decides what a principal may do from its role and the client's
// permissions. Make one with [New]; it is safe for concurrent use. Decisions
// read an immutable table compiled from the Casbin policy and never block;
// rule changes are serialized and published atomically. The zero value
// denies everything and refuses rule changes.
type Authorizer struct {
	mu       sync.Mutex       // guards enforcer and serializes publishing
	enforcer *casbin.Enforcer // source of truth; not safe for concurrent use
	fixed    []clientele.Permission
	current  atomic.Pointer[table]
}

var errNotInitialized = fmt.Errorf("%w: rbac: Authorizer not made by New", clientele.ErrInvalidArgument)

// New returns an Authorizer holding the default policy (unless
// [WithoutDefaultPolicy]) plus the host's rules. Invalid rules or
// permission names, or a nil or done ctx, return an error; input errors
// wrap [clientele.ErrInvalidArgument].
func New(ctx context.Context, opts ...Option) (*Authorizer, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	var rules []Rule
	if !o.noDefault {
		def, err := parsePolicy(defaultPolicy)
		if err != nil {
			return nil, fmt.Errorf("rbac: default policy: %w", err)
		}
		rules = def
	}
	rules, err := validateRules(append(rules, o.rules...))
	if err != nil {
		return nil, err
	}
	fixed := slices.Clone(builtinPermissions)
	for _, p := range o.perms {
		if _, err := clientele.ParsePermission(string(p)); err != nil {
			return nil, fmt.Errorf("rbac: %w", err)
		}
		fixed = append(fixed, p)
	}
	e, err := newEnforcer()
	if err != nil {
		return nil, err
	}
	if len(rules) > 0 {
		if _, err := e.AddPoliciesEx(lines(rules)); err != nil {
			return nil, fmt.Errorf("rbac: load policy: %w", err)
		}
	}
	a := &Authorizer{enforcer: e, fixed: fixed}
	if err := a.publish(); err != nil {
		return nil, err
	}
	return a, nil
}

// Decide tells whether p may do act in a client whose enabled permissions
// are perms, and why. An invalid principal is denied with
// [ReasonUnauthenticated]; an action without a rule for the role (an
// unknown action too) with [ReasonNoRule]. It does not call Casbin and does
// not allocate, except for Decision.Missing on a missing permission. ctx is
// not used today; decisions never block.
func (a *Authorizer) Decide(ctx context.Context, p clientele.Principal, act Action, perms clientele.PermissionSet) Decision {
	sub, ok := subjectOf(p)
	if !ok {
		return Decision{Action: act, Reason: ReasonUnauthenticated}
	}
	return a.load().decide(sub, act, perms)
}

// Authorize returns nil when p may do act, a [*DeniedError] (wrapping
// [ErrDenied]) carrying the [Decision] when not, and an error wrapping
// [clientele.ErrUnauthenticated] (not ErrDenied) for an invalid principal.
// The error message carries the explanation.
func (a *Authorizer) Authorize(ctx context.Context, p clientele.Principal, act Action, perms clientele.PermissionSet) error {
	sub, ok := subjectOf(p)
	if !ok {
		_, err := SubjectOf(p) // the same check, now for its explanation
		return fmt.Errorf("%w (may not %s)", err, act)
	}
	d := a.load().decide(sub, act, perms)
	if d.Allowed {
		return nil
	}
	return &DeniedError{Decision: d}
}

// Allowed returns, sorted, every action p may do now in a client with
// perms: for a UI or a "me" endpoint. An invalid principal gets nil.
func (a *Authorizer) Allowed(ctx context.Context, p clientele.Principal, perms clientele.PermissionSet) []Action {
	sub, ok := subjectOf(p)
	if !ok {
		return nil
	}
	t := a.load()
	var out []Action
	for _, act := range t.actions[sub] {
		if t.reqs[ruleKey{sub, act}].allows(perms) {
			out = append(out, act)
		}
	}
	return out
}

// Known reports whether perm is a known permission: a built-in one
// (manage_billing, view_reports, export_data), one named by a current rule,
// or one given to [WithPermissions].
func (a *Authorizer) Known(perm clientele.Permission) bool {
	_, ok := a.load().known[perm]
	return ok
}

// Permissions returns the known permissions, sorted. The slice is the
// caller's.
func (a *Authorizer) Permissions() []clientele.Permission {
	return slices.Clone(a.load().perms)
}

// Rules returns the current rules, sorted by subject, action and
// requirement. The slice is the caller's.
func (a *Authorizer) Rules() []Rule {
	return slices.Clone(a.load().rules)
}

// AddRules adds rules at run time; rules already present are ignored. It
// validates every rule first and adds none if one is invalid (the error
// wraps [clientele.ErrInvalidArgument]). Decisions made after it returns
// see the new rules.
func (a *Authorizer) AddRules(ctx context.Context, rules ...Rule) error {
	return a.change(ctx, rules, func(e *casbin.Enforcer, l [][]string) error {
		_, err := e.AddPoliciesEx(l)
		return err
	})
}

// RemoveRules removes rules at run time; rules not present are ignored. It
// validates every rule first and removes none if one is invalid (the error
// wraps [clientele.ErrInvalidArgument]). Decisions made after it returns no
// longer see the removed rules.
func (a *Authorizer) RemoveRules(ctx context.Context, rules ...Rule) error {
	return a.change(ctx, rules, func(e *casbin.Enforcer, l [][]string) error {
		_, err := e.RemovePolicies(l)
		return err
	})
}

// change validates rules, applies op to the enforcer and publishes the
// table compiled from what Casbin then holds.
func (a *Authorizer) change(ctx context.Context, rules []Rule, op func(*casbin.Enforcer, [][]string) error) error {
	if err := checkContext(ctx); err != nil {
		return err
	}
	rules, err := validateRules(rules)
	if err != nil {
		return err
	}
	if a == nil || a.enforcer == nil {
		return errNotInitialized
	}
	if len(rules) == 0 {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	opErr := op(a.enforcer, lines(rules))
	// Publish whatever Casbin holds, even after a partial failure.
	if err := a.publish(); err != nil {
		return errors.Join(opErr, err)
	}
	if opErr != nil {
		return fmt.Errorf("rbac: update policy: %w", opErr)
	}
	return nil
}

// publish compiles the enforcer's policy and makes it current. The caller
// holds a.mu (or owns a exclusively, in New).
func (a *Authorizer) publish() error {
	policy, err := a.enforcer.GetPolicy()
	if err != nil {
		return fmt.Errorf("rbac: read policy: %w", err)
	}
	t, err := compile(policy, a.fixed)
	if err != nil {
		return err
	}
	a.current.Store(t)
	return nil
}

// load returns the current table, or the deny-all one.
func (a *Authorizer) load() *table {
	if a == nil {
		return emptyTable
	}
	if t := a.current.Load(); t != nil {
		return t
	}
	return emptyTable
}

// enforce asks Casbin directly, for tests and benchmarks that compare it
// with the compiled table.
func (a *Authorizer) enforce(sub Subject, act Action, perms clientele.PermissionSet) (bool, error) {
	if a == nil || a.enforcer == nil {
		return false, errNotInitialized
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.enforcer.Enforce(string(sub), string(act), perms)
}

func checkContext(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w: rbac: nil context", clientele.ErrInvalidArgument)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("rbac: %w", err)
	}
	return nil
}
