package store_test

import (
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
)

func open(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func put(t *testing.T, st *store.Store, w store.Write) store.Resource {
	t.Helper()
	var res store.Resource
	err := st.Update(func(tx *store.Tx) (err error) {
		res, err = tx.Put(w)
		return err
	})
	if err != nil {
		t.Fatalf("put %s/%s: %v", w.Type, w.ID, err)
	}
	return res
}

func patient(id, family string) store.Write {
	return store.Write{Type: "Patient", ID: id,
		Body:  []byte(`{"resourceType":"Patient","name":[{"family":"` + family + `"}]}`),
		Index: []search.IndexValue{{Param: "family", Type: search.String, Norm: strings.ToLower(family), Text: family}}}
}

func find(t *testing.T, st *store.Store, typ, query string) []string {
	t.Helper()
	vals, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	q, err := search.Parse(typ, vals, true)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Search(q, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range res.Matches {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestVersionsHistoryAndDelete(t *testing.T) {
	st := open(t)
	v1 := put(t, st, patient("p1", "Smith"))
	v2 := put(t, st, patient("p1", "Smyth"))
	if v1.Version != 1 || v1.Op != store.OpCreate || v2.Version != 2 || v2.Op != store.OpUpdate {
		t.Fatalf("versions: %+v %+v", v1, v2)
	}
	if !strings.Contains(string(v2.JSON), `"meta":{"versionId":"2","lastUpdated":"`) || !strings.Contains(string(v2.JSON), `"id":"p1"`) {
		t.Errorf("id and meta not set: %s", v2.JSON)
	}
	if got := find(t, st, "Patient", "family=smith"); len(got) != 0 {
		t.Errorf("the old name still matches: %v", got)
	}
	if got := find(t, st, "Patient", "family=smyth"); !slices.Equal(got, []string{"p1"}) {
		t.Errorf("the new name: %v", got)
	}
	old, err := st.VRead("Patient", "p1", 1)
	if err != nil || !strings.Contains(string(old.JSON), "Smith") {
		t.Errorf("vread 1: %v %s", err, old.JSON)
	}
	err = st.Update(func(tx *store.Tx) error { _, err := tx.Delete("Patient", "p1", 0); return err })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Read("Patient", "p1"); !errors.Is(err, store.ErrGone) {
		t.Errorf("read after delete: %v, want ErrGone", err)
	}
	if got := find(t, st, "Patient", "family=smyth"); len(got) != 0 {
		t.Errorf("a deleted resource matches: %v", got)
	}
	page, err := st.History(store.HistoryOptions{Type: "Patient", ID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	var ops []store.Op
	for _, v := range page.Versions {
		ops = append(ops, v.Op)
	}
	if diff := cmp.Diff([]store.Op{store.OpDelete, store.OpUpdate, store.OpCreate}, ops); diff != "" {
		t.Errorf("history newest first (-want +got):\n%s", diff)
	}
	// Re-creating after a delete is a create, version 4.
	if v4 := put(t, st, patient("p1", "Smith")); v4.Version != 4 || v4.Op != store.OpCreate {
		t.Errorf("re-create: %+v", v4)
	}
	if counts, _ := st.Counts(); counts["Patient"] != 1 {
		t.Errorf("counts = %v", counts)
	}
}

func TestIfMatch(t *testing.T) {
	st := open(t)
	put(t, st, patient("p1", "A"))
	w := patient("p1", "B")
	w.IfMatch = 7
	err := st.Update(func(tx *store.Tx) error { _, err := tx.Put(w); return err })
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale If-Match: %v, want ErrConflict", err)
	}
	w.IfMatch = 1
	if res := put(t, st, w); res.Version != 2 {
		t.Errorf("matching If-Match: %+v", res)
	}
	w = patient("absent", "C")
	w.IfMatch = 1
	if err := st.Update(func(tx *store.Tx) error { _, err := tx.Put(w); return err }); !errors.Is(err, store.ErrConflict) {
		t.Errorf("If-Match on a missing resource: %v", err)
	}
}

func TestFailedUpdateWritesNothing(t *testing.T) {
	st := open(t)
	put(t, st, patient("p1", "Kept"))
	boom := errors.New("boom")
	err := st.Update(func(tx *store.Tx) error {
		if _, err := tx.Put(patient("p2", "Lost")); err != nil {
			return err
		}
		if _, err := tx.Delete("Patient", "p1", 0); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := st.Read("Patient", "p2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("p2 after a failed update: %v", err)
	}
	if _, err := st.Read("Patient", "p1"); err != nil {
		t.Errorf("p1 after a failed update: %v", err)
	}
	if got := find(t, st, "Patient", "family=lost"); len(got) != 0 {
		t.Errorf("index entries of a failed update: %v", got)
	}
}

func TestOneResourceTwiceInATransaction(t *testing.T) {
	st := open(t)
	err := st.Update(func(tx *store.Tx) error {
		if _, err := tx.Put(patient("p1", "A")); err != nil {
			return err
		}
		_, err := tx.Put(patient("p1", "B"))
		return err
	})
	if !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("err = %v, want ErrDuplicate", err)
	}
}

func TestNewIDsAreTimeOrderedUUIDs(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	st, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var ids []string
	for i := range 50 {
		now = now.Add(time.Duration(i) * time.Millisecond)
		id, err := st.NewID()
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != 36 || id[14] != '7' || !strings.ContainsAny(id[19:20], "89ab") {
			t.Fatalf("%q is not a UUID version 7", id)
		}
		ids = append(ids, id)
	}
	if !slices.IsSorted(ids) {
		t.Errorf("ids do not sort by creation: %v", ids)
	}
}

func TestLockedFileFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = store.Open(path, store.Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, store.ErrLocked) {
		t.Errorf("second open: %v, want ErrLocked", err)
	}
}

func TestSearchWithoutCriteriaPagesByID(t *testing.T) {
	st := open(t)
	for _, id := range []string{"c", "a", "e", "b", "d"} {
		put(t, st, patient(id, "X"))
	}
	q := &search.Query{Type: "Patient", Count: 2}
	var seen []string
	for range 5 {
		res, err := st.Search(q, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Matches {
			seen = append(seen, m.ID)
		}
		if res.Next == "" {
			break
		}
		q.Cursor = res.Next
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, seen); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	if _, err := st.Search(&search.Query{Type: "Patient", Cursor: "%%%"}, nil); !errors.Is(err, store.ErrBadCursor) {
		t.Errorf("a forged cursor: %v", err)
	}
}
