// Command portal is Clientele's reference server: a white-labeled client
// portal and its JSON API, built only on the library's public packages, the
// way an agency platform would use them. ../shared/reference-server.md is
// its contract.
//
//	go run ./examples/portal            # embedded SQLite + email files, ready to use
//
// Flags (each also read from the environment): -addr (PORTAL_ADDR,
// 127.0.0.1:8080), -db (PORTAL_DB, sqlite:portal.db; postgres://… and
// mysql://… work the same), -base-url (PORTAL_BASE_URL, http://ADDR),
// -mail-dir (PORTAL_MAIL_DIR, outbox), -smtp (PORTAL_SMTP), -invite-ttl
// (PORTAL_INVITE_TTL, 168h), -trusted-proxies (PORTAL_TRUSTED_PROXIES,
// none: comma-separated CIDRs of reverse proxies whose X-Forwarded-For
// gives the client IP). PORTAL_AGENCY_TOKEN is the agency admin's bearer
// token; when unset one is generated and printed once.
//
// The schema is created or migrated at start; SIGTERM or SIGINT stops the
// server after in-flight requests finish. Several processes pointed at the
// same PostgreSQL database behave as one service.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

// run reads the configuration from args and env, starts the server and
// serves until ctx ends.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, env, stderr)
	if err != nil {
		return err
	}
	return runConfig(ctx, cfg, stdout, stderr)
}

// runConfig starts the server with cfg and serves until ctx ends.
func runConfig(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	srv, err := newServer(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer srv.close()
	return srv.serve(ctx, stdout)
}
