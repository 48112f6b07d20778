package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// scenarioPaths discovers resources on the server with a few searches and
// returns the paths of a built-in scenario:
//
//   - read: reads (FHIR R4 §3.1.0.2) of up to 200 Patients, 500
//     Observations, 200 Encounters and 100 Conditions, interleaved;
//   - search: for each of up to 200 Patients, its vital signs
//     (Observation?patient=ID&category=vital-signs&_count=50) and a search
//     by its family name (Patient?name=FAMILY).
//
// A patient id narrows the discovery to that patient and its record.
func scenarioPaths(ctx context.Context, client *http.Client, base *url.URL, scenario, patient string) ([]string, error) {
	narrow := func(typ string) string {
		switch {
		case patient == "":
			return ""
		case typ == "Patient":
			return "&_id=" + url.QueryEscape(patient)
		}
		return "&patient=" + url.QueryEscape(patient)
	}
	switch scenario {
	case "read":
		var lists [][]string
		for _, d := range []struct {
			typ   string
			count int
		}{{"Patient", 200}, {"Observation", 500}, {"Encounter", 200}, {"Condition", 100}} {
			res, err := discover(ctx, client, base, d.typ+"?_elements=id&_count="+fmt.Sprint(d.count)+narrow(d.typ))
			if err != nil {
				return nil, err
			}
			var refs []string
			for _, r := range res {
				refs = append(refs, d.typ+"/"+url.PathEscape(r.ID))
			}
			lists = append(lists, refs)
		}
		if paths := interleave(lists...); len(paths) > 0 {
			return paths, nil
		}
		return nil, fmt.Errorf("%s holds no Patient, Observation, Encounter or Condition to read", base)
	case "search":
		res, err := discover(ctx, client, base, "Patient?_elements=name&_count=200"+narrow("Patient"))
		if err != nil {
			return nil, err
		}
		var vitals, names []string
		for _, r := range res {
			vitals = append(vitals, "Observation?patient="+url.QueryEscape(r.ID)+"&category=vital-signs&_count=50")
			if len(r.Name) > 0 && r.Name[0].Family != "" {
				names = append(names, "Patient?name="+url.QueryEscape(r.Name[0].Family))
			}
		}
		if len(vitals) == 0 {
			return nil, fmt.Errorf("%s holds no Patient to search for", base)
		}
		return interleave(vitals, names), nil
	}
	return nil, fmt.Errorf("-scenario %q: want read, search or authorize", scenario)
}

// discovered is the part of a found resource the scenarios use.
type discovered struct {
	ID   string `json:"id"`
	Name []struct {
		Family string `json:"family"`
	} `json:"name"`
}

// discover runs one search and returns the resources of its first page.
func discover(ctx context.Context, client *http.Client, base *url.URL, query string) ([]discovered, error) {
	u := base.String() + "/" + query
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/fhir+json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discovering resources: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("discovering resources: GET %s: %s: %s", u, resp.Status, b)
	}
	var bundle struct {
		Entry []struct {
			Resource discovered `json:"resource"`
		} `json:"entry"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&bundle); err != nil {
		return nil, fmt.Errorf("discovering resources: GET %s: %v", u, err)
	}
	out := make([]discovered, 0, len(bundle.Entry))
	for _, e := range bundle.Entry {
		if e.Resource.ID != "" {
			out = append(out, e.Resource)
		}
	}
	return out, nil
}

// interleave takes one element of each list in turn until all are used.
func interleave(lists ...[]string) []string {
	var out []string
	for i := 0; ; i++ {
		added := false
		for _, l := range lists {
			if i < len(l) {
				out, added = append(out, l[i]), true
			}
		}
		if !added {
			return out
		}
	}
}
