package tenancyhttp

import (
	"errors"
	"net/http"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

// POST /api/v1/clients/{client}/invitations {"email","role"}: 201
// invitation. The email goes out with the link; if it cannot be sent the
// invitation still exists (logged; the host's outbox retries) and the
// answer is the same.
func (a *API) createInvitation(w http.ResponseWriter, r *http.Request, c Caller) error {
	var in struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	role, err := clientele.ParseRole(in.Role)
	if err != nil {
		return err
	}
	if err := a.limitInvitations(clientID(r)); err != nil {
		return err
	}
	inv, err := a.invites.Create(r.Context(), c.Principal, clientID(r), in.Email, role)
	if err = a.delivered(r, inv, err); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, invitationOf(inv))
	return nil
}

// POST /api/v1/clients/{client}/invitations/{id}/resend: 200 the new
// invitation (new id, link and window); the old link answers 410 replaced.
func (a *API) resendInvitation(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := a.limitInvitations(clientID(r)); err != nil {
		return err
	}
	id := clientele.InvitationID(r.PathValue("id"))
	inv, err := a.invites.Resend(r.Context(), c.Principal, clientID(r), id)
	if err = a.delivered(r, inv, err); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, invitationOf(inv))
	return nil
}

// DELETE /api/v1/clients/{client}/invitations/{id}: 204; the link answers
// 410 cancelled.
func (a *API) cancelInvitation(w http.ResponseWriter, r *http.Request, c Caller) error {
	id := clientele.InvitationID(r.PathValue("id"))
	if err := a.invites.Cancel(r.Context(), c.Principal, clientID(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// delivered forgives an email that could not be sent for an invitation
// that was stored: it is logged and the invitation answered.
func (a *API) delivered(r *http.Request, inv clientele.Invitation, err error) error {
	if err != nil && errors.Is(err, invite.ErrNotDelivered) && inv.ID != "" {
		a.log.WarnContext(r.Context(), "invitation stored, email not delivered", "invitation", inv.ID, "client", inv.ClientID, "err", err)
		return nil
	}
	return err
}

// limitInvitations counts one invitation email for client: at most 60 a
// minute per client in this process (30 a minute is ordinary use).
func (a *API) limitInvitations(client clientele.ClientID) error {
	if ok, wait := a.inviteLim.allow(string(client), a.now()); !ok {
		return &authn.RateLimitError{RetryAfter: wait}
	}
	return nil
}
