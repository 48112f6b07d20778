package upstream_test

import (
	"crypto"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"smartd/fhirproxy/upstream"
)

// thumbprint is the RFC 7638 kid of a public key.
func thumbprint(t *testing.T, pub crypto.PublicKey) string {
	t.Helper()
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(tp)
}

// record is what the upstream holds of a patient, by "Type/id".
func (u *upstreamServer) record(patient string) map[string]bool {
	u.t.Helper()
	r := u.get("/Patient/" + patient + "/$everything")
	if r.status != http.StatusOK {
		u.t.Fatalf("$everything %s: %d %s", patient, r.status, r.raw)
	}
	out := map[string]bool{}
	for _, ref := range r.refs() {
		out[ref] = true
	}
	return out
}

// private is what of patient's record is not also other's.
func private(of, other map[string]bool) map[string]bool {
	out := map[string]bool{}
	for r := range of {
		if !other[r] {
			out[r] = true
		}
	}
	return out
}

// first is the first ref of typ in set, in order.
func first(t *testing.T, set map[string]bool, typ string) string {
	t.Helper()
	var refs []string
	for r := range set {
		if strings.HasPrefix(r, typ+"/") {
			refs = append(refs, r)
		}
	}
	slices.Sort(refs)
	if len(refs) == 0 {
		t.Fatalf("no %s in the record", typ)
	}
	return refs[0]
}

// cmpJSON diffs two decoded JSON documents.
func cmpJSON(want, got map[string]any) string { return cmp.Diff(want, got) }

func id(ref string) string { _, id, _ := strings.Cut(ref, "/"); return id }

// TestFrontReads runs the read checks against one upstream and one
// front, the upstream reached with backend services credentials.
func TestFrontReads(t *testing.T) {
	up := newUpstream(t, nil)
	f := newFront(t, up, upstream.Options{Auth: up.backend()})
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *upstreamServer, *front)
	}{
		{"unauthenticated", unauthenticated},
		{"patient A is not patient B", patientAIsNotPatientB},
		{"paging", paging},
		{"total", total},
		{"scopes refused", scopesRefused},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, up, f) })
	}
}

