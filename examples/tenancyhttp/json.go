package tenancyhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxBody caps a request body: 1 MiB.
const maxBody = 1 << 20

// decodeJSON reads r's body into dst, which must be a pointer to a struct.
// The body must be exactly one JSON value of dst's shape: at most 1 MiB
// (else errTooLarge), no field dst lacks, no value of the wrong type and
// nothing after the value but white space (else errBadRequest). It never
// panics, whatever the body.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if errors.Is(bodyError(err), errTooLarge) {
			return errTooLarge
		}
		return fmt.Errorf("%w: data after the JSON value", errBadRequest)
	}
	return nil
}

// bodyError classifies a decoding error.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errTooLarge
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w: the body must be a JSON object", errBadRequest)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the JSON body ends too early", errBadRequest)
	}
	return fmt.Errorf("%w: invalid JSON body: %v", errBadRequest, err)
}

// writeJSON answers v as JSON with status. API answers are never cached:
// some carry session tokens.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the status is sent; a failed write has nobody to tell
}
