package bunstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// errUserRace reports that a concurrent transaction created the agency's
// user with the invitation's email first; the acceptance is tried again
// and then finds that user (and answers invite.ErrSignInRequired, as that
// user did not prove to be the caller).
var errUserRace = errors.New("bunstore: user created concurrently")

// acceptAttempts bounds the retries after errUserRace.
const acceptAttempts = 3

// AcceptInvitation carries out a in one transaction: the invitation with
// a.TokenHash, pending and unexpired at a.Now, becomes accepted by a
// compare-and-swap update; the agency's user with its email must be
// a.Account when it exists (its name and password stay), and is created
// from a.NewUser and a.PasswordHash when it does not, with a.Passkey (if
// set) as its first passkey, stored under the invitation's agency and the
// new user's id; and an active membership with the invited role is
// created. The invitation's row is locked first, so of many concurrent
// calls for one token one succeeds and the others answer
// [invite.ErrUsed]. An unknown hash answers [clientele.ErrNotFound], an
// invitation no longer pending [invite.StatusError] of its status at
// a.Now, an email whose user is not a.Account (a user created
// concurrently included) [invite.ErrSignInRequired], a passkey for an
// existing user [invite.ErrHasAccount], an existing membership
// [invite.ErrAlreadyMember], a new user without an id or an invalid
// passkey [clientele.ErrInvalidArgument], and a new user id or credential
// id that is taken [clientele.ErrDuplicate]. a.Audit is recorded in the
// same transaction, its Actor the accepting user. On any error nothing
// changes.
func (s *Store) AcceptInvitation(ctx context.Context, a invite.Acceptance) (clientele.Member, error) {
	if hasNUL(string(a.Account), string(a.NewUser.ID), a.NewUser.Name, a.PasswordHash) {
		return clientele.Member{}, nulArgument("accept invitation")
	}
	for attempt := 1; ; attempt++ {
		var m clientele.Member
		err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			var err error
			m, err = s.accept(ctx, tx, a)
			return err
		})
		if errors.Is(err, errUserRace) && attempt < acceptAttempts {
			continue
		}
		if err != nil {
			return clientele.Member{}, err
		}
		return m, nil
	}
}

