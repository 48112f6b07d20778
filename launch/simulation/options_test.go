package simulation_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"smartd/launch/simulation"
)

func intp(n int) *int { return &n }

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    *simulation.Options
		want string // a substring of the error, "" for none
	}{
		{"nil", nil, ""},
		{"zero", &simulation.Options{}, ""},
		{"every option", &simulation.Options{InvalidClient: true, InvalidScope: true, InvalidState: true, TokenError: "server_error",
			AccessTokenLifetime: intp(0), RefreshRevoked: true, FHIR401After: intp(3), SkipLogin: true, SkipConsent: true}, ""},
		{"longest lifetime", &simulation.Options{AccessTokenLifetime: intp(300)}, ""},
		{"unknown token error", &simulation.Options{TokenError: "teapot"}, `token_error "teapot" is not one of`},
		{"negative lifetime", &simulation.Options{AccessTokenLifetime: intp(-1)}, "access_token_lifetime -1"},
		{"lifetime too long", &simulation.Options{AccessTokenLifetime: intp(301)}, "access_token_lifetime 301"},
		{"negative count", &simulation.Options{FHIR401After: intp(-2)}, "fhir_401_after -2"},
		{"count too large", &simulation.Options{FHIR401After: intp(simulation.MaxFHIR401After + 1)}, "fhir_401_after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate: %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestEffective(t *testing.T) {
	launch := &simulation.Options{InvalidScope: true}
	app := &simulation.Options{TokenError: "invalid_grant"}
	for _, tc := range []struct {
		name             string
		sandbox, optedIn bool
		launch, app      *simulation.Options
		want             *simulation.Options
	}{
		{"not a sandbox", false, true, launch, app, nil},
		{"app not opted in", true, false, launch, app, nil},
		{"the launch's own", true, true, launch, app, launch},
		{"the app's defaults", true, true, nil, app, app},
		{"an empty launch turns the defaults off", true, true, &simulation.Options{}, app, nil},
		{"nothing at all", true, true, nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := simulation.Effective(tc.sandbox, tc.optedIn, tc.launch, tc.app); got != tc.want {
				t.Errorf("Effective = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestEqualClone(t *testing.T) {
	a := &simulation.Options{InvalidState: true, AccessTokenLifetime: intp(10), FHIR401After: intp(2)}
	c := a.Clone()
	if !a.Equal(c) || c.AccessTokenLifetime == a.AccessTokenLifetime {
		t.Fatalf("Clone = %+v, want an equal deep copy", c)
	}
	*c.AccessTokenLifetime = 11
	for _, tc := range []struct {
		name string
		a, b *simulation.Options
		want bool
	}{
		{"nil and zero", nil, &simulation.Options{}, true},
		{"nil and nil", nil, nil, true},
		{"nil and some", nil, a, false},
		{"same numbers", a, &simulation.Options{InvalidState: true, AccessTokenLifetime: intp(10), FHIR401After: intp(2)}, true},
		{"another lifetime", a, c, false},
		{"lifetime unset", a, &simulation.Options{InvalidState: true, FHIR401After: intp(2)}, false},
		{"another flag", a, &simulation.Options{AccessTokenLifetime: intp(10), FHIR401After: intp(2)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.Equal(tc.b); got != tc.want {
				t.Errorf("Equal = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		o    *simulation.Options
		want string
	}{
		{nil, ""},
		{&simulation.Options{}, ""},
		{&simulation.Options{InvalidScope: true, TokenError: "server_error", AccessTokenLifetime: intp(0), FHIR401After: intp(3), SkipConsent: true},
			"invalid scope; token endpoint error (server_error); access token lifetime 0s; FHIR 401 after 3 requests; skip consent"},
	} {
		if got := tc.o.Summary(); got != tc.want {
			t.Errorf("Summary(%+v) = %q, want %q", tc.o, got, tc.want)
		}
	}
}

// TestJSON: the wire names of the options, as the launch-context API and
// the admin API take them.
func TestJSON(t *testing.T) {
	in := `{"invalid_client":true,"invalid_scope":true,"invalid_state":true,"token_error":"invalid_grant",` +
		`"access_token_lifetime":0,"refresh_revoked":true,"fhir_401_after":5,"skip_login":true,"skip_consent":true}`
	var o simulation.Options
	if err := json.Unmarshal([]byte(in), &o); err != nil {
		t.Fatal(err)
	}
	want := simulation.Options{InvalidClient: true, InvalidScope: true, InvalidState: true, TokenError: "invalid_grant",
		AccessTokenLifetime: intp(0), RefreshRevoked: true, FHIR401After: intp(5), SkipLogin: true, SkipConsent: true}
	if diff := cmp.Diff(want, o); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
	out, _ := json.Marshal(o)
	if string(out) != in {
		t.Errorf("encoded %s, want %s", out, in)
	}
}

// formCases are FromForm's table and the fuzz seeds.
var formCases = []struct {
	name string
	form string // URL-encoded
	want *simulation.Options
	err  string
}{
	{"not offered", "client_id=x&sim.invalid_scope=1", nil, ""},
	{"offered, nothing chosen", "sim=1&sim.token_error=&sim.access_token_lifetime=&sim.fhir_401_after=", &simulation.Options{}, ""},
	{"checkboxes", "sim=1&sim.invalid_client=1&sim.invalid_scope=1&sim.invalid_state=1&sim.refresh_revoked=1&sim.skip_login=1&sim.skip_consent=1",
		&simulation.Options{InvalidClient: true, InvalidScope: true, InvalidState: true, RefreshRevoked: true, SkipLogin: true, SkipConsent: true}, ""},
	{"numbers and the error", "sim=1&sim.token_error=server_error&sim.access_token_lifetime=+0+&sim.fhir_401_after=3",
		&simulation.Options{TokenError: "server_error", AccessTokenLifetime: intp(0), FHIR401After: intp(3)}, ""},
	{"not a number", "sim=1&sim.access_token_lifetime=ten", nil, `lifetime must be a whole number, not "ten"`},
	{"too many digits", "sim=1&sim.fhir_401_after=0000000001", nil, "whole number"},
	{"out of range", "sim=1&sim.access_token_lifetime=900", nil, "access_token_lifetime 900"},
	{"unknown error", "sim=1&sim.token_error=nope", nil, `token_error "nope"`},
}

func TestFromForm(t *testing.T) {
	for _, tc := range formCases {
		t.Run(tc.name, func(t *testing.T) {
			form, err := url.ParseQuery(tc.form)
			if err != nil {
				t.Fatal(err)
			}
			got, err := simulation.FromForm(form)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("FromForm: %+v, %v; want an error with %q", got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FromForm (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzFromForm: whatever a form posts, FromForm either refuses it or
// returns options that Validate accepts and that survive a JSON round
// trip (what the launch and the grant store).
func FuzzFromForm(f *testing.F) {
	for _, tc := range formCases {
		f.Add(tc.form)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		o, err := simulation.FromForm(form)
		if err != nil || o == nil {
			return
		}
		if err := o.Validate(); err != nil {
			t.Fatalf("FromForm returned invalid options %+v: %v", o, err)
		}
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		var back simulation.Options
		if err := json.Unmarshal(b, &back); err != nil || !back.Equal(o) {
			t.Fatalf("round trip %s: %+v, %v", b, back, err)
		}
	})
}
