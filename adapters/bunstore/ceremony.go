package bunstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

type ceremonyRow struct {
	bun.BaseModel `bun:"table:clientele_ceremonies,alias:w"`

	ID        []byte    `bun:"id,pk"`
	Kind      string    `bun:"kind"`
	AgencyID  string    `bun:"agency_id"`
	UserID    string    `bun:"user_id"`
	Data      []byte    `bun:"data"`
	ExpiresAt time.Time `bun:"expires_at"`
}

func (r *ceremonyRow) ceremony() authn.Ceremony {
	return authn.Ceremony{ID: r.ID, Kind: authn.CeremonyKind(r.Kind), AgencyID: clientele.AgencyID(r.AgencyID),
		UserID: clientele.UserID(r.UserID), Data: r.Data, ExpiresAt: r.ExpiresAt.UTC()}
}

// SaveCeremony stores c. An id that is not 32 bytes or an unknown kind
// answers [clientele.ErrInvalidArgument], no agency
// [clientele.ErrMissingScope], a taken id [clientele.ErrDuplicate].
func (s *Store) SaveCeremony(ctx context.Context, c authn.Ceremony) error {
	if err := validCeremony(c); err != nil {
		return err
	}
	_, err := s.db.NewInsert().Model(&ceremonyRow{ID: c.ID, Kind: string(c.Kind), AgencyID: string(c.AgencyID),
		UserID: string(c.UserID), Data: nonNil(c.Data), ExpiresAt: c.ExpiresAt.UTC()}).Exec(ctx)
	switch {
	case err == nil:
		return nil
	case isUnique(err):
		return fmt.Errorf("bunstore: ceremony: %w", clientele.ErrDuplicate)
	}
	return failed("save ceremony", err)
}

// TakeCeremony deletes and returns the ceremony with id if it is unexpired
// at now (now < ExpiresAt); a missing, taken or expired one answers
// [clientele.ErrNotFound]. The delete is the compare-and-swap: of
// concurrent calls, the one whose DELETE removes the row gets it (a
// ceremony's row never changes, so what was read is what was taken). Up
// to sweepBatch ceremonies expired at now are deleted first.
func (s *Store) TakeCeremony(ctx context.Context, id []byte, now time.Time) (authn.Ceremony, error) {
	if len(id) != sha256.Size {
		return authn.Ceremony{}, notFound("take ceremony", sql.ErrNoRows)
	}
	s.forget(ctx, sweepCeremonies, now)
	var r ceremonyRow
	if err := s.db.NewSelect().Model(&r).Where("w.id = ?", id).Where("w.expires_at > ?", now.UTC()).Scan(ctx); err != nil {
		return authn.Ceremony{}, notFound("take ceremony", err)
	}
	res, err := s.db.NewDelete().Model((*ceremonyRow)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return authn.Ceremony{}, failed("take ceremony", err)
	}
	n, err := res.RowsAffected()
	switch {
	case err != nil:
		return authn.Ceremony{}, failed("take ceremony", err)
	case n != 1: // taken meanwhile
		return authn.Ceremony{}, notFound("take ceremony", sql.ErrNoRows)
	}
	return r.ceremony(), nil
}

// validCeremony checks a new ceremony (authn.Ceremony.Validate), and
// that its ids hold no NUL byte.
func validCeremony(c authn.Ceremony) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("bunstore: save ceremony: %w", err)
	}
	if hasNUL(string(c.AgencyID), string(c.UserID)) {
		return nulArgument("save ceremony")
	}
	return nil
}
