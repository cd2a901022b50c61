// Package rbac decides what a principal may do in a client from its role and
// the client's permissions.
//
// # The model
//
// A [Rule] lets a [Subject] (the agency admin, or a client user's role) do an
// [Action], either unconditionally or only when the client has one
// [clientele.Permission] enabled. An action is allowed when at least one rule
// for the subject and action holds. So an Admin cannot use a feature the
// client lacks, and a Member never gets billing because no rule gives it.
//
// The rules are a constant policy evaluated on Casbin: its model and the
// default policy are embedded, and a client's permissions come with each
// request, so what Casbin holds never grows with clients or users. Casbin
// remains the source of truth for what the rules mean; from its policy the
// [Authorizer] compiles an immutable decision table that answers
// [Authorizer.Decide] without calling Casbin, in tens of nanoseconds and
// without allocating. No Casbin type appears in this package's API.
//
// # Extending
//
// A host adds its own actions and permissions with [WithRules] (or
// [Authorizer.AddRules] at run time) instead of forking the policy, and may
// replace the default policy entirely with [WithoutDefaultPolicy].
//
// # Concurrency
//
// An [Authorizer] is safe for concurrent use. Rule changes are serialized
// and take effect atomically: a decision sees either the old or the new
// rules, never a mix, and every decision started after AddRules or
// RemoveRules returns sees the change.
package rbac