// accept is one attempt of AcceptInvitation inside tx.
func (s *Store) accept(ctx context.Context, tx bun.Tx, a invite.Acceptance) (clientele.Member, error) {
	inv, err := s.byHash(ctx, tx, a.TokenHash, true)
	if err != nil {
		return clientele.Member{}, err
	}
	client := clientele.ClientID(inv.ClientID)
	op := fmt.Sprintf("client %s: accept invitation %s", inv.ClientID, inv.ID)
	if err := invite.StatusError(inv.invitation().StatusAt(a.Now)); err != nil {
		return clientele.Member{}, fmt.Errorf("bunstore: %s: %w", op, err)
	}

	u, err := userByEmail(ctx, tx, clientele.AgencyID(inv.AgencyID), clientele.Email(inv.Email))
	exists := err == nil
	if err != nil && !errors.Is(err, clientele.ErrNotFound) {
		return clientele.Member{}, err
	}
	switch {
	case exists != (a.Account != "") || exists && u.ID != string(a.Account):
		return clientele.Member{}, fmt.Errorf("bunstore: %s: %w", op, invite.ErrSignInRequired)
	case exists && a.Passkey != nil:
		return clientele.Member{}, fmt.Errorf("bunstore: %s: %w", op, invite.ErrHasAccount)
	case exists:
		if _, err := member(ctx, tx, client, clientele.UserID(u.ID)); err == nil {
			return clientele.Member{}, fmt.Errorf("bunstore: %s: %w", op, invite.ErrAlreadyMember)
		} else if !errors.Is(err, clientele.ErrNotFound) {
			return clientele.Member{}, err
		}
	case a.NewUser.ID == "":
		return clientele.Member{}, invalid("accept invitation", "new user without id")
	default:
		u = &userRow{ID: string(a.NewUser.ID), AgencyID: inv.AgencyID, Email: inv.Email,
			Name: a.NewUser.Name, PasswordHash: a.PasswordHash, CreatedAt: a.NewUser.CreatedAt.UTC()}
	}
	var pk clientele.Passkey
	if a.Passkey != nil {
		pk = *a.Passkey
		pk.AgencyID, pk.UserID = clientele.AgencyID(inv.AgencyID), clientele.UserID(u.ID)
		if err := validPasskey("accept invitation", pk); err != nil {
			return clientele.Member{}, err
		}
	}
	ev := a.Audit
	ev.Actor = u.ID
	if err := checkStamp("accept invitation", ev); err != nil {
		return clientele.Member{}, err
	}

	res, err := tx.NewUpdate().Model((*invitationRow)(nil)).
		Set("status = ?", string(clientele.InvitationAccepted)).Set("accepted_by = ?", u.ID).
		Where("id = ?", inv.ID).Where("client_id = ?", inv.ClientID).
		Where("status = ?", string(clientele.InvitationPending)).Where("expires_at > ?", a.Now.UTC()).Exec(ctx)
	if err != nil {
		return clientele.Member{}, fmt.Errorf("bunstore: %s: %w", op, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return clientele.Member{}, s.lostAccept(ctx, tx, inv, a, op)
	}

	if !exists {
		if err := insertUser(ctx, tx, u, op); err != nil {
			return clientele.Member{}, err
		}
	}
	if a.Passkey != nil {
		if err := insertPasskey(ctx, tx, pk, op); err != nil {
			return clientele.Member{}, err
		}
	}
	_, err = tx.NewInsert().Model(&membershipRow{ClientID: inv.ClientID, UserID: u.ID, Email: u.Email, Name: u.Name,
		Role: inv.Role, Status: string(clientele.StatusActive), CreatedAt: a.Now.UTC()}).Exec(ctx)
	if isUnique(err) {
		return clientele.Member{}, fmt.Errorf("bunstore: %s: %w", op, invite.ErrAlreadyMember)
	}
	if err != nil {
		return clientele.Member{}, fmt.Errorf("bunstore: %s: membership: %w", op, err)
	}
	before := inv.invitation()
	after := before
	after.Status, after.AcceptedBy = clientele.InvitationAccepted, clientele.UserID(u.ID)
	if err := insertInvitationAudit(ctx, tx, ev, clientele.AuditInvitationAccept, &before, after); err != nil {
		return clientele.Member{}, err
	}
	return member(ctx, tx, client, clientele.UserID(u.ID))
}

// lostAccept explains a compare-and-swap that changed no row: the
// invitation's status at a.Now, read again, or [invite.ErrUsed].
func (s *Store) lostAccept(ctx context.Context, tx bun.Tx, inv *invitationRow, a invite.Acceptance, op string) error {
	cause := invite.ErrUsed
	again, err := s.invitation(ctx, tx, clientele.ClientID(inv.ClientID), clientele.InvitationID(inv.ID), false)
	if err == nil {
		if serr := invite.StatusError(again.invitation().StatusAt(a.Now)); serr != nil {
			cause = serr
		}
	}
	return fmt.Errorf("bunstore: %s: %w", op, cause)
}

// insertUser stores u. A taken id answers [clientele.ErrDuplicate]; a
// user of the agency with the same email, created concurrently, answers
// errUserRace.
func insertUser(ctx context.Context, tx bun.Tx, u *userRow, op string) error {
	_, err := tx.NewInsert().Model(u).Exec(ctx)
	switch {
	case err == nil:
		return nil
	case isUserEmailConflict(err):
		return fmt.Errorf("bunstore: %s: %w", op, errUserRace)
	case isUnique(err):
		return fmt.Errorf("bunstore: %s: user %s: %w", op, u.ID, clientele.ErrDuplicate)
	}
	return fmt.Errorf("bunstore: %s: user %s: %w", op, u.ID, err)
}
