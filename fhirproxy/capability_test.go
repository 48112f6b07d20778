package fhirproxy_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/fhirproxy/validate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestCapabilityStatement compares GET /fhir/metadata with
// testdata/capability.golden.json (refresh with -update), with the
// server's root URL written as {{root}}.
func TestCapabilityStatement(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	r := s.get("/metadata", "Accept", "application/json")
	if r.Status != http.StatusOK {
		t.Fatalf("metadata: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/fhir+json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, r.Body, "", "  "); err != nil {
		t.Fatal(err)
	}
	// The server's root URL (the FHIR base less /fhir) varies by port.
	got := strings.ReplaceAll(buf.String(), strings.TrimSuffix(s.base, "/fhir"), "{{root}}") + "\n"
	golden := filepath.Join("testdata", "capability.golden.json")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestCapabilityStatement -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("CapabilityStatement differs from %s (-want +got):\n%s", golden, diff)
	}
	if _, _, err := validate.Check(r.Body, "CapabilityStatement"); err != nil {
		t.Errorf("the CapabilityStatement is not a valid resource: %v", err)
	}
	if again := s.get("/metadata"); !bytes.Equal(again.Body, r.Body) {
		t.Error("two metadata requests differ")
	}
}

// capability is the part of a CapabilityStatement the claims test reads.
type capability struct {
	ResourceType   string `json:"resourceType"`
	Date           string `json:"date"`
	FhirVersion    string `json:"fhirVersion"`
	Implementation struct {
		URL string `json:"url"`
	} `json:"implementation"`
	Rest []struct {
		Mode     string `json:"mode"`
		Resource []struct {
			Type        string `json:"type"`
			Interaction []struct {
				Code string `json:"code"`
			} `json:"interaction"`
			SearchParam []struct {
				Name string `json:"name"`
				Type string `json:"type"`
			} `json:"searchParam"`
			SearchInclude    []string `json:"searchInclude"`
			SearchRevInclude []string `json:"searchRevInclude"`
		} `json:"resource"`
		Interaction []struct {
			Code string `json:"code"`
		} `json:"interaction"`
	} `json:"rest"`
}

// TestCapabilityClaims checks what the CapabilityStatement claims against
// the server: every listed type is searchable, and every search
// parameter, _include and _revinclude it lists for a type is accepted
// under Prefer: handling=strict.
func TestCapabilityClaims(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	var cs capability
	if err := json.Unmarshal(s.get("/metadata").Body, &cs); err != nil {
		t.Fatal(err)
	}
	if cs.ResourceType != "CapabilityStatement" || cs.FhirVersion != "4.0.1" || cs.Date != "2026-11-23T08:00:00Z" || cs.Implementation.URL != s.base {
		t.Errorf("header: %+v", cs)
	}
	if len(cs.Rest) != 1 || cs.Rest[0].Mode != "server" || len(cs.Rest[0].Resource) < 140 {
		t.Fatalf("rest: %d entries", len(cs.Rest))
	}
	var system []string
	for _, i := range cs.Rest[0].Interaction {
		system = append(system, i.Code)
	}
	if diff := cmp.Diff([]string{"batch", "history-system", "search-system", "transaction"}, sorted(system)); diff != "" {
		t.Errorf("system interactions (-want +got):\n%s", diff)
	}
	for _, res := range cs.Rest[0].Resource {
		v := url.Values{}
		for _, p := range res.SearchParam {
			v.Add(p.Name+":missing", "true")
		}
		for _, inc := range res.SearchInclude {
			v.Add("_include", inc)
		}
		for _, inc := range res.SearchRevInclude {
			v.Add("_revinclude", inc)
		}
		r := s.get("/"+res.Type+"?"+v.Encode(), "Prefer", "handling=strict")
		if r.Status != http.StatusOK {
			t.Errorf("%s: a search with every listed parameter: %d %.300s", res.Type, r.Status, r.Body)
		}
		if len(res.Interaction) != 8 {
			t.Errorf("%s: %d interactions", res.Type, len(res.Interaction))
		}
	}
}
