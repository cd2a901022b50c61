package bunstore_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/mysqldialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/internal/dbtest"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/tenancy"
)

// TestIsUnavailable classifies driver errors: what means the database
// cannot be reached, and what does not.
func TestIsUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	wrap := func(err error) error { return fmt.Errorf("bunstore: agency x: %w", err) }
	pg := func(code string) error { return wrap(&pgconn.PgError{Severity: "FATAL", Code: code}) }
	my := func(n uint16) error { return wrap(&mysql.MySQLError{Number: n}) }
	tests := []struct {
		name string
		err  func(t *testing.T) error
		want bool
	}{
		{"refused dial", func(*testing.T) error { return wrap(refused) }, true},
		{"reset read", func(*testing.T) error {
			return wrap(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)})
		}, true},
		{"bare refused", func(*testing.T) error { return wrap(syscall.ECONNREFUSED) }, true},
		{"bare reset", func(*testing.T) error { return wrap(syscall.ECONNRESET) }, true},
		{"bare aborted", func(*testing.T) error { return wrap(syscall.ECONNABORTED) }, true},
		{"broken pipe", func(*testing.T) error { return wrap(syscall.EPIPE) }, true},
		{"bad connection", func(*testing.T) error { return wrap(driver.ErrBadConn) }, true},
		{"connection done", func(*testing.T) error { return wrap(sql.ErrConnDone) }, true},
		{"closed mid-answer", func(*testing.T) error { return wrap(fmt.Errorf("failed to receive message: %w", io.ErrUnexpectedEOF)) }, true},
		{"closed pool", closedPoolError, true},
		{"pg admin shutdown 57P01", func(*testing.T) error { return pg("57P01") }, true},
		{"pg crash shutdown 57P02", func(*testing.T) error { return pg("57P02") }, true},
		{"pg cannot connect now 57P03", func(*testing.T) error { return pg("57P03") }, true},
		{"pg connection failure 08006", func(*testing.T) error { return pg("08006") }, true},
		{"pg cannot establish 08001", func(*testing.T) error { return pg("08001") }, true},
		{"mysql invalid connection", func(*testing.T) error { return wrap(mysql.ErrInvalidConn) }, true},
		{"mysql server shutdown 1053", func(*testing.T) error { return my(1053) }, true},
		{"mariadb connection killed 1927", func(*testing.T) error { return my(1927) }, true},
		{"sqlite cannot open", cannotOpenError, true},

		{"nil", func(*testing.T) error { return nil }, false},
		{"plain failure", func(*testing.T) error { return errors.New("disk full") }, false},
		{"no rows", func(*testing.T) error { return wrap(sql.ErrNoRows) }, false},
		{"cancelled call", func(*testing.T) error { return fmt.Errorf("%w: %w", context.Canceled, refused) }, false},
		{"pg unique violation 23505", func(*testing.T) error { return pg("23505") }, false},
		{"pg serialization failure 40001", func(*testing.T) error { return pg("40001") }, false},
		{"pg query cancelled 57014", func(*testing.T) error { return pg("57014") }, false},
		{"mysql duplicate 1062", func(*testing.T) error { return my(1062) }, false},
		{"mysql deadlock 1213", func(*testing.T) error { return my(1213) }, false},
		{"mysql query interrupted 1317", func(*testing.T) error { return my(1317) }, false},
		{"sqlite busy", busyError, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err(t)
			assert.Equal(t, tt.want, bunstore.IsUnavailable(err), "%v", err)
		})
	}
}

// closedPoolError is the error of a call on a closed *sql.DB.
func closedPoolError(t *testing.T) error {
	db, err := sql.Open(sqliteshim.ShimName, "file:"+filepath.Join(t.TempDir(), "x.db"))
	require.NoError(t, err)
	require.NoError(t, db.Close())
	return db.PingContext(t.Context())
}

// cannotOpenError is SQLite's error for a file in a folder that does not
// exist.
func cannotOpenError(t *testing.T) error {
	db, err := sql.Open(sqliteshim.ShimName, "file:"+filepath.Join(t.TempDir(), "missing", "x.db"))
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	err = db.PingContext(t.Context())
	require.ErrorContains(t, err, "unable to open database file")
	return err
}

