package tenancyhttp

import (
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/clientele/clientele"
)

// meJSON is the body of GET /api/v1/me. Every request of a signed-in
// page asks for it, so it is written by hand rather than by reflection
// (encoding/json took a fifth of the API's time per request); the bytes
// are exactly those encoding/json writes (TestMeJSONMatchesEncodingJSON,
// FuzzMeJSON).
type meJSON struct {
	User        userJSON               `json:"user"`
	Client      clientRef              `json:"client"`
	Role        clientele.Role         `json:"role"`
	Permissions []clientele.Permission `json:"permissions"`
}

// clientRef is a client by id and name.
type clientRef struct {
	ID   clientele.ClientID `json:"id"`
	Name string             `json:"name"`
}

var meBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeMe answers m as writeJSON would.
func writeMe(w http.ResponseWriter, m *meJSON) {
	bp := meBuffers.Get().(*[]byte)
	b := m.appendJSON((*bp)[:0])
	h := w.Header()
	h["Content-Type"] = jsonHeaders.contentType
	h["Cache-Control"] = jsonHeaders.cacheControl
	h["X-Content-Type-Options"] = jsonHeaders.noSniff
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b) // the status is sent; a failed write has nobody to tell
	*bp = b
	meBuffers.Put(bp)
}

// appendJSON appends m as encoding/json's Encoder writes it, newline
// included.
func (m *meJSON) appendJSON(b []byte) []byte {
	u := &m.User
	b = append(b, `{"user":{"id":`...)
	b = appendString(b, u.ID)
	b = append(b, `,"name":`...)
	b = appendString(b, u.Name)
	b = append(b, `,"email":`...)
	b = appendString(b, string(u.Email))
	b = append(b, `,"role":`...)
	b = appendString(b, string(u.Role))
	b = append(b, `,"status":`...)
	b = appendString(b, u.Status)
	b = append(b, `,"last_active_at":`...)
	b = appendTime(b, u.LastActiveAt)
	if u.ExpiresAt != nil {
		b = append(b, `,"expires_at":`...)
		b = appendTime(b, u.ExpiresAt)
	}
	b = append(b, `},"client":{"id":`...)
	b = appendString(b, string(m.Client.ID))
	b = append(b, `,"name":`...)
	b = appendString(b, m.Client.Name)
	b = append(b, `},"role":`...)
	b = appendString(b, string(m.Role))
	b = append(b, `,"permissions":`...)
	if m.Permissions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, p := range m.Permissions {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, string(p))
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...)
}

// appendTime appends t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds), or null.
func appendTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way encoding/json does with
// HTML escaping on: <, > and & as \u003c, \u003e, \u0026; U+2028 and
// U+2029 escaped; invalid UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = strconv.AppendInt(b, int64(r&0xf), 16)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
