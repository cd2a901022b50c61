package tenancyhttp

import (
	"net/http"

	"github.com/clientele/clientele/rbac"
)

// routes is the route table of the contract and the passkey endpoints the
// pages use.
func (a *API) routes() http.Handler {
	const (
		clients = "/api/v1/clients"
		client  = clients + "/{client}"
		user    = client + "/users/{user}"
		inv     = client + "/invitations"
		pk      = "/api/v1/passkeys"
	)
	return a.mux([]route{
		// The agency's own endpoints.
		{"POST", "/api/v1/agency/session", public, "", a.startAgencySession},
		{"DELETE", "/api/v1/agency/session", public, "", a.endAgencySession},
		{"PUT", "/api/v1/agency/branding", agencyWide, rbac.ActionSetBranding, a.setBranding},
		{"POST", clients, agencyWide, rbac.ActionCreateClient, a.createClient},
		{"GET", clients, agencyWide, rbac.ActionListClients, a.listClients},
		{"PUT", client + "/permissions", agencyWide, rbac.ActionSetPermissions, a.setPermissions},
		{"POST", user + "/deactivate", agencyWide, rbac.ActionDeactivateUser, a.deactivate},
		{"POST", user + "/reactivate", agencyWide, rbac.ActionReactivateUser, a.reactivate},
		{"GET", "/api/v1/audit", agencyWide, rbac.ActionViewAudit, a.listAudit},

		// A client's users and features.
		{"GET", client + "/users", clientScoped, rbac.ActionListUsers, a.listUsers},
		{"PATCH", user, clientScoped, rbac.ActionChangeRole, a.changeRole},
		{"DELETE", user, clientScoped, rbac.ActionRemoveUser, a.removeUser},
		{"POST", inv, clientScoped, rbac.ActionInvite, a.createInvitation},
		{"POST", inv + "/{id}/resend", clientScoped, rbac.ActionResendInvitation, a.resendInvitation},
		{"DELETE", inv + "/{id}", clientScoped, rbac.ActionCancelInvitation, a.cancelInvitation},
		{"GET", client + "/billing", clientScoped, rbac.ActionUseBilling, a.feature(rbac.ActionUseBilling, "billing")},
		{"GET", client + "/reports", clientScoped, rbac.ActionUseReports, a.feature(rbac.ActionUseReports, "reports")},
		{"GET", client + "/audit", clientScoped, rbac.ActionViewAudit, a.listAudit},

		// Invitation links and sessions.
		{"GET", "/api/v1/invitations/{token}", public, "", a.previewInvitation},
		{"POST", "/api/v1/invitations/accept", public, "", a.acceptInvitation},
		{"POST", "/api/v1/session", public, "", a.signIn},
		{"DELETE", "/api/v1/session", public, "", a.signOut},
		{"POST", "/api/v1/session/reauth", self, "", a.reauthenticate},
		{"POST", "/api/v1/password", self, "", a.changePassword},
		{"GET", "/api/v1/me", self, "", a.me},

		// Passkeys.
		{"POST", pk + "/setup/begin", public, "", a.beginPasskeySetup},
		{"POST", pk + "/setup/finish", public, "", a.finishPasskeySetup},
		{"POST", pk + "/signin/begin", public, "", a.beginPasskeySignIn},
		{"POST", pk + "/signin/finish", public, "", a.finishPasskeySignIn},
		{"POST", pk + "/accept/begin", public, "", a.beginPasskeyAccept},
		{"POST", pk + "/accept/finish", public, "", a.finishPasskeyAccept},
		{"POST", pk + "/reauth/begin", self, "", a.beginPasskeyReauth},
		{"POST", pk + "/reauth/finish", self, "", a.finishPasskeyReauth},
		{"POST", pk + "/register/begin", self, "", a.beginPasskeyRegistration},
		{"POST", pk + "/register/finish", self, "", a.finishPasskeyRegistration},
		{"GET", pk, self, "", a.listPasskeys},
		{"DELETE", pk + "/{id}", self, "", a.removePasskey},
	})
}
