package conformance

import (
	"html/template"
	"io"
)

// htmlReport is the page WriteHTML renders. Failed checks are open
// <details> elements listing their exchanges; passed and skipped ones are
// one line each, with their exchanges folded away.
var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"symbol": func(s Status) string {
		switch s {
		case Pass:
			return "✓"
		case Fail:
			return "✗"
		}
		return "–"
	},
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SMART conformance of {{.Report.FHIRBase}}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
.summary { font-weight: 600; } .summary.failed { color: #b42318; } .summary.passed { color: #116329; }
ul.checks { list-style: none; padding: 0; } ul.checks li { margin: .25rem 0; }
.pass .mark { color: #116329; } .fail .mark { color: #b42318; } .skip .mark { color: #9a6700; }
.mark { display: inline-block; width: 1.2rem; font-weight: 700; }
.reason { color: #57606a; } .fail .reason { color: #b42318; }
.spec { color: #57606a; font-size: .85rem; }
details { margin: .2rem 0 .2rem 1.2rem; } summary { cursor: pointer; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: .5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; font-size: .8rem; }
</style>
</head>
<body>
<h1>SMART conformance of <code>{{.Report.FHIRBase}}</code></h1>
<p class="summary {{if .Failed}}failed{{else}}passed{{end}}">{{.Passed}} passed, {{.FailedN}} failed, {{.Skipped}} skipped</p>
<p class="spec">Started {{.Report.Started.UTC.Format "2006-01-02 15:04:05 MST"}}, took {{printf "%.1f" .Report.Duration.Seconds}} s. Secrets are redacted from the exchanges.</p>
{{range .Groups}}
<h2 id="{{.Group}}">{{.Group}}</h2>
<ul class="checks">
{{range .Results}}
<li class="{{.Status}}"><span class="mark" aria-label="{{.Status}}">{{symbol .Status}}</span>{{.Name}}
{{if .Reason}}<span class="reason">{{if eq .Status "skip"}}(skipped: {{.Reason}}){{else}}— {{.Reason}}{{end}}</span>{{end}}
{{if .Exchanges}}
<details{{if eq .Status "fail"}} open{{end}}>
<summary>{{len .Exchanges}} exchange{{if ne (len .Exchanges) 1}}s{{end}} <span class="spec">· {{.Spec}}</span></summary>
{{range $e := .Exchanges}}
<details>
<summary><code>{{$e.Method}} {{$e.URL}} → {{if $e.Status}}{{$e.Status}}{{else}}no response{{end}}</code></summary>
<pre>{{$e.Request}}</pre>
<pre>{{$e.Response}}</pre>
</details>
{{end}}
</details>
{{else}}<div class="spec">{{.Spec}}</div>{{end}}
</li>
{{end}}
</ul>
{{end}}
</body>
</html>
`))

// WriteHTML writes the report as one self-contained HTML page: a summary,
// then each group's checks; a failed check is expanded with its
// exchanges (request and response, secrets redacted), the others can be
// expanded.
func (r *Report) WriteHTML(w io.Writer) error {
	passed, failed, skipped := r.Counts()
	return htmlReport.Execute(w, struct {
		Report                   *Report
		Groups                   []GroupResults
		Passed, FailedN, Skipped int
		Failed                   bool
	}{r, r.Groups(), passed, failed, skipped, failed > 0})
}
