package store

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// freelistSynced reads the newer of bbolt's two meta pages from the file
// and reports whether it names a freelist page. The meta page is a 16-byte
// page header, then magic, version, pageSize and flags (4 bytes each), the
// root bucket (16), freelist, pgid, txid and checksum (8 each), in the
// machine's byte order (little-endian here).
func freelistSynced(t *testing.T, path string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	pageSize := int(le.Uint32(b[24:]))
	if pageSize < 1024 || len(b) < 2*pageSize {
		t.Fatalf("not a bbolt file: page size %d, %d bytes", pageSize, len(b))
	}
	meta := b[:pageSize]
	if other := b[pageSize : 2*pageSize]; le.Uint64(other[64:]) > le.Uint64(meta[64:]) {
		meta = other
	}
	return le.Uint64(meta[48:]) != ^uint64(0)
}

func TestCloseWritesTheFreelist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(func(tx *Tx) error {
		_, err := tx.Put(Write{Type: "Patient", ID: "p1", Body: []byte(`{"resourceType":"Patient"}`)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if freelistSynced(t, path) {
		t.Fatal("a commit wrote the freelist; the store's commits should skip it")
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if !freelistSynced(t, path) {
		t.Error("Close did not write the freelist: the next Open walks the whole file")
	}
	if err := st.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	// The file opens, holds the write, and takes more.
	st, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Read("Patient", "p1"); err != nil {
		t.Errorf("read after reopening: %v", err)
	}
	err = st.Update(func(tx *Tx) error {
		_, err := tx.Put(Write{Type: "Patient", ID: "p2", Body: []byte(`{"resourceType":"Patient"}`)})
		return err
	})
	if err != nil {
		t.Errorf("write after reopening: %v", err)
	}
	if _, err := st.Read("Patient", "p0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("read of a missing resource: %v", err)
	}
}

func TestCloseReadOnlyLeavesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	before, _ := os.ReadFile(path)
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("closing a read-only store changed the file")
	}
}
