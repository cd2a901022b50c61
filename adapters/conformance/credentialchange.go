package conformance

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

// changeAt is when the suite changes credentials: after the acceptances
// of mustMember.
var changeAt = acceptAt.Add(time.Minute)

// userChange returns a change to user's credentials with a fresh stamp of
// the user and no notice.
func userChange(user clientele.UserID) authn.CredentialChange {
	return authn.CredentialChange{Audit: clientele.AuditEvent{ID: clientele.NewID("aud"), At: changeAt,
		Actor: string(user), IP: stampIP}}
}

// noticeChange returns a change to m's credentials in agency with a fresh
// stamp of m, whose fields only the store may fill are set to junk, and a
// fresh notice n to m, scoped to m's client.
func noticeChange(agency clientele.AgencyID, m clientele.Member, n invite.Notice) authn.CredentialChange {
	d := invite.NewNotice(agency, m.ClientID, m.UserID, n, changeAt)
	return authn.CredentialChange{Audit: stampAt(string(m.UserID), changeAt), Notice: &d}
}

// credentialOp is one kind of change to a user's credentials.
type credentialOp struct {
	name   string
	notice invite.Notice
	action string
	// prepare makes what the change needs in agency for m and returns
	// the passkey the change adds or removes (none for a password).
	prepare func(t *testing.T, s Store, agency clientele.AgencyID, m clientele.Member) clientele.Passkey
	// do makes the change to user of agency.
	do func(t *testing.T, s Store, agency clientele.AgencyID, user clientele.UserID, p clientele.Passkey, change authn.CredentialChange) error
	// before and after are the event's states.
	before, after func(p clientele.Passkey) string
}

// newHash is the password hash the suite's password changes set.
const newHash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA"

func credentialOps() []credentialOp {
	none := func(clientele.Passkey) string { return "" }
	return []credentialOp{
		{name: "add passkey", notice: invite.NoticePasskeyAdded, action: clientele.AuditPasskeyAdd,
			prepare: func(_ *testing.T, _ Store, agency clientele.AgencyID, m clientele.Member) clientele.Passkey {
				return newPasskey(agency, m.UserID)
			},
			do: func(t *testing.T, s Store, agency clientele.AgencyID, user clientele.UserID, p clientele.Passkey, change authn.CredentialChange) error {
				p.AgencyID, p.UserID = agency, user
				return s.CreatePasskey(t.Context(), p, change)
			},
			before: none, after: clientele.AuditPasskey},
		{name: "remove passkey", notice: invite.NoticePasskeyRemoved, action: clientele.AuditPasskeyRemove,
			prepare: func(t *testing.T, s Store, agency clientele.AgencyID, m clientele.Member) clientele.Passkey {
				p := newPasskey(agency, m.UserID)
				require.NoError(t, s.CreatePasskey(t.Context(), p, userChange(m.UserID)))
				return p
			},
			do: func(t *testing.T, s Store, agency clientele.AgencyID, user clientele.UserID, p clientele.Passkey, change authn.CredentialChange) error {
				return s.DeletePasskey(t.Context(), agency, user, p.ID, change)
			},
			before: clientele.AuditPasskey, after: none},
		{name: "change password", notice: invite.NoticePasswordChanged, action: clientele.AuditPasswordChange,
			prepare: func(*testing.T, Store, clientele.AgencyID, clientele.Member) clientele.Passkey {
				return clientele.Passkey{}
			},
			do: func(t *testing.T, s Store, agency clientele.AgencyID, user clientele.UserID, _ clientele.Passkey, change authn.CredentialChange) error {
				return s.ChangePassword(t.Context(), agency, user, newHash, change)
			},
			before: none, after: none},
	}
}

func testCredentialChanges(t *testing.T, newStore newStoreFunc) {
	t.Run("Recorded", func(t *testing.T) { testCredentialRecorded(t, newStore) })
	t.Run("NothingChangesOnError", func(t *testing.T) { testCredentialAtomic(t, newStore) })
	t.Run("UnknownUser", func(t *testing.T) { testCredentialUnknownUser(t, newStore) })
	t.Run("SilentRehash", func(t *testing.T) { testSilentRehash(t, newStore) })
	t.Run("NoticeLease", func(t *testing.T) { testNoticeLease(t, newStore) })
	t.Run("OutboxUser", func(t *testing.T) { testOutboxUser(t, newStore) })
}

