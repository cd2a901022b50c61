// Command httpload measures the reference server (examples/portal) under a
// bounded loopback load on an authorized GET /api/v1/me, beside a bare
// net/http handler that answers the same JSON, in the same run, and checks
// that no answer is stale while another process changes the roles of some
// of the users and removes some of them. Run from the module's root:
//
//	go run ./examples/perf/cmd/httpload all -db 'postgres://postgres@127.0.0.1:5432/clientele_seed?sslmode=disable'
//	go run ./examples/perf/cmd/httpload all -db sqlite:/tmp/perf.db -duration 5s
//
// The database is one seeded by examples/seed. `all` reproduces every
// figure: it builds the portal (from this module, or -portal-src DIR, e.g.
// an older commit unpacked with git archive) and this command, runs
// prepare, starts the portal and a bare server answering the bytes of one
// real /me answer, warms both up (every warm session sent at least once),
// then measures, alternating, bare and portal-warm rounds (the flip
// process changing roles during each portal-warm round), then portal-cold,
// checks every recorded answer of a flip-set user against the flip logs
// and prints a table: requests, req/s, p50, p99, non-2xx by status, the
// CPU of the generator, the server, the PostgreSQL backends of the
// database and the whole machine, the ratio portal/bare (mean of the
// rounds and each round), stale answers and very-next-request mismatches.
// The subcommands it runs can be run alone:
//
//	httpload prepare -db DSN [-sessions FILE]   one session per membership (up to 1,000,000)
//	httpload bare -addr A -body FILE             a bare server answering FILE as JSON
//	httpload flip -db DSN -users FILE -rate R -remove-every K -log FILE -portal URL
//	httpload run -url URL -sessions FILE [-mode warm|cold] ...   the load
//
// Session tokens are derived from the membership: raw =
// SHA-256("clientele-httpload/" + clientID + "/" + userID), token =
// base64url(raw) unpadded, so prepare, run and flip agree without passing
// secrets around. These sessions are for measurement databases only; they
// go idle 30 minutes after prepare, and a cold request finds its session
// last seen more than a minute ago, so it also touches it (a write).
//
// prepare writes with SQL of its own (COPY, multi-row INSERTs): run it
// while no portal is serving the database, since a portal's cache learns
// only of changes made through the library. The flip process writes
// through tenancy.Service on a bunstore.Store, as the portal does, so its
// role changes and removals follow the library's protocol with every
// caching process.
//
// The portal serves one agency (agy_portal) while examples/seed creates a
// new one per run; prepare therefore moves the seeded agency's clients and
// users into agy_portal once, in one transaction, when agy_portal has no
// client.
//
// The tests are unit tests of the pure parts (stale rule, percentiles,
// token derivation, session order, the load loop against an httptest
// server); they need no database and run in about two seconds. The figures
// come from running `all` itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// errUsage reports bad arguments; the process exits with status 2.
var errUsage = errors.New("usage")

const usage = `usage: httpload COMMAND [flags]

commands:
  all      build, prepare, start the servers, measure, check and print the table
  prepare  create one session per membership of a seeded database
  bare     serve a file as the JSON answer to every request
  flip     change roles and remove users through the library, logging each op
  run      the load on GET /api/v1/me

httpload COMMAND -h shows a command's flags.`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Stdout)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "httpload:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "httpload:", err)
		os.Exit(1)
	}
}

// dispatch runs the command named by args[0].
func dispatch(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no command\n%s", errUsage, usage)
	}
	cmds := map[string]func(context.Context, []string, io.Writer) error{
		"all": cmdAll, "prepare": cmdPrepare, "bare": cmdBare, "flip": cmdFlip, "run": cmdRun,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown command %q\n%s", errUsage, args[0], usage)
	}
	return cmd(ctx, args[1:], out)
}

// parse parses args into fs, reporting syntax errors as usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	return nil
}
