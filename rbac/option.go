package rbac

import "github.com/clientele/clientele"

// Option configures [New]. A nil Option is ignored.
type Option func(*options)

type options struct {
	rules     []Rule
	perms     []clientele.Permission
	noDefault bool
}

// WithRules adds host-defined rules to the policy (the default one unless
// [WithoutDefaultPolicy]), so a host can define new actions and permissions
// without forking the policy. New rejects an invalid rule with an error
// wrapping [clientele.ErrInvalidArgument]. Repeated uses accumulate.
func WithRules(rules ...Rule) Option {
	rules = append([]Rule(nil), rules...)
	return func(o *options) { o.rules = append(o.rules, rules...) }
}

// WithPermissions makes extra permission names known (see
// [Authorizer.Known]) even when no rule names them. New rejects an invalid
// name with an error wrapping [clientele.ErrInvalidArgument].
func WithPermissions(ps ...clientele.Permission) Option {
	ps = append([]clientele.Permission(nil), ps...)
	return func(o *options) { o.perms = append(o.perms, ps...) }
}

// WithoutDefaultPolicy starts from an empty policy: nothing is allowed
// except what the host's rules allow. The built-in permissions stay known.
func WithoutDefaultPolicy() Option {
	return func(o *options) { o.noDefault = true }
}
