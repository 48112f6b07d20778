package admin_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"smartd/admin"
	"smartd/apps/registry"
	"smartd/authz/keys"
	"smartd/sessions"
	"smartd/users"
)

const usersTestToken = "users-admin-token-0123456789"

// usersAPI builds the admin API over a real registry, keys, user store
// (with cheap hashing) and session store; withUsers false leaves the
// user store out.
func usersAPI(t testing.TB, withUsers bool) (http.Handler, *users.Store, *sessions.Store) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "smartd.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	apps, err := registry.Open(db, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.Open(db, keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	us, err := users.Open(db, users.Options{Params: users.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := sessions.Open(db, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	opts := admin.Options{Apps: apps, Keys: k, Token: usersTestToken}
	if withUsers {
		opts.Users, opts.Sessions = us, ss
	}
	a, err := admin.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return a, us, ss
}

func usersDo(h http.Handler, token, method, path, body string) (int, string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// createUserCases are POST /users bodies and what they must get; they
// seed FuzzCreateUser.
var createUserCases = []struct {
	name, body string
	status     int
	code       string
}{
	{"patient", `{"username":"pat.one","password":"long-enough-1","role":"patient","fhir_user":"Patient/p1"}`, 201, ""},
	{"clinician", `{"username":"doc","password":"long-enough-1","role":"clinician","fhir_user":"Practitioner/d1","display_name":"Dr Doc"}`, 201, ""},
	{"proxy", `{"username":"mum","password":"long-enough-1","role":"patient","fhir_user":"RelatedPerson/r1","patient":"p1"}`, 201, ""},
	{"admin without resource", `{"username":"boss","password":"long-enough-1","role":"admin"}`, 201, ""},
	{"short password", `{"username":"pat.two","password":"short","role":"patient","fhir_user":"Patient/p1"}`, 400, "invalid_request"},
	{"clinician as patient", `{"username":"doc2","password":"long-enough-1","role":"clinician","fhir_user":"Patient/p1"}`, 400, "invalid_request"},
	{"bad username", `{"username":"Bad Name","password":"long-enough-1","role":"admin"}`, 400, "invalid_request"},
	{"unknown role", `{"username":"who","password":"long-enough-1","role":"root"}`, 400, "invalid_request"},
	{"unknown field", `{"username":"who","password":"long-enough-1","role":"admin","password_hash":"x"}`, 400, "invalid_request"},
	{"two values", `{"username":"who","password":"long-enough-1","role":"admin"} {}`, 400, "invalid_request"},
	{"not JSON", `username=who`, 400, "invalid_request"},
}

// TestCreateUser: each body is created or refused with the right status
// and OAuth error, and a created account is what GET returns, without
// its password hash.
func TestCreateUser(t *testing.T) {
	for _, tc := range createUserCases {
		t.Run(tc.name, func(t *testing.T) {
			h, us, _ := usersAPI(t, true)
			status, body := usersDo(h, usersTestToken, http.MethodPost, "/users", tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if tc.code != "" {
				var e struct{ Error string }
				json.Unmarshal([]byte(body), &e)
				if e.Error != tc.code {
					t.Errorf("error %q, want %q: %s", e.Error, tc.code, body)
				}
				return
			}
			if strings.Contains(body, "argon2") || strings.Contains(body, "password") {
				t.Errorf("the answer shows the password or its hash: %s", body)
			}
			var created admin.UserInfo
			json.Unmarshal([]byte(body), &created)
			_, got := usersDo(h, usersTestToken, http.MethodGet, "/users/"+created.Username, "")
			var read admin.UserInfo
			json.Unmarshal([]byte(got), &read)
			if diff := cmp.Diff(created, read); diff != "" || created.Username == "" {
				t.Errorf("GET differs from POST (-post +get):\n%s", diff)
			}
			var nu admin.NewUser
			json.Unmarshal([]byte(tc.body), &nu)
			if _, err := us.Authenticate(nu.Username, nu.Password); err != nil {
				t.Errorf("the new account cannot sign in: %v", err)
			}
		})
	}
}

// TestUserLifecycle: list, a duplicate refused with 409, delete ends the
// account's sessions, and a second delete is 404.
func TestUserLifecycle(t *testing.T) {
	h, _, ss := usersAPI(t, true)
	body := `{"username":"pat.one","password":"long-enough-1","role":"patient","fhir_user":"Patient/p1"}`
	if status, got := usersDo(h, usersTestToken, http.MethodPost, "/users", body); status != 201 {
		t.Fatalf("create: %d %s", status, got)
	}
	if status, got := usersDo(h, usersTestToken, http.MethodPost, "/users", body); status != 409 || !strings.Contains(got, `"conflict"`) {
		t.Errorf("duplicate: %d %s", status, got)
	}
	sess, err := ss.Create("pat.one")
	if err != nil {
		t.Fatal(err)
	}
	_, list := usersDo(h, usersTestToken, http.MethodGet, "/users", "")
	var infos []admin.UserInfo
	json.Unmarshal([]byte(list), &infos)
	if len(infos) != 1 || infos[0].Username != "pat.one" || infos[0].Role != users.Patient {
		t.Errorf("list: %s", list)
	}
	if status, got := usersDo(h, usersTestToken, http.MethodDelete, "/users/pat.one", ""); status != 204 {
		t.Fatalf("delete: %d %s", status, got)
	}
	if _, err := ss.Get(sess.ID); !errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("the session outlived its account: %v", err)
	}
	for _, tc := range []struct{ method, path string }{{http.MethodDelete, "/users/pat.one"}, {http.MethodGet, "/users/pat.one"}} {
		if status, got := usersDo(h, usersTestToken, tc.method, tc.path, ""); status != 404 {
			t.Errorf("%s %s after delete: %d %s", tc.method, tc.path, status, got)
		}
	}
	if _, list := usersDo(h, usersTestToken, http.MethodGet, "/users", ""); strings.TrimSpace(list) != "[]" {
		t.Errorf("list after delete: %s", list)
	}
}

// TestUsersNeedTokenAndStore: every /users endpoint needs the admin
// token, and answers 404 on an API built without a user store.
func TestUsersNeedTokenAndStore(t *testing.T) {
	with, _, _ := usersAPI(t, true)
	without, _, _ := usersAPI(t, false)
	for _, tc := range []struct{ method, path, body string }{
		{http.MethodGet, "/users", ""}, {http.MethodGet, "/users/x", ""}, {http.MethodDelete, "/users/x", ""},
		{http.MethodPost, "/users", createUserCases[0].body},
	} {
		if status, _ := usersDo(with, "", tc.method, tc.path, tc.body); status != 401 {
			t.Errorf("%s %s without a token: %d", tc.method, tc.path, status)
		}
		if status, _ := usersDo(with, "wrong-token-0123456789", tc.method, tc.path, tc.body); status != 401 {
			t.Errorf("%s %s with a wrong token: %d", tc.method, tc.path, status)
		}
		if status, _ := usersDo(without, usersTestToken, tc.method, tc.path, tc.body); status != 404 {
			t.Errorf("%s %s without a user store: %d", tc.method, tc.path, status)
		}
	}
}

// FuzzCreateUser: no body makes POST /users fail with a server error,
// and a 201 is an account GET finds.
func FuzzCreateUser(f *testing.F) {
	for _, tc := range createUserCases {
		f.Add(tc.body)
	}
	h, _, _ := usersAPI(f, true)
	f.Fuzz(func(t *testing.T, body string) {
		status, got := usersDo(h, usersTestToken, http.MethodPost, "/users", body)
		switch status {
		case 201:
			var u admin.UserInfo
			json.Unmarshal([]byte(got), &u)
			if s, _ := usersDo(h, usersTestToken, http.MethodGet, "/users/"+u.Username, ""); s != 200 {
				t.Errorf("created %q but GET got %d", u.Username, s)
			}
		case 400, 409:
		default:
			t.Errorf("status %d for %q: %s", status, body, got)
		}
	})
}
