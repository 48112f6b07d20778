package server_test

import (
	"io"
	"net/http"
	"testing"
)

// BenchmarkEnforcement compares the same reads and searches through the
// trusted path (the admin token) and with a patient/ access token, over
// loopback against the real router. The difference is what enforcement
// costs: token lookup, the scope decision and the compartment filter.
//
//	go test ./server -run NONE -bench BenchmarkEnforcement -benchtime 3s -count 3
func BenchmarkEnforcement(b *testing.B) {
	w := newFHIRWorld(b)
	ofA := w.private(patientA, patientB)
	obsA := firstOf(ofA, "Observation")
	patient := w.userToken("jose", "jose-demo-2026", "launch/patient patient/*.rs", "")
	paths := map[string]string{
		"read":   "/" + obsA,
		"search": "/Observation?patient=" + patientA + "&category=vital-signs&_count=50",
	}
	for _, kind := range []string{"read", "search"} {
		for _, tok := range []struct{ name, token string }{{"trusted", testAdminToken}, {"patient-token", patient}} {
			b.Run(kind+"/"+tok.name, func(b *testing.B) {
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
				url := w.base + paths[kind]
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						req, _ := http.NewRequest(http.MethodGet, url, nil)
						req.Header.Set("Authorization", "Bearer "+tok.token)
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Errorf("%s: %d", url, resp.StatusCode)
							return
						}
					}
				})
			})
		}
	}
}
