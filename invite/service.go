package invite

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/rbac"
)

// Authorizer decides whether a principal may act on a client with the
// given permissions. *rbac.Authorizer implements it.
type Authorizer interface {
	Authorize(ctx context.Context, p clientele.Principal, act rbac.Action, perms clientele.PermissionSet) error
}

// PasswordHasher hashes a new user's password, validating it first.
// *password.Hasher implements it.
type PasswordHasher interface {
	Hash(ctx context.Context, pw string) (string, error)
}

// Service runs the invitation lifecycle: create, resend, cancel, look up
// and accept. It is immutable after New and safe for concurrent use.
type Service struct {
	store   Store
	authz   Authorizer
	mailer  Mailer
	baseURL string
	ttl     time.Duration
	clock   func() time.Time
	hasher  PasswordHasher
	log     *slog.Logger
	outbox  bool
	notify  func()
	// perRecipient is how many emails one address may get in a day.
	perRecipient int
}

// New returns a Service. baseURL is the portal's public URL (scheme and
// host, optionally a path) used in links when the agency has no custom
// domain; links never come from a request. mailer may be nil with
// [WithOutbox], where a [Deliverer] sends the emails.
func New(store Store, authz Authorizer, mailer Mailer, baseURL string, opts ...Option) (*Service, error) {
	if store == nil || authz == nil {
		return nil, fmt.Errorf("%w: invite.New needs a store and an authorizer", clientele.ErrInvalidArgument)
	}
	if err := checkBaseURL(baseURL); err != nil {
		return nil, err
	}
	s := &Service{store: store, authz: authz, mailer: mailer, baseURL: baseURL, ttl: DefaultTTL, clock: time.Now,
		log: slog.New(slog.DiscardHandler), perRecipient: DefaultRecipientLimit}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.mailer == nil && !s.outbox {
		return nil, fmt.Errorf("%w: invite.New needs a mailer, or WithOutbox", clientele.ErrInvalidArgument)
	}
	if s.hasher == nil {
		h, err := password.New()
		if err != nil {
			return nil, err
		}
		s.hasher = h
	}
	return s, nil
}

// client returns the client p acts on after checking that p may see it and
// may do act there. A client p cannot see is reported as not found.
func (s *Service) client(ctx context.Context, p clientele.Principal, id clientele.ClientID, act rbac.Action) (clientele.Client, error) {
	if err := p.Scope(id); err != nil {
		return clientele.Client{}, err
	}
	c, err := s.store.Client(ctx, p.AgencyID, id)
	if err != nil {
		return clientele.Client{}, err
	}
	if err := s.authz.Authorize(ctx, p, act, c.Permissions); err != nil {
		return clientele.Client{}, err
	}
	return c, nil
}

// nextInvitation builds a fresh pending invitation and its token.
func (s *Service) nextInvitation(p clientele.Principal, c clientele.Client, email clientele.Email, role clientele.Role, now time.Time) (clientele.Invitation, string) {
	token, hash := newToken()
	return clientele.Invitation{
		ID:        clientele.InvitationID(clientele.NewID("inv")),
		AgencyID:  c.AgencyID,
		ClientID:  c.ID,
		Email:     email,
		Role:      role,
		Status:    clientele.InvitationPending,
		TokenHash: hash,
		InvitedBy: p.UserID,
		CreatedAt: now,
		ExpiresAt: now.Add(s.ttl),
	}, token
}

// Create invites email to client with role and mails the link. It answers
// ErrAlreadyMember or ErrPendingExists on a conflict. When the invitation
// is stored but the email cannot be sent, it returns the invitation and an
// error wrapping ErrNotDelivered: the invitation stays pending and can be
// resent. With [WithOutbox] it sends nothing: it queues the email in the
// same atomic step as the invitation, for a [Deliverer]. The invitation is
// recorded in the client's audit log. An address the agency has sent its
// daily share of invitation emails (see [WithRecipientLimit]) answers a
// *clientele.RateLimitError and nothing is stored.
func (s *Service) Create(ctx context.Context, p clientele.Principal, client clientele.ClientID, email string, role clientele.Role) (clientele.Invitation, error) {
	c, err := s.client(ctx, p, client, rbac.ActionInvite)
	if err != nil {
		return clientele.Invitation{}, err
	}
	addr, err := clientele.ParseEmail(email)
	if err != nil {
		return clientele.Invitation{}, err
	}
	if !role.Valid() {
		return clientele.Invitation{}, fmt.Errorf("%w: %q", clientele.ErrInvalidRole, role)
	}
	now := s.time()
	if err := s.countEmail(ctx, c.AgencyID, addr, now); err != nil {
		return clientele.Invitation{}, err
	}
	inv, token := s.nextInvitation(p, c, addr, role, now)
	queue := s.queue(inv, now)
	if err := s.store.CreateInvitation(ctx, inv, now, queue, clientele.NewAuditStamp(ctx, p, now)); err != nil {
		return clientele.Invitation{}, fmt.Errorf("invite: create: %w", err)
	}
	if queue != nil {
		s.queued(ctx, inv, queue)
		return inv, nil
	}
	return inv, s.send(ctx, c, inv, token)
}

