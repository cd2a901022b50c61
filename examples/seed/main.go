// Command seed loads synthetic data for performance work into a Clientele
// database, after creating or upgrading its schema with bunstore.Migrate:
//
//	go run ./examples/seed -db DSN -clients N -users-per-client M \
//	    [-invitations-per-client K] [-agency-name NAME] [-password PW]
//
// DSN is what bunstore.Open accepts: sqlite:PATH, postgres://... or
// mysql://user:pass@tcp(host:port)/db. Each run adds one new agency with N
// clients ("Client 000001", ...), each with M active users (the first an
// Admin, the others Members) and K pending Member invitations. User emails
// are u<client>-<n>@seed<tag>.example, invitation emails
// i<client>-<n>@seed<tag>.example, where tag is new each run, so runs into
// one database never collide.
//
// Every seeded user has the same password hash: one argon2id hash (default
// parameters of authn/password) of -password, computed once, because
// hashing a million passwords would take hours. Any seeded user can sign
// in with that password. Invitation tokens are SHA-256 hashes of random
// bytes whose plaintext is discarded: no seeded invitation can be accepted.
//
// PostgreSQL is loaded with COPY (pgx CopyFrom), MySQL and SQLite with
// multi-row INSERTs of 1,000 rows; each batch of clients is one
// transaction, so an interrupted run (SIGINT) leaves only complete clients.
// On PostgreSQL the run ends with VACUUM (ANALYZE) of the tables, so that
// the planner has statistics even where autovacuum is off.
// Invalid flags exit with status 2, an interrupted run with 130.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if !errors.Is(err, errHelp) {
			fmt.Fprintln(os.Stderr, "seed:", err)
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, cfg, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		if errors.Is(err, context.Canceled) {
			os.Exit(130)
		}
		os.Exit(1)
	}
}
