package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/adapters/mailfile"
	"github.com/clientele/clientele/adapters/smtpmail"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/examples/portal/web"
	"github.com/clientele/clientele/examples/tenancyhttp"
	"github.com/clientele/clientele/internal/token"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// agencyID is the portal's one agency. A fixed id lets every process
// pointed at one database find the same agency.
const agencyID clientele.AgencyID = "agy_portal"

// server is the wired reference server.
type server struct {
	cfg       config
	log       *slog.Logger
	db        *bun.DB
	handler   http.Handler
	deliverer *invite.Deliverer
	store     *bunstore.Store
	token     string
	generated bool
}

func newServer(ctx context.Context, cfg config, log *slog.Logger) (*server, error) {
	db, err := bunstore.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	s := &server{cfg: cfg, log: log, db: db, token: cfg.AgencyToken}
	if err := s.wire(ctx); err != nil {
		s.close() // the wiring error is the one to report
		return nil, err
	}
	return s, nil
}

func (s *server) wire(ctx context.Context) error {
	if err := bunstore.Migrate(ctx, s.db); err != nil {
		return err
	}
	// Every request reads its session, membership, client and agency; the
	// cache answers those from memory and stays exact across every
	// process on the database (a change returns once each has dropped it).
	store, err := bunstore.New(s.db, bunstore.WithCache(bunstore.CacheOptions{Logger: s.log}))
	if err != nil {
		return err
	}
	s.store = store
	if err := ensureAgency(ctx, store); err != nil {
		return err
	}
	if s.token == "" {
		s.token, _ = token.New()
		s.generated = true
	}
	authz, err := rbac.New(ctx)
	if err != nil {
		return err
	}
	mailer, err := s.mailer()
	if err != nil {
		return err
	}
	tenants, err := tenancy.New(store, authz, tenancy.WithLogger(s.log))
	if err != nil {
		return err
	}
	// Invitation emails go through the outbox, in the invitation's own
	// transaction; the deliverer sends them at once and retries with
	// backoff while the mail server is down.
	if s.deliverer, err = invite.NewDeliverer(store, mailer, s.cfg.BaseURL, invite.WithDeliveryLogger(s.log)); err != nil {
		return err
	}
	invites, err := invite.New(store, authz, mailer, s.cfg.BaseURL, invite.WithTTL(s.cfg.InviteTTL),
		invite.WithLogger(s.log), invite.WithOutbox(), invite.WithOutboxNotify(s.deliverer.Notify))
	if err != nil {
		return err
	}
	// Credential changes mail the user a security notice through the same
	// outbox, written in the change's transaction.
	auth, err := authn.New(store, invites, s.cfg.BaseURL, append([]authn.Option{authn.WithLogger(s.log),
		authn.WithSecurityNotices(s.deliverer.Notify)}, s.cfg.authnOptions...)...)
	if err != nil {
		return err
	}
	api, err := tenancyhttp.New(tenancyhttp.Config{Tenancy: tenants, Invites: invites, Authn: auth, Authorizer: authz,
		AgencyID: agencyID, AgencyToken: s.token, BaseURL: s.cfg.BaseURL, TrustedProxies: s.cfg.TrustedProxies, Logger: s.log})
	if err != nil {
		return err
	}
	pages, err := web.New(web.Config{API: api, Clients: tenants, Invitations: invites, Logger: s.log})
	if err != nil {
		return err
	}
	// The JSON API under /api/, the browser pages beside it.
	mux := http.NewServeMux()
	mux.Handle("/api/", api.Handler())
	mux.Handle("/", pages.Handler())
	s.handler = strictTransport(mux, baseIsHTTPS(s.cfg.BaseURL), s.customDomain(tenants))
	return nil
}

// customDomain reports whether a request's Host is the agency's custom
// domain (and not the base URL's host).
func (s *server) customDomain(tenants *tenancy.Service) func(*http.Request) bool {
	var base string // stays empty for an IP address, which HostName refuses
	if u, err := url.Parse(s.cfg.BaseURL); err == nil {
		if name, err := tenancy.HostName(u.Host); err == nil {
			base = name
		}
	}
	return func(r *http.Request) bool {
		name, err := tenancy.HostName(r.Host)
		if err != nil || name == base {
			return false
		}
		a, err := tenants.PortalByHost(r.Context(), name)
		return err == nil && a.ID == agencyID
	}
}

// ensureAgency creates the portal's agency on the first start; a process
// that loses the race to create it finds it.
func ensureAgency(ctx context.Context, store *bunstore.Store) error {
	_, err := store.Agency(ctx, agencyID)
	if !errors.Is(err, clientele.ErrNotFound) {
		return err
	}
	err = store.CreateAgency(ctx, clientele.Agency{ID: agencyID, Branding: clientele.Branding{Name: "Client Portal"},
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond)})
	if errors.Is(err, clientele.ErrDuplicate) {
		return nil
	}
	return err
}

// mailer sends through SMTP when configured, else writes .eml files.
func (s *server) mailer() (invite.Mailer, error) {
	domain := mailDomain(s.cfg.BaseURL)
	from := "no-reply@" + domain
	if s.cfg.SMTP != "" {
		// Greet with the portal's domain (RFC 5321 wants a name the server
		// can resolve), not the machine's bare host name, which strict
		// servers refuse.
		return smtpmail.New(s.cfg.SMTP, from, smtpmail.WithHELO(domain))
	}
	return mailfile.New(s.cfg.MailDir, from)
}

// mailDomain is the base URL's host name, or "localhost" for an address.
func mailDomain(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" || net.ParseIP(u.Hostname()) != nil {
		return "localhost"
	}
	return u.Hostname()
}

// serve listens, prints where, and serves until ctx ends; then it stops
// accepting, lets in-flight requests finish (up to 20 s) and returns.
func (s *server) serve(ctx context.Context, stdout io.Writer) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	fmt.Fprintf(stdout, "portal: %s (listening on %s)\n", s.cfg.BaseURL, ln.Addr())
	if s.generated {
		fmt.Fprintf(stdout, "agency token (shown once; set PORTAL_AGENCY_TOKEN to choose it): %s\n", s.token)
	}
	s.log.Info("portal started", "addr", ln.Addr().String(), "base_url", s.cfg.BaseURL)

	deliveries := make(chan error, 1)
	dctx, stopDeliveries := context.WithCancel(context.WithoutCancel(ctx))
	go func() { deliveries <- s.deliverer.Run(dctx) }()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}
	s.log.Info("portal stopping")
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdown)
	stopDeliveries()
	if derr := <-deliveries; derr != nil && !errors.Is(derr, context.Canceled) {
		s.log.Error("email delivery stopped", "err", derr)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
}

func (s *server) close() {
	if s.store != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.store.Close(ctx); err != nil {
			s.log.Warn("leaving the cache's node table", "err", err)
		}
	}
	if err := s.db.Close(); err != nil {
		s.log.Warn("closing the database", "err", err)
	}
}
