package keys

import "errors"

// Errors from Open, grouped by cause; test them with errors.Is.
var (
	// ErrPassphraseRequired: the key store is encrypted and no passphrase
	// was given.
	ErrPassphraseRequired = errors.New("the signing keys are encrypted: set SMARTD_KEY_PASSPHRASE to the passphrase they were created with")
	// ErrNotEncrypted: a passphrase was given but the key store was created
	// without one.
	ErrNotEncrypted = errors.New("the signing keys were created without a passphrase: unset SMARTD_KEY_PASSPHRASE, or start from a new key store")
	// ErrWrongPassphrase: the passphrase does not open the key store.
	ErrWrongPassphrase = errors.New("wrong passphrase for the signing keys (SMARTD_KEY_PASSPHRASE)")
	// ErrNotInitialized: the data file is open read-only and holds no keys
	// yet, so none can be created.
	ErrNotInitialized = errors.New("no signing keys in the data file (opened read-only)")
	// ErrCorrupt: a stored key record does not decode, or its kid does not
	// match its key.
	ErrCorrupt = errors.New("corrupt signing key record")
)

// Errors from Rotate and the sign methods.
var (
	// ErrReadOnly: Rotate on a data file opened read-only.
	ErrReadOnly = errors.New("signing keys cannot change: data file opened read-only")
	// ErrLifetime: the claims have no exp, or an exp later than now plus
	// Options.Retain, so the token could outlive its verification key.
	ErrLifetime = errors.New("token lifetime must be set and at most the key retention")
)

// Errors from verification, wrapped by golang-jwt in
// jwt.ErrTokenUnverifiable.
var (
	// ErrNoKid: the token header has no kid; SMART requires one and smartd
	// never signs without it.
	ErrNoKid = errors.New("token header has no kid")
	// ErrUnknownKid: no key with that kid, or its retention has passed.
	ErrUnknownKid = errors.New("token kid is not a current or retained signing key")
	// ErrAlgMismatch: the header alg is not the one algorithm of the key
	// named by kid (this refuses none, HMAC and RSA/EC confusion).
	ErrAlgMismatch = errors.New("token alg does not match its key")
	// ErrTokenType: an access token without the typ "at+jwt" of RFC 9068.
	ErrTokenType = errors.New("token typ is not at+jwt")
)
