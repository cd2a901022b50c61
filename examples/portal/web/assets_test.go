package web_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBrandCSS(t *testing.T) {
	s := newSite(t)
	tests := map[string]string{
		"/brand.css?c=0f766e":           ":root{--brand:#0f766e;--brand-ink:#ffffff}\n",
		"/brand.css?c=FFCC00":           ":root{--brand:#ffcc00;--brand-ink:#111827}\n",
		"/brand.css?c=</style><script>": ":root{--brand:#4f46e5;--brand-ink:#ffffff}\n",
		"/brand.css":                    ":root{--brand:#4f46e5;--brand-ink:#ffffff}\n",
	}
	for path, want := range tests {
		t.Run(path, func(t *testing.T) {
			w := s.get(strings.ReplaceAll(path, "<", "%3C"), anonymous)
			require.Equal(t, http.StatusOK, w.Code)
			assert.Equal(t, want, w.Body.String())
			assert.Equal(t, "text/css; charset=utf-8", w.Header().Get("Content-Type"))
			assert.Contains(t, w.Header().Get("Cache-Control"), "immutable", "the answer depends on the URL alone")
		})
	}
}

func TestStaticFiles(t *testing.T) {
	s := newSite(t)
	for _, f := range []struct{ name, ctype string }{
		{"app.css", "text/css"}, {"common.js", "javascript"}, {"users.js", "javascript"},
		{"webauthn.js", "javascript"}, {"portal.js", "javascript"}, {"console.js", "javascript"}, {"reauth.js", "javascript"},
	} {
		t.Run(f.name, func(t *testing.T) {
			w := s.get("/static/"+f.name, anonymous)
			require.Equal(t, http.StatusOK, w.Code)
			assert.Contains(t, w.Header().Get("Content-Type"), f.ctype)
			assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
			etag := w.Header().Get("ETag")
			require.NotEmpty(t, etag)

			r := httptest.NewRequest("GET", "https://"+portalHost+"/static/"+f.name, nil)
			r.Header.Set("If-None-Match", etag)
			w = httptest.NewRecorder()
			s.pages.ServeHTTP(w, r)
			assert.Equal(t, http.StatusNotModified, w.Code)
		})
	}
	assert.Equal(t, http.StatusNotFound, s.get("/static/missing.js", anonymous).Code)
	assert.NotEqual(t, http.StatusOK, s.get("/static/../web.go", anonymous).Code, "only the embedded files")
}

// The scripts never put data into markup: no innerHTML, insertAdjacentHTML,
// document.write or eval, and no inline style through setAttribute.
func TestScriptsBuildTheDOMSafely(t *testing.T) {
	s := newSite(t)
	unsafe := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\('style'`)
	for _, name := range []string{"common.js", "users.js", "webauthn.js", "portal.js", "console.js", "reauth.js"} {
		body := s.get("/static/"+name, anonymous).Body.String()
		assert.NotRegexp(t, unsafe, body, name)
	}
	// Every module a page loads or imports is served.
	imports := regexp.MustCompile(`from '\./([a-z]+\.js)'`)
	for _, name := range []string{"portal.js", "console.js", "users.js", "reauth.js"} {
		for _, m := range imports.FindAllStringSubmatch(s.get("/static/"+name, anonymous).Body.String(), -1) {
			assert.Equal(t, http.StatusOK, s.get("/static/"+m[1], anonymous).Code, "%s imports %s", name, m[1])
		}
	}
}
