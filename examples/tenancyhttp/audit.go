package tenancyhttp

import (
	"context"
	"net/http"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

// auditJSON is an audit event of the contract. before and after are the
// states the library records (see clientele.AuditEvent), as strings.
type auditJSON struct {
	ID       string             `json:"id"`
	At       time.Time          `json:"at"`
	Actor    string             `json:"actor"`
	ClientID clientele.ClientID `json:"client_id"`
	Action   string             `json:"action"`
	Target   string             `json:"target"`
	Before   string             `json:"before"`
	After    string             `json:"after"`
	IP       string             `json:"ip"`
}

func auditOf(ev clientele.AuditEvent) auditJSON {
	return auditJSON{ID: ev.ID, At: ev.At.UTC(), Actor: ev.Actor, ClientID: ev.ClientID, Action: ev.Action,
		Target: ev.Target, Before: ev.Before, After: ev.After, IP: ev.IP}
}

// GET /api/v1/audit?limit=&cursor= (the agency: every client's events and
// the agency's own) and GET /api/v1/clients/{client}/audit (the agency, or
// the client's Admin): 200 {"events":[…],"next"}, newest first. The
// client's id is "" on the whole agency's log.
func (a *API) listAudit(w http.ResponseWriter, r *http.Request, c Caller) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	p, err := a.tenancy.ListAudit(r.Context(), c.Principal, clientID(r), page)
	if err != nil {
		return err
	}
	out := make([]auditJSON, len(p.Events))
	for i, ev := range p.Events {
		out[i] = auditOf(ev)
	}
	writeJSON(w, http.StatusOK, struct {
		Events []auditJSON `json:"events"`
		Next   string      `json:"next"`
	}{out, p.Next})
	return nil
}

// withSourceIP puts the request's source IP (authn.ClientIP: the peer, or
// what a trusted proxy forwarded) in ctx for the audit log.
func (a *API) withSourceIP(r *http.Request) context.Context {
	ip := authn.ClientIP(r, a.proxies)
	if !ip.IsValid() {
		return r.Context()
	}
	return clientele.WithSourceIP(r.Context(), ip.String())
}
