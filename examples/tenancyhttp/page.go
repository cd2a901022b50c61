package tenancyhttp

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/clientele/clientele/tenancy"
)

// pageOf reads ?limit= (1..200; absent: the service's default of 50) and
// ?cursor= (the "next" of the page before). A limit out of range or not a
// number answers errBadRequest; a malformed cursor is refused by the
// service (400 too).
func pageOf(r *http.Request) (tenancy.Page, error) {
	q := r.URL.Query()
	p := tenancy.Page{Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" || q.Has("limit") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > tenancy.MaxLimit {
			return tenancy.Page{}, fmt.Errorf("%w: limit must be a number from 1 to %d", errBadRequest, tenancy.MaxLimit)
		}
		p.Limit = n
	}
	return p, nil
}
