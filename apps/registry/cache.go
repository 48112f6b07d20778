package registry

import (
	"sync"

	bolt "go.etcd.io/bbolt"
)

// maxCachedApps bounds the cache: open registration lets anyone add
// apps, so it cannot hold them all. At the bound an arbitrary app is
// dropped to make room.
const maxCachedApps = 4096

// appCache holds decoded apps by client_id, so that the app lookups of
// every authorize, consent and token request do not decode JSON (Get is
// on the path of the standalone launch three times a round trip). Every
// write of the Store clears it after committing; the generation makes a
// lookup that read the bucket before a write unable to cache what it
// read once that write has cleared the cache.
type appCache struct {
	mu   sync.RWMutex
	gen  uint64
	apps map[string]*App // never handed out: Get returns clones
}

// get returns the cached app with this client_id, or false and the
// generation to pass to put after reading the bucket.
func (c *appCache) get(clientID string) (*App, uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	a, ok := c.apps[clientID]
	return a, c.gen, ok
}

// put caches a, read from the bucket in generation gen, unless a write
// has cleared the cache since.
func (c *appCache) put(a *App, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.apps == nil {
		c.apps = map[string]*App{}
	}
	if _, ok := c.apps[a.ClientID]; !ok && len(c.apps) >= maxCachedApps {
		for id := range c.apps {
			delete(c.apps, id)
			break
		}
	}
	c.apps[a.ClientID] = a
}

// clear drops every app and starts a new generation.
func (c *appCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.apps)
}

// update runs fn in a write transaction and clears the cache once it has
// committed (or failed), so that no lookup after update returns sees an
// app as it was before.
func (s *Store) update(fn func(*bolt.Tx) error) error {
	defer s.cache.clear()
	return s.db.Update(fn)
}
