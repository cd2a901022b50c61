package tenancyhttp

import (
	"fmt"
	"net/http"

	"github.com/clientele/clientele"
)

// PUT /api/v1/agency/branding {"name","logo_url","primary_color","custom_domain"}
// replaces the branding: 200 branding. A custom domain another agency holds
// is a 409 conflict.
func (a *API) setBranding(w http.ResponseWriter, r *http.Request, c Caller) error {
	var in brandingJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	agency, err := a.tenancy.SetBranding(r.Context(), c.Principal, in.branding())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, brandingOf(agency.Branding))
	return nil
}

// POST /api/v1/clients {"name"}: 201 client, with no permissions.
func (a *API) createClient(w http.ResponseWriter, r *http.Request, c Caller) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	cl, err := a.tenancy.CreateClient(r.Context(), c.Principal, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, clientOf(cl))
	return nil
}

// GET /api/v1/clients?limit=&cursor=: 200 {"clients":[…],"next"}, by name.
func (a *API) listClients(w http.ResponseWriter, r *http.Request, c Caller) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	p, err := a.tenancy.ListClients(r.Context(), c.Principal, page)
	if err != nil {
		return err
	}
	out := make([]clientJSON, len(p.Clients))
	for i, cl := range p.Clients {
		out[i] = clientOf(cl)
	}
	writeJSON(w, http.StatusOK, struct {
		Clients []clientJSON `json:"clients"`
		Next    string       `json:"next"`
	}{out, p.Next})
	return nil
}

// PUT /api/v1/clients/{client}/permissions {"permissions":[…]} replaces
// the client's permissions: 200 client. The field is required ([] clears
// them); an unknown name is a 400 unknown_permission.
func (a *API) setPermissions(w http.ResponseWriter, r *http.Request, c Caller) error {
	var in struct {
		Permissions *[]clientele.Permission `json:"permissions"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Permissions == nil {
		return fmt.Errorf("%w: \"permissions\" is required (an array, [] for none)", errBadRequest)
	}
	cl, err := a.tenancy.SetPermissions(r.Context(), c.Principal, clientID(r), *in.Permissions)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, clientOf(cl))
	return nil
}

// POST /api/v1/clients/{client}/users/{user}/deactivate: 200 user.
func (a *API) deactivate(w http.ResponseWriter, r *http.Request, c Caller) error {
	m, err := a.tenancy.Deactivate(r.Context(), c.Principal, clientID(r), userID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, memberOf(m))
	return nil
}

// POST /api/v1/clients/{client}/users/{user}/reactivate: 200 user.
func (a *API) reactivate(w http.ResponseWriter, r *http.Request, c Caller) error {
	m, err := a.tenancy.Reactivate(r.Context(), c.Principal, clientID(r), userID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, memberOf(m))
	return nil
}

func clientID(r *http.Request) clientele.ClientID { return clientele.ClientID(r.PathValue("client")) }

func userID(r *http.Request) clientele.UserID { return clientele.UserID(r.PathValue("user")) }
