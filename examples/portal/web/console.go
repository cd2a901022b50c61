package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/clientele/clientele"
)

// GET /console: the clients, for the agency admin; else the console's
// token sign-in.
func (p *Pages) console(w http.ResponseWriter, r *http.Request, v visitor) error {
	if !v.agencyAdmin() {
		return p.render(w, r, http.StatusOK, "console_signin", pageData{Title: "Agency console", Area: "console", Page: "console-signin"})
	}
	return p.render(w, r, http.StatusOK, "console_clients", pageData{Title: "Clients", Area: "console", Page: "console-clients", Console: true})
}

// clientData is a client's page in the console; Tab is "users" or
// "permissions".
type clientData struct {
	Client      clientele.Client
	Tab         string
	Users       usersData
	Permissions []permissionView
}

// permissionView is one toggle of the Permissions tab.
type permissionView struct {
	Name        clientele.Permission
	Label, Help string
	On          bool
}

// knownPermissions are the toggles, in the order shown.
var knownPermissions = []permissionView{
	{Name: clientele.PermViewReports, Label: "Reports", Help: "Admins and Members see the client's reports."},
	{Name: clientele.PermManageBilling, Label: "Billing", Help: "Admins see invoices and manage payment methods."},
	{Name: clientele.PermExportData, Label: "Data export", Help: "Admins and Members export the client's data."},
}

// GET /console/clients/{id}: the client's Users tab.
func (p *Pages) consoleClient(w http.ResponseWriter, r *http.Request, v visitor) error {
	return p.clientTab(w, r, v, "users")
}

// GET /console/clients/{id}/permissions: the client's Permissions tab.
func (p *Pages) consolePermissions(w http.ResponseWriter, r *http.Request, v visitor) error {
	return p.clientTab(w, r, v, "permissions")
}

func (p *Pages) clientTab(w http.ResponseWriter, r *http.Request, v visitor, tab string) error {
	if !v.agencyAdmin() {
		return redirect(w, r, "/console")
	}
	c, err := p.clients.Client(r.Context(), v.caller.Principal, clientele.ClientID(r.PathValue("id")))
	if errors.Is(err, clientele.ErrInvalidArgument) || errors.Is(err, clientele.ErrMissingScope) {
		err = fmt.Errorf("web: client id %q: %w", r.PathValue("id"), clientele.ErrNotFound) // a malformed id is no client
	}
	if err != nil {
		return err
	}
	d := clientData{Client: c, Tab: tab, Users: usersData{ClientID: c.ID, ClientName: c.Name, Manage: true, Agency: true}}
	for _, pv := range knownPermissions {
		pv.On = c.Permissions.Has(pv.Name)
		d.Permissions = append(d.Permissions, pv)
	}
	name := "console_client"
	if tab == "permissions" {
		name = "console_permissions"
	}
	return p.render(w, r, http.StatusOK, name, pageData{Title: c.Name, Area: "console", Page: "console-" + tab, Console: true, Data: d})
}

// GET /console/branding: the branding form with a live preview.
func (p *Pages) consoleBranding(w http.ResponseWriter, r *http.Request, v visitor) error {
	if !v.agencyAdmin() {
		return redirect(w, r, "/console")
	}
	return p.render(w, r, http.StatusOK, "console_branding", pageData{Title: "Branding", Area: "console", Page: "console-branding",
		Console: true, Data: v.caller.Agency.Branding})
}
