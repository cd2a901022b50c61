package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/clientele/clientele"
)

// defaultColor is the primary color of an agency that chose none (the
// invitation email's too).
const defaultColor = "#4f46e5"

// brand is the agency's branding as the pages show it.
type brand struct {
	Name    string
	LogoURL string
	// Color is "#rrggbb"; Hex is the same without "#", for /brand.css.
	Color, Hex string
}

func brandOf(b clientele.Branding) brand {
	name := strings.TrimSpace(b.Name)
	if name == "" {
		name = "Client Portal"
	}
	color := strings.ToLower(b.PrimaryColor)
	if !hexColor(color) {
		color = defaultColor
	}
	logo := b.LogoURL
	if !strings.HasPrefix(logo, "https://") && !strings.HasPrefix(logo, "http://") {
		logo = ""
	}
	return brand{Name: name, LogoURL: logo, Color: color, Hex: color[1:]}
}

// hexColor reports whether s is "#rrggbb" in lower case.
func hexColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, c := range s[1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// brandCSS serves GET /brand.css?c=rrggbb: the primary color and the ink
// that reads on it as CSS variables. The answer depends on the URL alone,
// so it is cached for good; a malformed color gives the default.
func brandCSS(w http.ResponseWriter, r *http.Request) {
	color := "#" + strings.ToLower(r.URL.Query().Get("c"))
	if !hexColor(color) {
		color = defaultColor
	}
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	fmt.Fprintf(w, ":root{--brand:%s;--brand-ink:%s}\n", color, inkOn(color))
}

// inkOn is the text color, white or near-black, with the higher contrast
// on the background color bg ("#rrggbb").
func inkOn(bg string) string {
	n, err := strconv.ParseUint(bg[1:], 16, 32)
	if err != nil || len(bg) != 7 {
		return "#ffffff"
	}
	lum := 0.0
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		c := float64(n>>(16-8*i)&0xff) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		lum += weight * c
	}
	// Contrast with white is 1.05/(lum+0.05), with black (lum+0.05)/0.05.
	if 1.05/(lum+0.05) >= (lum+0.05)/0.05 {
		return "#ffffff"
	}
	return "#111827"
}
