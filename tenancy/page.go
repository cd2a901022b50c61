package tenancy

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/clientele/clientele"
)

// Page sizes.
const (
	// DefaultLimit is the page size when none is asked.
	DefaultLimit = 50
	// MaxLimit is the largest page size.
	MaxLimit = 200
	// maxCursor bounds an encoded cursor's length.
	maxCursor = 1024
)

// Page asks for one page of a list.
type Page struct {
	// Limit is the page size: 0 means DefaultLimit; 1..MaxLimit.
	Limit int
	// Cursor is the Next of the page before, or empty for the first.
	Cursor string
}

// parse validates the page and decodes its cursor.
func (p Page) parse() (*Key, int, error) {
	limit := p.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 1 || limit > MaxLimit {
		return nil, 0, fmt.Errorf("%w: limit must be 1..%d", clientele.ErrInvalidArgument, MaxLimit)
	}
	if p.Cursor == "" {
		return nil, limit, nil
	}
	k, err := DecodeCursor(p.Cursor)
	if err != nil {
		return nil, 0, err
	}
	return &k, limit, nil
}

// EncodeCursor returns the opaque cursor of k: base64url of a JSON pair.
func EncodeCursor(k Key) string {
	b, _ := json.Marshal([2]string{k.Sort, k.ID}) // marshalling two strings cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor made by EncodeCursor. Anything else answers
// clientele.ErrInvalidArgument.
func DecodeCursor(s string) (Key, error) {
	bad := fmt.Errorf("%w: malformed cursor", clientele.ErrInvalidArgument)
	if len(s) > maxCursor {
		return Key{}, bad
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return Key{}, bad
	}
	var pair [2]string
	if err := json.Unmarshal(b, &pair); err != nil || !clientele.ValidID(pair[1]) || EncodeCursor(Key{Sort: pair[0], ID: pair[1]}) != s {
		return Key{}, bad
	}
	return Key{Sort: pair[0], ID: pair[1]}, nil
}

// next returns the cursor after a full page, or "" after the last.
func next(n, limit int, last func() Key) string {
	if n < limit {
		return ""
	}
	return EncodeCursor(last())
}
