// Package bunstore implements every Clientele store interface on
// github.com/uptrace/bun for PostgreSQL (pgx), MySQL 8 / MariaDB 10.11 and
// SQLite (pure-Go modernc, the embedded default), from one set of models.
//
// The database enforces the invariants, not only Go code: one membership
// per client and user, one user per agency and normalized email, one
// pending invitation per client and email, unique token hashes and custom
// domains. Accepting an invitation is a compare-and-swap update in the same
// transaction as the membership it creates, and changes that could leave a
// client without an active Admin serialize on the client's row. A session
// references its membership with ON DELETE CASCADE, so removing a member
// ends its sessions in the same statement; taking a ceremony, using a
// passkey and counting an attempt are each one compare-and-swap or upsert.
// Expired sessions and ceremonies and day-old rate-limit windows are
// deleted along the way, at most a small batch per call. The outbox
// (clientele_outbox) is written in the transaction of what it mails: an
// invitation, or a change to a user's credentials (a security notice);
// workers claim, finish and retry a delivery with compare-and-swap
// updates, and rotating an invitation's token requires it to be pending,
// so several processes share one outbox safely. Every change to access or
// to credentials writes its audit event (clientele_audit) in its own
// transaction, so a change and its event commit or roll back together; the
// log is read newest first through (agency_id, at, id) and (client_id, at,
// id), and keeps its rows when a client goes.
//
// [WithCache] keeps one process's copies of the reads every request makes
// (a session with its membership and client permissions, an agency, a
// client) and keeps them exact across every process on the database:
// every change to access bumps a change clock as the last statement of
// its transaction (which orders these commits) and records what it
// touched; a caching process polls those records, drops what they touch
// and acknowledges; a change returns only once every process holding a
// live lease (measured by the database's clock) has acknowledged it; and
// a process serves from its cache only while its lease holds, by its own
// clock a margin earlier than the database's. A process cut off from the
// database therefore stops answering from its cache within Lease - Margin
// (3 s by default), and writers wait at most Lease (4 s) for one that
// went silent. Session touches are written in batches once a second, and
// hashes found without a session are remembered. Writes made by raw SQL
// are not seen; a host running our writes in its own transaction calls
// [Store.Sync] after its commit.
//
// [New] takes a bun.IDB, so a host can run Clientele's writes inside its own
// transaction (bun turns ours into savepoints). The schema comes from
// embedded migrations under Clientele's own migration table names; run
// [Migrate] once at start, or fold [Migrations] into your own pipeline.
// [Open] opens a database from a DSN such as "sqlite:portal.db",
// "postgres://..." or "mysql://user:pass@tcp(host:3306)/db".
package bunstore
