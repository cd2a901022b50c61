package web

import (
	"net/http"
	"strings"
)

// Every form that carries a secret (a password, the agency token) is sent
// by the page's script to the JSON API. Its markup still says
// method="post" with its own page as the action, so that a browser running
// no script posts the secret in a body to this server, never in a URL.
// Such a post changes nothing: it reads no body and answers that the page
// needs JavaScript.

// formPages are the pages whose forms carry a secret.
var formPages = []string{"/{$}", "/login", "/invite/{token}", "/console"}

// needsScript answers a form posted without the page's script.
func (p *Pages) needsScript(w http.ResponseWriter, r *http.Request, _ visitor) error {
	area := "portal"
	if strings.HasPrefix(r.URL.Path, "/console") {
		area = "console"
	}
	return p.render(w, r, http.StatusBadRequest, "error", pageData{Title: "Turn on JavaScript", Area: area, Page: "error",
		Data: problem{Heading: "This page needs JavaScript",
			Message: "Nothing was changed. Turn on JavaScript in your browser, then go back and try again.",
			Link:    r.URL.Path, LinkText: "Go back"}})
}