// unauthenticated: without a token every FHIR path is 401 with a
// Bearer challenge and nothing reaches the upstream; the
// CapabilityStatement and the SMART configuration are the front's own.
func unauthenticated(t *testing.T, up *upstreamServer, f *front) {
	before := up.fhirCalls.Load()
	for _, tc := range []struct{ method, path string }{
		{"GET", "/Patient/" + patientA},
		{"GET", "/Patient/" + patientA + "/_history/1"},
		{"GET", "/Observation?patient=" + patientA},
		{"GET", ""},
		{"GET", "/_history"},
		{"GET", "/Nonsense/1"},
		{"GET", "/Patient/" + patientA + "/$everything"},
		{"POST", "/Observation"},
		{"PUT", "/Observation/1"},
		{"DELETE", "/Observation/1"},
		{"POST", ""},
		{"POST", "/Observation/_search"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r := f.do("", tc.method, tc.path, "")
			if code, _ := r.issue(); r.status != http.StatusUnauthorized || code != "login" {
				t.Errorf("got %d %s, want 401 login", r.status, r.raw)
			}
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	if n := up.fhirCalls.Load() - before; n != 0 {
		t.Errorf("%d requests reached the upstream", n)
	}
	if r := f.do("", "GET", "/Patient/"+patientA, "", "Authorization", "Bearer not-a-token"); r.status != http.StatusUnauthorized ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("a bad token: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	meta := f.get("", "/metadata")
	if meta.status != http.StatusOK || meta.body["resourceType"] != "CapabilityStatement" ||
		!strings.Contains(meta.raw, "oauth-uris") || !strings.Contains(meta.raw, f.url+"/auth/token") {
		t.Errorf("metadata: %d %.300s", meta.status, meta.raw)
	}
	conf := send(t, "", "GET", f.base+"/.well-known/smart-configuration", "")
	if conf.status != http.StatusOK || conf.body["token_endpoint"] != f.url+"/auth/token" {
		t.Errorf("smart-configuration: %d %.300s", conf.status, conf.raw)
	}
	if n := up.fhirCalls.Load() - before; n != 0 {
		t.Errorf("%d requests reached the upstream", n)
	}
}

// patientAIsNotPatientB: through the front, a token for patient A
// sees A's record and nothing of B's, by every read route.
func patientAIsNotPatientB(t *testing.T, up *upstreamServer, f *front) {
	recA, recB := up.record(patientA), up.record(patientB)
	ofA, ofB := private(recA, recB), private(recB, recA)
	obsA, obsB := first(t, ofA, "Observation"), first(t, ofB, "Observation")
	tok := f.patientToken(patientA, "launch/patient patient/*.rs")
	notFound := func(ref string) reply {
		return reply{status: http.StatusNotFound, body: map[string]any{"resourceType": "OperationOutcome", "issue": []any{
			map[string]any{"severity": "error", "code": "not-found", "diagnostics": ref + ": not found"}}}}
	}

	for _, tc := range []struct {
		name, path string
		want       reply // status and, when set, the exact body
	}{
		{"read own patient", "/Patient/" + patientA, reply{status: 200}},
		{"read other patient", "/Patient/" + patientB, notFound("Patient/" + patientB)},
		{"read missing patient", "/Patient/no-such-patient", notFound("Patient/no-such-patient")},
		{"read own observation", "/" + obsA, reply{status: 200}},
		{"read other's observation", "/" + obsB, notFound(obsB)},
		{"vread other's observation", "/" + obsB + "/_history/1", notFound(obsB)},
		{"other's instance history", "/" + obsB + "/_history", notFound(obsB)},
		{"other's $everything", "/Patient/" + patientB + "/$everything", notFound("Patient/" + patientB)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.get(tok, tc.path)
			if r.status != tc.want.status {
				t.Fatalf("got %d %s, want %d", r.status, r.raw, tc.want.status)
			}
			if tc.want.body != nil {
				if diff := cmpJSON(tc.want.body, r.body); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
		})
	}

	for _, tc := range []struct {
		name, path string
		want       []string // exactly these refs, when set
		loose      bool     // only none of B's: A's may lie on a later page
	}{
		{"search own", "/Observation?patient=" + patientA, nil, false},
		{"search both", "/Observation?patient=" + patientA + "," + patientB, nil, false},
		{"search other", "/Observation?patient=" + patientB, []string{}, false},
		{"search by _id with includes", "/Observation?_id=" + id(obsA) + "," + id(obsB) + "&_include=Observation:subject",
			[]string{obsA, "Patient/" + patientA}, false},
		{"compartment search of other", "/Patient/" + patientB + "/Observation", []string{}, false},
		{"own $everything", "/Patient/" + patientA + "/$everything", nil, false},
		{"own instance history", "/" + obsA + "/_history", []string{obsA}, false},
		{"type history", "/Observation/_history", nil, true},
		{"system search", "?_type=Observation,Condition&patient=" + patientA + "," + patientB, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.get(tok, tc.path)
			if r.status != http.StatusOK || r.body["resourceType"] != "Bundle" {
				t.Fatalf("got %d %.300s", r.status, r.raw)
			}
			if _, ok := r.body["total"]; ok {
				t.Errorf("total %v is shown, though filtering may have changed it", r.body["total"])
			}
			got := r.refs()
			for _, ref := range got {
				if ofB[ref] {
					t.Errorf("%s of patient B is shown", ref)
				}
				if !recA[ref] && !strings.HasPrefix(ref, "Observation/") {
					t.Errorf("%s is not in A's record", ref)
				}
			}
			if tc.want != nil {
				slices.Sort(got)
				slices.Sort(tc.want)
				if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			} else if !tc.loose && !slices.ContainsFunc(got, func(ref string) bool { return ofA[ref] }) {
				t.Errorf("none of A's own resources came back: %v", got)
			}
			for _, rel := range []string{"self", "next"} {
				if l := r.link(rel); l != "" && !strings.HasPrefix(l, f.base) {
					t.Errorf("%s link %s is not below the front's base", rel, l)
				}
			}
		})
	}

	// The upstream does return B's resources for these searches: the
	// front filtered them.
	if got := up.get("/Observation?_id=" + id(obsA) + "," + id(obsB) + "&_include=Observation:subject").refs(); !slices.Contains(got, "Patient/"+patientB) {
		t.Fatalf("the upstream search has no Patient/%s to filter: %v", patientB, got)
	}
}

// paging: next links name the front, and a page followed with
// another patient's token is filtered again.
func paging(t *testing.T, up *upstreamServer, f *front) {
	tokA := f.patientToken(patientA, "launch/patient patient/*.rs")
	tokB := f.patientToken(patientB, "launch/patient patient/*.rs")
	r := f.get(tokA, "/Observation?patient="+patientA+"&_count=2")
	next := r.link("next")
	if r.status != http.StatusOK || len(r.refs()) != 2 || !strings.HasPrefix(next, f.base+"/Observation?") {
		t.Fatalf("first page: %d, %d entries, next %q", r.status, len(r.refs()), next)
	}
	if self := r.link("self"); !strings.HasPrefix(self, f.base+"/Observation?") {
		t.Errorf("self link %q", self)
	}
	if p := f.get(tokA, next); p.status != http.StatusOK || len(p.refs()) == 0 {
		t.Errorf("next page with A's token: %d, %v", p.status, p.refs())
	}
	if p := f.get(tokB, next); p.status != http.StatusOK || len(p.refs()) != 0 {
		t.Errorf("A's next page with B's token: %d, %v", p.status, p.refs())
	}
}

// total: Bundle.total stays for a token that sees every resource of
// the type searched, and is dropped otherwise.
func total(t *testing.T, up *upstreamServer, f *front) {
	system := f.backendToken()
	want := up.get("/Observation?patient=" + patientA + "," + patientB).body["total"]
	if want == nil {
		t.Fatal("the upstream gives no total")
	}
	for _, tc := range []struct {
		name, token string
		total       any
	}{
		{"system/*.rs", system, want},
		{"front admin token", frontAdmin, want},
		{"patient/*.rs", f.patientToken(patientA, "launch/patient patient/*.rs"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.get(tc.token, "/Observation?patient="+patientA+","+patientB)
			if r.status != http.StatusOK || r.body["total"] != tc.total {
				t.Errorf("got %d total %v, want %v", r.status, r.body["total"], tc.total)
			}
		})
	}
}

// scopesRefused: an interaction the token's scopes do not allow is
// 403 before anything is forwarded.
func scopesRefused(t *testing.T, up *upstreamServer, f *front) {
	tok := f.patientToken(patientA, "launch/patient patient/Observation.rs")
	before := up.fhirCalls.Load()
	for _, path := range []string{"/Patient/" + patientA, "/Condition?patient=" + patientA, "/Patient/" + patientA + "/$everything"} {
		r := f.get(tok, path)
		if code, _ := r.issue(); r.status != http.StatusForbidden || code != "forbidden" ||
			!strings.Contains(r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
			t.Errorf("%s: got %d %s %q", path, r.status, r.raw, r.header.Get("WWW-Authenticate"))
		}
	}
	if n := up.fhirCalls.Load() - before; n != 0 {
		t.Errorf("%d refused requests reached the upstream", n)
	}
	if r := f.get(tok, "/Nonsense/1"); r.status != http.StatusNotFound {
		t.Errorf("unknown type: %d", r.status)
	}
}
