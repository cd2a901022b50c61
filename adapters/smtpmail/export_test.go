package smtpmail

// TreatAsRemote makes m apply the rules of a remote server (STARTTLS
// mandatory) to its loopback test server.
func TreatAsRemote(m *Mailer) { m.loopback = false }
