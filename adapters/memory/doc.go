// Package memory is an in-memory store for Clientele: it implements
// [tenancy.Store], [invite.Store], [invite.OutboxStore] and [authn.Store]
// with maps behind one lock.
//
// It is meant for tests, examples and single-process prototypes: nothing
// survives the process. It passes the suite of package
// [github.com/clientele/clientele/adapters/conformance], like every store.
//
// A [Store] is safe for concurrent use. Every multi-step change (accepting
// an invitation, a role change that must keep an admin, removing a member
// with its sessions, taking a ceremony, counting an attempt, and every
// change to access with its audit event) runs under the write lock, so it
// is atomic against every other call. The store never
// reads the clock: times come from the arguments. Values returned are
// copies; changing them never changes the store.
package memory
