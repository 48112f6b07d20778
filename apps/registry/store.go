package registry

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketClients holds client_id -> App JSON. It is created by Open and
// owned by this package.
var bucketClients = []byte("apps.clients")

// Errors returned by the Store, to be tested with errors.Is.
var (
	// ErrNotFound: no app has this client_id.
	ErrNotFound = errors.New("app not found")
	// ErrExists: an app with this client_id is already registered.
	ErrExists = errors.New("client_id already registered")
	// ErrNoSecret: the app is not confidential-symmetric, so it has no secret to rotate.
	ErrNoSecret = errors.New("app does not authenticate with a client secret")
)

// Options configure a Store. The zero value is the production policy.
type Options struct {
	// Validate relaxes validation for development; see ValidateOptions.
	Validate ValidateOptions
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of client_ids and secrets; nil means crypto/rand.
	Rand io.Reader
}

// Store keeps app registrations in a bbolt file shared with the rest of
// smartd. It is safe for concurrent use.
type Store struct {
	db       *bolt.DB
	validate ValidateOptions
	now      func() time.Time
	rand     io.Reader
	cache    appCache
}

// Credentials are plaintext secrets the Store has just issued. They are
// not stored: show them once. Empty fields were not issued.
type Credentials struct {
	// ClientSecret is a new client secret (confidential-symmetric apps).
	ClientSecret string
	// RegistrationAccessToken is a new RFC 7592 registration access token.
	RegistrationAccessToken string
}

// Open returns a Store over db, creating its bucket unless db is read-only.
// It touches no other bucket.
func Open(db *bolt.DB, opts Options) (*Store, error) {
	s := &Store{db: db, validate: opts.Validate, now: opts.Now, rand: opts.Rand}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if db.IsReadOnly() {
		return s, nil
	}
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketClients)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	return s, nil
}

// Create validates and stores a new registration and returns the stored
// copy. It assigns a client_id if a has none (ErrExists if a's is taken),
// sets Created and Updated, and issues what a lacks: a client secret for a
// confidential-symmetric app and a registration access token. a itself is
// not modified.
func (s *Store) Create(a *App) (*App, Credentials, error) {
	c := a.Clone()
	if err := c.Validate(s.validate); err != nil {
		return nil, Credentials{}, err
	}
	if c.ClientID == "" {
		id, err := newClientID(s.rand)
		if err != nil {
			return nil, Credentials{}, err
		}
		c.ClientID = id
	}
	c.Created = s.clock()
	c.Updated = c.Created
	var cred Credentials
	if err := s.issue(c, nil, &cred); err != nil {
		return nil, Credentials{}, err
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketClients)
		if b.Get([]byte(c.ClientID)) != nil {
			return fmt.Errorf("%w: %q", ErrExists, c.ClientID)
		}
		return put(b, c)
	})
	if err != nil {
		return nil, Credentials{}, err
	}
	return c, cred, nil
}

// Register is RFC 7591 §3: it turns a registration request into an App
// (FromMetadata), refuses server-assigned members, validates, and creates
// it. Every problem comes back in one *ValidationError.
func (s *Store) Register(md Metadata) (*App, Credentials, error) {
	a, v := fromMetadata(md)
	serverAssigned(md, v, "leave it out of a registration request (RFC 7591 §3.1)")
	v.merge(a.Validate(s.validate))
	if err := v.err(); err != nil {
		return nil, Credentials{}, err
	}
	return s.Create(a)
}

// Get returns the app with this client_id, or ErrNotFound. It answers
// from memory after the first lookup (see appCache); the App is the
// caller's to change.
func (s *Store) Get(clientID string) (*App, error) {
	cached, gen, ok := s.cache.get(clientID)
	if ok {
		return cached.Clone(), nil
	}
	var a *App
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		a, err = get(tx.Bucket(bucketClients), clientID)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.cache.put(a.Clone(), gen)
	return a, nil
}

// Update validates a and replaces the stored app with its client_id
// (ErrNotFound if there is none). Created is kept and Updated set. What
// the Store manages is kept when a leaves it empty: the registration token
// hash, and the secret hash while the app stays confidential-symmetric; an
// app that becomes confidential-symmetric gets a new secret, returned in
// Credentials. An app of another type must carry no secret hash: clear
// SecretHash when changing an app's type away from confidential-symmetric.
func (s *Store) Update(a *App) (*App, Credentials, error) {
	c := a.Clone()
	if c.ClientID == "" {
		return nil, Credentials{}, fmt.Errorf("%w: empty client_id", ErrNotFound)
	}
	if err := c.Validate(s.validate); err != nil {
		return nil, Credentials{}, err
	}
	var cred Credentials
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketClients)
		cur, err := get(b, c.ClientID)
		if err != nil {
			return err
		}
		c.Created, c.Updated = cur.Created, s.clock()
		if err := s.issue(c, cur, &cred); err != nil {
			return err
		}
		return put(b, c)
	})
	if err != nil {
		return nil, Credentials{}, err
	}
	return c, cred, nil
}

