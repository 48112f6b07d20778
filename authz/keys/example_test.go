package keys_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/golang-jwt/jwt/v5"
	bolt "go.etcd.io/bbolt"

	"smartd/authz/keys"
)

// Sign an access token and verify it as the FHIR enforcement point does.
func Example() {
	dir, err := os.MkdirTemp("", "keys-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := bolt.Open(filepath.Join(dir, "smartd.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	k, err := keys.Open(db, keys.Options{})
	if err != nil {
		log.Fatal(err)
	}
	now := time.Now()
	tok, err := k.SignAccessToken(jwt.RegisteredClaims{
		Issuer:    "https://smartd.example/",
		Audience:  jwt.ClaimStrings{"https://smartd.example/fhir"},
		Subject:   "Practitioner/1",
		ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute)),
	})
	if err != nil {
		log.Fatal(err)
	}
	var claims jwt.RegisteredClaims
	t, err := k.VerifyAccessToken(tok, &claims, jwt.WithAudience("https://smartd.example/fhir"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Header["alg"], t.Header["typ"], claims.Subject)
	// Output: ES256 at+jwt Practitioner/1
}
