package tenancyhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/authn"
)

func errorBody(t *testing.T, w *httptest.ResponseRecorder) (code, message string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
	return body.Error.Code, body.Error.Message
}

func TestRecoverPanics(t *testing.T) {
	var logs bytes.Buffer
	a := &API{log: slog.New(slog.NewTextHandler(&logs, nil))}
	h := a.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret detail") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/me", nil))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	code, msg := errorBody(t, w)
	assert.Equal(t, "internal", code)
	assert.NotContains(t, msg, "secret")
	assert.Contains(t, logs.String(), "panic in handler")
	assert.Contains(t, logs.String(), "secret detail")

	// A panic after the answer started leaves it alone.
	h = a.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		panic("late")
	}))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	assert.Equal(t, http.StatusAccepted, w.Code)

	h = a.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)) })
}

func TestWriteErrorHidesUnknownErrors(t *testing.T) {
	var logs bytes.Buffer
	w := httptest.NewRecorder()
	WriteError(w, httptest.NewRequest("GET", "/", nil), fmt.Errorf("store: dial tcp 10.0.0.5: refused"), slog.New(slog.NewTextHandler(&logs, nil)))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	code, msg := errorBody(t, w)
	assert.Equal(t, "internal", code)
	assert.Equal(t, "internal server error", msg)
	assert.Contains(t, logs.String(), "10.0.0.5")
}

func TestWriteErrorRetryAfterRoundsUp(t *testing.T) {
	for _, tt := range []struct {
		wait time.Duration
		want string
	}{{1500 * time.Millisecond, "2"}, {time.Minute, "60"}, {0, "1"}, {time.Millisecond, "1"}} {
		w := httptest.NewRecorder()
		WriteError(w, httptest.NewRequest("POST", "/", nil), fmt.Errorf("x: %w", &authn.RateLimitError{RetryAfter: tt.wait}), nil)
		assert.Equal(t, http.StatusTooManyRequests, w.Code)
		assert.Equal(t, tt.want, w.Header().Get("Retry-After"), tt.wait)
	}
	w := httptest.NewRecorder()
	WriteError(w, httptest.NewRequest("POST", "/", nil), authn.ErrRateLimited, nil)
	assert.Equal(t, "1", w.Header().Get("Retry-After"))
}

func TestWindowLimiter(t *testing.T) {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	l := newWindowLimiter(2, time.Minute, 2)
	ok, _ := l.allow("a", start)
	assert.True(t, ok)
	ok, _ = l.allow("a", start.Add(10*time.Second))
	assert.True(t, ok)
	ok, wait := l.allow("a", start.Add(15*time.Second))
	assert.False(t, ok)
	assert.Equal(t, 45*time.Second, wait)
	ok, _ = l.allow("b", start)
	assert.True(t, ok)

	// Full of this window's keys: a new key is refused (fails closed).
	ok, wait = l.allow("c", start.Add(20*time.Second))
	assert.False(t, ok)
	assert.Equal(t, 40*time.Second, wait)

	// Next window: old keys make room and counts start again.
	ok, _ = l.allow("c", start.Add(time.Minute))
	assert.True(t, ok)
	ok, _ = l.allow("a", start.Add(time.Minute))
	assert.True(t, ok)
	assert.LessOrEqual(t, len(l.counts), 2)
}

// FuzzDecodeJSON: the request decoder never panics and answers every bad
// body with a 4xx error.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"email":"a@example.com","role":"member"}`, `{"email":1}`, `{"role":null}`, `{} {}`, `{}x`, `[`, ``, `null`,
		`{"email":"a","email":"b"}`, `{"unknown":true}`, "\xff", `{"email":"\ud800"}`, strings.Repeat("[", 10000),
		`{"permissions":["a"]}`, `"str"`, `  {"role":"admin"}  `,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var dst struct {
			Email       string   `json:"email"`
			Role        string   `json:"role"`
			Permissions []string `json:"permissions"`
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		err := decodeJSON(w, r, &dst)
		if err == nil {
			return
		}
		WriteError(w, r, err, nil)
		if w.Code != http.StatusBadRequest && w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("body %q: status %d, want 400 or 413", body, w.Code)
		}
		if !errors.Is(err, errBadRequest) && !errors.Is(err, errTooLarge) {
			t.Fatalf("body %q: error %v is not an input error", body, err)
		}
	})
}
