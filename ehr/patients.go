package ehr

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"smartd/fhirproxy/search"
	"smartd/fhirproxy/store"
	"smartd/ui"
)

// Paging of the patient list.
const (
	pageSize = 20
	// maxBack bounds the previous-page cursors a list URL carries.
	maxBack = 50
)

// patients serves GET <base>/ehr/?name=&birthdate=&identifier=: the
// patient list, searched with the FHIR Patient parameters of the same
// names (R4 patient.html#search), a page at a time. Paging follows the
// store's keyset cursors: the next link carries the next page's cursor
// (cursor) and the cursors of the pages before it (back, repeated), so
// that "previous" needs no server state.
func (h *Handler) patients(w http.ResponseWriter, r *http.Request) {
	sess, u := h.user(r)
	if u == nil {
		h.toLogin(w, r, r.URL.RequestURI())
		return
	}
	in := r.URL.Query()
	q := ui.PatientQuery{
		Name:       strings.TrimSpace(in.Get("name")),
		BirthDate:  strings.TrimSpace(in.Get("birthdate")),
		Identifier: strings.TrimSpace(in.Get("identifier")),
	}
	cursor, back := in.Get("cursor"), in["back"]
	page := ui.EHRPatientsPage{Nav: h.nav(sess, u), Action: h.opts.BasePath + HomePath, Query: q, Total: -1}
	params := url.Values{"_count": {strconv.Itoa(pageSize)}}
	for k, v := range map[string]string{"name": q.Name, "birthdate": q.BirthDate, "identifier": q.Identifier} {
		if v != "" {
			params.Set(k, v)
		}
	}
	if cursor != "" {
		params.Set("_cursor", cursor)
	}
	query, err := search.Parse("Patient", params, true)
	var serr *search.Error
	if errors.As(err, &serr) {
		page.Notice = searchProblem(serr)
		h.render(w, r, http.StatusBadRequest, false, ui.EHRPatients(page))
		return
	}
	if err != nil {
		h.serverError(w, r, u, "search patients", err)
		return
	}
	res, err := h.opts.Store.Search(query, nil)
	if errors.Is(err, store.ErrBadCursor) {
		page.Notice = "This page of results is no longer available. Search again."
		h.render(w, r, http.StatusBadRequest, false, ui.EHRPatients(page))
		return
	}
	if err != nil {
		h.serverError(w, r, u, "search patients", err)
		return
	}
	now := h.opts.Now()
	for _, m := range res.Matches {
		b := banner(m, now)
		page.Patients = append(page.Patients, ui.EHRPatientRow{
			URL: h.chartURL(m.ID), Name: b.Name, Gender: b.Gender, BirthDate: b.BirthDate, Age: b.Age, MRN: b.MRN, Deceased: b.Deceased,
		})
	}
	if res.HasTotal {
		page.Total = res.Total
	}
	page.PrevURL, page.NextURL = h.pageLinks(q, cursor, back, res.Next)
	h.render(w, r, http.StatusOK, false, ui.EHRPatients(page))
}

// pageLinks returns the previous and next page URLs of the list.
func (h *Handler) pageLinks(q ui.PatientQuery, cursor string, back []string, next string) (prevURL, nextURL string) {
	link := func(cur string, back []string) string {
		v := url.Values{}
		for k, s := range map[string]string{"name": q.Name, "birthdate": q.BirthDate, "identifier": q.Identifier, "cursor": cur} {
			if s != "" {
				v.Set(k, s)
			}
		}
		if len(back) > 0 {
			v["back"] = back
		}
		u := h.opts.BasePath + HomePath
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
		return u
	}
	if len(back) > maxBack {
		back = back[len(back)-maxBack:]
	}
	if n := len(back); n > 0 {
		prevURL = link(back[n-1], back[:n-1])
	} else if cursor != "" {
		prevURL = link("", nil) // an old link without its history: back to the start
	}
	if next != "" {
		nextURL = link(next, append(back[:len(back):len(back)], cursor))
	}
	return prevURL, nextURL
}

// searchProblem says what is wrong with a search term, for the page.
func searchProblem(e *search.Error) string {
	switch e.Param {
	case "birthdate":
		return "The birth date must be a date, such as 1971-03-14."
	case "_cursor":
		return "This page of results is no longer available. Search again."
	}
	return "This search could not be run: " + e.Reason + "."
}