// busyError is SQLite's SQLITE_BUSY: a second writer, with no busy
// timeout, while the first holds the write lock.
func busyError(t *testing.T) error {
	dsn := "file:" + filepath.Join(t.TempDir(), "x.db") + "?_pragma=busy_timeout(0)&_txlock=immediate"
	open := func() *sql.DB {
		db, err := sql.Open(sqliteshim.ShimName, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, db.Close()) })
		return db
	}
	first, second := open(), open()
	tx, err := first.BeginTx(t.Context(), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, tx.Rollback()) }()
	_, err = second.BeginTx(t.Context(), nil)
	require.ErrorContains(t, err, "SQLITE_BUSY")
	return err
}

// storeCall is one call of a store method, with arguments that pass its
// checks so that it reaches the database.
type storeCall struct {
	name string
	call func(ctx context.Context, s *bunstore.Store) error
}

// storeCalls are a call of every Store method that reads or writes.
func storeCalls() []storeCall {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	agency := clientele.AgencyID(clientele.NewID("agy"))
	client := clientele.ClientID(clientele.NewID("cli"))
	user := clientele.UserID(clientele.NewID("usr"))
	invID := clientele.InvitationID(clientele.NewID("inv"))
	hash := sha256.Sum256([]byte("token"))
	ev := clientele.AuditEvent{ID: clientele.NewID("aud"), At: at, Actor: string(user)}
	inv := clientele.Invitation{ID: invID, AgencyID: agency, ClientID: client, Email: "ada@example.com",
		Role: clientele.RoleMember, TokenHash: hash[:], ExpiresAt: at.Add(time.Hour), CreatedAt: at}
	next := inv
	next.ID = clientele.InvitationID(clientele.NewID("inv"))
	delivery := invite.Delivery{ID: invite.DeliveryID(clientele.NewID("dlv")), ClientID: client, InvitationID: invID, NextAttemptAt: at}
	pk := clientele.Passkey{ID: []byte("credential"), AgencyID: agency, UserID: user, CreatedAt: at}
	sess := authn.Session{TokenHash: hash[:], AgencyID: agency, ClientID: client, UserID: user,
		CreatedAt: at, SignedInAt: at, LastSeenAt: at, ExpiresAt: at.Add(time.Hour)}
	change := authn.CredentialChange{Audit: ev}
	list := tenancy.ListQuery{Limit: 10, Now: at}
	return []storeCall{
		{"CreateAgency", func(ctx context.Context, s *bunstore.Store) error {
			return s.CreateAgency(ctx, clientele.Agency{ID: agency, Branding: clientele.Branding{Name: "Acme"}, CreatedAt: at})
		}},
		{"Agency", func(ctx context.Context, s *bunstore.Store) error { _, err := s.Agency(ctx, agency); return err }},
		{"AgencyByDomain", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.AgencyByDomain(ctx, "portal.example.com")
			return err
		}},
		{"SetBranding", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.SetBranding(ctx, agency, clientele.Branding{Name: "Acme"}, ev)
			return err
		}},
		{"ListAudit", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.ListAudit(ctx, agency, "", nil, 10)
			return err
		}},
		{"SaveCeremony", func(ctx context.Context, s *bunstore.Store) error {
			return s.SaveCeremony(ctx, authn.Ceremony{ID: hash[:], Kind: authn.CeremonyLogin, AgencyID: agency, ExpiresAt: at})
		}},
		{"TakeCeremony", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.TakeCeremony(ctx, hash[:], at)
			return err
		}},
		{"CreateClient", func(ctx context.Context, s *bunstore.Store) error {
			return s.CreateClient(ctx, clientele.Client{ID: client, AgencyID: agency, Name: "Globex", CreatedAt: at})
		}},
		{"Client", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.Client(ctx, agency, client)
			return err
		}},
		{"ListClients", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.ListClients(ctx, agency, nil, 10)
			return err
		}},
		{"SetPermissions", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.SetPermissions(ctx, agency, client, clientele.PermissionSet{clientele.PermViewReports}, ev)
			return err
		}},
		{"Sync", func(ctx context.Context, s *bunstore.Store) error { return s.Sync(ctx) }},
		{"Credentials", func(ctx context.Context, s *bunstore.Store) error {
			_, _, err := s.Credentials(ctx, agency, "ada@example.com")
			return err
		}},
		{"SetPasswordHash", func(ctx context.Context, s *bunstore.Store) error {
			return s.SetPasswordHash(ctx, agency, user, "hash")
		}},
		{"Memberships", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.Memberships(ctx, agency, user)
			return err
		}},
		{"PasswordHash", func(ctx context.Context, s *bunstore.Store) error {
			_, _, err := s.PasswordHash(ctx, agency, "ada@example.com")
			return err
		}},
		{"UserByEmail", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.UserByEmail(ctx, agency, "ada@example.com")
			return err
		}},
		{"CreateInvitation", func(ctx context.Context, s *bunstore.Store) error {
			return s.CreateInvitation(ctx, inv, at, nil, ev)
		}},
		{"Invitation", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.Invitation(ctx, client, invID)
			return err
		}},
		{"InvitationByTokenHash", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.InvitationByTokenHash(ctx, hash[:])
			return err
		}},
		{"ReplaceInvitation", func(ctx context.Context, s *bunstore.Store) error {
			return s.ReplaceInvitation(ctx, client, invID, next, nil, ev)
		}},
		{"CancelInvitation", func(ctx context.Context, s *bunstore.Store) error { return s.CancelInvitation(ctx, client, invID, ev) }},
		{"AcceptInvitation", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.AcceptInvitation(ctx, invite.Acceptance{TokenHash: hash[:], Now: at,
				NewUser: clientele.User{ID: user, Name: "Ada", CreatedAt: at}, PasswordHash: "hash", Audit: ev})
			return err
		}},
		{"RotateInvitationToken", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.RotateInvitationToken(ctx, client, invID, hash[:], at)
			return err
		}},
		{"Hit", func(ctx context.Context, s *bunstore.Store) error { _, err := s.Hit(ctx, "key", at, at); return err }},
		{"Clear", func(ctx context.Context, s *bunstore.Store) error { return s.Clear(ctx, "key", at) }},
		{"ListUsers", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.ListUsers(ctx, client, list)
			return err
		}},
		{"Member", func(ctx context.Context, s *bunstore.Store) error { _, err := s.Member(ctx, client, user); return err }},
		{"ChangeRole", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.ChangeRole(ctx, client, user, clientele.RoleAdmin, true, ev)
			return err
		}},
		{"RemoveMember", func(ctx context.Context, s *bunstore.Store) error { return s.RemoveMember(ctx, client, user, true, ev) }},
		{"SetMemberStatus", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.SetMemberStatus(ctx, client, user, clientele.StatusDeactivated, ev)
			return err
		}},
		{"RecordActivity", func(ctx context.Context, s *bunstore.Store) error { return s.RecordActivity(ctx, client, user, at) }},
		{"Delivery", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.Delivery(ctx, client, delivery.ID)
			return err
		}},
		{"DueDeliveries", func(ctx context.Context, s *bunstore.Store) error { _, err := s.DueDeliveries(ctx, at, 10); return err }},
		{"ClaimDelivery", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.ClaimDelivery(ctx, delivery, at, at.Add(time.Minute))
			return err
		}},
		{"CompleteDelivery", func(ctx context.Context, s *bunstore.Store) error { return s.CompleteDelivery(ctx, delivery, at, "") }},
		{"RetryDelivery", func(ctx context.Context, s *bunstore.Store) error {
			return s.RetryDelivery(ctx, delivery, at.Add(time.Minute), "refused")
		}},
		{"CreatePasskey", func(ctx context.Context, s *bunstore.Store) error { return s.CreatePasskey(ctx, pk, change) }},
		{"Passkey", func(ctx context.Context, s *bunstore.Store) error { _, err := s.Passkey(ctx, pk.ID); return err }},
		{"Passkeys", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.Passkeys(ctx, agency, user)
			return err
		}},
		{"DeletePasskey", func(ctx context.Context, s *bunstore.Store) error {
			return s.DeletePasskey(ctx, agency, user, pk.ID, change)
		}},
		{"ChangePassword", func(ctx context.Context, s *bunstore.Store) error {
			return s.ChangePassword(ctx, agency, user, "hash", change)
		}},
		{"User", func(ctx context.Context, s *bunstore.Store) error { _, err := s.User(ctx, agency, user); return err }},
		{"SaveDevice", func(ctx context.Context, s *bunstore.Store) error {
			return s.SaveDevice(ctx, authn.Device{TokenHash: hash[:], AgencyID: agency, UserID: user, CreatedAt: at, ExpiresAt: at.Add(time.Hour)})
		}},
		{"Device", func(ctx context.Context, s *bunstore.Store) error { _, err := s.Device(ctx, hash[:], at); return err }},
		{"UsePasskey", func(ctx context.Context, s *bunstore.Store) error { return s.UsePasskey(ctx, pk.ID, 1, 2, at) }},
		{"CreateSession", func(ctx context.Context, s *bunstore.Store) error { return s.CreateSession(ctx, sess) }},
		{"ResolveSession", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.ResolveSession(ctx, hash[:], at, at.Add(-time.Hour))
			return err
		}},
		{"TouchSession", func(ctx context.Context, s *bunstore.Store) error { return s.TouchSession(ctx, hash[:], at) }},
		{"DeleteSession", func(ctx context.Context, s *bunstore.Store) error { return s.DeleteSession(ctx, hash[:]) }},
		{"DeleteUserSessions", func(ctx context.Context, s *bunstore.Store) error {
			_, err := s.DeleteUserSessions(ctx, agency, user)
			return err
		}},
	}
}

