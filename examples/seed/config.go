package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/password"
)

// Limits of the flags.
const (
	maxUsersPerClient       = 1000
	maxInvitationsPerClient = 1000
)

// Defaults of the flags.
const (
	defaultAgencyName = "Seed Agency"
	defaultPassword   = "seed-password-123"
)

// Config is one run's request.
type Config struct {
	DSN                  string
	Clients              int
	UsersPerClient       int
	InvitationsPerClient int
	AgencyName           string
	// Password is what every seeded user signs in with.
	Password string
}

// errHelp reports that -h was asked; the usage has been printed.
var errHelp = flag.ErrHelp

// parseFlags reads args into a validated Config. Flag syntax errors print
// the usage to stderr.
func parseFlags(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	fs.StringVar(&c.DSN, "db", "", "database: sqlite:PATH, postgres://... or mysql://user:pass@tcp(host:port)/db (required)")
	fs.IntVar(&c.Clients, "clients", 0, "clients to create, at least 1 (required)")
	fs.IntVar(&c.UsersPerClient, "users-per-client", 0, fmt.Sprintf("active users per client, 1..%d: the first an Admin, the rest Members (required)", maxUsersPerClient))
	fs.IntVar(&c.InvitationsPerClient, "invitations-per-client", 0, fmt.Sprintf("pending Member invitations per client, 0..%d", maxInvitationsPerClient))
	fs.StringVar(&c.AgencyName, "agency-name", defaultAgencyName, "name of the agency this run creates")
	fs.StringVar(&c.Password, "password", defaultPassword, "password shared by every seeded user (one argon2id hash)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return c, c.validate()
}

// validate checks c; every failure wraps clientele.ErrInvalidArgument.
func (c Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{clientele.ErrInvalidArgument}, args...)...))
	}
	if !hasAnyPrefix(c.DSN, "sqlite:", "postgres://", "postgresql://", "mysql://") {
		bad("-db must start with sqlite:, postgres:// or mysql://")
	}
	if c.Clients < 1 {
		bad("-clients must be at least 1, not %d", c.Clients)
	}
	if c.UsersPerClient < 1 || c.UsersPerClient > maxUsersPerClient {
		bad("-users-per-client must be 1..%d, not %d", maxUsersPerClient, c.UsersPerClient)
	}
	if c.InvitationsPerClient < 0 || c.InvitationsPerClient > maxInvitationsPerClient {
		bad("-invitations-per-client must be 0..%d, not %d", maxInvitationsPerClient, c.InvitationsPerClient)
	}
	if _, err := (clientele.Branding{Name: c.AgencyName}).Normalize(); err != nil {
		bad("-agency-name must be 1 to 100 printable characters")
	}
	if err := password.Validate(c.Password); err != nil {
		bad("-password: %v", err)
	}
	return errors.Join(errs...)
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
