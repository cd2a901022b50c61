package tenancyhttp

import (
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

// The JSON shapes of the contract. Lists are never null; times are RFC
// 3339 in UTC, or null where the contract allows it.

type clientJSON struct {
	ID          clientele.ClientID     `json:"id"`
	Name        string                 `json:"name"`
	Permissions []clientele.Permission `json:"permissions"`
}

func clientOf(c clientele.Client) clientJSON {
	return clientJSON{ID: c.ID, Name: c.Name, Permissions: nonNil(c.Permissions)}
}

// userJSON is a user-list entry: a member, or a pending invitation (whose
// id is the invitation's and which alone has expires_at).
type userJSON struct {
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Email        clientele.Email `json:"email"`
	Role         clientele.Role  `json:"role"`
	Status       string          `json:"status"`
	LastActiveAt *time.Time      `json:"last_active_at"`
	ExpiresAt    *time.Time      `json:"expires_at,omitempty"`
}

func memberOf(m clientele.Member) userJSON {
	return userJSON{ID: string(m.UserID), Name: m.Name, Email: m.Email, Role: m.Role, Status: string(m.Status),
		LastActiveAt: utc(m.LastActiveAt)}
}

func entryOf(e tenancy.Entry) userJSON {
	return userJSON{ID: e.ID, Name: e.Name, Email: e.Email, Role: e.Role, Status: string(e.Status),
		LastActiveAt: utc(e.LastActiveAt), ExpiresAt: utc(e.ExpiresAt)}
}

type invitationJSON struct {
	ID        clientele.InvitationID     `json:"id"`
	Email     clientele.Email            `json:"email"`
	Role      clientele.Role             `json:"role"`
	Status    clientele.InvitationStatus `json:"status"`
	ExpiresAt time.Time                  `json:"expires_at"`
}

func invitationOf(i clientele.Invitation) invitationJSON {
	return invitationJSON{ID: i.ID, Email: i.Email, Role: i.Role, Status: i.Status, ExpiresAt: i.ExpiresAt.UTC()}
}

// brandingJSON is the agency's branding, in requests and answers.
type brandingJSON struct {
	Name         string `json:"name"`
	LogoURL      string `json:"logo_url"`
	PrimaryColor string `json:"primary_color"`
	CustomDomain string `json:"custom_domain"`
}

func brandingOf(b clientele.Branding) brandingJSON {
	return brandingJSON{Name: b.Name, LogoURL: b.LogoURL, PrimaryColor: b.PrimaryColor, CustomDomain: b.CustomDomain}
}

func (b brandingJSON) branding() clientele.Branding {
	return clientele.Branding{Name: b.Name, LogoURL: b.LogoURL, PrimaryColor: b.PrimaryColor, CustomDomain: b.CustomDomain}
}

// sessionJSON answers a sign-in; user is set when an account was set up.
type sessionJSON struct {
	User         *userJSON `json:"user,omitempty"`
	SessionToken string    `json:"session_token"`
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nonNil[S ~[]E, E any](s S) []E {
	if s == nil {
		return []E{}
	}
	return s
}
