package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smartd/fhirproxy/store"
	"smartd/server"
	"smartd/users"
)

// withStdin makes os.Stdin read text for the rest of the test.
func withStdin(t *testing.T, text string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = in
	t.Cleanup(func() { os.Stdin = old; in.Close() })
}

// authenticate opens the data directory and signs in.
func authenticate(t *testing.T, dir, username, password string) (*users.User, error) {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, server.StoreFile), store.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := users.Open(st.DB(), users.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s.Authenticate(username, password)
}

func TestUsersCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SMARTD_DATA": dir}
	out, _, err := runCLI(t, env, "users", "add", "-username", "dr.morgan", "-name", "Dr. Adaeze Morgan", "-role", "clinician",
		"-fhir-user", "Practitioner/smart-practitioner-1", "-password", "morgan-password")
	if err != nil || !strings.Contains(out, "added dr.morgan (clinician, fhirUser Practitioner/smart-practitioner-1)") {
		t.Fatalf("add: %v\n%s", err, out)
	}
	withStdin(t, "maria-password\n")
	if out, _, err = runCLI(t, env, "users", "add", "-username", "maria", "-role", "patient", "-fhir-user", "RelatedPerson/rp-1",
		"-patient", "smart-patient-2", "-password-stdin"); err != nil {
		t.Fatalf("add -password-stdin: %v\n%s", err, out)
	}
	if u, err := authenticate(t, dir, "maria", "maria-password"); err != nil || u.PatientContext() != "smart-patient-2" {
		t.Fatalf("maria signs in: %+v, %v", u, err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-username", "dr.morgan", "-role", "clinician", "-fhir-user", "Practitioner/x", "-password", "another-password"}, "username already taken"},
		{[]string{"-username", "jose", "-role", "patient", "-fhir-user", "Practitioner/x", "-password", "jose-password"}, "a patient links to Patient/id"},
		{[]string{"-username", "jose", "-role", "doctor", "-fhir-user", "Practitioner/x", "-password", "jose-password"}, "role"},
		{[]string{"-username", "Jose", "-role", "patient", "-fhir-user", "Patient/p1", "-password", "jose-password"}, "lowercase"},
		{[]string{"-username", "jose", "-role", "patient", "-fhir-user", "Patient/p1", "-password", "short"}, "at least 8 characters"},
		{[]string{"-username", "jose1234", "-role", "patient", "-fhir-user", "Patient/p1", "-password", "jose1234"}, "must not be the username"},
		{[]string{"-username", "jose", "-role", "patient", "-fhir-user", "Patient/p1"}, "password is required"},
		{[]string{"-username", "jose", "-role", "patient", "-fhir-user", "Patient/p1", "-password", "x", "-password-stdin"}, "give one"},
		{[]string{"extra"}, "takes no arguments"},
	} {
		if _, _, err := runCLI(t, env, append([]string{"users", "add"}, tc.args...)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("add %q: %v, want %q", tc.args, err, tc.want)
		}
	}

	out, _, err = runCLI(t, env, "users", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "USERNAME") ||
		strings.Join(strings.Fields(lines[1]), " ") != "dr.morgan clinician Practitioner/smart-practitioner-1 - active Dr. Adaeze Morgan" ||
		strings.Join(strings.Fields(lines[2]), " ") != "maria patient RelatedPerson/rp-1 smart-patient-2 active" {
		t.Errorf("list:\n%s", out)
	}
	if strings.Contains(out, "argon2") {
		t.Error("list shows password hashes")
	}
	if out, _, err = runCLI(t, env, "users", "add", "-username", "dana", "-role", "developer", "-password", "dana-password"); err != nil ||
		!strings.Contains(out, "added dana (developer, fhirUser -)") {
		t.Fatalf("add a developer: %v\n%s", err, out)
	}

	withStdin(t, "new-morgan-password\n")
	if out, _, err = runCLI(t, env, "users", "passwd", "-username", "dr.morgan", "-password-stdin"); err != nil || !strings.Contains(out, "password of dr.morgan changed") {
		t.Fatalf("passwd: %v\n%s", err, out)
	}
	if _, err := authenticate(t, dir, "dr.morgan", "morgan-password"); !errors.Is(err, users.ErrBadCredentials) {
		t.Errorf("old password after passwd: %v", err)
	}
	if _, err := authenticate(t, dir, "dr.morgan", "new-morgan-password"); err != nil {
		t.Errorf("new password after passwd: %v", err)
	}
	if _, _, err := runCLI(t, env, "users", "passwd", "-username", "nobody", "-password", "password-1"); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("passwd nobody: %v", err)
	}
	if _, _, err := runCLI(t, env, "users", "passwd", "-username", "dr.morgan", "-password", "dr.morgan"); err == nil || !strings.Contains(err.Error(), "must not be the username") {
		t.Errorf("passwd with the username: %v", err)
	}

	if out, _, err = runCLI(t, env, "users", "remove", "-username", "maria"); err != nil || out != "removed maria\n" {
		t.Fatalf("remove: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, env, "users", "remove", "-username", "maria"); !errors.Is(err, users.ErrNotFound) {
		t.Errorf("remove twice: %v", err)
	}
	if _, _, err := runCLI(t, env, "users", "remove"); err == nil || !strings.Contains(err.Error(), "-username is required") {
		t.Errorf("remove without -username: %v", err)
	}
	if _, _, err := runCLI(t, env, "users", "rename"); err == nil || !strings.Contains(err.Error(), "unknown users command") {
		t.Errorf("users rename: %v", err)
	}
	if _, _, err := runCLI(t, env, "users"); err == nil {
		t.Error("users without a command succeeded")
	}
}

func TestUsersListWithoutData(t *testing.T) {
	if _, _, err := runCLI(t, nil, "users", "list", "-data", filepath.Join(t.TempDir(), "none")); err == nil || !strings.Contains(err.Error(), "no smartd data") {
		t.Errorf("list on a missing directory: %v", err)
	}
}

func TestUsersRefuseLockedDataDirectory(t *testing.T) {
	dir := t.TempDir()
	startServe(t, nil, "-data", dir, "-no-samples")
	for _, args := range [][]string{
		{"users", "list", "-data", dir},
		{"users", "add", "-data", dir, "-username", "jose", "-role", "patient", "-fhir-user", "Patient/p1", "-password", "jose-password"},
		{"users", "passwd", "-data", dir, "-username", "jose", "-password", "jose-password"},
		{"users", "remove", "-data", dir, "-username", "jose"},
	} {
		start := time.Now()
		_, _, err := runCLI(t, nil, args...)
		if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "is a smartd server running") {
			t.Errorf("%v: %v, want ErrLocked with the reason", args, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%v took %v to refuse", args, d)
		}
	}
}
