package tenancyhttp

import (
	"net/http"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/rbac"
)

// feature serves GET /api/v1/clients/{client}/billing and /reports: 200
// {"client_id","feature"} when the caller may do act with the client's
// current permissions (billing: an Admin while the client has
// manage_billing; reports: Admin or Member while it has view_reports).
// The agency admin may call both whatever the client has enabled (the
// contract: it "may also call every client endpoint").
func (a *API) feature(act rbac.Action, name string) func(http.ResponseWriter, *http.Request, Caller) error {
	return func(w http.ResponseWriter, r *http.Request, c Caller) error {
		cl, err := a.tenancy.Client(r.Context(), c.Principal, clientID(r))
		if err != nil {
			return err
		}
		if err := a.authz.Authorize(r.Context(), c.Principal, act, cl.Permissions); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, struct {
			ClientID clientele.ClientID `json:"client_id"`
			Feature  string             `json:"feature"`
		}{cl.ID, name})
		return nil
	}
}
