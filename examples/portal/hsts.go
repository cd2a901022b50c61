package main

import (
	"net/http"
	"strings"
)

// strictTransportSecurity is the policy of an https portal: one year, the
// span browsers' preload lists ask of a lasting policy. It leaves out
// includeSubDomains: that would cover every name under the portal's host
// (every host of the operator when the base URL is their bare domain),
// and the portal cannot know that all of them serve https; a sibling
// still on http would become unreachable for a year.
const strictTransportSecurity = "max-age=31536000"

// strictTransport adds Strict-Transport-Security to every answer of next
// (pages, API, assets, errors, 404s) whose portal URL is https: every
// answer when baseHTTPS; otherwise only answers for a host that
// customDomain recognizes as the agency's own domain, whose portal URL is
// always https://<domain> (its TLS ends at a proxy in front). With an
// http base URL the base host never gets it.
func strictTransport(next http.Handler, baseHTTPS bool, customDomain func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if baseHTTPS || customDomain(r) {
			w.Header().Set("Strict-Transport-Security", strictTransportSecurity)
		}
		next.ServeHTTP(w, r)
	})
}

// baseIsHTTPS reports whether the base URL is https.
func baseIsHTTPS(base string) bool { return strings.HasPrefix(strings.ToLower(base), "https://") }
