package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/examples/internal/pgxconn"
)

// Clients per transaction: COPY streams well in large batches; bun's
// INSERTs are kept to ten statements of each table. Smaller runs use a
// tenth of their clients, so that progress shows every 10%.
const (
	pgChunk  = 10000
	bunChunk = 1000
)

// run opens cfg.DSN, migrates it, seeds it and prints progress and a
// summary to out. On an error (a cancel among them) the clients already
// committed stay, each complete, and out says how many.
func run(ctx context.Context, cfg Config, out io.Writer) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	db, err := bunstore.Open(ctx, cfg.DSN)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }() // the run's own outcome is what counts
	if err := bunstore.Migrate(ctx, db); err != nil {
		return err
	}
	res, err := seed(ctx, db, cfg, time.Now(), out)
	if err != nil {
		if res.Agency != "" {
			fmt.Fprintf(out, "seed: stopped: agency %s has %d of %d clients, each complete\n", res.Agency, res.Counts.Clients, cfg.Clients)
		}
		return err
	}
	res.summary(out)
	return nil
}

// loader writes rows in a dialect's fastest way.
type loader interface {
	// agency writes the plan's agency.
	agency(ctx context.Context, p *plan) error
	// chunk writes the chunk's clients, users, memberships and invitations,
	// all or nothing.
	chunk(ctx context.Context, p *plan, ch *chunk) error
	// finish readies the tables for reading once every chunk is in.
	finish(ctx context.Context) error
}

// result is what a run wrote.
type result struct {
	Agency     clientele.AgencyID
	AgencyName string
	Tag        string
	Counts     counts
	Elapsed    time.Duration
	// SignIn is the first client's Admin.
	SignIn clientele.Email
}

// seed writes one new agency with cfg's clients, users, memberships and
// invitations into db, whose schema bunstore.Migrate has created, with now
// as every row's creation time. It prints progress to out at each 10% of
// the clients. On an error it returns what was committed.
func seed(ctx context.Context, db *bun.DB, cfg Config, now time.Time, out io.Writer) (result, error) {
	start := time.Now()
	p, err := newPlan(ctx, cfg, now)
	if err != nil {
		return result{}, err
	}
	share := (cfg.Clients + 9) / 10
	switch name := db.Dialect().Name(); name {
	case dialect.PG:
		var res result
		err := pgxconn.With(ctx, db, func(conn *pgx.Conn) error {
			var lerr error
			res, lerr = load(ctx, p, pgLoader{conn}, min(share, pgChunk), start, out)
			return lerr
		})
		return res, err
	case dialect.MySQL, dialect.SQLite:
		return load(ctx, p, bunLoader{db}, min(share, bunChunk), start, out)
	default:
		return result{}, fmt.Errorf("%w: seed: unsupported dialect %s", clientele.ErrInvalidArgument, name)
	}
}

// load writes the agency, then the clients chunkSize at a time.
func load(ctx context.Context, p *plan, l loader, chunkSize int, start time.Time, out io.Writer) (result, error) {
	res := result{AgencyName: p.agency.Name, Tag: p.tag, SignIn: clientele.Email(p.userEmail(1, 1))}
	if err := l.agency(ctx, p); err != nil {
		return res, err
	}
	res.Agency = clientele.AgencyID(p.agency.ID)
	res.Counts.Agencies = 1
	total, step := p.cfg.Clients, 1
	for first := 1; first <= total; first += chunkSize {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		ch := p.newChunk(first, min(chunkSize, total-first+1))
		if err := l.chunk(ctx, p, ch); err != nil {
			return res, fmt.Errorf("clients %d..%d: %w", first, first+len(ch.clients)-1, err)
		}
		res.Counts.add(ch, p.cfg.InvitationsPerClient)
		res.Elapsed = time.Since(start)
		done := int(res.Counts.Clients)
		for ; step <= 10 && done*10 >= step*total; step++ {
			fmt.Fprintf(out, "seed: %3d%%  %d/%d clients  %d rows  %.2fs\n", step*10, done, total, res.Counts.total(), res.Elapsed.Seconds())
		}
	}
	if err := l.finish(ctx); err != nil {
		return res, err
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// summary prints the run's figures and how to sign in.
func (r result) summary(out io.Writer) {
	c := r.Counts
	fmt.Fprintf(out, "seed: done: agencies=%d clients=%d users=%d memberships=%d invitations=%d rows=%d in %.2fs (%.0f rows/s); agency %s %q\n",
		c.Agencies, c.Clients, c.Users, c.Memberships, c.Invitations, c.total(), r.Elapsed.Seconds(),
		float64(c.total())/r.Elapsed.Seconds(), r.Agency, r.AgencyName)
	fmt.Fprintf(out, "seed: every seeded user shares ONE argon2id hash of the -password value (default %q): sign in as any of them, e.g. %s (Admin of Client 000001); invitation tokens were discarded\n",
		defaultPassword, r.SignIn)
}
