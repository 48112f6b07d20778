package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

func TestNewSecret(t *testing.T) {
	plain, hash, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(plain)
	if err != nil || len(raw) != 32 || len(plain) != 43 {
		t.Fatalf("secret %q: want 32 bytes as 43 base64url characters (%v)", plain, err)
	}
	if want := sha256.Sum256([]byte(plain)); !bytes.Equal(hash, want[:]) {
		t.Errorf("hash is not the SHA-256 of the secret")
	}
	if bytes.Contains(hash, []byte(plain)) {
		t.Errorf("hash holds the secret")
	}
	other, _, err := NewSecret()
	if err != nil || other == plain {
		t.Errorf("two secrets are equal: %q (%v)", other, err)
	}
}

func TestCheckSecret(t *testing.T) {
	plain, hash, err := newSecret(bytes.NewReader(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	if plain != "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc" {
		t.Errorf("secret from a fixed reader = %q", plain)
	}
	tests := []struct {
		name  string
		hash  []byte
		plain string
		want  bool
	}{
		{"right", hash, plain, true},
		{"wrong", hash, plain[:42] + "d", false},
		{"prefix", hash, plain[:42], false},
		{"empty secret", hashSecret(""), "", false},
		{"truncated hash", hash[:16], plain, false},
		{"no hash", nil, plain, false},
	}
	for _, tc := range tests {
		if got := CheckSecret(tc.hash, tc.plain); got != tc.want {
			t.Errorf("%s: CheckSecret = %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, _, err := newSecret(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Errorf("a short random source gave a secret")
	}
}

func TestNewClientID(t *testing.T) {
	id, err := newClientID(bytes.NewReader(bytes.Repeat([]byte{0xfb}, 16)))
	if err != nil {
		t.Fatal(err)
	}
	if id != "e_v7-_v7-_v7-_v7-_v7-w" || !validClientID(id) {
		t.Errorf("client_id = %q, want 22 URL-safe characters, the first a letter", id)
	}
}
