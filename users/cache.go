package users

import (
	"bytes"
	"sync"
)

// maxDecoded bounds the decoded accounts kept; at the bound an arbitrary
// one is dropped to make room.
const maxDecoded = 4096

// decodedCache keeps accounts as decoded from their stored bytes, so that
// Get, on the path of every authorize and consent request, decodes JSON
// only when an account's record has changed. An entry is used only when
// the bytes now stored are the bytes it was decoded from, so no write
// needs to know about the cache: a changed or deleted record simply
// stops matching.
type decodedCache struct {
	mu sync.RWMutex
	m  map[string]decoded
}

type decoded struct {
	raw  []byte // the stored record, copied
	user *User  // never handed out: lookups return clones
}

// lookup returns a copy of the account decoded from raw, or nil.
func (c *decodedCache) lookup(username string, raw []byte) *User {
	c.mu.RLock()
	d, ok := c.m[username]
	c.mu.RUnlock()
	if !ok || !bytes.Equal(d.raw, raw) {
		return nil
	}
	return d.user.Clone()
}

// store keeps a copy of u, decoded from raw (which it copies: bbolt's
// bytes are valid only inside the transaction).
func (c *decodedCache) store(username string, raw []byte, u *User) {
	d := decoded{raw: bytes.Clone(raw), user: u.Clone()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]decoded{}
	}
	if _, ok := c.m[username]; !ok && len(c.m) >= maxDecoded {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[username] = d
}
