package registry

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestFromMetadata(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    *App
		wantErr []FieldError
	}{
		{
			// The body the ONC Inferno program's dynamic registration
			// sequence sends (lib/modules/smart/dynamic_registration_sequence.rb).
			name: "inferno program, public",
			json: `{"client_name":"Inferno","initiate_login_uri":"https://inferno.example.org/launch",
				"redirect_uris":["https://inferno.example.org/redirect"],"grant_types":["authorization_code"],
				"scope":"launch openid fhirUser offline_access patient/*.read","token_endpoint_auth_method":"none"}`,
			want: &App{Name: "Inferno", LaunchURL: "https://inferno.example.org/launch",
				RedirectURIs: []string{"https://inferno.example.org/redirect"}, GrantTypes: []string{GrantAuthorizationCode},
				Scope: "launch openid fhirUser offline_access patient/*.read", AuthMethod: AuthNone},
		},
		{
			name: "RFC 7591 defaults",
			json: `{"redirect_uris":["https://a.example.org/cb"],"scope":"openid","software_id":"ignored","tos_uri":"https://a.example.org/tos"}`,
			want: &App{RedirectURIs: []string{"https://a.example.org/cb"}, Scope: "openid",
				GrantTypes: []string{GrantAuthorizationCode}, AuthMethod: AuthClientSecretBasic},
		},
		{
			name: "backend services",
			json: `{"client_name":"Bulk","grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt",
				"jwks_uri":"https://b.example.org/jwks","scope":"system/*.rs","contacts":["ops@b.example.org"]}`,
			want: &App{Name: "Bulk", GrantTypes: []string{GrantClientCredentials}, AuthMethod: AuthPrivateKeyJWT,
				JWKSURI: "https://b.example.org/jwks", Scope: "system/*.rs", Contacts: []string{"ops@b.example.org"}},
		},
		{
			name: "code with code",
			json: `{"response_types":["code"],"grant_types":["authorization_code","refresh_token"],"scope":"openid","token_endpoint_auth_method":"none"}`,
			want: &App{GrantTypes: []string{GrantAuthorizationCode, GrantRefreshToken}, Scope: "openid", AuthMethod: AuthNone},
		},
		{
			name:    "implicit",
			json:    `{"response_types":["code","token"],"scope":"openid"}`,
			wantErr: []FieldError{{"response_types", `response type "token" (implicit grant) is not supported; use "code" with PKCE`}},
		},
		{
			name:    "code without its grant",
			json:    `{"response_types":["code"],"grant_types":["client_credentials"],"scope":"system/*.rs"}`,
			wantErr: []FieldError{{"response_types", `response type "code" needs the authorization_code grant`}},
		},
		{
			name: "grant without code",
			json: `{"response_types":["id_token"],"grant_types":["authorization_code"],"scope":"openid"}`,
			wantErr: []FieldError{
				{"response_types", `unsupported response type "id_token"; use "code"`},
				{"response_types", `the authorization_code grant needs response type "code"`},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var md Metadata
			if err := json.Unmarshal([]byte(tc.json), &md); err != nil {
				t.Fatal(err)
			}
			got, err := FromMetadata(md)
			if diff := cmp.Diff(tc.wantErr, fieldErrors(t, err)); diff != "" {
				t.Fatalf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("app (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMetadataRoundTrip checks that an app's metadata, read back, is the
// same app less what the server manages.
func TestMetadataRoundTrip(t *testing.T) {
	for _, a := range []*App{publicApp(), symmetricApp(), asymmetricApp(t), backendApp()} {
		a.Owner = "dev-1"
		a.Created = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
		a.SecretHash = hashSecret("x")
		raw, err := json.Marshal(a.Metadata())
		if err != nil {
			t.Fatal(err)
		}
		var md Metadata
		if err := json.Unmarshal(raw, &md); err != nil {
			t.Fatal(err)
		}
		got, err := FromMetadata(md)
		if err != nil {
			t.Fatal(err)
		}
		ignore := cmpopts.IgnoreFields(App{}, "ClientID", "Owner", "Created", "Updated", "SecretHash", "RegistrationTokenHash")
		if diff := cmp.Diff(a, got, ignore, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", a.ClientID, diff)
		}
	}
}

// TestResponseJSON pins the RFC 7591 §3.2.1 response body.
func TestResponseJSON(t *testing.T) {
	a := symmetricApp()
	a.LogoURI = "https://risk.example.org/logo.png"
	a.Contacts = []string{"dev@risk.example.org"}
	a.Created = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	a.SecretHash = hashSecret("s")
	a.RegistrationTokenHash = hashSecret("t")
	got, err := json.MarshalIndent(a.Response(Credentials{ClientSecret: "s", RegistrationAccessToken: "t"},
		"https://smartd.example.org/register/cardiac-risk"), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "client_id": "cardiac-risk",
  "client_secret": "s",
  "client_id_issued_at": 1795426200,
  "client_secret_expires_at": 0,
  "registration_access_token": "t",
  "registration_client_uri": "https://smartd.example.org/register/cardiac-risk",
  "client_name": "Cardiac Risk",
  "redirect_uris": [
    "https://risk.example.org/cb",
    "http://localhost:3000/cb"
  ],
  "token_endpoint_auth_method": "client_secret_basic",
  "grant_types": [
    "authorization_code"
  ],
  "response_types": [
    "code"
  ],
  "scope": "launch/patient patient/Observation.rs",
  "logo_uri": "https://risk.example.org/logo.png",
  "contacts": [
    "dev@risk.example.org"
  ]
}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	pub := publicApp().Metadata()
	if pub.ClientSecretExpiresAt != nil || pub.ClientIDIssuedAt != 0 {
		t.Errorf("a public app not yet stored has client_secret_expires_at %v, client_id_issued_at %d", pub.ClientSecretExpiresAt, pub.ClientIDIssuedAt)
	}
}
