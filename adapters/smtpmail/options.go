package smtpmail

import (
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"github.com/clientele/clientele"
)

// Option configures a [Mailer].
type Option func(*Mailer) error

// WithHELO sets the name the Mailer greets the server with (default: the
// machine's host name).
func WithHELO(name string) Option {
	return func(m *Mailer) error {
		if name == "" || strings.ContainsAny(name, " \t\r\n") {
			return fmt.Errorf("%w: smtpmail: HELO name %q", clientele.ErrInvalidArgument, name)
		}
		m.helo = name
		return nil
	}
}

// WithTimeout bounds one Send (default [DefaultTimeout]), between one
// second and ten minutes.
func WithTimeout(d time.Duration) Option {
	return func(m *Mailer) error {
		if d < time.Second || d > 10*time.Minute {
			return fmt.Errorf("%w: smtpmail: timeout %v outside 1s..10m", clientele.ErrInvalidArgument, d)
		}
		m.timeout = d
		return nil
	}
}

// WithTLSConfig sets the TLS configuration, e.g. to trust a private CA
// (default: the system roots, TLS 1.2 or later). Its ServerName defaults to
// the URL's host.
func WithTLSConfig(cfg *tls.Config) Option {
	return func(m *Mailer) error {
		if cfg == nil {
			return fmt.Errorf("%w: smtpmail: nil TLS config", clientele.ErrInvalidArgument)
		}
		m.tlsConfig = cfg.Clone()
		return nil
	}
}

// WithClock sets the clock that dates messages (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(m *Mailer) error {
		if now == nil {
			return fmt.Errorf("%w: smtpmail: nil clock", clientele.ErrInvalidArgument)
		}
		m.clock = now
		return nil
	}
}
