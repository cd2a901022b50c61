package bunstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/feature"

	"github.com/clientele/clientele"
)

// Rate-limit keys are stored as they are when they fit the column (up to
// 255 bytes of UTF-8 without NUL); any other key is stored as
// hashedKeyPrefix and its SHA-256 in hex, so every key works.
const (
	maxLimitKey     = 255
	hashedKeyPrefix = "sha256:"
)

// limitRetention is how long a window's count is kept after it starts:
// windows may last up to a day.
const limitRetention = 24 * time.Hour

// hitAttempts bounds the retries of a Hit that lost a deadlock.
const hitAttempts = 3

type limitRow struct {
	bun.BaseModel `bun:"table:clientele_rate_limits,alias:r"`

	Key         string    `bun:"limit_key,pk"`
	WindowStart time.Time `bun:"window_start,pk"`
	Count       int       `bun:"count"`
}

// Hit adds one attempt under key in the window starting at window and
// returns the window's count including it, in one upsert: concurrent hits
// each get their own count. When it starts a window's count it deletes
// up to sweepBatch counts of windows that started a day or more before
// now.
func (s *Store) Hit(ctx context.Context, key string, window, now time.Time) (int, error) {
	row := &limitRow{Key: storedKey(key), WindowStart: window.UTC(), Count: 1}
	var n int
	var err error
	for attempt := 1; attempt <= hitAttempts; attempt++ {
		if n, err = s.hit(ctx, row); !isDeadlock(err) {
			break
		}
	}
	if err != nil {
		return 0, failed("rate limit hit", err)
	}
	if n == 1 {
		s.forget(ctx, sweepLimits, now.Add(-limitRetention))
	}
	return n, nil
}

// hit is one attempt of Hit's upsert: INSERT ... ON CONFLICT DO UPDATE
// ... RETURNING (PostgreSQL, SQLite), or INSERT ... ON DUPLICATE KEY UPDATE
// (MySQL, MariaDB), which hands the count back through LAST_INSERT_ID.
func (s *Store) hit(ctx context.Context, row *limitRow) (int, error) {
	features := s.db.Dialect().Features()
	switch {
	case features.Has(feature.InsertOnConflict) && features.Has(feature.InsertReturning):
		var n int
		err := s.db.NewInsert().Model(row).On("CONFLICT (limit_key, window_start) DO UPDATE").
			Set("count = r.count + 1").Returning("count").Scan(ctx, &n)
		return n, err
	case features.Has(feature.InsertOnDuplicateKey):
		res, err := s.db.NewInsert().Model(row).Value("count", "LAST_INSERT_ID(1)").
			On("DUPLICATE KEY UPDATE").Set("count = LAST_INSERT_ID(count + 1)").
			Returning("NULL"). // MariaDB would return count as inserted, never as updated
			Exec(ctx)
		if err != nil {
			return 0, err
		}
		n, err := res.LastInsertId()
		return int(n), err
	}
	return 0, fmt.Errorf("%w: no upsert in dialect %s", clientele.ErrInvalidArgument, s.dialect)
}

// Clear forgets key's attempts in the window starting at window.
func (s *Store) Clear(ctx context.Context, key string, window time.Time) error {
	_, err := s.db.NewDelete().Model((*limitRow)(nil)).
		Where("limit_key = ?", storedKey(key)).Where("window_start = ?", window.UTC()).Exec(ctx)
	if err != nil {
		return failed("rate limit clear", err)
	}
	return nil
}

// storedKey is the column value for key.
func storedKey(key string) string {
	if len(key) <= maxLimitKey && utf8.ValidString(key) && !hasNUL(key) && !strings.HasPrefix(key, hashedKeyPrefix) {
		return key
	}
	h := sha256.Sum256([]byte(key))
	return hashedKeyPrefix + hex.EncodeToString(h[:])
}
