package users

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketAccounts holds username -> User JSON. It is created by Open and
// owned by this package.
var bucketAccounts = []byte("users.accounts")

// Errors returned by the Store, to be tested with errors.Is.
var (
	// ErrNotFound: no account has this username.
	ErrNotFound = errors.New("user not found")
	// ErrExists: an account with this username already exists.
	ErrExists = errors.New("username already taken")
	// ErrBadCredentials: unknown username or wrong password; deliberately
	// the same error for both.
	ErrBadCredentials = errors.New("bad username or password")
	// ErrDisabled: the password was right but the account is disabled.
	// Returned only after a successful verification, so it reveals
	// nothing to someone who does not know the password.
	ErrDisabled = errors.New("account disabled")
)

// Options configure a Store. The zero value is the production policy.
type Options struct {
	// Params are the argon2id parameters of new hashes; zero means DefaultParams.
	Params Params
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of salts; nil means crypto/rand.
	Rand io.Reader
}

// Store keeps login accounts in a bbolt file shared with the rest of
// smartd. It is safe for concurrent use.
type Store struct {
	db     *bolt.DB
	params Params
	now    func() time.Time
	rand   io.Reader

	dummyOnce sync.Once
	dummy     string // hash verified for unknown usernames

	decoded decodedCache // for Get
}

// Open returns a Store over db, creating its buckets (the accounts and the
// remembered consents) unless db is read-only. It touches no other bucket.
func Open(db *bolt.DB, opts Options) (*Store, error) {
	s := &Store{db: db, params: opts.Params, now: opts.Now, rand: opts.Rand}
	if s.params == (Params{}) {
		s.params = DefaultParams()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if db.IsReadOnly() {
		return s, nil
	}
	err := db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketAccounts, bucketConsents} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return s, nil
}

func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

// Create validates u and password and stores a new account with the
// password hashed; it returns the stored copy. u itself is not modified.
func (s *Store) Create(u *User, password string) (*User, error) {
	c := u.Clone()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := ValidatePassword(c.Username, password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password, s.params, s.rand)
	if err != nil {
		return nil, err
	}
	c.PasswordHash = hash
	c.Created = s.clock()
	c.Updated = c.Created
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := bucket(tx)
		if b == nil {
			return ErrNotFound
		}
		if b.Get([]byte(c.Username)) != nil {
			return fmt.Errorf("%w: %q", ErrExists, c.Username)
		}
		return put(b, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Get returns the account with this username, or ErrNotFound. It
// decodes the stored record only when it changed since the last Get of
// the account (see decodedCache).
func (s *Store) Get(username string) (*User, error) {
	var u *User
	err := s.db.View(func(tx *bolt.Tx) error {
		var raw []byte
		if b := bucket(tx); b != nil {
			raw = b.Get([]byte(username))
		}
		if raw == nil {
			return fmt.Errorf("%w: %q", ErrNotFound, username)
		}
		if u = s.decoded.lookup(username, raw); u != nil {
			return nil
		}
		var err error
		if u, err = decode([]byte(username), raw); err == nil {
			s.decoded.store(username, raw, u)
		}
		return err
	})
	return u, err
}

// Update replaces the profile of an existing account (DisplayName, Role,
// FHIRUser, Patient, Disabled) after validating it; the password hash and
// Created are kept. It returns the stored copy.
func (s *Store) Update(u *User) (*User, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var out *User
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := bucket(tx)
		old, err := get(b, u.Username)
		if err != nil {
			return err
		}
		out = u.Clone()
		out.PasswordHash, out.Created, out.Updated = old.PasswordHash, old.Created, s.clock()
		return put(b, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetPassword checks password against the policy and stores its hash.
func (s *Store) SetPassword(username, password string) error {
	if err := ValidatePassword(username, password); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.params, s.rand)
	if err != nil {
		return err
	}
	return s.setHash(username, "", hash)
}

// setHash stores hash as username's password hash; if old is not empty,
// only while the stored hash is still old (a rehash must not undo a
// concurrent password change).
func (s *Store) setHash(username, old, hash string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := bucket(tx)
		u, err := get(b, username)
		if err != nil {
			return err
		}
		if old != "" && u.PasswordHash != old {
			return nil
		}
		u.PasswordHash, u.Updated = hash, s.clock()
		return put(b, u)
	})
}

// Delete removes an account and its remembered consents, or returns
// ErrNotFound.
func (s *Store) Delete(username string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := bucket(tx)
		if b == nil || b.Get([]byte(username)) == nil {
			return fmt.Errorf("%w: %q", ErrNotFound, username)
		}
		if err := forgetConsents(tx, username); err != nil {
			return err
		}
		return b.Delete([]byte(username))
	})
}

// List returns every account, ordered by username.
func (s *Store) List() ([]*User, error) {
	var out []*User
	err := s.db.View(func(tx *bolt.Tx) error {
		b := bucket(tx)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			u, err := decode(k, v)
			if err == nil {
				out = append(out, u)
			}
			return err
		})
	})
	return out, err
}

// Authenticate returns the account whose username and password match. An
// unknown username and a wrong password both give ErrBadCredentials after
// one argon2id verification each, so they take about the same time. A
// disabled account with the right password gives ErrDisabled. A hash made
// with weaker parameters than the Store's is replaced after a successful
// login (best effort: a failure to store it is not a login failure).
func (s *Store) Authenticate(username, password string) (*User, error) {
	u, err := s.Get(username)
	if errors.Is(err, ErrNotFound) {
		_, _ = VerifyPassword(password, s.dummyHash())
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	ok, err := VerifyPassword(password, u.PasswordHash)
	if err != nil {
		return nil, fmt.Errorf("users: %q: %w", username, err)
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	if u.Disabled {
		return nil, ErrDisabled
	}
	if s.params.NeedsRehash(u.PasswordHash) {
		if hash, err := HashPassword(password, s.params, s.rand); err == nil && s.setHash(username, u.PasswordHash, hash) == nil {
			u.PasswordHash = hash
		}
	}
	return u, nil
}

// dummyHash is a hash with the Store's parameters of a random password,
// made once, for Authenticate to verify unknown usernames against.
func (s *Store) dummyHash() string {
	s.dummyOnce.Do(func() {
		var pw [16]byte
		if s.rand != nil {
			_, _ = io.ReadFull(s.rand, pw[:])
		}
		h, err := HashPassword(string(pw[:]), s.params, s.rand)
		if err != nil {
			// Without randomness, any well-formed hash with these parameters will do.
			h = encodePHC(phc{params: s.params, salt: make([]byte, s.params.SaltLen), hash: make([]byte, s.params.KeyLen)})
		}
		s.dummy = h
	})
	return s.dummy
}

func bucket(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket(bucketAccounts) }

func get(b *bolt.Bucket, username string) (*User, error) {
	var v []byte
	if b != nil {
		v = b.Get([]byte(username))
	}
	if v == nil {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, username)
	}
	return decode([]byte(username), v)
}

// decode copies out of v, which is valid only inside the transaction.
func decode(k, v []byte) (*User, error) {
	var u User
	if err := json.Unmarshal(v, &u); err != nil {
		return nil, fmt.Errorf("users: record %q: %w", k, err)
	}
	return &u, nil
}

func put(b *bolt.Bucket, u *User) error {
	v, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return b.Put([]byte(u.Username), v)
}