// Reregister is the RFC 7592 §2.2 update: md replaces the registered
// metadata of clientID. md must carry that client_id, may carry the
// current client_secret (a client cannot choose a new one), and must not
// carry the other server-assigned members. The client_id, owner, Created,
// registration token and (while confidential-symmetric) secret are kept.
// The caller has already checked the registration access token.
func (s *Store) Reregister(clientID string, md Metadata) (*App, Credentials, error) {
	var out *App
	var cred Credentials
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketClients)
		cur, err := get(b, clientID)
		if err != nil {
			return err
		}
		next, v := fromMetadata(md)
		serverAssigned(md, v, "leave it out of an update request (RFC 7592 §2.2)", "client_id", "client_secret")
		if md.ClientID != clientID {
			v.add("client_id", "client_id must be present and equal %q, the client being updated (RFC 7592 §2.2)", clientID)
		}
		if md.ClientSecret != "" && !cur.CheckSecret(md.ClientSecret) {
			v.add("client_secret", "client_secret does not match the current secret; a client cannot choose its own (RFC 7592 §2.2)")
		}
		next.ClientID, next.Owner = clientID, cur.Owner
		next.AllowSimulation, next.Simulation = cur.AllowSimulation, cur.Simulation // an administrator's choice
		v.merge(next.Validate(s.validate))
		if err := v.err(); err != nil {
			return err
		}
		next.Created, next.Updated = cur.Created, s.clock()
		if err := s.issue(next, cur, &cred); err != nil {
			return err
		}
		out = next
		return put(b, next)
	})
	if err != nil {
		return nil, Credentials{}, err
	}
	return out, cred, nil
}

// RotateSecret issues a new client secret for a confidential-symmetric
// app and returns it; the old one stops working at once.
func (s *Store) RotateSecret(clientID string) (string, error) {
	var plain string
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketClients)
		a, err := get(b, clientID)
		if err != nil {
			return err
		}
		if a.Type() != ConfidentialSymmetric {
			return fmt.Errorf("%w: %q is %s", ErrNoSecret, clientID, a.Type())
		}
		if plain, a.SecretHash, err = newSecret(s.rand); err != nil {
			return err
		}
		a.Updated = s.clock()
		return put(b, a)
	})
	return plain, err
}

// Delete removes the app with this client_id, or returns ErrNotFound.
func (s *Store) Delete(clientID string) error {
	return s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketClients)
		if b.Get([]byte(clientID)) == nil {
			return fmt.Errorf("%w: %q", ErrNotFound, clientID)
		}
		return b.Delete([]byte(clientID))
	})
}

// List returns every app, sorted by name (case-insensitively), then by
// client_id.
func (s *Store) List() ([]*App, error) {
	var apps []*App
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketClients)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			a, err := decode(k, v)
			apps = append(apps, a)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(apps, func(x, y *App) int {
		if c := strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)); c != 0 {
			return c
		}
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		return strings.Compare(x.ClientID, y.ClientID)
	})
	return apps, nil
}

// issue gives c what the Store manages, taking it from cur (the stored
// version, nil on create) where it can and issuing it otherwise.
func (s *Store) issue(c, cur *App, cred *Credentials) error {
	if len(c.RegistrationTokenHash) == 0 {
		if cur != nil {
			c.RegistrationTokenHash = cur.RegistrationTokenHash
		} else {
			var err error
			if cred.RegistrationAccessToken, c.RegistrationTokenHash, err = newSecret(s.rand); err != nil {
				return err
			}
		}
	}
	if c.Type() != ConfidentialSymmetric || len(c.SecretHash) > 0 {
		return nil
	}
	if cur != nil && cur.Type() == ConfidentialSymmetric && len(cur.SecretHash) > 0 {
		c.SecretHash = cur.SecretHash
		return nil
	}
	var err error
	cred.ClientSecret, c.SecretHash, err = newSecret(s.rand)
	return err
}

// clock returns the current time in UTC without a monotonic reading, so
// that a stored and re-read App compare equal.
func (s *Store) clock() time.Time { return s.now().UTC() }

// get decodes one app; b may be nil (a read-only file never opened for writing).
func get(b *bolt.Bucket, clientID string) (*App, error) {
	var v []byte
	if b != nil {
		v = b.Get([]byte(clientID))
	}
	if v == nil {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, clientID)
	}
	return decode([]byte(clientID), v)
}

// decode unmarshals a stored app; json.Unmarshal copies what it keeps, so
// the result outlives the transaction.
func decode(k, v []byte) (*App, error) {
	a := new(App)
	if err := json.Unmarshal(v, a); err != nil {
		return nil, fmt.Errorf("registry: app %q: %w", k, err)
	}
	return a, nil
}

func put(b *bolt.Bucket, a *App) error {
	v, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return b.Put([]byte(a.ClientID), v)
}
