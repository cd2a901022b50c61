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

type deviceRow struct {
	bun.BaseModel `bun:"table:clientele_devices,alias:d"`

	TokenHash []byte    `bun:"token_hash,pk"`
	AgencyID  string    `bun:"agency_id"`
	UserID    string    `bun:"user_id"`
	CreatedAt time.Time `bun:"created_at"`
	ExpiresAt time.Time `bun:"expires_at"`
}

// SaveDevice stores d. A hash that is not 32 bytes, no user or an expiry
// not after its creation answers [clientele.ErrInvalidArgument], no agency
// [clientele.ErrMissingScope], a taken hash [clientele.ErrDuplicate], a
// user that is not of d.AgencyID [clientele.ErrNotFound]. Up to sweepBatch
// devices expired by d.CreatedAt are deleted first.
func (s *Store) SaveDevice(ctx context.Context, d authn.Device) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("bunstore: save device: %w", err)
	}
	op := fmt.Sprintf("agency %s: user %s: save device", d.AgencyID, d.UserID)
	if hasNUL(string(d.AgencyID), string(d.UserID)) {
		return notFound(op, sql.ErrNoRows)
	}
	ok, err := s.db.NewSelect().Model((*userRow)(nil)).
		Where("u.id = ?", string(d.UserID)).Where("u.agency_id = ?", string(d.AgencyID)).Exists(ctx)
	switch {
	case err != nil:
		return failed(op, err)
	case !ok:
		return notFound(op, sql.ErrNoRows)
	}
	s.forget(ctx, sweepDevices, d.CreatedAt)
	_, err = s.db.NewInsert().Model(&deviceRow{TokenHash: d.TokenHash, AgencyID: string(d.AgencyID), UserID: string(d.UserID),
		CreatedAt: d.CreatedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}).Exec(ctx)
	switch {
	case err == nil:
		return nil
	case isUnique(err):
		return fmt.Errorf("bunstore: %s: %w", op, clientele.ErrDuplicate)
	case isForeignKey(err):
		return notFound(op, sql.ErrNoRows)
	}
	return failed(op, err)
}

// Device returns the device with hash if it is unexpired at now (now <
// ExpiresAt); a missing or expired one answers [clientele.ErrNotFound].
func (s *Store) Device(ctx context.Context, hash []byte, now time.Time) (authn.Device, error) {
	if len(hash) != sha256.Size {
		return authn.Device{}, notFound("device", sql.ErrNoRows)
	}
	var r deviceRow
	if err := s.db.NewSelect().Model(&r).Where("d.token_hash = ?", hash).Where("d.expires_at > ?", now.UTC()).Scan(ctx); err != nil {
		return authn.Device{}, notFound("device", err)
	}
	return authn.Device{TokenHash: r.TokenHash, AgencyID: clientele.AgencyID(r.AgencyID), UserID: clientele.UserID(r.UserID),
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}, nil
}