// unreachable is a database a store cannot reach, and what its error
// still says of the driver's.
type unreachable struct {
	name   string
	dsn    string // for bunstore.Open; "" when it has none
	db     func(t *testing.T) *bun.DB
	detail string // in every error's text: the driver's error is kept
}

// unreachables are, in every dialect, a database that cannot be reached.
// The servers' are a port nothing listens on: they need no server.
func unreachables(t *testing.T) []unreachable {
	port := strconv.Itoa(deadPort(t))
	pgDSN := "postgres://clientele@127.0.0.1:" + port + "/clientele?sslmode=disable"
	myDSN := "clientele@tcp(127.0.0.1:" + port + ")/clientele"
	missing := filepath.Join(t.TempDir(), "missing", "clientele.db")
	return []unreachable{
		{"sqlite: closed pool", "", func(t *testing.T) *bun.DB {
			db := dbtest.Fresh(t, dbtest.SQLite)
			require.NoError(t, db.Close())
			return db
		}, "sql: database is closed"},
		{"sqlite: file cannot be opened", "sqlite:" + missing, func(t *testing.T) *bun.DB {
			sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+missing)
			require.NoError(t, err)
			return closeLater(t, bun.NewDB(sqldb, sqlitedialect.New()))
		}, "unable to open database file"},
		{"postgres: nothing listening", pgDSN, func(t *testing.T) *bun.DB {
			sqldb, err := sql.Open("pgx", pgDSN)
			require.NoError(t, err)
			return closeLater(t, bun.NewDB(sqldb, pgdialect.New()))
		}, "connection refused"},
		{"mysql: nothing listening", "mysql://" + myDSN, func(t *testing.T) *bun.DB {
			cfg, err := mysql.ParseDSN(myDSN)
			require.NoError(t, err)
			conn, err := mysql.NewConnector(cfg)
			require.NoError(t, err)
			// bun's dialect logs once that it cannot read the server's version.
			return closeLater(t, bun.NewDB(sql.OpenDB(conn), mysqldialect.New()))
		}, "connection refused"},
	}
}

