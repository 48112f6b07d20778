package conformanceui

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"smartd/conformance"
	"smartd/ui"
)

// ownRun returns the run named in the path if the signed-in user started
// it; otherwise it answers (sign-in redirect or 404) and returns false.
func (h *Handler) ownRun(w http.ResponseWriter, r *http.Request) (run, bool) {
	_, u := h.signedIn(w, r)
	if u == nil {
		return run{}, false
	}
	rn, ok := h.runs.get(r.PathValue("id"))
	if !ok || rn.owner != u.Username {
		h.errorPage(w, r, http.StatusNotFound, "No such run", "There is no such run, or it was started by someone else, or it is too old and was forgotten.")
		return run{}, false
	}
	return rn, true
}

// results serves GET <base>/conformance/runs/{id}: the results page,
// reloading itself every two seconds while the run goes on.
func (h *Handler) results(w http.ResponseWriter, r *http.Request) {
	rn, ok := h.ownRun(w, r)
	if !ok {
		return
	}
	p := ui.ConformanceResultsPage{Target: rn.target, Started: rn.started.UTC().Format(time.DateTime + " UTC"),
		AdminMode: rn.admin, Running: !rn.done, Summary: summary(rn), BackURL: h.opts.BasePath + HomePath,
		JUnitURL: h.runURL(rn.id) + "/junit.xml", HTMLURL: h.runURL(rn.id) + "/report.html"}
	if rn.done && rn.report != nil {
		_, p.Failed, _ = rn.report.Counts()
		p.Duration = rn.report.Duration.Round(100 * time.Millisecond).String()
		p.Groups = groups(rn.report)
	}
	if !rn.done {
		w.Header().Set("Refresh", "2")
	}
	h.render(w, r, http.StatusOK, ui.ConformanceResults(p))
}

// summary is a run's summary line.
func summary(rn run) string {
	switch {
	case !rn.done:
		return "running"
	case rn.report == nil:
		return "the run stopped with an internal error"
	}
	p, f, s := rn.report.Counts()
	return fmt.Sprintf("%d passed, %d failed, %d skipped", p, f, s)
}

// groups turns a report into the page's groups; only failed checks carry
// their exchanges.
func groups(rep *conformance.Report) []ui.ConformanceGroup {
	var out []ui.ConformanceGroup
	for _, g := range rep.Groups() {
		vg := ui.ConformanceGroup{Name: g.Group}
		for _, res := range g.Results {
			c := ui.ConformanceCheck{Name: res.Name, Status: string(res.Status), Reason: res.Reason, Spec: res.Spec}
			switch res.Status {
			case conformance.Pass:
				vg.Passed++
			case conformance.Fail:
				vg.Failed++
				for _, ex := range res.Exchanges {
					sum := fmt.Sprintf("%s %s → %d", ex.Method, ex.URL, ex.Status)
					if ex.Status == 0 {
						sum = fmt.Sprintf("%s %s → no response", ex.Method, ex.URL)
					}
					c.Exchanges = append(c.Exchanges, ui.ConformanceExchange{Summary: sum, Request: ex.Request, Response: ex.Response})
				}
			case conformance.Skip:
				vg.Skipped++
			}
			vg.Checks = append(vg.Checks, c)
		}
		out = append(out, vg)
	}
	return out
}

// junit serves a finished run's JUnit XML as a download.
func (h *Handler) junit(w http.ResponseWriter, r *http.Request) {
	h.download(w, r, "application/xml", "junit.xml", func(rep *conformance.Report, out io.Writer) error { return rep.WriteJUnit(out) })
}

// htmlReport serves a finished run's HTML report as a download, in a
// sandbox should a browser render it anyway.
func (h *Handler) htmlReport(w http.ResponseWriter, r *http.Request) {
	h.download(w, r, "text/html; charset=utf-8", "report.html", func(rep *conformance.Report, out io.Writer) error { return rep.WriteHTML(out) })
}

func (h *Handler) download(w http.ResponseWriter, r *http.Request, contentType, name string, write func(*conformance.Report, io.Writer) error) {
	rn, ok := h.ownRun(w, r)
	if !ok {
		return
	}
	if !rn.done || rn.report == nil {
		h.errorPage(w, r, http.StatusConflict, "No report yet", "The run has not finished, so it has no report yet.")
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="conformance-%s"`, name))
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	if err := write(rn.report, w); err != nil {
		h.opts.Log.ErrorContext(r.Context(), "conformanceui: write report", "err", err)
	}
}
