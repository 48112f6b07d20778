package audit

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// benchRecord is a typical FHIR read by a patient-scoped app.
var benchRecord = Record{
	Kind: KindFHIR, ClientID: "growth-chart", User: "Practitioner/smart-practitioner-1", Patient: "smart-patient-2",
	Interaction: "read", ResourceType: "Observation", ResourceID: "0190f3b2-7c1e-7a51-9d3e-5b8f2c6e4a10", Status: 200,
	Scope: "launch patient/Observation.rs patient/Patient.rs", RemoteAddr: "127.0.0.1:53412", RequestID: "c0ffee0123456789",
}

// BenchmarkRecord is the cost on the request path: parallel Record calls.
//
//   - kept: the queue has room for every call (no writer runs; the queue
//     holds up to 2^18 records, so run it with -benchtime=200000x for a
//     figure without drops): the cost of a record that is kept.
//   - full: the queue is full: the cost of a drop.
//   - writer: against the real writer, which cannot keep up with a
//     benchmark loop: dropped/op is the share it could not take.
func BenchmarkRecord(b *testing.B) {
	b.Run("kept", func(b *testing.B) {
		l, err := open(filepath.Join(b.TempDir(), FileName), Options{QueueSize: min(b.N, 1<<18), BatchSize: 1 << 30})
		if err != nil {
			b.Fatal(err)
		}
		defer l.db.Close()
		// Touch the queue's memory once, as a server's steady state has.
		for range cap(l.queue) {
			l.queue <- benchRecord
		}
		for range cap(l.queue) {
			<-l.queue
		}
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Record(benchRecord)
			}
		})
		b.ReportMetric(float64(l.Dropped())/float64(b.N), "dropped/op")
	})
	b.Run("full", func(b *testing.B) {
		l, err := open(filepath.Join(b.TempDir(), FileName), Options{QueueSize: 1})
		if err != nil {
			b.Fatal(err)
		}
		defer l.db.Close()
		l.Record(benchRecord)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Record(benchRecord)
			}
		})
		b.ReportMetric(float64(l.Dropped())/float64(b.N), "dropped/op")
	})
	b.Run("writer", func(b *testing.B) {
		l, _ := openTest(b, Options{})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Record(benchRecord)
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(l.Dropped())/float64(b.N), "dropped/op")
		if err := l.Flush(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkWriter is the writer's sustained rate: b.N records pushed
// through the queue without drops, then flushed.
func BenchmarkWriter(b *testing.B) {
	for _, size := range []int{256, DefaultBatchSize, 4096} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			l, _ := openTest(b, Options{BatchSize: size})
			r := benchRecord
			r.Time = time.Now()
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				r.Time = r.Time.Add(time.Microsecond)
				r.ClientID = benchClients[i%len(benchClients)]
				l.queue <- r // block instead of dropping: this measures the writer
				l.kickIfFull()
			}
			if err := l.Flush(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
		})
	}
}

var benchClients = []string{"growth-chart", "backend", "demo-public", "bilirubin"}

// BenchmarkQuery pages through 50,000 records: the newest page, and a
// page of one client's records through the index.
func BenchmarkQuery(b *testing.B) {
	l, _ := openTest(b, Options{})
	r := benchRecord
	r.Time = time.Now().Add(-time.Hour)
	for i := range 50_000 {
		r.Time = r.Time.Add(time.Millisecond)
		r.ClientID = benchClients[i%len(benchClients)]
		l.queue <- r
		l.kickIfFull()
	}
	if err := l.Flush(); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    Filter
	}{
		{"newest-100", Filter{}},
		{"client-100", Filter{ClientID: "bilirubin"}},
		{"denied-none-scan", Filter{Outcome: OutcomeDenied}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := l.Query(c.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
