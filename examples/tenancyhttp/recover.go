package tenancyhttp

import (
	"errors"
	"net/http"
	"runtime/debug"
)

// errPanic stands for a recovered panic.
var errPanic = errors.New("tenancyhttp: handler panicked")

// recoverPanics turns a panic in next into a logged 500 internal (when no
// response was started). http.ErrAbortHandler is re-raised, as net/http
// expects.
func (a *API) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &startedWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { // net/http panics with this exact value
				panic(v)
			}
			a.log.ErrorContext(r.Context(), "panic in handler", "method", r.Method,
				"panic", v, "stack", string(debug.Stack()))
			if !sw.started {
				WriteError(sw, r, errPanic, nil)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// startedWriter records whether the response has started.
type startedWriter struct {
	http.ResponseWriter
	started bool
}

func (w *startedWriter) WriteHeader(code int) {
	w.started = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *startedWriter) Write(b []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *startedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
