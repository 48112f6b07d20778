package conformance

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// fakePage renders the fake's pages. Its field names differ from
// smartd's on purpose (login_name, secret, patient_choice, grant,
// answer), so that the browser's generic form handling is what is
// tested.
var fakePage = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><title>{{.Title}}</title></head><body>
<h1>{{.Title}}</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
{{if eq .Kind "login"}}
<form method="post" action="/login">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<label>Login <input type="text" name="login_name"></label>
<label>Secret <input type="password" name="secret"></label>
<input type="submit" value="Sign in">
</form>
{{else if eq .Kind "picker"}}
<form method="get" action="/search"><input type="search" name="q"><button>Search</button></form>
<form method="post" action="/pick">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<button type="submit" name="patient_choice" value="p1">Pat One</button>
<button type="submit" name="patient_choice" value="p2">Pat Two</button>
</form>
{{else if eq .Kind "consent"}}
<form method="post" action="consent">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
{{range .Scopes}}<label><input type="checkbox" name="grant" value="{{.}}" checked> {{.}}</label>{{end}}
<button type="button">Details</button>
<button type="submit" name="answer" value="no">Decline</button>
<button type="submit" name="answer" value="yes">Approve</button>
</form>
{{end}}
</body></html>`))

type fakePageData struct {
	Kind, Title, Error string
	Hidden             map[string]string
	Scopes             []string
}

func (f *fake) render(w http.ResponseWriter, status int, d fakePageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fakePage.Execute(w, d)
}

// authParams are the authorize parameters carried through the pages.
var authParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "aud", "nonce",
	"code_challenge", "code_challenge_method", "patient_choice", "launch"}

func hidden(form url.Values) map[string]string {
	h := map[string]string{}
	for _, k := range authParams {
		if v := form.Get(k); v != "" {
			h[k] = v
		}
	}
	return h
}

// redirectError sends an RFC 6749 §4.1.2.1 error to the app.
func redirectError(w http.ResponseWriter, r *http.Request, form url.Values, code string) {
	http.Redirect(w, r, form.Get("redirect_uri")+"?"+url.Values{"error": {code}, "state": {form.Get("state")}}.Encode(), http.StatusFound)
}

func (f *fake) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && f.breaks["no-authorize-post"] {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	r.ParseForm()
	form := r.Form
	redirect := form.Get("redirect_uri")
	f.mu.Lock()
	registered, known := f.apps[form.Get("client_id")]
	f.mu.Unlock()
	okRedirect := redirect == registered || f.breaks["redirect-prefix"] && strings.HasPrefix(redirect, registered)
	if !known || !okRedirect {
		f.render(w, 400, fakePageData{Kind: "error", Title: "Bad request", Error: "unknown client or redirect_uri"})
		return
	}
	method := form.Get("code_challenge_method")
	switch {
	case form.Get("aud") != f.base && !f.breaks["ignore-aud"]:
		redirectError(w, r, form, "invalid_request")
		return
	case method != "S256" && !(method == "plain" && f.breaks["plain-pkce"]):
		redirectError(w, r, form, "invalid_request")
		return
	}
	if id := form.Get("launch"); id != "" {
		if _, err := f.findLaunch(id, form.Get("client_id"), false); err != nil && !(err == errNoLaunch && f.breaks["launch-unknown-ok"]) {
			redirectError(w, r, form, "invalid_request")
			return
		}
	}
	if c, err := r.Cookie("fake-session"); err != nil || c.Value != "signed-in" {
		f.render(w, 200, fakePageData{Kind: "login", Title: "Sign in", Hidden: hidden(form)})
		return
	}
	f.afterLogin(w, form)
}

// afterLogin shows the picker, or the consent page in an EHR launch,
// whose patient is in context.
func (f *fake) afterLogin(w http.ResponseWriter, form url.Values) {
	if l, _ := f.findLaunch(form.Get("launch"), form.Get("client_id"), false); l != nil {
		f.render(w, 200, fakePageData{Kind: "consent", Title: "Approve access", Hidden: hidden(form),
			Scopes: strings.Fields(form.Get("scope"))})
		return
	}
	f.render(w, 200, fakePageData{Kind: "picker", Title: "Choose a patient", Hidden: hidden(form)})
}

func (f *fake) login(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	password, known := f.users[r.PostForm.Get("login_name")]
	f.mu.Unlock()
	if !known || r.PostForm.Get("secret") != password {
		f.render(w, 200, fakePageData{Kind: "login", Title: "Sign in", Error: "Wrong name or secret", Hidden: hidden(r.PostForm)})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "fake-session", Value: "signed-in", Path: "/"})
	f.afterLogin(w, r.PostForm)
}

func (f *fake) pick(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.render(w, 200, fakePageData{Kind: "consent", Title: "Approve access", Hidden: hidden(r.PostForm),
		Scopes: strings.Fields(r.PostForm.Get("scope"))})
}

func (f *fake) consent(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	form := r.PostForm
	if form.Get("answer") != "yes" {
		redirectError(w, r, form, "access_denied")
		return
	}
	var granted []string
	for _, s := range strings.Fields(form.Get("scope")) {
		if slices.Contains(form["grant"], s) || f.breaks["consent-ignored"] {
			if s != "offline_access" || !f.breaks["drop-offline-access"] {
				granted = append(granted, s)
			}
		}
	}
	g := &fakeGrant{redirect: form.Get("redirect_uri"), challenge: form.Get("code_challenge"),
		method: form.Get("code_challenge_method"), scope: strings.Join(granted, " "), nonce: form.Get("nonce"),
		patient: form.Get("patient_choice"), client: form.Get("client_id")}
	if id := form.Get("launch"); id != "" {
		l, err := f.findLaunch(id, g.client, true)
		if err != nil && !(err == errNoLaunch && f.breaks["launch-unknown-ok"]) {
			redirectError(w, r, form, "invalid_request")
			return
		}
		if l != nil {
			g.ehr, g.patient = l, l.patient
		}
	}
	code := randomString()
	f.mu.Lock()
	f.codes[code] = g
	f.mu.Unlock()
	q := url.Values{"code": {code}, "state": {form.Get("state")}}
	if f.breaks["no-code"] {
		q.Del("code")
	}
	if f.breaks["state-dropped"] {
		q.Del("state")
	}
	http.Redirect(w, r, form.Get("redirect_uri")+"?"+q.Encode(), http.StatusFound)
}
