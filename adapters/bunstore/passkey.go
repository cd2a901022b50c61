package bunstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

type passkeyRow struct {
	bun.BaseModel `bun:"table:clientele_passkeys,alias:p"`

	ID              []byte     `bun:"id,pk"`
	AgencyID        string     `bun:"agency_id"`
	UserID          string     `bun:"user_id"`
	Name            string     `bun:"name"`
	PublicKey       []byte     `bun:"public_key"`
	AttestationType string     `bun:"attestation_type"`
	AAGUID          []byte     `bun:"aaguid"`
	SignCount       int64      `bun:"sign_count"`
	Transports      string     `bun:"transports"` // joined by ","
	BackupEligible  bool       `bun:"backup_eligible"`
	BackupState     bool       `bun:"backup_state"`
	CreatedAt       time.Time  `bun:"created_at"`
	LastUsedAt      *time.Time `bun:"last_used_at"`
}

func toPasskeyRow(p clientele.Passkey) *passkeyRow {
	r := &passkeyRow{ID: p.ID, AgencyID: string(p.AgencyID), UserID: string(p.UserID), Name: p.Name,
		// The byte columns are NOT NULL: bun writes a nil slice as NULL.
		PublicKey: nonNil(p.PublicKey), AttestationType: p.AttestationType, AAGUID: nonNil(p.AAGUID),
		SignCount: int64(p.SignCount), Transports: strings.Join(p.Transports, ","),
		BackupEligible: p.BackupEligible, BackupState: p.BackupState, CreatedAt: p.CreatedAt.UTC()}
	if p.LastUsedAt != nil {
		t := p.LastUsedAt.UTC()
		r.LastUsedAt = &t
	}
	return r
}

func (r *passkeyRow) passkey() clientele.Passkey {
	p := clientele.Passkey{ID: r.ID, AgencyID: clientele.AgencyID(r.AgencyID), UserID: clientele.UserID(r.UserID),
		Name: r.Name, PublicKey: r.PublicKey, AttestationType: r.AttestationType, AAGUID: r.AAGUID,
		SignCount: uint32(r.SignCount), BackupEligible: r.BackupEligible, BackupState: r.BackupState,
		CreatedAt: r.CreatedAt.UTC()}
	if r.Transports != "" {
		p.Transports = strings.Split(r.Transports, ",")
	}
	if r.LastUsedAt != nil {
		t := r.LastUsedAt.UTC()
		p.LastUsedAt = &t
	}
	return p
}

// CreatePasskey stores p and records change (user.passkey_add; see
// [authn.CredentialChange]) in one transaction. A credential id already
// stored (for any user of any agency) answers [clientele.ErrDuplicate]; a
// user that is missing or of another agency [clientele.ErrNotFound]; no
// agency [clientele.ErrMissingScope]; an id of 0 or more than 1023 bytes,
// an AAGUID of neither 0 nor 16 bytes, no user, or a transport that is
// empty or holds a comma [clientele.ErrInvalidArgument]. On any error
// nothing changes.
func (s *Store) CreatePasskey(ctx context.Context, p clientele.Passkey, change authn.CredentialChange) error {
	if err := validPasskey("create passkey", p); err != nil {
		return err
	}
	if err := checkChange("create passkey", change, p.AgencyID, p.UserID, invite.NoticePasskeyAdded); err != nil {
		return err
	}
	op := fmt.Sprintf("agency %s: user %s: create passkey", p.AgencyID, p.UserID)
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ok, err := tx.NewSelect().Model((*userRow)(nil)).
			Where("u.id = ?", string(p.UserID)).Where("u.agency_id = ?", string(p.AgencyID)).Exists(ctx)
		switch {
		case err != nil:
			return fmt.Errorf("bunstore: %s: %w", op, err)
		case !ok:
			return notFound(op, sql.ErrNoRows)
		}
		if err := insertPasskey(ctx, tx, p, op); err != nil {
			return err
		}
		return insertChange(ctx, tx, change, p.AgencyID, p.UserID, clientele.AuditPasskeyAdd, "", clientele.AuditPasskey(p))
	})
}

// Passkey returns the credential with id, or [clientele.ErrNotFound].
func (s *Store) Passkey(ctx context.Context, id []byte) (clientele.Passkey, error) {
	if len(id) == 0 || len(id) > authn.MaxCredentialID {
		return clientele.Passkey{}, notFound("passkey", sql.ErrNoRows)
	}
	var r passkeyRow
	if err := s.db.NewSelect().Model(&r).Where("p.id = ?", id).Scan(ctx); err != nil {
		return clientele.Passkey{}, notFound("passkey", err)
	}
	return r.passkey(), nil
}

// Passkeys lists the credentials of user in agency ordered by
// (CreatedAt, ID); none gives an empty list.
func (s *Store) Passkeys(ctx context.Context, agency clientele.AgencyID, user clientele.UserID) ([]clientele.Passkey, error) {
	if agency == "" {
		return nil, missingScope("passkeys", "agency")
	}
	list := []clientele.Passkey{}
	if hasNUL(string(agency), string(user)) {
		return list, nil
	}
	var rows []passkeyRow
	err := s.db.NewSelect().Model(&rows).Where("p.user_id = ?", string(user)).Where("p.agency_id = ?", string(agency)).
		OrderExpr("p.created_at, p.id").Scan(ctx)
	if err != nil {
		return nil, failed(fmt.Sprintf("agency %s: user %s: passkeys", agency, user), err)
	}
	for i := range rows {
		list = append(list, rows[i].passkey())
	}
	return list, nil
}

