package tenancyhttp

import (
	"net/http"

	"github.com/clientele/clientele"
)

// GET /api/v1/clients/{client}/users?limit=&cursor=: 200
// {"users":[…],"next"}: members and pending invitations, by email.
func (a *API) listUsers(w http.ResponseWriter, r *http.Request, c Caller) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	p, err := a.tenancy.ListUsers(r.Context(), c.Principal, clientID(r), page)
	if err != nil {
		return err
	}
	out := make([]userJSON, len(p.Users))
	for i, e := range p.Users {
		out[i] = entryOf(e)
	}
	writeJSON(w, http.StatusOK, struct {
		Users []userJSON `json:"users"`
		Next  string     `json:"next"`
	}{out, p.Next})
	return nil
}

// PATCH /api/v1/clients/{client}/users/{user} {"role"}: 200 user. A client
// Admin demoting the last active Admin gets 409 last_admin.
func (a *API) changeRole(w http.ResponseWriter, r *http.Request, c Caller) error {
	var in struct {
		Role string `json:"role"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	role, err := clientele.ParseRole(in.Role)
	if err != nil {
		return err
	}
	m, err := a.tenancy.ChangeRole(r.Context(), c.Principal, clientID(r), userID(r), role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, memberOf(m))
	return nil
}

// DELETE /api/v1/clients/{client}/users/{user}: 204, at once and without
// any email; the user's next request with a session of this client is a
// 401.
func (a *API) removeUser(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := a.tenancy.Remove(r.Context(), c.Principal, clientID(r), userID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
