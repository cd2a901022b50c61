package smtpmail

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/clientele/clientele/adapters/internal/mailmsg"
	"github.com/clientele/clientele/invite"
)

var _ invite.Mailer = (*Mailer)(nil)

// DefaultTimeout bounds one Send unless its context ends sooner.
const DefaultTimeout = 30 * time.Second

// Mailer sends emails through one SMTP server. It is immutable after New
// and safe for concurrent use.
type Mailer struct {
	host      string
	port      int
	implicit  bool // smtps://
	loopback  bool
	user      string
	pass      string
	from      mailmsg.Sender
	helo      string
	timeout   time.Duration
	tlsConfig *tls.Config
	clock     func() time.Time
}

// New returns a Mailer for the server at rawURL (smtp:// or smtps://, see
// the package doc) sending from the bare address from ("no-reply@
// portal.example"); the agency's name becomes the sender's display name.
// A malformed URL or sender answers clientele.ErrInvalidArgument; the
// error never repeats the URL, which may hold a password.
func New(rawURL, from string, opts ...Option) (*Mailer, error) {
	m, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if m.from, err = mailmsg.ParseSender(from); err != nil {
		return nil, fmt.Errorf("smtpmail: %w", err)
	}
	m.timeout, m.clock = DefaultTimeout, time.Now
	for _, o := range opts {
		if err := o(m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Send delivers msg to the server: it returns nil once the server accepted
// it. It dials with ctx and gives the whole exchange at most the Mailer's
// timeout or what is left of ctx, whichever is shorter. Errors never hold
// the recipient's address; an SMTP rejection has ErrorCode() (its reply
// code), which the invitation outbox records.
func (m *Mailer) Send(ctx context.Context, msg invite.Message) error {
	timeout := m.timeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(deadline))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if timeout <= 0 {
		return fmt.Errorf("smtpmail: %w", context.DeadlineExceeded)
	}
	eml, err := mailmsg.Build(m.from, msg, m.clock().UTC(), false) // quoted-printable: no 8BITMIME needed
	if err != nil {
		return fmt.Errorf("smtpmail: %w", err)
	}
	c, err := gomail.NewClient(m.host, m.clientOptions(timeout)...)
	if err != nil {
		return fmt.Errorf("smtpmail: client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, eml); err != nil {
		return sendError(err)
	}
	return nil
}

// clientOptions configures a go-mail client for one Send.
func (m *Mailer) clientOptions(timeout time.Duration) []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(timeout)}
	if m.helo != "" {
		opts = append(opts, gomail.WithHELO(m.helo))
	}
	if m.tlsConfig != nil {
		cfg := m.tlsConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = m.host
		}
		opts = append(opts, gomail.WithTLSConfig(cfg))
	}
	switch {
	case m.implicit:
		opts = append(opts, gomail.WithSSL())
	case m.loopback:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.user), gomail.WithPassword(m.pass))
	}
	return opts
}
