package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"smartd/apps/registry"
)

// The demo clients a fresh data directory starts with.
const (
	// DemoBackendClientID is the Backend Services demo client
	// (confidential-asymmetric, client_credentials).
	DemoBackendClientID = "demo-backend"
	// DemoPublicClientID is the public demo app (authorization_code + PKCE).
	DemoPublicClientID = "demo-public"
	// DemoBackendKeyFile, in the data directory, holds the demo backend
	// client's ES384 private key (PKCS #8 PEM).
	DemoBackendKeyFile = "demo-backend-key.pem"
)

// demoApps registers the demo clients: a backend service whose private
// key is written to the data directory, a public app on localhost, and
// the sample app served by smartd itself (registerSampleApp).
func (s *Server) demoApps() error {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return err
	}
	// The kid is the key's RFC 7638 thumbprint, which the client can
	// compute from the private key alone.
	jwks, err := registry.ParsePEMKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), "")
	if err != nil {
		return err
	}
	keyFile := filepath.Join(s.cfg.DataDir, DemoBackendKeyFile)
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("writing the demo backend key: %w", err)
	}
	backend := &registry.App{
		ClientID:   DemoBackendClientID,
		Name:       "smartd demo backend service",
		Scope:      "system/*.rs system/*.read",
		GrantTypes: []string{registry.GrantClientCredentials},
		AuthMethod: registry.AuthPrivateKeyJWT,
		JWKS:       jwks,
	}
	public := &registry.App{
		ClientID:     DemoPublicClientID,
		Name:         "smartd demo public app",
		RedirectURIs: []string{"http://localhost:8000/callback"},
		LaunchURL:    "http://localhost:8000/launch",
		Scope:        "launch launch/patient launch/encounter openid fhirUser profile offline_access online_access patient/*.rs user/*.rs",
		GrantTypes:   []string{registry.GrantAuthorizationCode, registry.GrantRefreshToken},
		AuthMethod:   registry.AuthNone,
	}
	if _, _, err := s.apps.Create(backend); err != nil {
		return fmt.Errorf("registering the demo backend client: %w", err)
	}
	s.log.Info("registered the demo backend services client", "client_id", DemoBackendClientID, "key_file", keyFile)
	if _, _, err := s.apps.Create(public); err != nil {
		return fmt.Errorf("registering the demo public app: %w", err)
	}
	s.log.Info("registered the demo public app", "client_id", DemoPublicClientID, "redirect_uri", public.RedirectURIs[0])
	return s.registerSampleApp()
}
