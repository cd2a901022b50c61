package bunstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
)

// PasswordHash returns the id and the stored password hash of agency's
// user with email (already normalized), or [clientele.ErrNotFound]. An
// empty agency answers [clientele.ErrMissingScope].
func (s *Store) PasswordHash(ctx context.Context, agency clientele.AgencyID, email clientele.Email) (clientele.UserID, string, error) {
	if agency == "" {
		return "", "", missingScope("password hash", "agency")
	}
	r, err := userByEmail(ctx, s.db, agency, email)
	if err != nil {
		return "", "", err
	}
	return clientele.UserID(r.ID), r.PasswordHash, nil
}

// UserByEmail returns the agency's user with email (already normalized),
// or [clientele.ErrNotFound]. An empty agency answers
// [clientele.ErrMissingScope].
func (s *Store) UserByEmail(ctx context.Context, agency clientele.AgencyID, email clientele.Email) (clientele.User, error) {
	if agency == "" {
		return clientele.User{}, missingScope("user by email", "agency")
	}
	r, err := userByEmail(ctx, s.db, agency, email)
	if err != nil {
		return clientele.User{}, err
	}
	return r.user(), nil
}

// userByEmail reads agency's user with email through db.
func userByEmail(ctx context.Context, db bun.IDB, agency clientele.AgencyID, email clientele.Email) (*userRow, error) {
	op := fmt.Sprintf("agency %s: user", agency)
	if hasNUL(string(agency), string(email)) {
		return nil, notFound(op, sql.ErrNoRows)
	}
	r := new(userRow)
	err := db.NewSelect().Model(r).Where("u.agency_id = ?", string(agency)).Where("u.email = ?", string(email)).Scan(ctx)
	if err != nil {
		return nil, notFound(op, err)
	}
	return r, nil
}

// User returns user id of agency, or [clientele.ErrNotFound] for an
// unknown user and for another agency's. An empty agency answers
// [clientele.ErrMissingScope].
func (s *Store) User(ctx context.Context, agency clientele.AgencyID, id clientele.UserID) (clientele.User, error) {
	if agency == "" {
		return clientele.User{}, missingScope("user", "agency")
	}
	op := fmt.Sprintf("agency %s: user %s", agency, id)
	if hasNUL(string(agency), string(id)) {
		return clientele.User{}, notFound(op, sql.ErrNoRows)
	}
	r := new(userRow)
	err := s.db.NewSelect().Model(r).Where("u.id = ?", string(id)).Where("u.agency_id = ?", string(agency)).Scan(ctx)
	if err != nil {
		return clientele.User{}, notFound(op, err)
	}
	return r.user(), nil
}
