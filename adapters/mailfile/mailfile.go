package mailfile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/internal/mailmsg"
	"github.com/clientele/clientele/invite"
)

var _ invite.Mailer = (*Mailer)(nil)

// nameLayout is the time part of a file name: fixed width, so that names
// sort by time.
const nameLayout = "20060102T150405.000000000Z"

// Mailer writes emails as .eml files. It is immutable after New and safe
// for concurrent use, also by several processes sharing the folder.
type Mailer struct {
	dir   string
	from  mailmsg.Sender
	clock func() time.Time
}

// Option configures a [Mailer].
type Option func(*Mailer) error

// WithClock sets the clock that dates messages and names files (default
// time.Now).
func WithClock(now func() time.Time) Option {
	return func(m *Mailer) error {
		if now == nil {
			return fmt.Errorf("%w: mailfile: nil clock", clientele.ErrInvalidArgument)
		}
		m.clock = now
		return nil
	}
}

// New returns a Mailer writing into dir, created (owner-only) if missing,
// with from as the sender's address ("no-reply@portal.example"); the
// agency's name becomes the sender's display name. A from that is not one
// bare address answers clientele.ErrInvalidArgument.
func New(dir, from string, opts ...Option) (*Mailer, error) {
	if dir == "" {
		return nil, fmt.Errorf("%w: mailfile: empty folder", clientele.ErrInvalidArgument)
	}
	sender, err := mailmsg.ParseSender(from)
	if err != nil {
		return nil, fmt.Errorf("mailfile: %w", err)
	}
	m := &Mailer{dir: dir, from: sender, clock: time.Now}
	for _, o := range opts {
		if err := o(m); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mailfile: %w", err)
	}
	return m, nil
}

// Send writes msg as one .eml file. It returns once the file is complete
// under its final name.
func (m *Mailer) Send(ctx context.Context, msg invite.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := m.clock().UTC()
	eml, err := mailmsg.Build(m.from, msg, now, true) // the link whole in the raw file
	if err != nil {
		return fmt.Errorf("mailfile: %w", err)
	}
	tmp, err := os.CreateTemp(m.dir, ".writing-*.tmp")
	if err != nil {
		return fmt.Errorf("mailfile: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // fails harmlessly once renamed
	_, err = eml.WriteTo(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("mailfile: write: %w", err)
	}
	name := filepath.Join(m.dir, now.Format(nameLayout)+"-"+mailmsg.RandomSuffix()+".eml")
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("mailfile: %w", err)
	}
	return nil
}
