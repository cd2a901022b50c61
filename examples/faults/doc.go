// Package faults runs the reference server (examples/portal) through the
// failures a deployment meets, from the outside, as an operator would: the
// tests build the server once per test binary (CGO_ENABLED=0 go build, the
// pure-Go build the README promises), start it as a child process on a
// free port with its documented flags and PORTAL_AGENCY_TOKEN, drive it
// through the JSON API of its contract (shared/reference-server.md) and
// read its email files, SMTP traffic and database. The package has no code
// of its own; everything is in its tests:
//
//   - TestPostgresOutage: the server on a private PostgreSQL cluster (its
//     own initdb in a temporary folder, on 127.0.0.1 and a free port, run
//     as the postgres user when the test runs as root; the machine's
//     PostgreSQL is never touched), under a bounded loopback load of GET
//     /api/v1/me (a session), GET /api/v1/clients and POST invitations
//     (the agency token, unique emails). Mid-load the cluster is stopped
//     (pg_ctl stop -m fast), kept down 5 s, and started again. While it is
//     down every answer is 503 with code "unavailable" and Retry-After,
//     except /me, which the server's principal cache may answer 200 for the
//     3 s its lease lasts (no access change can commit meanwhile) and no
//     longer; every request answers within 10 s, nothing answers 500, and
//     after the restart the same server process answers 2xx again within
//     10 s. Then no write is partial: every invitation answered 201 is
//     pending in the user list; every pending one was asked for (answered
//     201, or 503 for a commit whose answer was lost); each has exactly one
//     invitation.create event in the audit log and exactly one outbox row.
//   - TestMariaDBOutage: the same test and checks on a private MariaDB
//     server (its own mariadb-install-db in a temporary folder, mariadbd on
//     127.0.0.1 and a free port, as root with --user=root; the machine's
//     MariaDB is never touched), stopped with SIGTERM (a normal shutdown)
//     and started again. Both tests share the load and the checks; each
//     database is an outageDB, a server the test can stop and start.
//   - TestSMTPOutage: the server with -smtp pointing at an in-test SMTP
//     server that stops for a while. Invitations created meanwhile answer
//     201 pending (queued in the outbox); once an SMTP server listens again
//     on the same port, every email arrives exactly once with a working
//     link, within the deliverer's backoff (1 s doubling with jitter, so
//     about 2.5 times the outage, capped at invite.DefaultMaxBackoff, 5
//     minutes, after a long one).
//   - TestKill: the server on SQLite and on the private PostgreSQL under a
//     load of invitations, acceptances through the emailed link, role
//     changes and removals, killed with SIGKILL at a random moment of its
//     first 5 s and started again on the same database, several times.
//     After each restart: the server starts (migrations fine); SQLite's
//     PRAGMA integrity_check and foreign_key_check pass; every write
//     answered 2xx before a kill is there (each user is in the state of
//     its last answered write, or of the write in flight at the kill); no
//     membership without its user, no accepted invitation without its
//     membership (unless removed since), no pending invitation for a
//     member, no session without its membership; and each state change
//     has exactly its audit event (create, accept, role, remove) and each
//     invitation exactly one outbox row.
//
// The default sizes keep the package well under a minute, as CI runs it:
// one PostgreSQL stop and one MariaDB stop, each under about 9 s of load,
// an SMTP outage of 2 s, 3 kills on SQLite and 2 on PostgreSQL. The full
// versions:
//
//	CLIENTELE_FAULTS_FULL=1 go test -count=1 -v -timeout 30m ./examples/faults
//
// run 3 PostgreSQL stops and 3 MariaDB stops, each in 30 s of load, a
// 20 s SMTP outage, 20 kills on SQLite and 10 on PostgreSQL (about 5
// minutes); CLIENTELE_FAULTS_PG_OUTAGES, CLIENTELE_FAULTS_MARIADB_OUTAGES,
// CLIENTELE_FAULTS_KILLS (SQLite; PostgreSQL gets half) and
// CLIENTELE_FAULTS_SMTP_OUTAGE (a duration) set one size. With -v each
// test logs its figures: answers by phase and status, the time to the
// first 503 and to recovery, emails delivered, kills and checks.
//
// The PostgreSQL tests need initdb and pg_ctl (found under
// /usr/lib/postgresql/*/bin or on PATH) and, as root, the postgres user;
// the MariaDB test needs mariadbd and mariadb-install-db (under /usr/sbin,
// /usr/bin or on PATH). Without them they skip, unless
// CLIENTELE_TEST_REQUIRE_DB=1, which makes them fail.
package faults
