package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/examples/tenancyhttp"
)

//go:embed templates
var templateFS embed.FS

// view is one page's template: the layout, the shared partials and the
// page's own "main" block.
type view struct{ t *template.Template }

// viewNames are the pages, one file each in templates/.
var viewNames = []string{"login", "invite", "dashboard", "users", "console_signin", "console_clients",
	"console_client", "console_permissions", "console_branding", "error"}

var funcs = template.FuncMap{
	"roleLabel":   roleLabel,
	"minPassword": func() int { return password.MinLength },
}

func parseViews() (map[string]*view, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	views := make(map[string]*view, len(viewNames))
	for _, name := range viewNames {
		t, err := base.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFS, "templates/"+name+".html")
		}
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		views[name] = &view{t: t}
	}
	return views, nil
}

// pageData is what the layout reads; Data is the page's own.
type pageData struct {
	Brand brand
	Title string
	// Area is "portal" or "console": the script and the navigation.
	Area string
	// Page names the page for its script (body data-page).
	Page string
	// Me is the signed-in client user, on portal pages.
	Me *me
	// Console is true on the pages of a signed-in console.
	Console bool
	Data    any
}

// me is the signed-in client user, as the layout shows it.
type me struct {
	ID    string
	Name  string
	Email string
	Role  clientele.Role
	Admin bool
}

func meOf(v visitor) *me {
	if !v.user() {
		return nil
	}
	m := v.caller.Identity.Member
	return &me{ID: string(m.UserID), Name: m.Name, Email: string(m.Email), Role: m.Role, Admin: m.Role == clientele.RoleAdmin}
}

// render answers the page name with status. The template runs into a
// buffer first, so a failing template answers a clean 500.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) error {
	agency, _ := tenancyhttp.AgencyFrom(r.Context())
	d.Brand = brandOf(agency.Branding)
	var buf bytes.Buffer
	if err := p.views[name].t.ExecuteTemplate(&buf, "layout.html", d); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the status is sent; a failed write has nobody to tell
	return nil
}

// problem is what the error page says.
type problem struct {
	Heading string
	Message string
	// Link and LinkText offer a way on; optional.
	Link, LinkText string
}

// fail answers err: 404 for an unknown page or id, else a logged 500
// that shows no detail. A browser gets an error page; a client that does
// not ask for HTML gets the API's JSON error.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, pr := http.StatusNotFound, problem{Heading: "Page not found",
		Message: "There is nothing at this address.", Link: "/", LinkText: "Go to the start page"}
	if !errors.Is(err, clientele.ErrNotFound) {
		p.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
		err = errPageFailed // no detail leaves the server
		status, pr = http.StatusInternalServerError, problem{Heading: "Something went wrong",
			Message: "The page could not be shown. Try again in a moment.", Link: "/", LinkText: "Go to the start page"}
	}
	if !strings.Contains(r.Header.Get("Accept"), "text/html") {
		w.Header().Del("Cache-Control") // WriteError sets its own
		tenancyhttp.WriteError(w, r, err, nil)
		return
	}
	if err := p.render(w, r, status, "error", pageData{Title: pr.Heading, Area: "portal", Page: "error", Data: pr}); err != nil {
		p.log.ErrorContext(r.Context(), "error page failed", "err", err)
		http.Error(w, pr.Heading, status)
	}
}

func roleLabel(r clientele.Role) string {
	switch r {
	case clientele.RoleAdmin:
		return "Admin"
	case clientele.RoleMember:
		return "Member"
	}
	return string(r)
}