// Resend replaces the invitation id of client with a new one (new link,
// fresh window) and mails it, or queues it as Create does; the old link
// stops working (ErrReplaced), and a queued email of the old one is never
// sent. The
// invitation must still be pending by its stored status: an expired link
// may be resent; a used, cancelled or replaced one answers its error. The
// new email counts toward the recipient's daily limit, as in Create.
func (s *Service) Resend(ctx context.Context, p clientele.Principal, client clientele.ClientID, id clientele.InvitationID) (clientele.Invitation, error) {
	c, err := s.client(ctx, p, client, rbac.ActionResendInvitation)
	if err != nil {
		return clientele.Invitation{}, err
	}
	if !clientele.ValidID(string(id)) {
		return clientele.Invitation{}, fmt.Errorf("invite: invitation %q: %w", id, clientele.ErrNotFound)
	}
	old, err := s.store.Invitation(ctx, c.ID, id)
	if err != nil {
		return clientele.Invitation{}, fmt.Errorf("invite: resend: %w", err)
	}
	if err := StatusError(old.Status); err != nil {
		return clientele.Invitation{}, fmt.Errorf("invite: resend: %w", err)
	}
	now := s.time()
	if err := s.countEmail(ctx, c.AgencyID, old.Email, now); err != nil {
		return clientele.Invitation{}, err
	}
	next, token := s.nextInvitation(p, c, old.Email, old.Role, now)
	queue := s.queue(next, now)
	if err := s.store.ReplaceInvitation(ctx, c.ID, old.ID, next, queue, clientele.NewAuditStamp(ctx, p, now)); err != nil {
		return clientele.Invitation{}, fmt.Errorf("invite: resend: %w", err)
	}
	if queue != nil {
		s.queued(ctx, next, queue)
		return next, nil
	}
	return next, s.send(ctx, c, next, token)
}

// Cancel cancels the pending invitation id of client; its link stops
// working (ErrCancelled). Resend and Cancel are recorded in the client's
// audit log.
func (s *Service) Cancel(ctx context.Context, p clientele.Principal, client clientele.ClientID, id clientele.InvitationID) error {
	c, err := s.client(ctx, p, client, rbac.ActionCancelInvitation)
	if err != nil {
		return err
	}
	if !clientele.ValidID(string(id)) {
		return fmt.Errorf("invite: invitation %q: %w", id, clientele.ErrNotFound)
	}
	if err := s.store.CancelInvitation(ctx, c.ID, id, clientele.NewAuditStamp(ctx, p, s.time())); err != nil {
		return fmt.Errorf("invite: cancel: %w", err)
	}
	return nil
}

// countEmail counts one invitation email to email from agency at now and
// refuses it past the per-recipient limit of the day. The key is a hash:
// the counters hold no address.
func (s *Service) countEmail(ctx context.Context, agency clientele.AgencyID, email clientele.Email, now time.Time) error {
	h := sha256.Sum256([]byte(string(agency) + "\x00" + string(email)))
	window := now.Truncate(recipientWindow)
	n, err := s.store.Hit(ctx, "invite-recipient|"+base64.RawURLEncoding.EncodeToString(h[:]), window, now)
	if err != nil {
		return fmt.Errorf("invite: recipient limit: %w", err)
	}
	if n > s.perRecipient {
		s.log.WarnContext(ctx, "invitation emails to one address over the daily limit", "agency", agency, "limit", s.perRecipient)
		return &clientele.RateLimitError{RetryAfter: window.Add(recipientWindow).Sub(now)}
	}
	return nil
}

// send renders and mails the invitation's link.
func (s *Service) send(ctx context.Context, c clientele.Client, inv clientele.Invitation, token string) error {
	agency, err := s.store.Agency(ctx, c.AgencyID)
	if err == nil {
		var msg Message
		if msg, err = invitationMessage(agency, c, inv, s.baseURL, token); err == nil {
			err = s.mailer.Send(ctx, msg)
		}
	}
	if err != nil {
		s.log.ErrorContext(ctx, "invitation email not sent", "invitation", inv.ID, "client", inv.ClientID, "err", err)
		return fmt.Errorf("%w: %w", ErrNotDelivered, err)
	}
	s.log.InfoContext(ctx, "invitation sent", "invitation", inv.ID, "client", inv.ClientID)
	return nil
}

// queue returns the delivery to store with inv, or nil without an outbox.
// The token made with inv is never sent then: the Deliverer rotates it.
func (s *Service) queue(inv clientele.Invitation, now time.Time) *Delivery {
	if !s.outbox {
		return nil
	}
	return &Delivery{ID: DeliveryID(clientele.NewID("dlv")), Kind: KindInvitation, AgencyID: inv.AgencyID,
		ClientID: inv.ClientID, InvitationID: inv.ID, NextAttemptAt: now, CreatedAt: now}
}

// queued logs a queued email and wakes the Deliverer.
func (s *Service) queued(ctx context.Context, inv clientele.Invitation, d *Delivery) {
	s.log.InfoContext(ctx, "invitation email queued", "invitation", inv.ID, "client", inv.ClientID, "delivery", d.ID)
	if s.notify != nil {
		s.notify()
	}
}

// checkBaseURL checks the portal URL links are made of.
func checkBaseURL(baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%w: base URL %q must be an absolute http(s) URL", clientele.ErrInvalidArgument, baseURL)
	}
	return nil
}

// errLookup turns a store's not-found for a token into ErrUnknownToken.
func errLookup(op string, err error) error {
	if errors.Is(err, clientele.ErrNotFound) {
		return ErrUnknownToken
	}
	return fmt.Errorf("invite: %s: %w", op, err)
}

// time reads the clock once for an operation: in UTC and to the
// microsecond, the precision every store keeps, so what a store returns
// compares equal to what was given to it.
func (s *Service) time() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }
