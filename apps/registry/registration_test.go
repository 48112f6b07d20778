package registry

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func metadata(t *testing.T, body string) Metadata {
	t.Helper()
	var md Metadata
	if err := json.Unmarshal([]byte(body), &md); err != nil {
		t.Fatal(err)
	}
	return md
}

// TestRegister drives RFC 7591 §3 registration.
func TestRegister(t *testing.T) {
	s, db, _ := newStore(t, Options{})
	a, cred, err := s.Register(metadata(t, `{"client_name":"Risk","redirect_uris":["https://risk.example.org/cb"],
		"initiate_login_uri":"https://risk.example.org/launch","scope":"launch patient/*.rs"}`))
	if err != nil {
		t.Fatal(err)
	}
	if a.Type() != ConfidentialSymmetric || !a.CheckSecret(cred.ClientSecret) || !a.CheckRegistrationToken(cred.RegistrationAccessToken) {
		t.Errorf("registered %+v with credentials %+v", a, cred)
	}
	if got, _ := s.Get(a.ClientID); got.LaunchURL != "https://risk.example.org/launch" {
		t.Errorf("launch URL not stored: %+v", got)
	}
	assertNotStored(t, db, cred.ClientSecret, cred.RegistrationAccessToken)

	tests := []struct {
		name string
		body string
		want []FieldError
		code string
	}{
		{
			name: "server-assigned members",
			body: `{"client_id":"mine","client_secret":"pick","redirect_uris":["https://a.example.org/cb"],"scope":"openid"}`,
			want: []FieldError{
				{"client_id", "client_id is set by the server; leave it out of a registration request (RFC 7591 §3.1)"},
				{"client_secret", "client_secret is set by the server; leave it out of a registration request (RFC 7591 §3.1)"},
			},
			code: "invalid_client_metadata",
		},
		{
			name: "every problem at once",
			body: `{"response_types":["token"],"redirect_uris":["http://a.example.org/cb"],"token_endpoint_auth_method":"none",
				"grant_types":["authorization_code","client_credentials"]}`,
			want: []FieldError{
				{"response_types", `response type "token" (implicit grant) is not supported; use "code" with PKCE`},
				{"response_types", `the authorization_code grant needs response type "code"`},
				{"grant_types", "client_credentials (SMART Backend Services) needs a confidential-asymmetric client (private_key_jwt), not a public one"},
				{"redirect_uris", `"http://a.example.org/cb" uses http on a host that is not loopback; use https, or http on localhost, 127.0.0.1 or [::1] (RFC 8252 §7.3)`},
				{"scope", "scope is required: the space-separated scopes this app may be granted"},
			},
			code: "invalid_redirect_uri",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.Register(metadata(t, tc.body))
			if diff := cmp.Diff(tc.want, fieldErrors(t, err)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if v := (*ValidationError)(nil); errors.As(err, &v) && v.Code() != tc.code {
				t.Errorf("Code() = %q, want %q", v.Code(), tc.code)
			}
		})
	}
	if apps, _ := s.List(); len(apps) != 1 {
		t.Errorf("refused registrations were stored: %d apps", len(apps))
	}
}

// TestReregister drives the RFC 7592 §2.2 update.
func TestReregister(t *testing.T) {
	s, _, clock := newStore(t, Options{})
	a, cred, err := s.Register(metadata(t, `{"client_name":"Risk","redirect_uris":["https://risk.example.org/cb"],"scope":"openid"}`))
	if err != nil {
		t.Fatal(err)
	}
	id := a.ClientID
	base := func() Metadata {
		md := a.Metadata()
		md.ClientIDIssuedAt, md.ClientSecretExpiresAt = 0, nil
		return md
	}
	bad := []struct {
		name string
		edit func(*Metadata)
		want []FieldError
	}{
		{"no client_id", func(md *Metadata) { md.ClientID = "" },
			[]FieldError{{"client_id", `client_id must be present and equal "` + id + `", the client being updated (RFC 7592 §2.2)`}}},
		{"wrong secret", func(md *Metadata) { md.ClientSecret = "guess" },
			[]FieldError{{"client_secret", "client_secret does not match the current secret; a client cannot choose its own (RFC 7592 §2.2)"}}},
		{"server-assigned members", func(md *Metadata) {
			md.RegistrationAccessToken = "x"
			md.ClientIDIssuedAt = 1
			zero := int64(0)
			md.ClientSecretExpiresAt = &zero
		}, []FieldError{
			{"client_id_issued_at", "client_id_issued_at is set by the server; leave it out of an update request (RFC 7592 §2.2)"},
			{"client_secret_expires_at", "client_secret_expires_at is set by the server; leave it out of an update request (RFC 7592 §2.2)"},
			{"registration_access_token", "registration_access_token is set by the server; leave it out of an update request (RFC 7592 §2.2)"},
		}},
		{"invalid metadata", func(md *Metadata) { md.RedirectURIs = nil },
			[]FieldError{{"redirect_uris", "authorization_code needs at least one redirect URI"}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			md := base()
			tc.edit(&md)
			_, _, err := s.Reregister(id, md)
			if diff := cmp.Diff(tc.want, fieldErrors(t, err)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, _, err := s.Reregister("nobody", base()); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown client: %v, want ErrNotFound", err)
	}

	// A good update, carrying the current secret, keeps what the server manages.
	clock.advance(time.Minute)
	md := base()
	md.ClientSecret = cred.ClientSecret
	md.RedirectURIs = []string{"https://risk.example.org/v2/cb"}
	md.TokenEndpointAuthMethod = AuthClientSecretPost
	got, cred2, err := s.Reregister(id, md)
	if err != nil {
		t.Fatal(err)
	}
	if cred2 != (Credentials{}) || !got.CheckSecret(cred.ClientSecret) || !got.CheckRegistrationToken(cred.RegistrationAccessToken) {
		t.Errorf("update changed the credentials: %+v", cred2)
	}
	if !got.Created.Equal(a.Created) || !got.Updated.Equal(clock.t) || got.RedirectURIs[0] != "https://risk.example.org/v2/cb" {
		t.Errorf("updated app %+v", got)
	}

	// Becoming confidential-asymmetric drops the secret; coming back issues a new one.
	md = got.Metadata()
	md.ClientIDIssuedAt, md.ClientSecretExpiresAt = 0, nil
	md.TokenEndpointAuthMethod = AuthPrivateKeyJWT
	md.JWKS = set(t, jwk(t, &keys().ec256.PublicKey, "es"))
	asym, _, err := s.Reregister(id, md)
	if err != nil {
		t.Fatal(err)
	}
	if len(asym.SecretHash) != 0 {
		t.Errorf("a confidential-asymmetric app kept its secret")
	}
	md.TokenEndpointAuthMethod, md.JWKS = AuthClientSecretBasic, nil
	back, cred3, err := s.Reregister(id, md)
	if err != nil {
		t.Fatal(err)
	}
	if cred3.ClientSecret == "" || !back.CheckSecret(cred3.ClientSecret) || back.CheckSecret(cred.ClientSecret) {
		t.Errorf("no fresh secret on becoming confidential-symmetric again: %+v", cred3)
	}
}
