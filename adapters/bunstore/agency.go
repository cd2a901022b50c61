package bunstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore/internal/pcache"
)

// CreateAgency stores a. An existing id, or a custom domain another agency
// holds, answers [clientele.ErrDuplicate]; an empty id answers
// [clientele.ErrInvalidArgument].
func (s *Store) CreateAgency(ctx context.Context, a clientele.Agency) error {
	if a.ID == "" {
		return invalid("create agency", "empty id")
	}
	b := a.Branding
	if hasNUL(string(a.ID), b.Name, b.LogoURL, b.PrimaryColor, b.CustomDomain) {
		return nulArgument("create agency")
	}
	if _, err := s.db.NewInsert().Model(toAgencyRow(a)).Exec(ctx); err != nil {
		if isUnique(err) {
			return fmt.Errorf("bunstore: agency %s: %w", a.ID, clientele.ErrDuplicate)
		}
		return failed(fmt.Sprintf("agency %s: create", a.ID), err)
	}
	return nil
}

// Agency returns the agency id, or [clientele.ErrNotFound]. An empty id
// answers [clientele.ErrMissingScope].
func (s *Store) Agency(ctx context.Context, id clientele.AgencyID) (clientele.Agency, error) {
	if id == "" {
		return clientele.Agency{}, missingScope("agency", "agency")
	}
	if s.cache == nil {
		return agency(ctx, s.db, id)
	}
	if a, ok := s.cache.Agency(id); ok {
		return a, nil
	}
	gen := s.cache.Gen()
	a, err := agency(ctx, s.db, id)
	if err == nil {
		s.cache.PutAgency(gen, a)
	}
	return a, err
}

// AgencyByDomain returns the agency whose custom domain is domain, or
// [clientele.ErrNotFound]; the empty domain matches no agency.
func (s *Store) AgencyByDomain(ctx context.Context, domain string) (clientele.Agency, error) {
	if domain == "" || hasNUL(domain) {
		return clientele.Agency{}, notFound("agency by domain", sql.ErrNoRows)
	}
	var r agencyRow
	if err := s.db.NewSelect().Model(&r).Where("a.custom_domain = ?", domain).Scan(ctx); err != nil {
		return clientele.Agency{}, notFound("agency by domain", err)
	}
	return r.agency(), nil
}

// SetBranding replaces the agency's branding and returns the agency,
// recording ev in the same transaction (which locks the agency's row
// first, so Before is the branding it replaces). A missing agency answers
// [clientele.ErrNotFound]; a custom domain another agency holds answers
// [clientele.ErrDuplicate] and changes nothing.
func (s *Store) SetBranding(ctx context.Context, id clientele.AgencyID, b clientele.Branding, ev clientele.AuditEvent) (clientele.Agency, error) {
	if id == "" {
		return clientele.Agency{}, missingScope("set branding", "agency")
	}
	if err := checkStamp("set branding", ev); err != nil {
		return clientele.Agency{}, err
	}
	if hasNUL(string(id)) {
		return clientele.Agency{}, notFound(fmt.Sprintf("agency %s", id), sql.ErrNoRows)
	}
	if hasNUL(b.Name, b.LogoURL, b.PrimaryColor, b.CustomDomain) {
		return clientele.Agency{}, nulArgument("set branding")
	}
	row := toAgencyRow(clientele.Agency{ID: id, Branding: b})
	var got clientele.Agency
	err := s.committed(ctx, func(ctx context.Context, tx bun.Tx) ([]pcache.Change, error) {
		var before agencyRow
		if err := s.forUpdate(tx.NewSelect().Model(&before).Where("a.id = ?", string(id))).Scan(ctx); err != nil {
			return nil, notFound(fmt.Sprintf("agency %s", id), err)
		}
		_, err := tx.NewUpdate().Model(row).
			Column("name", "logo_url", "primary_color", "custom_domain").
			Where("id = ?", string(id)).Exec(ctx)
		if isUnique(err) {
			return nil, fmt.Errorf("bunstore: agency %s: custom domain %q: %w", id, b.CustomDomain, clientele.ErrDuplicate)
		}
		if err != nil {
			return nil, fmt.Errorf("bunstore: agency %s: set branding: %w", id, err)
		}
		if got, err = agency(ctx, tx, id); err != nil {
			return nil, err
		}
		ev.AgencyID, ev.ClientID, ev.Action, ev.Target = id, "", clientele.AuditAgencyBranding, string(id)
		ev.Before, ev.After = clientele.AuditBranding(before.agency().Branding), clientele.AuditBranding(got.Branding)
		return []pcache.Change{{Kind: pcache.Agency, AgencyID: id}}, insertAudit(ctx, tx, ev)
	})
	if err != nil {
		return clientele.Agency{}, err
	}
	return got, nil
}

// agency reads agency id through db.
func agency(ctx context.Context, db bun.IDB, id clientele.AgencyID) (clientele.Agency, error) {
	if hasNUL(string(id)) {
		return clientele.Agency{}, notFound(fmt.Sprintf("agency %s", id), sql.ErrNoRows)
	}
	var r agencyRow
	if err := db.NewSelect().Model(&r).Where("a.id = ?", string(id)).Scan(ctx); err != nil {
		return clientele.Agency{}, notFound(fmt.Sprintf("agency %s", id), err)
	}
	return r.agency(), nil
}
