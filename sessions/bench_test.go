package sessions

import "testing"

func BenchmarkGet(b *testing.B) {
	c := newClock()
	s, _, _ := newStore(b, c)
	sess, _ := s.Create("alice")
	for b.Loop() {
		if _, err := s.Get(sess.ID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetParallel(b *testing.B) {
	c := newClock()
	s, _, _ := newStore(b, c)
	ids := make([]string, 1024)
	for i := range ids {
		sess, _ := s.Create("alice")
		ids[i] = sess.ID
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Get(ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkLimiterAllow(b *testing.B) {
	l := NewLimiter(LimiterOptions{IPRate: 1e9, IPBurst: 1e9})
	for b.Loop() {
		l.Allow("alice", "192.0.2.1:1234")
	}
}
