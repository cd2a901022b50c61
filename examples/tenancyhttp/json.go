package tenancyhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"
)

// maxBody caps a request body: 1 MiB.
const maxBody = 1 << 20

// decodeJSON reads r's body into dst, which must be a pointer to a struct.
// The body must be exactly one JSON value of dst's shape: at most 1 MiB
// (else errTooLarge), valid UTF-8 with no replacement character (a lone
// surrogate escape decodes to one), no name twice in an object (compared
// without case, as encoding/json matches them), top-level names exactly
// dst's, no value of the wrong type and nothing after the value but white
// space (else errBadRequest). A Content-Type, when sent, must be JSON
// (application/json or a +json type); a form or text body is refused even
// though its bytes are JSON (a cross-site form posts text/plain). It never
// panics, whatever the body.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return fmt.Errorf("%w: send the body as Content-Type: application/json", errBadRequest)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return bodyError(err)
	}
	if err := strictJSON(body, fieldNames(dst)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data after the JSON value", errBadRequest)
	}
	return nil
}

// strictJSON checks what encoding/json lets through: invalid UTF-8, the
// replacement character, duplicate names and top-level names that match
// a field only without case. Syntax errors are left to the decoder.
func strictJSON(body []byte, names map[string]bool) error {
	if !utf8.Valid(body) {
		return fmt.Errorf("%w: the body is not valid UTF-8", errBadRequest)
	}
	type level struct {
		object  bool
		wantKey bool
		keys    map[string]bool
	}
	var stack []level
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or a syntax error the decoder will report
		}
		top := len(stack) - 1
		if s, ok := tok.(string); ok && strings.ContainsRune(s, utf8.RuneError) {
			return fmt.Errorf("%w: the body holds an invalid character (U+FFFD or a lone surrogate)", errBadRequest)
		}
		if key, ok := tok.(string); ok && top >= 0 && stack[top].wantKey {
			folded := strings.ToLower(key)
			if stack[top].keys[folded] {
				return fmt.Errorf("%w: %q appears twice", errBadRequest, key)
			}
			if top == 0 && names != nil && !names[key] {
				return fmt.Errorf("%w: unknown field %q", errBadRequest, key)
			}
			stack[top].keys[folded], stack[top].wantKey = true, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, level{object: true, wantKey: true, keys: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, level{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:top]
			top--
		}
		if top >= 0 && stack[top].object {
			stack[top].wantKey = true // a value ended: a name or the end comes next
		}
	}
}

// fieldNames returns the JSON names of the struct dst points to.
func fieldNames(dst any) map[string]bool {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	names := map[string]bool{}
	for f := range t.Elem().Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case name != "":
			names[name] = true
		case f.IsExported():
			names[f.Name] = true
		}
	}
	return names
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

// jsonHeaders are the values writeJSON sets; net/http only reads them.
var jsonHeaders = struct{ contentType, cacheControl, noSniff []string }{
	[]string{"application/json"}, []string{"no-store"}, []string{"nosniff"}}

// writeJSON answers v as JSON with status. API answers are never cached:
// some carry session tokens.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h["Content-Type"] = jsonHeaders.contentType // canonical keys, shared values: no allocation
	h["Cache-Control"] = jsonHeaders.cacheControl
	h["X-Content-Type-Options"] = jsonHeaders.noSniff
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the status is sent; a failed write has nobody to tell
}
