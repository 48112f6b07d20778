package users

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashFormatAndVerify(t *testing.T) {
	h, err := HashPassword("jose-demo-2026", DefaultParams(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !phcRE.MatchString(h) {
		t.Fatalf("hash %q is not the PHC format with the default parameters", h)
	}
	h2, err := HashPassword("jose-demo-2026", DefaultParams(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if h == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"jose-demo-2026", true}, {"jose-demo-2027", false}, {"", false}, {"JOSE-DEMO-2026", false}} {
		ok, err := VerifyPassword(tc.pw, h)
		if err != nil || ok != tc.want {
			t.Errorf("VerifyPassword(%q) = %v, %v, want %v", tc.pw, ok, err, tc.want)
		}
	}
}

// The parameters come from the string: the same salt and hash under
// other parameters no longer verify, and a hash made with other parameters
// verifies under the current defaults.
func TestVerifyUsesStoredParams(t *testing.T) {
	h, err := HashPassword("password", fastParams, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := VerifyPassword("password", h); !ok || err != nil {
		t.Fatalf("VerifyPassword(fast hash) = %v, %v", ok, err)
	}
	for _, alt := range []string{"m=128,t=1,p=1", "m=64,t=2,p=1", "m=64,t=1,p=2"} {
		h2 := strings.Replace(h, "m=64,t=1,p=1", alt, 1)
		if ok, err := VerifyPassword("password", h2); ok || err != nil {
			t.Errorf("VerifyPassword with %s = %v, %v, want false", alt, ok, err)
		}
	}
}

func TestVerifyBadHashes(t *testing.T) {
	good, err := HashPassword("password", fastParams, nil)
	if err != nil {
		t.Fatal(err)
	}
	salt, hash := strings.Split(good, "$")[4], strings.Split(good, "$")[5]
	for _, h := range badHashes(salt, hash) {
		if ok, err := VerifyPassword("password", h); ok || !errors.Is(err, ErrHashFormat) {
			t.Errorf("VerifyPassword(%q) = %v, %v, want ErrHashFormat", h, ok, err)
		}
	}
}

func badHashes(salt, hash string) []string {
	return []string{
		"",
		"password",
		"$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$m=64,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + hash,
		"$argon2id$v=19$m=64,t=1,p=256$" + salt + "$" + hash,
		"$argon2id$v=19$m=4,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + hash,
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "=$" + hash,
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + hash,
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash[:10],
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash + "$",
		"$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash + "!",
	}
}

func TestNeedsRehash(t *testing.T) {
	cur := DefaultParams()
	for _, tc := range []struct {
		name string
		p    Params
		want bool
	}{
		{"current", cur, false},
		{"less memory", Params{Memory: 19456, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}, true},
		{"fewer passes", Params{Memory: 65536, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}, true},
		{"fewer lanes", Params{Memory: 65536, Time: 3, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"shorter salt", Params{Memory: 65536, Time: 3, Threads: 2, SaltLen: 8, KeyLen: 32}, true},
		{"shorter key", Params{Memory: 65536, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 16}, true},
		{"stronger", Params{Memory: 131072, Time: 4, Threads: 4, SaltLen: 32, KeyLen: 64}, false},
	} {
		// Build the string without the cost of hashing with p.
		h := encodePHC(phc{params: tc.p, salt: make([]byte, tc.p.SaltLen), hash: make([]byte, tc.p.KeyLen)})
		if got := cur.NeedsRehash(h); got != tc.want {
			t.Errorf("%s: NeedsRehash(%q) = %v, want %v", tc.name, h, got, tc.want)
		}
	}
	if !cur.NeedsRehash("not a hash") {
		t.Error("NeedsRehash(garbage) = false")
	}
}

func BenchmarkVerify(b *testing.B) {
	h, err := HashPassword("jose-demo-2026", DefaultParams(), nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := VerifyPassword("jose-demo-2026", h); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
