package authorize

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"smartd/launch"
	"smartd/ui"
)

// fakePatients searches a fixed list of patients by name.
type fakePatients struct{}

var patientRows = []ui.PatientRow{
	{ID: "pat-1", Name: "Pat Lee"},
	{ID: "pat-2", Name: "Robin Stone"},
	{ID: "pat-3", Name: "Robin Hale"},
}

func (fakePatients) SearchPatients(_ context.Context, q ui.PatientQuery) ([]ui.PatientRow, error) {
	var out []ui.PatientRow
	for _, r := range patientRows {
		if strings.Contains(strings.ToLower(r.Name), strings.ToLower(q.Name)) {
			out = append(out, r)
		}
	}
	return out, nil
}

// fakeEncounters: pat-1 has 23 encounters enc-1 (newest) to enc-23, the
// odd ones ambulatory, the even ones emergency; pat-2 has enc-x.
type fakeEncounters struct{}

func encounterRows(patient string) []ui.EncounterRow {
	switch patient {
	case "pat-1":
		var out []ui.EncounterRow
		for i := 1; i <= 23; i++ {
			class := "AMB"
			if i%2 == 0 {
				class = "EMER"
			}
			out = append(out, ui.EncounterRow{ID: fmt.Sprintf("enc-%d", i), Class: class, Date: fmt.Sprintf("2024-01-%02d", 24-i), Status: "finished"})
		}
		return out
	case "pat-2":
		return []ui.EncounterRow{{ID: "enc-x", Class: "AMB"}}
	}
	return nil
}

func (fakeEncounters) SearchEncounters(_ context.Context, patient string, q ui.EncounterQuery) ([]ui.EncounterRow, error) {
	var out []ui.EncounterRow
	for _, r := range encounterRows(patient) {
		if q.Class == "" || r.Class == q.Class {
			out = append(out, r)
		}
	}
	return out, nil
}

func (fakeEncounters) EncounterPatient(_ context.Context, id string) (string, error) {
	for _, p := range []string{"pat-1", "pat-2"} {
		for _, r := range encounterRows(p) {
			if r.ID == id {
				return p, nil
			}
		}
	}
	return "", nil
}

// fakeLaunches is an in-memory launch store with the refusals of the
// real one (launch.Store), counting Peek and Consume calls.
type fakeLaunches struct {
	mu       sync.Mutex
	launches map[string]*fakeLaunch
	peeks    int
	consumes int
}

type fakeLaunch struct {
	ctx  launch.Context
	used bool
}

func newFakeLaunches() *fakeLaunches { return &fakeLaunches{launches: map[string]*fakeLaunch{}} }

// add issues a launch; an Expires in the past makes it expired.
func (f *fakeLaunches) add(c launch.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c.Expires.IsZero() {
		c.Expires = time.Now().Add(launch.Lifetime)
	}
	f.launches[c.ID] = &fakeLaunch{ctx: c}
}

func (f *fakeLaunches) resolve(id, clientID string, consume bool) (launch.Context, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if consume {
		f.consumes++
	} else {
		f.peeks++
	}
	l, ok := f.launches[id]
	switch {
	case !ok:
		return launch.Context{}, launch.ErrUnknown
	case l.ctx.ClientID != clientID:
		return launch.Context{}, launch.ErrOtherApp
	case time.Now().After(l.ctx.Expires):
		return launch.Context{}, launch.ErrExpired
	case l.used:
		return launch.Context{}, launch.ErrUsed
	}
	l.used = l.used || consume
	return l.ctx, nil
}

func (f *fakeLaunches) Peek(id, clientID string) (launch.Context, error) {
	return f.resolve(id, clientID, false)
}

func (f *fakeLaunches) Consume(id, clientID string) (launch.Context, error) {
	return f.resolve(id, clientID, true)
}

// counts returns the Peek and Consume calls so far.
func (f *fakeLaunches) counts() (peeks, consumes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peeks, f.consumes
}