func closeLater(t *testing.T, db *bun.DB) *bun.DB {
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

// deadPort returns a loopback port that nothing listened on a moment ago.
func deadPort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}

// TestUnreachableDatabase calls every store method, Open and Migrate on a
// database that cannot be reached, in every dialect: each answers
// clientele.ErrUnavailable, once, with the driver's error kept in the
// chain.
func TestUnreachableDatabase(t *testing.T) {
	calls := storeCalls()
	for _, u := range unreachables(t) {
		t.Run(u.name, func(t *testing.T) {
			ctx := t.Context()
			check := func(t *testing.T, err error) {
				t.Helper()
				require.ErrorIs(t, err, clientele.ErrUnavailable)
				assert.Equal(t, 1, strings.Count(err.Error(), clientele.ErrUnavailable.Error()), "wrapped once: %v", err)
				assert.ErrorContains(t, err, u.detail)
			}
			db := u.db(t)
			s, err := bunstore.New(db)
			require.NoError(t, err)
			for _, c := range calls {
				t.Run(c.name, func(t *testing.T) { check(t, c.call(ctx, s)) })
			}
			t.Run("Migrate", func(t *testing.T) {
				// Migrate waits up to a minute for its lock; the last error
				// tells why it got none.
				short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
				defer cancel()
				check(t, bunstore.Migrate(short, db))
			})
			if u.dsn != "" {
				t.Run("Open", func(t *testing.T) {
					_, err := bunstore.Open(ctx, u.dsn)
					check(t, err)
				})
			}
		})
	}
}

