package bunstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

// Credentials returns the agency's user with email (already normalized)
// and its password hash ("" when it has none), or [clientele.ErrNotFound].
// An empty agency answers [clientele.ErrMissingScope].
func (s *Store) Credentials(ctx context.Context, agency clientele.AgencyID, email clientele.Email) (clientele.User, string, error) {
	if agency == "" {
		return clientele.User{}, "", missingScope("credentials", "agency")
	}
	r, err := userByEmail(ctx, s.db, agency, email)
	if err != nil {
		return clientele.User{}, "", err
	}
	return r.user(), r.PasswordHash, nil
}

// SetPasswordHash replaces the password hash of the agency's user; a user
// that is missing or of another agency answers [clientele.ErrNotFound], a
// hash holding a NUL byte [clientele.ErrInvalidArgument].
func (s *Store) SetPasswordHash(ctx context.Context, agency clientele.AgencyID, user clientele.UserID, hash string) error {
	if agency == "" {
		return missingScope("set password hash", "agency")
	}
	if hasNUL(hash) {
		return nulArgument("set password hash")
	}
	op := fmt.Sprintf("agency %s: user %s: set password hash", agency, user)
	if hasNUL(string(agency), string(user)) {
		return notFound(op, sql.ErrNoRows)
	}
	return setPasswordHash(ctx, s.db, agency, user, hash, op)
}

// ChangePassword replaces the password hash of the agency's user and
// records change (user.password_change; see [authn.CredentialChange]) in
// one transaction. A user that is missing or of another agency answers
// [clientele.ErrNotFound], a hash holding a NUL byte
// [clientele.ErrInvalidArgument]. On any error nothing changes.
func (s *Store) ChangePassword(ctx context.Context, agency clientele.AgencyID, user clientele.UserID, hash string, change authn.CredentialChange) error {
	if agency == "" {
		return missingScope("change password", "agency")
	}
	if hasNUL(hash) {
		return nulArgument("change password")
	}
	if err := checkChange("change password", change, agency, user, invite.NoticePasswordChanged); err != nil {
		return err
	}
	op := fmt.Sprintf("agency %s: user %s: change password", agency, user)
	if hasNUL(string(agency), string(user)) {
		return notFound(op, sql.ErrNoRows)
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := setPasswordHash(ctx, tx, agency, user, hash, op); err != nil {
			return err
		}
		return insertChange(ctx, tx, change, agency, user, clientele.AuditPasswordChange, "", "")
	})
}

// setPasswordHash replaces the password hash of the agency's user through
// db; a missing user answers [clientele.ErrNotFound].
func setPasswordHash(ctx context.Context, db bun.IDB, agency clientele.AgencyID, user clientele.UserID, hash, op string) error {
	res, err := db.NewUpdate().Model((*userRow)(nil)).Set("password_hash = ?", hash).
		Where("id = ?", string(user)).Where("agency_id = ?", string(agency)).Exec(ctx)
	if err != nil {
		return failed(op, err)
	}
	n, err := res.RowsAffected()
	switch {
	case err != nil:
		return failed(op, err)
	case n == 1:
		return nil
	}
	// MySQL counts changed rows, not matched ones: the same hash again
	// also gives 0, so look before reporting the user missing.
	ok, err := db.NewSelect().Model((*userRow)(nil)).
		Where("u.id = ?", string(user)).Where("u.agency_id = ?", string(agency)).Exists(ctx)
	switch {
	case err != nil:
		return failed(op, err)
	case !ok:
		return notFound(op, sql.ErrNoRows)
	}
	return nil
}

// Memberships returns the user's memberships in the agency's clients, of
// any status, ordered by client id; none gives an empty list.
func (s *Store) Memberships(ctx context.Context, agency clientele.AgencyID, user clientele.UserID) ([]clientele.Membership, error) {
	if agency == "" {
		return nil, missingScope("memberships", "agency")
	}
	list := []clientele.Membership{}
	if hasNUL(string(agency), string(user)) {
		return list, nil
	}
	var rows []membershipRow
	err := s.db.NewSelect().Model(&rows).
		Join("JOIN clientele_clients AS c ON c.id = m.client_id").
		Where("m.user_id = ?", string(user)).Where("c.agency_id = ?", string(agency)).
		OrderExpr("m.client_id").Scan(ctx)
	if err != nil {
		return nil, failed(fmt.Sprintf("agency %s: user %s: memberships", agency, user), err)
	}
	for i := range rows {
		list = append(list, rows[i].membership())
	}
	return list, nil
}
