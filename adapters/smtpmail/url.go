package smtpmail

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/clientele/clientele"
)

// parseURL reads the server, port, TLS mode and credentials of rawURL.
func parseURL(rawURL string) (*Mailer, error) {
	bad := func(why string) error {
		return fmt.Errorf("%w: smtpmail: server URL: %s", clientele.ErrInvalidArgument, why)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, bad("malformed (want smtp://user:pass@host:port)")
	}
	m := &Mailer{host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		m.port = 587
	case "smtps":
		m.port, m.implicit = 465, true
	default:
		return nil, bad("scheme must be smtp or smtps")
	}
	if m.host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, bad("want smtp://user:pass@host:port and nothing else")
	}
	if p := u.Port(); p != "" {
		if m.port, err = strconv.Atoi(p); err != nil || m.port < 1 || m.port > 65535 {
			return nil, bad("port out of range")
		}
	}
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password() // an empty password is a valid one
	}
	ip := net.ParseIP(m.host)
	m.loopback = strings.EqualFold(m.host, "localhost") || (ip != nil && ip.IsLoopback())
	return m, nil
}
