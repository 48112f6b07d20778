package clientauth_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"smartd/apps/registry"
	"smartd/authz/clientauth"
	"smartd/authz/oauth"
)

// The token endpoint authenticates the client before looking at the
// grant; an *oauth.Error goes to the wire through oauth.Write.
func Example() {
	dir, err := os.MkdirTemp("", "clientauth")
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
	_, cred, err := apps.Create(&registry.App{ClientID: "growth-chart", Scope: "launch/patient patient/*.rs",
		GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"https://app.example/cb"},
		AuthMethod: registry.AuthClientSecretBasic})
	if err != nil {
		log.Fatal(err)
	}
	auth, err := clientauth.New(apps, db, clientauth.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer auth.Close()

	token := []string{"https://smartd.example/auth/token"}
	r, _ := http.NewRequest("POST", token[0], nil)
	r.SetBasicAuth("growth-chart", cred.ClientSecret)
	app, err := auth.Authenticate(context.Background(), url.Values{}, r.Header, token)
	fmt.Println(app.ClientID, err)

	r.SetBasicAuth("growth-chart", "guess")
	_, err = auth.Authenticate(context.Background(), url.Values{}, r.Header, token)
	e := oauth.As(err)
	fmt.Println(e.Status, e.Code, e.Challenge)
	fmt.Println(e.Description)
	// Output:
	// growth-chart <nil>
	// 401 invalid_client Basic
	// the client secret of client "growth-chart" is wrong
}
