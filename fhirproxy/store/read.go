package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"smartd/fhirproxy/search"
)

// reader holds the read operations shared by View and Update.
type reader struct {
	btx *bolt.Tx
}

func (r reader) header(key []byte) (header, bool, error) {
	v := r.btx.Bucket(bucketResources).Get(key)
	if v == nil {
		return header{}, false, nil
	}
	h, err := decodeHeader(v)
	return h, err == nil, err
}

func (r reader) forward(key []byte) ([]search.IndexValue, error) {
	v := r.btx.Bucket(bucketForward).Get(key)
	if v == nil {
		return nil, nil
	}
	return decodeForward(v)
}

// Read returns the current version of a resource: ErrNotFound if it never
// existed, ErrGone (with the delete version) if it was deleted.
func (r reader) Read(typ, id string) (Resource, error) {
	h, ok, err := r.header(resourceKey(typ, id))
	if err != nil {
		return Resource{}, err
	}
	if !ok {
		return Resource{}, fmt.Errorf("%s/%s: %w", typ, id, ErrNotFound)
	}
	if h.op == OpDelete {
		return Resource{Type: typ, ID: id, Version: h.version, Op: OpDelete,
			LastUpdated: time.UnixMilli(h.lastUpdated).UTC()}, fmt.Errorf("%s/%s: %w", typ, id, ErrGone)
	}
	return r.VRead(typ, id, h.version)
}

// VRead returns one version; a delete version comes back with ErrGone.
func (r reader) VRead(typ, id string, version uint64) (Resource, error) {
	v := r.btx.Bucket(bucketVersions).Get(versionKey(typ, id, version))
	if v == nil {
		return Resource{}, fmt.Errorf("%s/%s/_history/%d: %w", typ, id, version, ErrNotFound)
	}
	res, err := decodeVersion(typ, id, version, v)
	if err == nil && res.Deleted() {
		err = fmt.Errorf("%s/%s/_history/%d: %w", typ, id, version, ErrGone)
	}
	return res, err
}

// Index returns the current index values of a live resource.
func (r reader) Index(typ, id string) ([]search.IndexValue, error) {
	return r.forward(resourceKey(typ, id))
}

// View runs fn in a read transaction.
func (s *Store) View(fn func(*View) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&View{reader{btx}}) })
}

// View is a read transaction: a consistent snapshot.
type View struct{ reader }

// Read returns the current version of a resource (see View.Read).
func (s *Store) Read(typ, id string) (res Resource, err error) {
	err = s.View(func(v *View) error { res, err = v.Read(typ, id); return err })
	return res, err
}

// VRead returns one version of a resource.
func (s *Store) VRead(typ, id string, version uint64) (res Resource, err error) {
	err = s.View(func(v *View) error { res, err = v.VRead(typ, id, version); return err })
	return res, err
}

// HistoryOptions select and page a history.
type HistoryOptions struct {
	// Type and ID narrow the history to a type or one resource.
	Type, ID string
	// Since keeps versions written at or after it (_since); zero keeps all.
	Since time.Time
	// Count is the page size; zero means 50.
	Count int
	// Cursor continues a previous page.
	Cursor string
	// Keep, when not nil, decides for each version whether the request
	// may see it; the versions it refuses are skipped before paging.
	Keep func(Resource) (bool, error)
}

// keep applies o.Keep.
func (o HistoryOptions) keep(res Resource) (bool, error) {
	if o.Keep == nil {
		return true, nil
	}
	return o.Keep(res)
}

// HistoryPage is one page of a history, newest first.
type HistoryPage struct {
	Versions []Resource
	// Next continues with the next page; "" on the last one.
	Next string
}

// History returns versions newest first: of one resource (Type and ID),
// of a type, or of the whole server.
func (r reader) History(o HistoryOptions) (HistoryPage, error) {
	if o.Count <= 0 {
		o.Count = 50
	}
	var page HistoryPage
	var after uint64
	if o.Cursor != "" {
		n, err := parseCursorUint(o.Cursor)
		if err != nil {
			return page, err
		}
		after = n
	}
	since := o.Since.UnixMilli()
	if o.ID != "" {
		prefix := append(resourceKey(o.Type, o.ID), 0)
		c := r.btx.Bucket(bucketVersions).Cursor()
		start := binary.BigEndian.AppendUint64(bytes.Clone(prefix), after-1)
		if after == 0 {
			start = binary.BigEndian.AppendUint64(bytes.Clone(prefix), ^uint64(0))
		}
		k, v := c.Seek(start)
		if k == nil || !bytes.Equal(k, start) {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			ver := binary.BigEndian.Uint64(k[len(prefix):])
			if len(page.Versions) == o.Count {
				page.Next = formatCursorUint(ver + 1)
				break
			}
			res, err := decodeVersion(o.Type, o.ID, ver, v)
			if err != nil {
				return page, err
			}
			if !o.Since.IsZero() && res.LastUpdated.UnixMilli() < since {
				break
			}
			if ok, err := o.keep(res); err != nil {
				return page, err
			} else if !ok {
				continue
			}
			page.Versions = append(page.Versions, res)
		}
		return page, nil
	}
	c := r.btx.Bucket(bucketChanges).Cursor()
	var k, v []byte
	if after == 0 {
		k, v = c.Last()
	} else {
		c.Seek(binary.BigEndian.AppendUint64(nil, after))
		k, v = c.Prev()
	}
	vb := r.btx.Bucket(bucketVersions)
	for ; k != nil; k, v = c.Prev() {
		typ, id, ver, err := decodeChange(v)
		if err != nil {
			return page, err
		}
		if o.Type != "" && typ != o.Type {
			continue
		}
		if len(page.Versions) == o.Count {
			page.Next = formatCursorUint(binary.BigEndian.Uint64(k) + 1)
			break
		}
		res, err := decodeVersion(typ, id, ver, vb.Get(versionKey(typ, id, ver)))
		if err != nil {
			return page, err
		}
		if !o.Since.IsZero() && res.LastUpdated.UnixMilli() < since {
			break
		}
		if ok, err := o.keep(res); err != nil {
			return page, err
		} else if !ok {
			continue
		}
		page.Versions = append(page.Versions, res)
	}
	return page, nil
}

// History returns a page of history (see View.History).
func (s *Store) History(o HistoryOptions) (page HistoryPage, err error) {
	err = s.View(func(v *View) error { page, err = v.History(o); return err })
	return page, err
}
