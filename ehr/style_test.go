package ehr_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/ehr"
	"smartd/ui"
)

func TestSMARTStyle(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Get(e.ts.URL + basePath + "/ehr/smart-style.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	var doc map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	// Every property of SMART App Launch 2.2 "Styling", each set.
	want := []string{"color_background", "color_error", "color_highlight", "color_modal_backdrop", "color_success", "color_text",
		"dim_border_radius", "dim_font_size", "dim_spacing_size", "font_family_body", "font_family_heading"}
	var keys []string
	for k, v := range doc {
		keys = append(keys, k)
		if strings.TrimSpace(v) == "" {
			t.Errorf("%s is empty", k)
		}
	}
	slices.Sort(keys)
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	for k, v := range doc {
		switch {
		case strings.HasPrefix(k, "color_") && !regexp.MustCompile(`^(#[0-9a-f]{6}|rgba\(\d+, \d+, \d+, [0-9.]+\))$`).MatchString(v):
			t.Errorf("%s = %q is not a CSS color", k, v)
		case strings.HasPrefix(k, "dim_") && !regexp.MustCompile(`^\d+px$`).MatchString(v):
			t.Errorf("%s = %q is not a CSS length", k, v)
		}
	}
}

// TestSMARTStyleMatchesStylesheet keeps the style document and the
// stylesheet's custom properties in step.
func TestSMARTStyleMatchesStylesheet(t *testing.T) {
	rec := httptest.NewRecorder()
	ui.Static().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, ui.StylesheetURL(), nil))
	css, _ := io.ReadAll(rec.Body)
	props := map[string]string{}
	for _, m := range regexp.MustCompile(`(--[a-z-]+):\s*([^;]+);`).FindAllStringSubmatch(string(css), -1) {
		props[m[1]] = strings.TrimSpace(m[2])
	}
	s := ehr.SMARTStyle()
	for prop, v := range map[string]string{
		"--bg": s.ColorBackground, "--danger": s.ColorError, "--accent": s.ColorHighlight, "--success": s.ColorSuccess, "--fg": s.ColorText,
	} {
		if props[prop] != v {
			t.Errorf("stylesheet %s = %q, style document %q", prop, props[prop], v)
		}
	}
	if !strings.Contains(string(css), "font-family: "+s.FontFamilyBody+";") {
		t.Errorf("the stylesheet's body font is not %q", s.FontFamilyBody)
	}
}
