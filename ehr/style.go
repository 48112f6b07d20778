package ehr

import (
	"encoding/json"
	"net/http"
)

// Style is the SMART style document (SMART App Launch 2.2,
// scopes-and-launch-context.html, "Styling"): the EHR's look, which a
// launched app fetches from the token response's smart_style_url so that
// an embedded app blends in. Colors are CSS colors, dimensions CSS
// lengths, fonts CSS font-family lists.
type Style struct {
	ColorBackground    string `json:"color_background"`
	ColorError         string `json:"color_error"`
	ColorHighlight     string `json:"color_highlight"`
	ColorModalBackdrop string `json:"color_modal_backdrop"`
	ColorSuccess       string `json:"color_success"`
	ColorText          string `json:"color_text"`
	DimBorderRadius    string `json:"dim_border_radius"`
	DimFontSize        string `json:"dim_font_size"`
	DimSpacingSize     string `json:"dim_spacing_size"`
	FontFamilyBody     string `json:"font_family_body"`
	FontFamilyHeading  string `json:"font_family_heading"`
}

// systemFonts is the stylesheet's font stack (ui/static/style.css).
const systemFonts = `system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif`

// SMARTStyle returns the style of smartd's EHR view: the values of the
// stylesheet's custom properties (ui/static/style.css, :root), so that an
// app and the EHR page around it agree; a test keeps them in step.
func SMARTStyle() Style { return ehrStyle }

// ehrStyle is SMARTStyle's value, never changed.
var ehrStyle = Style{
	ColorBackground:    "#ffffff", // --bg
	ColorError:         "#a4161a", // --danger
	ColorHighlight:     "#0b5cad", // --accent
	ColorModalBackdrop: "rgba(26, 26, 26, 0.6)",
	ColorSuccess:       "#1e6b34", // --success
	ColorText:          "#1a1a1a", // --fg
	DimBorderRadius:    "6px",
	DimFontSize:        "17px", // body: 1.0625rem
	DimSpacingSize:     "16px",
	FontFamilyBody:     systemFonts,
	FontFamilyHeading:  systemFonts,
}

// styleJSON is ehrStyle encoded once.
var styleJSON, _ = json.MarshalIndent(ehrStyle, "", "  ")

// serveStyle serves GET <base>/ehr/smart-style.json to anyone: apps
// fetch it from the browser, cross-origin (CORS *), and it holds nothing
// private. It may be cached for an hour.
func serveStyle(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(styleJSON)
}
