// Package conformance is the test suite every Clientele store passes. A
// store's own test runs it against fresh instances:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, func(t *testing.T) conformance.Store { return memory.New() })
//	}
//
// The suite checks the contracts written on [tenancy.Store],
// [invite.Store], [invite.OutboxStore] and [authn.Store]: results, the
// sentinel errors, tenant isolation (a missing scope is an error, a record
// of another client or agency is not found), expiry at its exact
// boundaries, the compare-and-swaps under concurrency (invitations, the
// last-admin rule, single-use ceremonies, passkey sign counts, rate-limit
// counts, outbox claims: each queued email sent exactly once), and the
// audit log (each change writes its event in the same atomic step, a
// failed change none and a failed event no change; the log's scope,
// newest-first pages without gaps, and no secret in any event), and
// changes to a user's credentials (the change, its agency-level event and
// its queued security notice written together, or none of them).
//
// It seeds data only through the store's own methods, never reads the
// clock (times are fixed, without sub-microsecond parts, so a SQL store
// may keep microseconds), and assumes no order beyond the documented one.
package conformance
