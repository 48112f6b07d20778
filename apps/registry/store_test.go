package registry

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

func TestStoreCRUD(t *testing.T) {
	s, db, clock := newStore(t, Options{})

	// Create assigns a client_id and issues a registration token; a public
	// app gets no secret.
	in := publicApp()
	in.ClientID = ""
	pub, cred, err := s.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	if in.ClientID != "" {
		t.Errorf("Create modified its argument")
	}
	if len(pub.ClientID) != 22 || !validClientID(pub.ClientID) {
		t.Errorf("client_id %q: want 22 URL-safe characters", pub.ClientID)
	}
	if cred.ClientSecret != "" || !pub.CheckRegistrationToken(cred.RegistrationAccessToken) {
		t.Errorf("public app credentials %+v", cred)
	}
	if !pub.Created.Equal(clock.t) || !pub.Updated.Equal(clock.t) {
		t.Errorf("Created %v, Updated %v; want %v", pub.Created, pub.Updated, clock.t)
	}
	got, err := s.Get(pub.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pub, got); diff != "" {
		t.Errorf("Get (-created +got):\n%s", diff)
	}

	// A confidential-symmetric app gets a secret, shown once and stored hashed.
	sym, cred, err := s.Create(symmetricApp())
	if err != nil {
		t.Fatal(err)
	}
	if len(cred.ClientSecret) != 43 || !sym.CheckSecret(cred.ClientSecret) || sym.CheckSecret(cred.RegistrationAccessToken) {
		t.Fatalf("secret %q does not check against the stored hash", cred.ClientSecret)
	}
	assertNotStored(t, db, cred.ClientSecret, cred.RegistrationAccessToken)

	// Update keeps Created, the secret and the registration token.
	clock.advance(time.Hour)
	edit := symmetricApp()
	edit.Name = "Cardiac Risk 2"
	edit.RedirectURIs = []string{"https://risk.example.org/v2/cb"}
	upd, cred2, err := s.Update(edit)
	if err != nil {
		t.Fatal(err)
	}
	if cred2 != (Credentials{}) {
		t.Errorf("Update issued %+v", cred2)
	}
	if !upd.Created.Equal(sym.Created) || !upd.Updated.Equal(clock.t) {
		t.Errorf("Created %v Updated %v; want %v and %v", upd.Created, upd.Updated, sym.Created, clock.t)
	}
	if !upd.CheckSecret(cred.ClientSecret) || !bytes.Equal(upd.RegistrationTokenHash, sym.RegistrationTokenHash) {
		t.Errorf("Update lost the secret or registration token")
	}
	if got, _ := s.Get(sym.ClientID); got.Name != "Cardiac Risk 2" || got.RedirectURIs[0] != "https://risk.example.org/v2/cb" {
		t.Errorf("Get after Update: %+v", got)
	}

	// List sorts by name, case-insensitively, then client_id.
	for _, name := range []string{"beta", "Alpha"} {
		a := backendApp()
		a.ClientID, a.Name = "", name
		if _, _, err := s.Create(a); err != nil {
			t.Fatal(err)
		}
	}
	apps, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range apps {
		names = append(names, a.Name)
	}
	if diff := cmp.Diff([]string{"Alpha", "beta", "Cardiac Risk 2", "Growth Chart"}, names); diff != "" {
		t.Errorf("List order (-want +got):\n%s", diff)
	}

	// Delete removes; a second Delete, Get and Update find nothing.
	if err := s.Delete(sym.ClientID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(sym.ClientID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
	if err := s.Delete(sym.ClientID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: %v, want ErrNotFound", err)
	}
	if _, _, err := s.Update(symmetricApp()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update of a deleted app: %v, want ErrNotFound", err)
	}
}

func TestStoreCreateRefuses(t *testing.T) {
	s, _, _ := newStore(t, Options{})
	if _, _, err := s.Create(publicApp()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Create(publicApp()); !errors.Is(err, ErrExists) {
		t.Errorf("second Create with the same client_id: %v, want ErrExists", err)
	}
	bad := backendApp()
	bad.JWKSURI = "http://127.0.0.1:9/jwks"
	_, _, err := s.Create(bad)
	if diff := cmp.Diff([]FieldError{{"jwks_uri", `"http://127.0.0.1:9/jwks" must use https`}}, fieldErrors(t, err)); diff != "" {
		t.Errorf("Create of an invalid app (-want +got):\n%s", diff)
	}
	if _, err := s.Get(bad.ClientID); !errors.Is(err, ErrNotFound) {
		t.Errorf("an invalid app was stored: %v", err)
	}

	// The development flag, given at Open, lets it in.
	dev, _, _ := newStore(t, Options{Validate: ValidateOptions{AllowPrivateJWKSURI: true}})
	if _, _, err := dev.Create(bad); err != nil {
		t.Errorf("with AllowPrivateJWKSURI: %v", err)
	}
}

func TestStoreTypeChanges(t *testing.T) {
	s, _, _ := newStore(t, Options{})
	a, _, err := s.Create(publicApp())
	if err != nil {
		t.Fatal(err)
	}
	// public -> confidential-symmetric: a secret is issued.
	a.AuthMethod = AuthClientSecretPost
	sym, cred, err := s.Update(a)
	if err != nil {
		t.Fatal(err)
	}
	if !sym.CheckSecret(cred.ClientSecret) {
		t.Fatalf("no secret issued on becoming confidential-symmetric: %+v", cred)
	}
	// confidential-symmetric -> public keeping the hash: refused.
	sym.AuthMethod = AuthNone
	_, _, err = s.Update(sym)
	if diff := cmp.Diff([]FieldError{{"client_secret", "a public client has no client secret"}}, fieldErrors(t, err)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	sym.SecretHash = nil
	pub, _, err := s.Update(sym)
	if err != nil || len(pub.SecretHash) != 0 {
		t.Errorf("public again: %v, secret hash %x", err, pub.SecretHash)
	}
}

func TestStoreRotateSecret(t *testing.T) {
	s, _, _ := newStore(t, Options{})
	sym, cred, err := s.Create(symmetricApp())
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.RotateSecret(sym.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(sym.ClientID)
	if !got.CheckSecret(plain) || got.CheckSecret(cred.ClientSecret) {
		t.Errorf("after rotation the new secret must work and the old one must not")
	}
	if _, _, err := s.Create(publicApp()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RotateSecret(publicApp().ClientID); !errors.Is(err, ErrNoSecret) {
		t.Errorf("RotateSecret of a public app: %v, want ErrNoSecret", err)
	}
	if _, err := s.RotateSecret("nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RotateSecret of an unknown app: %v, want ErrNotFound", err)
	}
}

// TestStoreSharesTheFile checks that Open keeps to its bucket and can be
// repeated, and that a read-only file is served.
func TestStoreSharesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "smartd.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("fhir.resources"))
		if err != nil {
			return err
		}
		return b.Put([]byte("Patient/1"), []byte("{}"))
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := Open(db, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := Open(db, Options{})
	if _, _, err := s.Create(publicApp()); err != nil {
		t.Fatal(err)
	}
	var buckets []string
	err = db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("fhir.resources")).Get([]byte("Patient/1")); string(v) != "{}" {
			t.Errorf("fhir.resources changed: %q", v)
		}
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			buckets = append(buckets, string(name))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"apps.clients", "fhir.resources"}, buckets); diff != "" {
		t.Errorf("buckets (-want +got):\n%s", diff)
	}
	db.Close()

	ro, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	rs, err := Open(ro, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a, err := rs.Get(publicApp().ClientID); err != nil || a.Name != "Growth Chart" {
		t.Errorf("read-only Get: %v %v", a, err)
	}
}

// TestStoreReadOnlyEmpty checks a read-only file that never had the bucket.
func TestStoreReadOnlyEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "smartd.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	s, err := Open(ro, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if apps, err := s.List(); err != nil || len(apps) != 0 {
		t.Errorf("List = %v, %v; want none", apps, err)
	}
	if _, err := s.Get("x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get = %v, want ErrNotFound", err)
	}
}

// assertNotStored fails if any plaintext appears in any value of the file.
func assertNotStored(t *testing.T, db *bolt.DB, plains ...string) {
	t.Helper()
	err := db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				for _, p := range plains {
					if p != "" && (bytes.Contains(v, []byte(p)) || bytes.Contains(k, []byte(p))) {
						t.Errorf("bucket %s holds a plaintext secret", name)
					}
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