// testCredentialRecorded makes each change, with and without a notice,
// and checks the change, its agency-level event and the queued notice.
func testCredentialRecorded(t *testing.T, newStore newStoreFunc) {
	for _, op := range credentialOps() {
		for _, withNotice := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s notice %v", op.name, withNotice), func(t *testing.T) {
				s := newStore(t)
				a := mustAgency(t, s, "")
				c := mustClient(t, s, a.ID, "Globex")
				m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
				p := op.prepare(t, s, a.ID, m)
				change := noticeChange(a.ID, m, op.notice)
				if !withNotice {
					change.Notice = nil
				}
				clientLog := auditLog(t, s, a.ID, c.ID)

				require.NoError(t, op.do(t, s, a.ID, m.UserID, p, change))

				snap := credentialSnapshot(t, s, a.ID, m, p)
				switch op.action {
				case clientele.AuditPasskeyAdd:
					assert.True(t, snap.HasPasskey, "passkey stored")
				case clientele.AuditPasskeyRemove:
					assert.False(t, snap.HasPasskey, "passkey deleted")
				case clientele.AuditPasswordChange:
					assert.Equal(t, newHash, snap.Hash, "password replaced")
				}
				want := clientele.AuditEvent{ID: change.Audit.ID, AgencyID: a.ID, At: changeAt, Actor: string(m.UserID),
					Action: op.action, Target: string(m.UserID), Before: op.before(p), After: op.after(p), IP: change.Audit.IP}
				assert.Equal(t, want, eventByID(t, snap.Log, change.Audit.ID), "agency-level: the stamp kept, the rest filled")
				assert.Equal(t, clientLog, auditLog(t, s, a.ID, c.ID), "not in the client's log")

				if !withNotice {
					assert.Empty(t, snap.Due, "no notice queued")
					return
				}
				require.Len(t, snap.Due, 1, "the notice queued")
				got := snap.Due[0]
				assert.Equal(t, normDelivery(*change.Notice), got)
				assert.Equal(t, invite.KindNotice, got.Kind)
				assert.Equal(t, m.UserID, got.UserID)
				assert.Equal(t, op.notice, got.Notice)
				assert.Equal(t, c.ID, got.ClientID)
				assert.Empty(t, got.InvitationID)
				assert.NotContains(t, fmt.Sprintf("%#v", got), string(m.Email), "a delivery holds no email")
				one, err := s.Delivery(t.Context(), c.ID, got.ID)
				require.NoError(t, err)
				assert.Equal(t, got, normDelivery(one))
			})
		}
	}
}

// credentialState is what a change to m's credentials may touch.
type credentialState struct {
	// HasPasskey reports whether the op's passkey exists (for any user).
	HasPasskey bool
	Passkeys   []clientele.Passkey
	Hash       string
	Log        []clientele.AuditEvent
	Due        []invite.Delivery
}

// credentialSnapshot reads m's credentials, agency's audit log and every
// queued delivery.
func credentialSnapshot(t *testing.T, s Store, agency clientele.AgencyID, m clientele.Member, p clientele.Passkey) credentialState {
	t.Helper()
	var st credentialState
	if len(p.ID) > 0 {
		_, err := s.Passkey(t.Context(), p.ID)
		if err != nil {
			require.ErrorIs(t, err, clientele.ErrNotFound)
		}
		st.HasPasskey = err == nil
	}
	ps, err := s.Passkeys(t.Context(), agency, m.UserID)
	require.NoError(t, err)
	st.Passkeys = normPasskeys(ps)
	_, st.Hash, err = s.Credentials(t.Context(), agency, m.Email)
	require.NoError(t, err)
	st.Log = auditLog(t, s, agency, "")
	due, err := s.DueDeliveries(t.Context(), changeAt.Add(24*time.Hour), 1000)
	require.NoError(t, err)
	for _, d := range due {
		st.Due = append(st.Due, normDelivery(d))
	}
	return st
}
