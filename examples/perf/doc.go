// Package perf measures Clientele against a seeded database (see
// examples/seed): the request path from a session token to a decision
// (authn.Service.Resolve, then rbac.Authorizer.Authorize) and the member
// store's operations at scale. The measurements are tests that skip unless
// an environment variable names a database:
//
//	CLIENTELE_PERF_POSTGRES_DSN        seeded PostgreSQL (request path, store at scale)
//	CLIENTELE_PERF_POSTGRES_SMALL_DSN  smaller seeded PostgreSQL (store at scale)
//	CLIENTELE_PERF_SQLITE_DSN          seeded SQLite, sqlite:PATH (request path)
//
// for example
//
//	CLIENTELE_PERF_POSTGRES_DSN='postgres://postgres@127.0.0.1:5432/clientele_seed?sslmode=disable' \
//	    go test -run 'TestMeasure' -v -timeout 30m ./examples/perf
//
// CLIENTELE_PERF_REQUESTS (default 20000), CLIENTELE_PERF_SESSIONS (10000)
// and CLIENTELE_PERF_OPS (2000) change the sizes. Every row a measurement
// creates (sessions, invitations, users, audit events) is deleted at its
// end, so the seeded database stays as it was, apart from the schema
// upgrade bunstore.Migrate may apply first. docs/PERFORMANCE.md records
// the results.
package perf
