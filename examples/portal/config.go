package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/clientele/clientele/authn"
)

// config is the server's configuration, from flags, else the environment,
// else the defaults of the contract.
type config struct {
	Addr      string
	DB        string
	BaseURL   string
	MailDir   string
	SMTP      string
	InviteTTL time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For gives
	// the client's IP (rate limits, audit ip); none by default.
	TrustedProxies []netip.Prefix
	AgencyToken    string // PORTAL_AGENCY_TOKEN only; generated when empty

	// authnOptions are added to the authn service's options. No flag sets
	// them: tests use them for small rate limits.
	authnOptions []authn.Option
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
	proxies := env("PORTAL_TRUSTED_PROXIES")
	fs.Func("trusted-proxies", "comma-separated CIDRs (or addresses) of reverse proxies whose X-Forwarded-For gives the client IP (PORTAL_TRUSTED_PROXIES)",
		func(s string) error { proxies = s; return nil })
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
	if c.TrustedProxies, err = parsePrefixes(proxies); err != nil {
		return config{}, fmt.Errorf("%w: -trusted-proxies: %w", errUsage, err)
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

// parsePrefixes reads a comma-separated list of CIDRs; a bare address is
// its own /32 or /128, an IPv4-mapped IPv6 one is read as IPv4 (as
// authn.ClientIP reads peers), and host bits are cleared (10.1.2.3/8 is
// 10.0.0.0/8). Empty items are skipped; anything else malformed, a zone
// among them, is an error.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		var p netip.Prefix
		var err error
		if strings.Contains(item, "/") {
			p, err = netip.ParsePrefix(item)
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(item); err == nil && a.Zone() == "" {
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil || !p.IsValid() {
			return nil, fmt.Errorf("%q is not a CIDR or an IP address", item)
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
