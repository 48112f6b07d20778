package registry_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"smartd/apps/registry"

	bolt "go.etcd.io/bbolt"
)

// An RFC 7591 registration endpoint is a thin layer over Store.Register:
// decode the body, register, and answer with App.Response or with the
// ValidationError's code and messages.
func ExampleStore_Register() {
	dir, err := os.MkdirTemp("", "registry-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := bolt.Open(filepath.Join(dir, "smartd.db"), 0o600, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	apps, err := registry.Open(db, registry.Options{})
	if err != nil {
		log.Fatal(err)
	}

	body := `{"client_name": "Growth Chart", "token_endpoint_auth_method": "none",
		"redirect_uris": ["http://127.0.0.1:8000/callback"],
		"initiate_login_uri": "http://127.0.0.1:8000/launch",
		"scope": "launch openid fhirUser patient/*.rs"}`
	var md registry.Metadata
	if err := json.Unmarshal([]byte(body), &md); err != nil {
		log.Fatal(err)
	}
	app, cred, err := apps.Register(md)
	if err != nil {
		log.Fatal(err)
	}
	resp := app.Response(cred, "https://smartd.example.org/register/"+app.ClientID)
	fmt.Println(app.Type(), resp.GrantTypes, resp.ResponseTypes, resp.ClientSecret == "", resp.RegistrationAccessToken != "")

	md.RedirectURIs = []string{"http://app.example.org/callback#done"}
	_, _, err = apps.Register(md)
	var verr *registry.ValidationError
	if errors.As(err, &verr) {
		fmt.Println(verr.Code())
		fmt.Println(strings.Join(verr.Messages("redirect_uris"), "\n"))
	}
	// Output:
	// public [authorization_code] [code] true true
	// invalid_redirect_uri
	// "http://app.example.org/callback#done" has a fragment (#...), which RFC 6749 §3.1.2 forbids
}
