// Package mailfile is an [invite.Mailer] that writes each email as one
// RFC 5322 .eml file in a folder instead of sending it: for development,
// tests and hosts that hand the folder to another program.
//
// A file appears whole (it is written under a temporary name and renamed),
// is readable by its owner only (it holds a sign-in link), and is named by
// the time it was written and a random suffix, so that names sort by time:
//
//	20260105T090000.000000000Z-9f86d081884c7d65.eml
package mailfile
