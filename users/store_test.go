package users

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	bolt "go.etcd.io/bbolt"
)

func TestStoreCRUD(t *testing.T) {
	s, db := newStore(t)
	in := &User{Username: "jose", DisplayName: "José", Role: Patient, FHIRUser: "Patient/smart-patient-1"}
	u, err := s.Create(in, "jose-password")
	if err != nil {
		t.Fatal(err)
	}
	if in.PasswordHash != "" || in.Created != (time.Time{}) {
		t.Error("Create modified its argument")
	}
	if u.PasswordHash == "" || u.Created.IsZero() || !u.Updated.Equal(u.Created) {
		t.Errorf("Create returned %+v", u)
	}
	if _, err := s.Create(in, "another-password"); !errors.Is(err, ErrExists) {
		t.Errorf("Create twice: %v, want ErrExists", err)
	}
	if _, err := s.Create(&User{Username: "x", Role: Admin}, "password1"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Create invalid user: %v", err)
	}
	if _, err := s.Create(&User{Username: "admin", Role: Admin}, "short"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Create with short password: %v", err)
	}
	got, err := s.Get("jose")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("Get (-created +got):\n%s", diff)
	}
	if _, err := s.Get("nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(nobody): %v", err)
	}

	upd := got.Clone()
	upd.DisplayName, upd.Disabled = "José Antonio", true
	upd.PasswordHash, upd.Created = "ignored", time.Time{}
	after, err := s.Update(upd)
	if err != nil {
		t.Fatal(err)
	}
	want := got.Clone()
	want.DisplayName, want.Disabled = "José Antonio", true
	if diff := cmp.Diff(want, after, cmpopts.IgnoreFields(User{}, "Updated")); diff != "" {
		t.Errorf("Update (-want +got):\n%s", diff)
	}
	if !after.Updated.After(got.Updated) {
		t.Errorf("Updated %v not after %v", after.Updated, got.Updated)
	}
	if _, err := s.Update(&User{Username: "nobody", Role: Admin}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update(nobody): %v", err)
	}
	bad := after.Clone()
	bad.FHIRUser = "Practitioner/p1"
	if _, err := s.Update(bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("Update to a patient linked to a Practitioner: %v", err)
	}

	if err := s.SetPassword("jose", "jose"); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetPassword(username): %v", err)
	}
	if err := s.SetPassword("nobody", "password-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetPassword(nobody): %v", err)
	}
	if err := s.SetPassword("jose", "new-password"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get("jose"); got.PasswordHash == after.PasswordHash {
		t.Error("SetPassword did not change the hash")
	}

	if _, err := s.Create(&User{Username: "dr.morgan", Role: Clinician, FHIRUser: "Practitioner/p1"}, "morgan-password"); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range list {
		names = append(names, u.Username)
	}
	if diff := cmp.Diff([]string{"dr.morgan", "jose"}, names); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if err := s.Delete("jose"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("jose"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete twice: %v", err)
	}
	if _, err := s.Get("jose"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}

	// Only its own buckets.
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if string(name) != "users.accounts" && string(name) != "users.consents" {
				t.Errorf("unexpected bucket %q", name)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAuthenticate(t *testing.T) {
	s, _ := newStore(t)
	if _, err := s.Create(&User{Username: "jose", Role: Patient, FHIRUser: "Patient/smart-patient-1"}, "jose-password"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(&User{Username: "gone", Role: Patient, FHIRUser: "Patient/smart-patient-2", Disabled: true}, "gone-password"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, user, pw string
		want           error
	}{
		{"right", "jose", "jose-password", nil},
		{"wrong password", "jose", "jose-passwore", ErrBadCredentials},
		{"empty password", "jose", "", ErrBadCredentials},
		{"unknown user", "nobody", "jose-password", ErrBadCredentials},
		{"empty user", "", "jose-password", ErrBadCredentials},
		{"disabled, right password", "gone", "gone-password", ErrDisabled},
		{"disabled, wrong password", "gone", "wrong-password", ErrBadCredentials},
	} {
		u, err := s.Authenticate(tc.user, tc.pw)
		if !errors.Is(err, tc.want) || (err == nil) != (u != nil) {
			t.Errorf("%s: Authenticate = %v, %v, want %v", tc.name, u, err, tc.want)
		}
		if err == nil && u.Username != tc.user {
			t.Errorf("%s: got user %q", tc.name, u.Username)
		}
		if tc.want == ErrBadCredentials && err != ErrBadCredentials {
			t.Errorf("%s: error %q, want exactly ErrBadCredentials", tc.name, err)
		}
	}
}

// An unknown username costs one verification, like a wrong password: it
// is checked against a dummy hash made with the store's own parameters
// (checked structurally here; timing belongs in benchmarks).
func TestAuthenticateUnknownUserVerifiesADummy(t *testing.T) {
	s, err := Open(newDB(t), Options{Params: fastParams})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate("nobody", "wrong-password"); err != ErrBadCredentials {
		t.Fatalf("Authenticate(nobody): %v, want ErrBadCredentials", err)
	}
	dummy := s.dummyHash()
	if dummy == "" || fastParams.NeedsRehash(dummy) {
		t.Errorf("dummy hash %q was not made with the store's parameters", dummy)
	}
	if ok, err := VerifyPassword("wrong-password", dummy); err != nil || ok {
		t.Errorf("the dummy hash verifies: %v %v", ok, err)
	}
}

func TestAuthenticateRehashes(t *testing.T) {
	db := newDB(t)
	weak, err := Open(db, Options{Params: fastParams})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := weak.Create(&User{Username: "jose", Role: Patient, FHIRUser: "Patient/p1"}, "jose-password"); err != nil {
		t.Fatal(err)
	}
	stronger := fastParams
	stronger.Time = 2
	s, err := Open(db, Options{Params: stronger})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := s.Get("jose")
	if !stronger.NeedsRehash(old.PasswordHash) {
		t.Fatal("weak hash does not need a rehash")
	}
	if _, err := s.Authenticate("jose", "wrong-password"); err != ErrBadCredentials {
		t.Fatal(err)
	}
	if u, _ := s.Get("jose"); u.PasswordHash != old.PasswordHash {
		t.Error("a failed login rehashed")
	}
	u, err := s.Authenticate("jose", "jose-password")
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Get("jose")
	if stronger.NeedsRehash(stored.PasswordHash) || stored.PasswordHash != u.PasswordHash {
		t.Errorf("after login the hash is %q", stored.PasswordHash)
	}
	if _, err := s.Authenticate("jose", "jose-password"); err != nil {
		t.Errorf("login after the rehash: %v", err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	path := t.TempDir() + "/smartd.db"
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	s, err := Open(ro, Options{Params: fastParams})
	if err != nil {
		t.Fatal(err)
	}
	if list, err := s.List(); err != nil || len(list) != 0 {
		t.Errorf("List on a fresh read-only file = %v, %v", list, err)
	}
	if _, err := s.Authenticate("jose", "password"); err != ErrBadCredentials {
		t.Errorf("Authenticate on a fresh read-only file: %v", err)
	}
}