// DeletePasskey deletes credential id of user in agency and records
// change (user.passkey_remove; see [authn.CredentialChange]) in one
// transaction; a missing one, or one of another user or agency, answers
// [clientele.ErrNotFound]. On any error nothing changes.
func (s *Store) DeletePasskey(ctx context.Context, agency clientele.AgencyID, user clientele.UserID, id []byte, change authn.CredentialChange) error {
	if agency == "" {
		return missingScope("delete passkey", "agency")
	}
	if err := checkChange("delete passkey", change, agency, user, invite.NoticePasskeyRemoved); err != nil {
		return err
	}
	op := fmt.Sprintf("agency %s: user %s: delete passkey", agency, user)
	if hasNUL(string(agency), string(user)) || len(id) == 0 || len(id) > authn.MaxCredentialID {
		return notFound(op, sql.ErrNoRows)
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var r passkeyRow
		err := s.forUpdate(tx.NewSelect().Model(&r).Where("p.id = ?", id).
			Where("p.agency_id = ?", string(agency)).Where("p.user_id = ?", string(user))).Scan(ctx)
		if err != nil {
			return notFound(op, err)
		}
		res, err := tx.NewDelete().Model((*passkeyRow)(nil)).Where("id = ?", id).Exec(ctx)
		if err != nil {
			return fmt.Errorf("bunstore: %s: %w", op, err)
		}
		n, err := res.RowsAffected()
		switch {
		case err != nil:
			return fmt.Errorf("bunstore: %s: %w", op, err)
		case n != 1:
			return notFound(op, sql.ErrNoRows)
		}
		return insertChange(ctx, tx, change, agency, user, clientele.AuditPasskeyRemove, clientele.AuditPasskey(r.passkey()), "")
	})
}

// UsePasskey sets the sign count of credential id to next and its
// LastUsedAt to at by a compare-and-swap on the stored count, which must
// still be prev; otherwise it answers [authn.ErrCounterMismatch]. A count
// that does not move forward (next <= prev, unless both are 0: an
// authenticator without a counter) answers ErrCounterMismatch too, and
// changes nothing. A missing credential answers [clientele.ErrNotFound].
func (s *Store) UsePasskey(ctx context.Context, id []byte, prev, next uint32, at time.Time) error {
	if !authn.SignCountMoves(prev, next) {
		return fmt.Errorf("bunstore: use passkey: count %d after %d: %w", next, prev, authn.ErrCounterMismatch)
	}
	if len(id) == 0 || len(id) > authn.MaxCredentialID {
		return notFound("use passkey", sql.ErrNoRows)
	}
	res, err := s.db.NewUpdate().Model((*passkeyRow)(nil)).
		Set("sign_count = ?", int64(next)).Set("last_used_at = ?", at.UTC()).
		Where("id = ?", id).Where("sign_count = ?", int64(prev)).Exec(ctx)
	if err != nil {
		return failed("use passkey", err)
	}
	n, err := res.RowsAffected()
	switch {
	case err != nil:
		return failed("use passkey", err)
	case n == 1:
		return nil
	}
	// MySQL counts changed rows, not matched ones: a use that changes
	// nothing (count 0 to 0 at the same time) gives 0 too. Read the count
	// to tell a lost swap from that.
	var count int64
	err = s.db.NewSelect().Model((*passkeyRow)(nil)).Column("p.sign_count").Where("p.id = ?", id).Scan(ctx, &count)
	switch {
	case err != nil:
		return notFound("use passkey", err)
	case prev == next && count == int64(prev):
		return nil
	}
	return fmt.Errorf("bunstore: use passkey: stored count %d, expected %d: %w", count, prev, authn.ErrCounterMismatch)
}

// insertPasskey stores p through db: a taken id answers
// [clientele.ErrDuplicate], a missing user [clientele.ErrNotFound].
func insertPasskey(ctx context.Context, db bun.IDB, p clientele.Passkey, op string) error {
	_, err := db.NewInsert().Model(toPasskeyRow(p)).Exec(ctx)
	switch {
	case err == nil:
		return nil
	case isUnique(err):
		return fmt.Errorf("bunstore: %s: passkey: %w", op, clientele.ErrDuplicate)
	case isForeignKey(err):
		return fmt.Errorf("bunstore: %s: user: %w", op, clientele.ErrNotFound)
	}
	return failed(op+": passkey", err)
}

// validPasskey checks a new passkey (authn.ValidatePasskey), and that no
// text of it holds a NUL byte, which bun cannot send.
func validPasskey(op string, p clientele.Passkey) error {
	if err := authn.ValidatePasskey(p); err != nil {
		return fmt.Errorf("bunstore: %s: %w", op, err)
	}
	if hasNUL(append([]string{string(p.AgencyID), string(p.UserID), p.Name, p.AttestationType}, p.Transports...)...) {
		return nulArgument(op)
	}
	return nil
}

// nonNil returns b, or an empty slice for nil.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
