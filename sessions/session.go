package sessions

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"
)

// Errors returned by Store.
var (
	// ErrNotFound: no session has this ID (never created, deleted,
	// swept, or the cookie is missing or malformed).
	ErrNotFound = errors.New("sessions: session not found")
	// ErrExpired: the session exists but has been idle longer than
	// Options.Idle or lived longer than Options.Absolute.
	ErrExpired = errors.New("sessions: session expired")
	// ErrClosed: the Store was used after Close.
	ErrClosed = errors.New("sessions: store closed")
)

// idLen is the number of random bytes of a session ID and a CSRF token.
const idLen = 32

// Session is one signed-in browser. Values returned by Store are copies:
// changing them does not change the session.
type Session struct {
	// ID is the cookie value. It is never stored, only its SHA-256.
	ID string
	// Username is the account signed in (package users).
	Username string
	// CSRFToken goes into every form of our own pages as csrf_token.
	CSRFToken string
	// Created is when the session started; it expires Absolute later.
	Created time.Time
	// LastSeen is the last Get; the session expires Idle after it.
	LastSeen time.Time
}

// digest is the storage key of a session: SHA-256 of its ID.
type digest [sha256.Size]byte

// digestID returns the key of a well-formed ID, or false for anything
// that cannot be one of our IDs (cheap to refuse before hashing).
func digestID(id string) (digest, bool) {
	if len(id) != base64.RawURLEncoding.EncodedLen(idLen) {
		return digest{}, false
	}
	var raw [idLen]byte
	n, err := base64.RawURLEncoding.Strict().Decode(raw[:], []byte(id))
	if err != nil || n != idLen {
		return digest{}, false
	}
	return sha256.Sum256([]byte(id)), true
}

// Digest returns the public handle of a session ID: the lowercase hex
// SHA-256 of the ID's bytes (64 characters), the same hash that keys the
// session in bbolt. Other packages store it instead of the ID (a grant's
// SessionID) and pass it to Store.Alive.
func Digest(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// parseDigest decodes a handle from Digest, or reports false.
func parseDigest(s string) (digest, bool) {
	var d digest
	if len(s) != hex.EncodedLen(len(d)) {
		return digest{}, false
	}
	if _, err := hex.Decode(d[:], []byte(s)); err != nil {
		return digest{}, false
	}
	return d, true
}
