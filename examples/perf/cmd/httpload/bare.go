package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// cmdBare is `httpload bare -addr A -body FILE`: a bare net/http server
// answering every request with FILE as JSON, with the headers the portal
// sends with /api/v1/me (tenancyhttp's writeJSON), until SIGTERM.
func cmdBare(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8081", "listen address")
	bodyFile := fs.String("body", "", "the answer's body (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *bodyFile == "" {
		return fmt.Errorf("%w: bare needs -body", errUsage)
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// The portal's server timeouts, so that both servers differ only in
	// their handler.
	hs := &http.Server{Handler: bareHandler(body), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(out, "bare: listening on %s, answering %d bytes\n", ln.Addr(), len(body))
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// bareHandler answers every request 200 with body and the headers of
// tenancyhttp's writeJSON.
func bareHandler(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body) // the status is sent; a failed write has nobody to tell
	})
}