// TestKilledConnection kills the connection under a host's transaction
// from another connection (PostgreSQL's pg_terminate_backend, MariaDB's
// KILL) and then calls the store on it: a read, a write and a write in a
// transaction of the store's (a savepoint) each answer
// clientele.ErrUnavailable, not an unknown error.
func TestKilledConnection(t *testing.T) {
	for _, kind := range []dbtest.Kind{dbtest.Postgres, dbtest.MySQL} {
		t.Run(string(kind), func(t *testing.T) {
			ctx := t.Context()
			db := dbtest.Fresh(t, kind)
			id, kill, alive := "SELECT pg_backend_pid()", "SELECT pg_terminate_backend(?)", "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?"
			if db.Dialect().Name() == dialect.MySQL {
				id, kill, alive = "SELECT CONNECTION_ID()", "KILL ?", "SELECT COUNT(*) FROM information_schema.processlist WHERE id = ?"
			}
			for _, c := range storeCalls() {
				switch c.name {
				case "Agency", "CreateClient", "SetPermissions":
				default:
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					tx, err := db.BeginTx(ctx, nil)
					require.NoError(t, err)
					defer func() { _ = tx.Rollback() }() // its connection is gone
					s, err := bunstore.New(tx)
					require.NoError(t, err)
					var backend int64
					require.NoError(t, tx.NewRaw(id).Scan(ctx, &backend))
					_, err = db.ExecContext(ctx, kill, backend)
					require.NoError(t, err)
					require.Eventually(t, func() bool {
						var n int
						return db.NewRaw(alive, backend).Scan(ctx, &n) == nil && n == 0
					}, 10*time.Second, 5*time.Millisecond, "the killed connection is gone")

					err = c.call(ctx, s)
					require.ErrorIs(t, err, clientele.ErrUnavailable)
					t.Logf("%s after the kill: %v", c.name, err)
				})
			}
		})
	}
}

// TestCacheCutOff cuts a cached reader off its database (its pool
// closed): its cache stops answering once its lease is over, and then
// every read answers clientele.ErrUnavailable, as does leaving the nodes
// table at Close.
func TestCacheCutOff(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := t.Context()
			dsn := dbtest.DSN(t, kind)
			require.NoError(t, bunstore.Migrate(ctx, dbtest.Open(t, dsn)))
			w := newWorld(t, dsn)
			db, err := bunstore.Open(ctx, dsn)
			require.NoError(t, err)
			r, err := bunstore.New(db, bunstore.WithCache(bunstore.CacheOptions{Poll: 2 * time.Millisecond,
				Lease: 800 * time.Millisecond, Margin: 200 * time.Millisecond}))
			require.NoError(t, err)
			require.True(t, bunstore.WaitServing(ctx, r, 10*time.Second), "the cache never started serving")
			_, err = w.resolve(t, r) // cached from now on
			require.NoError(t, err)

			require.NoError(t, db.Close())
			require.Eventually(t, func() bool { return !bunstore.CacheServing(r) }, 10*time.Second, 5*time.Millisecond,
				"a reader cut off stops serving once its lease is over")
			_, err = w.resolve(t, r)
			require.ErrorIs(t, err, clientele.ErrUnavailable)
			_, err = r.Agency(ctx, w.agency)
			require.ErrorIs(t, err, clientele.ErrUnavailable)
			require.ErrorIs(t, r.Close(ctx), clientele.ErrUnavailable)
		})
	}
}
