package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// config is the server's configuration, from flags, else the environment,
// else the defaults of the contract.
type config struct {
	Addr        string
	DB          string
	BaseURL     string
	MailDir     string
	SMTP        string
	InviteTTL   time.Duration
	AgencyToken string // PORTAL_AGENCY_TOKEN only; generated when empty
}

// errUsage reports bad flags; the process exits with code 2.
var errUsage = errors.New("usage")

// parseConfig reads args (without the program name) and env.
func parseConfig(args []string, env func(string) string, stderr io.Writer) (config, error) {
	def := func(key, fallback string) string {
		if v := env(key); v != "" {
			return v
		}
		return fallback
	}
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.Addr, "addr", def("PORTAL_ADDR", "127.0.0.1:8080"), "listen address (PORTAL_ADDR)")
	fs.StringVar(&c.DB, "db", def("PORTAL_DB", "sqlite:portal.db"), "database: sqlite:PATH, postgres://… or mysql://user:pass@tcp(host:port)/db (PORTAL_DB)")
	fs.StringVar(&c.BaseURL, "base-url", env("PORTAL_BASE_URL"), "the portal's public URL when the agency has no custom domain; default http://ADDR (PORTAL_BASE_URL)")
	fs.StringVar(&c.MailDir, "mail-dir", def("PORTAL_MAIL_DIR", "outbox"), "write every email as an .eml file in this folder (PORTAL_MAIL_DIR)")
	fs.StringVar(&c.SMTP, "smtp", env("PORTAL_SMTP"), "smtp://user:pass@host:port: send real email instead of files (PORTAL_SMTP)")
	ttl := def("PORTAL_INVITE_TTL", "168h")
	fs.Func("invite-ttl", "how long an invitation link works (PORTAL_INVITE_TTL, default 168h)", func(s string) error { ttl = s; return nil })
	if err := fs.Parse(args); err != nil {
		return config{}, fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("%w: unexpected arguments %q", errUsage, fs.Args())
	}
	var err error
	if c.InviteTTL, err = time.ParseDuration(ttl); err != nil {
		return config{}, fmt.Errorf("%w: -invite-ttl: %w", errUsage, err)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return config{}, fmt.Errorf("%w: -addr: %w", errUsage, err)
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return config{}, fmt.Errorf("%w: -base-url %q must be an absolute http(s) URL", errUsage, c.BaseURL)
	}
	c.AgencyToken = env("PORTAL_AGENCY_TOKEN")
	return c, nil
}
