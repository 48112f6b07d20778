package sessions

import (
	"errors"
	"net/http/httptest"
	"testing"
)

// FuzzFromRequest: arbitrary Cookie headers never panic and never yield
// a session that was not created.
func FuzzFromRequest(f *testing.F) {
	c := newClock()
	s, _, _ := newStore(f, c)
	sess, _ := s.Create("alice")
	for _, seed := range []string{
		"", "smartd_session=" + sess.ID, "__Host-smartd_session=" + sess.ID,
		"smartd_session=%%%", "__Host-smartd_session=; smartd_session=x", "a=b; c", "smartd_session=\"quoted\"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cookie string) {
		r := httptest.NewRequest("GET", "/authorize", nil)
		r.Header.Set("Cookie", cookie)
		got, err := s.FromRequest(r)
		if err == nil {
			if got.ID != sess.ID {
				t.Fatalf("cookie %q gave session %q", cookie, got.ID)
			}
		} else if !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrExpired) {
			t.Fatalf("cookie %q: unexpected error %v", cookie, err)
		}
	})
}
