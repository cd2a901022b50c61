package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore/internal/pcache"
	"github.com/clientele/clientele/tenancy"
)

// CreateClient stores c with its permissions normalized. An existing id
// answers [clientele.ErrDuplicate]; an unknown agency answers
// [clientele.ErrNotFound]; an empty agency answers
// [clientele.ErrMissingScope]; an empty id, or a permission holding a
// comma, answers [clientele.ErrInvalidArgument].
func (s *Store) CreateClient(ctx context.Context, c clientele.Client) error {
	if c.AgencyID == "" {
		return missingScope("create client", "agency")
	}
	if c.ID == "" {
		return invalid("create client", "empty id")
	}
	if hasNUL(string(c.ID), string(c.AgencyID), c.Name) {
		return nulArgument("create client")
	}
	if err := storablePermissions("create client", c.Permissions); err != nil {
		return err
	}
	_, err := s.db.NewInsert().Model(toClientRow(c)).Exec(ctx)
	switch {
	case err == nil:
		return nil
	case isUnique(err):
		return fmt.Errorf("bunstore: client %s: %w", c.ID, clientele.ErrDuplicate)
	case isForeignKey(err):
		return fmt.Errorf("bunstore: agency %s: %w", c.AgencyID, clientele.ErrNotFound)
	}
	return failed(fmt.Sprintf("client %s: create", c.ID), err)
}

// Client returns client id of agency, or [clientele.ErrNotFound] when it
// does not exist or belongs to another agency. An empty agency or id
// answers [clientele.ErrMissingScope].
func (s *Store) Client(ctx context.Context, agency clientele.AgencyID, id clientele.ClientID) (clientele.Client, error) {
	if err := clientScope("client", agency, id); err != nil {
		return clientele.Client{}, err
	}
	if s.cache == nil {
		return client(ctx, s.db, agency, id)
	}
	if c, ok := s.cache.Client(id); ok {
		if c.AgencyID != agency {
			return clientele.Client{}, notFound(fmt.Sprintf("agency %s: client %s", agency, id), sql.ErrNoRows)
		}
		return c, nil
	}
	gen := s.cache.Gen()
	c, err := client(ctx, s.db, agency, id)
	if err == nil {
		s.cache.PutClient(gen, c)
	}
	return c, err
}

// ListClients returns up to limit clients of agency ordered by (name, id),
// starting after the key after (nil: from the first). A limit below 1
// answers [clientele.ErrInvalidArgument].
func (s *Store) ListClients(ctx context.Context, agency clientele.AgencyID, after *tenancy.Key, limit int) ([]clientele.Client, error) {
	if agency == "" {
		return nil, missingScope("list clients", "agency")
	}
	if limit < 1 {
		return nil, invalid("list clients", "limit %d", limit)
	}
	if hasNUL(string(agency)) || after != nil && hasNUL(after.Sort, after.ID) {
		return nil, nulArgument("list clients")
	}
	var rows []clientRow
	q := s.db.NewSelect().Model(&rows).Where("c.agency_id = ?", string(agency))
	if after != nil {
		q = q.Where("c.name >= ? AND (c.name > ? OR c.id > ?)", after.Sort, after.Sort, after.ID)
	}
	if err := q.OrderExpr("c.name, c.id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, failed(fmt.Sprintf("agency %s: list clients", agency), err)
	}
	list := make([]clientele.Client, len(rows))
	for i := range rows {
		list[i] = rows[i].client()
	}
	return list, nil
}

// SetPermissions replaces the client's permissions and returns the client,
// recording ev in the same transaction (which locks the client's row
// first, so Before is the set it replaces); [clientele.ErrNotFound] as for
// Client.
func (s *Store) SetPermissions(ctx context.Context, agency clientele.AgencyID, id clientele.ClientID, perms clientele.PermissionSet, ev clientele.AuditEvent) (clientele.Client, error) {
	if err := clientScope("set permissions", agency, id); err != nil {
		return clientele.Client{}, err
	}
	if err := storablePermissions("set permissions", perms); err != nil {
		return clientele.Client{}, err
	}
	if err := checkStamp("set permissions", ev); err != nil {
		return clientele.Client{}, err
	}
	op := fmt.Sprintf("agency %s: client %s", agency, id)
	if hasNUL(string(agency), string(id)) {
		return clientele.Client{}, notFound(op, sql.ErrNoRows)
	}
	var got clientele.Client
	err := s.committed(ctx, func(ctx context.Context, tx bun.Tx) ([]pcache.Change, error) {
		var before clientRow
		err := s.forUpdate(tx.NewSelect().Model(&before).
			Where("c.id = ?", string(id)).Where("c.agency_id = ?", string(agency))).Scan(ctx)
		if err != nil {
			return nil, notFound(op, err)
		}
		_, err = tx.NewUpdate().Model((*clientRow)(nil)).Set("permissions = ?", joinPermissions(perms)).
			Where("id = ?", string(id)).Where("agency_id = ?", string(agency)).Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("bunstore: %s: set permissions: %w", op, err)
		}
		if got, err = client(ctx, tx, agency, id); err != nil {
			return nil, err
		}
		ev.AgencyID, ev.ClientID, ev.Action, ev.Target = agency, id, clientele.AuditClientPermissions, string(id)
		ev.Before, ev.After = clientele.AuditPermissions(before.client().Permissions), clientele.AuditPermissions(got.Permissions)
		changes := []pcache.Change{{Kind: pcache.Client, AgencyID: agency, ClientID: id}}
		return changes, insertAudit(ctx, tx, ev)
	})
	if err != nil {
		return clientele.Client{}, err
	}
	return got, nil
}

// client reads client id of agency through db.
func client(ctx context.Context, db bun.IDB, agency clientele.AgencyID, id clientele.ClientID) (clientele.Client, error) {
	op := fmt.Sprintf("agency %s: client %s", agency, id)
	if hasNUL(string(agency), string(id)) {
		return clientele.Client{}, notFound(op, sql.ErrNoRows)
	}
	var r clientRow
	err := db.NewSelect().Model(&r).Where("c.id = ?", string(id)).Where("c.agency_id = ?", string(agency)).Scan(ctx)
	if err != nil {
		return clientele.Client{}, notFound(op, err)
	}
	return r.client(), nil
}

// lockClient takes the write lock on client's row, so that changes to its
// memberships run one at a time, and returns the client's agency, or ""
// when the client does not exist.
func (s *Store) lockClient(ctx context.Context, tx bun.IDB, id clientele.ClientID) (clientele.AgencyID, error) {
	var agency string
	err := s.forUpdate(tx.NewSelect().Model((*clientRow)(nil)).Column("c.agency_id").Where("c.id = ?", string(id))).Scan(ctx, &agency)
	switch {
	case err == nil:
		return clientele.AgencyID(agency), nil
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	}
	return "", fmt.Errorf("bunstore: client %s: lock: %w", id, err)
}

// clientScope checks that both the agency and the client are given.
func clientScope(op string, agency clientele.AgencyID, client clientele.ClientID) error {
	if agency == "" {
		return missingScope(op, "agency")
	}
	if client == "" {
		return missingScope(op, "client")
	}
	return nil
}

// storablePermissions checks that perms can be stored joined by commas.
func storablePermissions(op string, perms clientele.PermissionSet) error {
	for _, p := range perms {
		if p == "" || strings.ContainsAny(string(p), ",\x00") {
			return invalid(op, "permission %q", p)
		}
	}
	return nil
}
