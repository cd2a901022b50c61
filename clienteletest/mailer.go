package clienteletest

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// ErrNoMessage reports that no captured message matches.
var ErrNoMessage = errors.New("clienteletest: no such message")

// Mailer captures every message instead of sending it. It is safe for
// concurrent use. SetFailure makes Send fail, to test delivery errors.
type Mailer struct {
	mu   sync.Mutex
	msgs []invite.Message
	fail error
}

// Send records m, or returns the failure set by SetFailure.
func (m *Mailer) Send(_ context.Context, msg invite.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.msgs = append(m.msgs, msg)
	return nil
}

// SetFailure makes every later Send fail with err (nil: succeed again).
func (m *Mailer) SetFailure(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = err
}

// Messages returns a copy of the captured messages, oldest first.
func (m *Mailer) Messages() []invite.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]invite.Message(nil), m.msgs...)
}

// LastTo returns the newest message sent to email.
func (m *Mailer) LastTo(email string) (invite.Message, error) {
	addr, err := clientele.ParseEmail(email)
	if err != nil {
		return invite.Message{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.msgs) - 1; i >= 0; i-- {
		if m.msgs[i].To == addr {
			return m.msgs[i], nil
		}
	}
	return invite.Message{}, ErrNoMessage
}

// TokenTo returns the invitation token in the newest message to email.
func (m *Mailer) TokenTo(email string) (string, error) {
	msg, err := m.LastTo(email)
	if err != nil {
		return "", err
	}
	i := strings.LastIndex(msg.Link, "/invite/")
	if i < 0 {
		return "", ErrNoMessage
	}
	return msg.Link[i+len("/invite/"):], nil
}
