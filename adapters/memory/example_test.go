package memory_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/memory"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/tenancy"
)

// An invitation is stored pending, accepted once, and the client's user
// list then shows the new member; the audit log holds both changes.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := memory.New()

	hash := sha256.Sum256([]byte("the token from the email"))
	err := errors.Join(
		s.CreateAgency(ctx, clientele.Agency{ID: "agc_acme", Branding: clientele.Branding{Name: "Acme"}, CreatedAt: now}),
		s.CreateClient(ctx, clientele.Client{ID: "cli_globex", AgencyID: "agc_acme", Name: "Globex", CreatedAt: now}),
		s.CreateInvitation(ctx, clientele.Invitation{
			ID: "inv_1", AgencyID: "agc_acme", ClientID: "cli_globex",
			Email: "ada@example.com", Role: clientele.RoleAdmin, Status: clientele.InvitationPending,
			TokenHash: hash[:], CreatedAt: now, ExpiresAt: now.Add(7 * 24 * time.Hour),
		}, now, nil, clientele.AuditEvent{ID: "aud_1", At: now, Actor: clientele.AuditActorAgency}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}

	acc := invite.Acceptance{
		TokenHash:    hash[:],
		Now:          now.Add(time.Hour),
		NewUser:      clientele.User{ID: "usr_ada", Name: "Ada", CreatedAt: now.Add(time.Hour)},
		PasswordHash: "$argon2id$...",
		Audit:        clientele.AuditEvent{ID: "aud_2", At: now.Add(time.Hour), IP: "192.0.2.7"},
	}
	m, err := s.AcceptInvitation(ctx, acc)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Name, m.Role, m.Status)

	_, err = s.AcceptInvitation(ctx, acc) // the link works once
	fmt.Println(errors.Is(err, invite.ErrUsed))

	list, err := s.ListUsers(ctx, "cli_globex", tenancy.ListQuery{Now: acc.Now, Limit: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range list {
		fmt.Println(e.Email, e.Role, e.Status)
	}

	// Both changes are in the client's audit log, newest first.
	log, err := s.ListAudit(ctx, "agc_acme", "cli_globex", nil, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ev := range log {
		fmt.Println(ev.Action, ev.Actor, ev.Target, ev.After)
	}
	// Output:
	// Ada admin active
	// true
	// ada@example.com admin active
	// invitation.accept usr_ada inv_1 {"email":"ada@example.com","role":"admin","status":"accepted","accepted_by":"usr_ada"}
	// invitation.create agency inv_1 {"email":"ada@example.com","role":"admin","status":"pending"}
}
