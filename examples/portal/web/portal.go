package web

import (
	"errors"
	"net/http"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/examples/tenancyhttp"
	"github.com/clientele/clientele/invite"
)

// GET /: the dashboard of a signed-in client user; the console for the
// agency; else the sign-in page.
func (p *Pages) dashboard(w http.ResponseWriter, r *http.Request, v visitor) error {
	switch {
	case v.agencyAdmin():
		return redirect(w, r, "/console")
	case !v.user():
		return redirect(w, r, "/login")
	}
	return p.render(w, r, http.StatusOK, "dashboard", pageData{Title: "Dashboard", Area: "portal", Page: "dashboard", Me: meOf(v)})
}

// GET /login: passkey and password sign-in; a signed-in user goes home.
func (p *Pages) login(w http.ResponseWriter, r *http.Request, v visitor) error {
	if v.user() {
		return redirect(w, r, "/")
	}
	return p.render(w, r, http.StatusOK, "login", pageData{Title: "Sign in", Area: "portal", Page: "login"})
}

// invitationData is the invitation page's: the offer, or why the link no
// longer works.
type invitationData struct {
	Token      string
	Email      string
	Role       clientele.Role
	ClientName string
	// HasAccount is true when the invited email already has an account:
	// the visitor signs in to accept instead of setting one up.
	HasAccount bool
	// SignedInAs is the name of a visitor signed in as the invited
	// account, who accepts with that session; empty otherwise.
	SignedInAs string
	// OtherVisitor is the email of a visitor signed in as someone else.
	OtherVisitor string
	Problem      *problem
}

// GET /invite/{token}: who invites whom to what, and how to accept: set up
// a new account (a passkey or a password), or, for an email that already
// has one, sign in to it (its password or one of its passkeys, or the
// session of a visitor signed in as it). A link that cannot be used says
// why (404 or 410).
func (p *Pages) invitation(w http.ResponseWriter, r *http.Request, v visitor) error {
	tok := r.PathValue("token")
	pv, err := p.invites.Lookup(r.Context(), tok)
	if agency, _ := tenancyhttp.AgencyFrom(r.Context()); err == nil && pv.AgencyID != agency.ID {
		err = invite.ErrUnknownToken // another portal's link is unknown here
	}
	d := pageData{Title: "Accept your invitation", Area: "portal", Page: "invite", Me: meOf(v)}
	if err != nil {
		status, pr, ok := linkProblem(err)
		if !ok {
			return err
		}
		d.Data = invitationData{Problem: &pr}
		return p.render(w, r, status, "invite", d)
	}
	data := invitationData{Token: tok, Email: string(pv.Email), Role: pv.Role, ClientName: pv.ClientName, HasAccount: pv.HasAccount}
	if m := d.Me; m != nil {
		// Emails are unique in an agency, and the session was resolved at
		// this portal: the same email is the same account.
		if pv.HasAccount && m.Email == data.Email {
			data.SignedInAs = m.Name
		} else {
			data.OtherVisitor = m.Email
		}
	}
	d.Data = data
	return p.render(w, r, http.StatusOK, "invite", d)
}

// linkProblem explains an invitation link that cannot be used.
func linkProblem(err error) (int, problem, bool) {
	signIn := problem{Link: "/login", LinkText: "Go to sign in"}
	switch {
	case errors.Is(err, invite.ErrUnknownToken):
		signIn.Heading, signIn.Message = "This invitation link is not valid",
			"Check that you opened the whole link from the email, or ask for a new invitation."
		return http.StatusNotFound, signIn, true
	case errors.Is(err, invite.ErrExpired):
		signIn.Heading, signIn.Message = "This invitation has expired",
			"Invitation links work for a limited time. Ask the person who invited you to send a new one."
	case errors.Is(err, invite.ErrCancelled):
		signIn.Heading, signIn.Message = "This invitation was cancelled",
			"Ask the person who invited you if you still need access."
	case errors.Is(err, invite.ErrReplaced):
		signIn.Heading, signIn.Message = "A newer invitation was sent",
			"This link was replaced. Use the link in the most recent invitation email."
	case errors.Is(err, invite.ErrUsed):
		signIn.Heading, signIn.Message = "This invitation was already used",
			"Your account is set up. Sign in with your passkey or password."
	default:
		return 0, problem{}, false
	}
	return http.StatusGone, signIn, true
}

// usersData is the users view: whose users, and what the viewer may do.
type usersData struct {
	ClientID   clientele.ClientID
	ClientName string
	// Manage is true for those who invite, change roles and remove.
	Manage bool
	// Agency is true in the console (deactivate and reactivate too).
	Agency bool
	// SelfID marks the viewer's own row; empty in the console.
	SelfID string
}

// GET /users: the signed-in user's client's users; Admins manage them,
// Members see them.
func (p *Pages) users(w http.ResponseWriter, r *http.Request, v visitor) error {
	switch {
	case v.agencyAdmin():
		return redirect(w, r, "/console")
	case !v.user():
		return redirect(w, r, "/login")
	}
	c, err := p.clients.Client(r.Context(), v.caller.Principal, v.caller.Principal.ClientID)
	if err != nil {
		return err
	}
	m := meOf(v)
	return p.render(w, r, http.StatusOK, "users", pageData{Title: "Users", Area: "portal", Page: "users", Me: m,
		Data: usersData{ClientID: c.ID, ClientName: c.Name, Manage: m.Admin, SelfID: m.ID}})
}
