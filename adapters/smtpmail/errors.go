package smtpmail

import (
	"errors"
	"fmt"
	"strconv"

	gomail "github.com/wneessen/go-mail"
)

// rejected is an SMTP rejection, without the recipients and the message id
// go-mail's SendError lists.
type rejected struct {
	reason string
	code   int
	status string
	temp   bool
}

func (e *rejected) Error() string {
	s := "smtpmail: " + e.reason
	if e.code > 0 {
		s += ": smtp " + strconv.Itoa(e.code)
	}
	if e.status != "" {
		s += " " + e.status
	}
	if e.temp {
		s += " (temporary)"
	}
	return s
}

// ErrorCode returns the server's SMTP reply code, or 0.
func (e *rejected) ErrorCode() int { return e.code }

// Temporary reports a 4xx reply: the send may succeed later.
func (e *rejected) Temporary() bool { return e.temp }

// sendError wraps err of a send for the caller.
func sendError(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return &rejected{reason: se.Reason.String(), code: se.ErrorCode(), status: se.EnhancedStatusCode(), temp: se.IsTemp()}
	}
	return fmt.Errorf("smtpmail: %w", err)
}
