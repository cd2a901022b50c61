package faults

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/clientele/clientele/adapters/bunstore"
)

// dbSnapshot is what the checks read of a database, table by table, with
// only the columns every dialect stores as text (so one set of queries
// serves SQLite and PostgreSQL).
type dbSnapshot struct {
	engineChecks int               // SQLite's integrity_check and foreign_key_check, passed
	users        map[string]string // email -> id
	userIDs      map[string]bool
	members      map[[2]string]memberRow // (client, user id)
	memberEmails map[[2]string]bool      // (client, email)
	invitations  []invitationRow
	audit        []auditRow
	outbox       map[string]int // invitation id -> rows
	sessions     [][2]string    // (client, user id)
}

type memberRow struct{ email, role, status string }

type invitationRow struct{ id, client, email, role, status, acceptedBy string }

type auditRow struct{ client, action, target string }

// readDatabase opens dsn beside the running server, runs SQLite's own
// checks, and reads the tables the invariants are about.
func readDatabase(t *testing.T, dsn string) *dbSnapshot {
	t.Helper()
	ctx := t.Context()
	db, err := bunstore.Open(ctx, dsn)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	s := &dbSnapshot{users: map[string]string{}, userIDs: map[string]bool{}, members: map[[2]string]memberRow{},
		memberEmails: map[[2]string]bool{}, outbox: map[string]int{}}
	if strings.HasPrefix(dsn, "sqlite:") {
		var integrity []string
		query(t, ctx, db, "PRAGMA integrity_check", func(cols []string) { integrity = append(integrity, cols[0]) })
		require.Equal(t, []string{"ok"}, integrity, "PRAGMA integrity_check")
		var broken []string
		rows, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
		require.NoError(t, err)
		for rows.Next() {
			var table, parent string
			var rowid, fk any
			require.NoError(t, rows.Scan(&table, &rowid, &parent, &fk))
			broken = append(broken, fmt.Sprintf("%s row %v -> %s", table, rowid, parent))
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
		require.Empty(t, broken, "PRAGMA foreign_key_check")
		s.engineChecks = 2
	}
	query(t, ctx, db, "SELECT id, email FROM clientele_users", func(c []string) {
		s.users[c[1]], s.userIDs[c[0]] = c[0], true
	})
	query(t, ctx, db, "SELECT client_id, user_id, email, role, status FROM clientele_memberships", func(c []string) {
		s.members[[2]string{c[0], c[1]}] = memberRow{c[2], c[3], c[4]}
		s.memberEmails[[2]string{c[0], c[2]}] = true
	})
	query(t, ctx, db, "SELECT id, client_id, email, role, status, accepted_by FROM clientele_invitations", func(c []string) {
		s.invitations = append(s.invitations, invitationRow{c[0], c[1], c[2], c[3], c[4], c[5]})
	})
	query(t, ctx, db, "SELECT client_id, action, target FROM clientele_audit", func(c []string) {
		s.audit = append(s.audit, auditRow{c[0], c[1], c[2]})
	})
	query(t, ctx, db, "SELECT invitation_id FROM clientele_outbox WHERE kind = 'invitation'", func(c []string) { s.outbox[c[0]]++ })
	query(t, ctx, db, "SELECT client_id, user_id FROM clientele_sessions", func(c []string) {
		s.sessions = append(s.sessions, [2]string{c[0], c[1]})
	})
	return s
}

// query runs q and hands each row's columns, as strings, to each.
func query(t *testing.T, ctx context.Context, db *bun.DB, q string, each func([]string)) {
	t.Helper()
	rows, err := db.QueryContext(ctx, q)
	require.NoError(t, err, q)
	defer func() { require.NoError(t, rows.Close()) }()
	cols, err := rows.Columns()
	require.NoError(t, err)
	vals := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		require.NoError(t, rows.Scan(ptrs...), q)
		each(append([]string(nil), vals...))
	}
	require.NoError(t, rows.Err(), q)
}

// events counts the audit events of action in client on target.
func (s *dbSnapshot) events(client, action, target string) int {
	n := 0
	for _, e := range s.audit {
		if e.client == client && e.action == action && e.target == target {
			n++
		}
	}
	return n
}

// invariantViolations checks the rules every state of the database keeps
// (six families) and describes each row that breaks one.
func (s *dbSnapshot) invariantViolations() []string {
	var bad []string
	// 1. No membership without its user.
	for k := range s.members {
		if !s.userIDs[k[1]] {
			bad = append(bad, fmt.Sprintf("membership %v without its user", k))
		}
	}
	for _, inv := range s.invitations {
		// 2. No accepted invitation without its membership, unless the
		// member was removed since.
		if inv.status == "accepted" {
			_, member := s.members[[2]string{inv.client, inv.acceptedBy}]
			if !member && s.events(inv.client, "member.remove", inv.acceptedBy) == 0 {
				bad = append(bad, fmt.Sprintf("accepted invitation %s without membership %s", inv.id, inv.acceptedBy))
			}
		}
		// 3. No pending invitation for a member.
		if inv.status == "pending" && s.memberEmails[[2]string{inv.client, inv.email}] {
			bad = append(bad, fmt.Sprintf("pending invitation %s for member %s", inv.id, inv.email))
		}
		// 4. Each invitation has exactly its audit events and one outbox
		// row.
		if n := s.events(inv.client, "invitation.create", inv.id); n != 1 {
			bad = append(bad, fmt.Sprintf("invitation %s has %d invitation.create events", inv.id, n))
		}
		accepted := 0
		if inv.status == "accepted" {
			accepted = 1
		}
		if n := s.events(inv.client, "invitation.accept", inv.id); n != accepted {
			bad = append(bad, fmt.Sprintf("invitation %s (%s) has %d invitation.accept events", inv.id, inv.status, n))
		}
		if n := s.outbox[inv.id]; n != 1 {
			bad = append(bad, fmt.Sprintf("invitation %s has %d outbox rows", inv.id, n))
		}
	}
	// 5. No session without its membership.
	for _, k := range s.sessions {
		if _, ok := s.members[k]; !ok {
			bad = append(bad, fmt.Sprintf("session of %v without membership", k))
		}
	}
	// 6. A removal leaves no membership, and happens once (no email is
	// invited twice here).
	for _, e := range s.audit {
		if e.action != "member.remove" {
			continue
		}
		if _, ok := s.members[[2]string{e.client, e.target}]; ok {
			bad = append(bad, fmt.Sprintf("removed %s still a member of %s", e.target, e.client))
		}
		if n := s.events(e.client, "member.remove", e.target); n != 1 {
			bad = append(bad, fmt.Sprintf("%s removed %d times from %s", e.target, n, e.client))
		}
	}
	return bad
}

// stateOf reads l's audit counts (the listed part comes from the API).
func (s *dbSnapshot) stateOf(l *lifecycle) userState {
	var st userState
	for _, inv := range s.invitations {
		if inv.client == l.client && inv.email == l.email {
			st.creates += s.events(l.client, "invitation.create", inv.id)
			st.accepts += s.events(l.client, "invitation.accept", inv.id)
		}
	}
	if id, ok := s.users[l.email]; ok {
		st.roles = s.events(l.client, "member.role", id)
		st.removes = s.events(l.client, "member.remove", id)
	}
	return st
}
