package invite

import (
	"fmt"
	"time"

	"github.com/clientele/clientele"
)

// noticeEmail is what the notice templates see.
type noticeEmail struct {
	Branding clientele.Branding
	// Subject says what changed, as a sentence without its full stop.
	Subject string
	// Name is the user's name, plain; "" greets without one.
	Name string
	// At is when the change was made.
	At   time.Time
	Link string
}

// noticeMessage renders security notice n of a change made at at,
// addressed to u's email, with the link <portal URL>/login: the portal
// URL is the agency's custom domain, else baseURL, as for an invitation.
func noticeMessage(a clientele.Agency, u clientele.User, n Notice, at time.Time, baseURL string) (Message, error) {
	subject, ok := noticeSubjects[n]
	if !ok {
		return Message{}, fmt.Errorf("%w: unknown notice %q", clientele.ErrInvalidArgument, n)
	}
	msg, err := renderNotice(noticeEmail{
		Branding: a.Branding,
		Subject:  subject,
		Name:     u.Name,
		At:       at,
		Link:     a.Branding.PortalURL(baseURL) + "/login",
	})
	if err != nil {
		return Message{}, err
	}
	msg.To = u.Email
	return msg, nil
}

// renderNotice renders a security notice; the caller sets To. Names lose
// control characters and the branding is shown as in an invitation (see
// renderInvitation); the templates escape the HTML. A link that is not an
// absolute http(s) URL, a zero time or an empty agency name answers
// clientele.ErrInvalidArgument.
func renderNotice(d noticeEmail) (Message, error) {
	if !httpURL(d.Link) {
		return Message{}, fmt.Errorf("%w: notice link must be an absolute http(s) URL", clientele.ErrInvalidArgument)
	}
	if d.At.IsZero() {
		return Message{}, fmt.Errorf("%w: notice without a time", clientele.ErrInvalidArgument)
	}
	d.Branding.Name, d.Name = plainName(d.Branding.Name), plainName(d.Name)
	if d.Branding.Name == "" {
		return Message{}, fmt.Errorf("%w: notice needs the agency's name", clientele.ErrInvalidArgument)
	}
	d.Branding = emailBranding(d.Branding)
	text, html, err := renderTemplates("notice", d)
	if err != nil {
		return Message{}, err
	}
	return Message{
		FromName: d.Branding.Name,
		Subject:  truncate(d.Subject, maxSubject),
		Text:     text,
		HTML:     html,
		Link:     d.Link,
	}, nil
}
