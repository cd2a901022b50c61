// Package smtpmail is an [invite.Mailer] that sends through an SMTP
// server with github.com/wneessen/go-mail, configured by one URL:
//
//	smtp://user:pass@mail.example.com:587    STARTTLS (port 587 by default)
//	smtps://user:pass@mail.example.com:465   implicit TLS (port 465 by default)
//
// With smtp://, STARTTLS is mandatory: a server that does not offer it is
// refused, unless the host is a loopback address or "localhost" (a local
// relay), where STARTTLS is used when offered. Credentials, when given,
// authenticate with the best mechanism the server offers over the
// encrypted connection. Each Send opens its own connection, so a Mailer is
// safe for concurrent use; it respects its context's deadline and
// cancellation while connecting and is bounded by a timeout while sending.
package smtpmail
