package conformance

import (
	"fmt"
	"net/url"
)

// styleKeys are the properties of a SMART style document
// (scopes-and-launch-context.html, "Styling").
var styleKeys = []string{"color_background", "color_error", "color_highlight", "color_modal_backdrop",
	"color_success", "color_text", "dim_border_radius", "dim_font_size", "dim_spacing_size",
	"font_family_body", "font_family_heading"}

// ehrToken redeems the EHR launch's code and checks the context the
// token response carries against the launch that was created: patient,
// encounter when one was sent, need_patient_banner true; and that the
// patient is readable with the token.
func (r *runner) ehrToken(st *step, es *ehrState, code, verifier string) error {
	resp, err := r.exchange(code, verifier)
	if err != nil {
		return err
	}
	m, err := tokenResponse(resp)
	if err != nil {
		return err
	}
	es.token = m
	es.access, _ = str(m, "access_token")
	var p []string
	if got, _ := str(m, "patient"); got != es.sent.Patient {
		p = append(p, fmt.Sprintf("patient is %q, the launch has %q", got, es.sent.Patient))
	}
	if es.sent.Encounter != "" {
		if got, _ := str(m, "encounter"); got != es.sent.Encounter {
			p = append(p, fmt.Sprintf("encounter is %q, the launch has %q", got, es.sent.Encounter))
		}
	}
	if b, ok := m["need_patient_banner"].(bool); !ok || !b {
		p = append(p, fmt.Sprintf("need_patient_banner is %v, the launch asked for true", m["need_patient_banner"]))
	}
	if len(p) > 0 {
		return joinProblems(p)
	}
	read, err := r.fhirGet(r.cfg.FHIRBase+"/Patient/"+url.PathEscape(es.sent.Patient), es.access)
	if err != nil {
		return err
	}
	if err := isResource(read, "Patient", es.sent.Patient); err != nil {
		return fmt.Errorf("reading the patient in context: %v", err)
	}
	st.note("patient %s, encounter %q", es.sent.Patient, es.sent.Encounter)
	return nil
}

// smartStyle fetches smart_style_url and checks it is a JSON object with
// every style property as a string.
func (r *runner) smartStyle(st *step, token map[string]any) error {
	raw, _ := str(token, "smart_style_url")
	if raw == "" {
		return fmt.Errorf("the token response has no smart_style_url")
	}
	if u, err := url.Parse(raw); err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("smart_style_url %q is not an absolute http(s) URL", raw)
	}
	resp, err := r.get(raw, "Accept", "application/json")
	if err != nil {
		return err
	}
	if resp.Status != 200 {
		return fmt.Errorf("smart_style_url got %s, want 200", resp.describe())
	}
	doc, err := resp.object()
	if err != nil {
		return err
	}
	var missing []string
	for _, k := range styleKeys {
		if s, ok := str(doc, k); !ok || s == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the style document lacks (or has no string for) %v", missing)
	}
	st.note("%s", raw)
	return nil
}

// fhirContextShape checks the token response's fhirContext: an array of
// objects (SMART 2.1 and later; 2.0 had strings), each with a reference,
// canonical or identifier, holding every item the launch was created
// with.
func fhirContextShape(st *step, sent []map[string]string, token map[string]any) error {
	if len(sent) == 0 {
		return skipf("the launch has no fhirContext")
	}
	arr, ok := token["fhirContext"].([]any)
	if !ok {
		return fmt.Errorf("fhirContext is %T (%v), want an array of objects", token["fhirContext"], token["fhirContext"])
	}
	var items []map[string]any
	var p []string
	for i, v := range arr {
		obj, ok := v.(map[string]any)
		if !ok {
			p = append(p, fmt.Sprintf("item %d is %T, not an object (strings were SMART 2.0)", i, v))
			continue
		}
		_, hasRef := str(obj, "reference")
		_, hasCanon := str(obj, "canonical")
		_, hasIdent := obj["identifier"].(map[string]any)
		if !hasRef && !hasCanon && !hasIdent {
			p = append(p, fmt.Sprintf("item %d has no reference, canonical or identifier", i))
		}
		items = append(items, obj)
	}
	for _, want := range sent {
		if !containsItem(items, want) {
			p = append(p, fmt.Sprintf("the launch's item %v is missing", want))
		}
	}
	if len(p) > 0 {
		return joinProblems(p)
	}
	st.note("%d items", len(arr))
	return nil
}

// containsItem reports whether one of items has every member of want.
func containsItem(items []map[string]any, want map[string]string) bool {
	for _, it := range items {
		match := true
		for k, v := range want {
			if s, _ := str(it, k); s != v {
				match = false
			}
		}
		if match {
			return true
		}
	}
	return false
}
