package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// flipConfig is what the flip process does.
type flipConfig struct {
	DSN         string
	Agency      string
	Users       string // sessions file of the flip set
	Rate        float64
	RemoveEvery int
	Log         string
	Portal      string // base URL
	Duration    time.Duration
}

// cmdFlip is `httpload flip`: it changes the roles of the flip set's users
// (member <-> admin) at about -rate ops/s through tenancy.Service, as the
// agency admin, and every -remove-every-th op removes the user instead
// (tenancy.Service.Remove); a removed user gets no more ops. Each op is
// one JSON line of -log (see flipOp) with the wall clock just before the
// call and just after it returned, and the answer to one GET /api/v1/me
// sent with the user's session right after. It runs until SIGTERM or
// -duration, then prints a summary.
func cmdFlip(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("flip", flag.ContinueOnError)
	var c flipConfig
	fs.StringVar(&c.DSN, "db", "", "the portal's database (required)")
	fs.StringVar(&c.Agency, "agency", portalAgency, "the agency")
	fs.StringVar(&c.Users, "users", "", "sessions file of the users to flip (required)")
	fs.Float64Var(&c.Rate, "rate", 20, "ops per second")
	fs.IntVar(&c.RemoveEvery, "remove-every", 10, "every K-th op removes the user (0: never)")
	fs.StringVar(&c.Log, "log", "flip.jsonl", "write one JSON line per op here")
	fs.StringVar(&c.Portal, "portal", "", "the portal's base URL, for the very next request (required)")
	fs.DurationVar(&c.Duration, "duration", 0, "stop after this long (0: at SIGTERM)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if c.DSN == "" || c.Users == "" || c.Portal == "" || c.Rate <= 0 || c.RemoveEvery < 0 {
		return fmt.Errorf("%w: flip needs -db, -users, -portal, a positive -rate and -remove-every >= 0", errUsage)
	}
	return flip(ctx, c, out)
}

// flipper holds the flip process's services.
type flipper struct {
	tenants *tenancy.Service
	staff   clientele.Principal
	client  *http.Client
	meURL   string
}

func flip(ctx context.Context, c flipConfig, out io.Writer) error {
	if c.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Duration)
		defer cancel()
	}
	list, err := readSessions(c.Users, 0)
	if err != nil {
		return err
	}
	// The library's own services, wired as examples/portal wires them.
	setup := context.WithoutCancel(ctx)
	db, err := bunstore.Open(setup, c.DSN)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()
	store, err := bunstore.New(db)
	if err != nil {
		return err
	}
	authz, err := rbac.New(setup)
	if err != nil {
		return err
	}
	tenants, err := tenancy.New(store, authz, tenancy.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	f := &flipper{tenants: tenants, staff: clientele.AgencyAdmin(clientele.AgencyID(c.Agency)),
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true}},
		meURL:  strings.TrimRight(c.Portal, "/") + "/api/v1/me"}

	// Each user's current role; a user already removed is left out.
	var users []member
	for _, m := range list.Members(list.Len()) {
		got, err := tenants.Member(setup, f.staff, clientele.ClientID(m.Client), clientele.UserID(m.User))
		switch {
		case errors.Is(err, clientele.ErrNotFound):
			continue
		case err != nil:
			return fmt.Errorf("member %s: %w", m.User, err)
		}
		m.Role = string(got.Role)
		users = append(users, m)
	}
	logf, err := os.Create(c.Log)
	if err != nil {
		return err
	}
	defer func() { _ = logf.Close() }()
	w := bufio.NewWriter(logf)
	enc := json.NewEncoder(w)
	fmt.Fprintf(out, "flip: ready: %d of %d users present, %.0f ops/s, every %d-th op a removal\n",
		len(users), list.Len(), c.Rate, c.RemoveEvery)

	tick := time.NewTicker(time.Duration(float64(time.Second) / c.Rate))
	defer tick.Stop()
	var ops []flipOp
	for n, next := 1, 0; len(users) > 0; n++ {
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
		if ctx.Err() != nil {
			break
		}
		next %= len(users)
		u := &users[next]
		remove := c.RemoveEvery > 0 && n%c.RemoveEvery == 0
		op := f.do(setup, *u, remove)
		if err := enc.Encode(op); err != nil {
			return err
		}
		ops = append(ops, op)
		switch {
		case remove && op.Err == "":
			users = append(users[:next], users[next+1:]...)
		case op.Err == "":
			u.Role = op.Role
			next++
		default:
			next++
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	tally := tallyNext(ops)
	fmt.Fprintf(out, "flip: %d ops, %d failed, %d very-next-request mismatches; %d users left\n",
		tally.Ops, tally.Failed, tally.Mismatches, len(users))
	return nil
}

// planOp is the op on m: a removal, or the change to the other role.
func planOp(m member, remove bool) flipOp {
	op := flipOp{User: m.User, Client: m.Client, Op: opRole, Role: string(clientele.RoleAdmin)}
	switch {
	case remove:
		op.Op, op.Role = opRemove, ""
	case m.Role == string(clientele.RoleAdmin):
		op.Role = string(clientele.RoleMember)
	}
	return op
}

// do runs planOp(m, remove) through the library, then sends the very next
// request with m's session.
func (f *flipper) do(ctx context.Context, m member, remove bool) flipOp {
	op := planOp(m, remove)
	client, user := clientele.ClientID(m.Client), clientele.UserID(m.User)
	var err error
	op.StartNS = time.Now().UnixNano()
	if remove {
		err = f.tenants.Remove(ctx, f.staff, client, user)
	} else {
		_, err = f.tenants.ChangeRole(ctx, f.staff, client, user, clientele.Role(op.Role))
	}
	op.EndNS = time.Now().UnixNano()
	if err != nil {
		op.Err = err.Error()
		return op
	}
	op.NextStatus, op.NextRole = f.me(ctx, m)
	op.NextOK = nextShows(op, op.NextStatus, op.NextRole)
	return op
}

// me sends GET /api/v1/me with m's session and returns the status and, for
// a 200, the role; status 0 for a transport error.
func (f *flipper) me(ctx context.Context, m member) (int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.meURL, nil)
	if err != nil {
		return 0, ""
	}
	req.Header.Set("Authorization", "Bearer "+sessionToken(m.Client, m.User))
	resp, err := f.client.Do(req)
	if err != nil {
		return 0, ""
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, ""
	}
	return resp.StatusCode, roleOf(resp.StatusCode, body)
}

// roleOf is the top-level "role" of a 200 answer of GET /api/v1/me; "" for
// another status or a body without one.
func roleOf(status int, body []byte) string {
	if status != http.StatusOK {
		return ""
	}
	var v struct {
		Role string `json:"role"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.Role
}

// readFlipLog reads a flip log.
func readFlipLog(path string) ([]flipOp, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	var ops []flipOp
	dec := json.NewDecoder(f)
	for {
		var op flipOp
		err := dec.Decode(&op)
		if errors.Is(err, io.EOF) {
			return ops, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		ops = append(ops, op)
	}
}
