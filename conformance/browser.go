package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// maxPages bounds the pages one browser run submits.
const maxPages = 12

// browse is what the browser does on the pages it meets: sign in with a
// user's name and password, pick the first choice on a picker, and
// approve at consent after clearing the boxes untick says to clear.
type browse struct {
	username, password string
	untick             func(name, value string) bool
}

// outcome is where a browser run ended: at a redirect to one of the stop
// URLs (callback), or at a page it could not go on from (page, with why).
type outcome struct {
	callback *url.URL
	page     *response
	why      string
	// consent holds the consent form met, if any.
	consent *htmlForm
}

// String describes the outcome for a failure reason.
func (o *outcome) String() string {
	if o.callback != nil {
		if e := o.callback.Query().Get("error"); e != "" {
			return fmt.Sprintf("redirected to the app with error=%s (%s)", e, clip(o.callback.Query().Get("error_description"), 120))
		}
		return "redirected to " + redactURL(o.callback)
	}
	return o.why
}

// isCallback reports whether u is one of the stop URLs (scheme, host and
// path equal; the query may differ).
func isCallback(u *url.URL, stops []string) bool {
	return matchStop(u, stops) != ""
}

// matchStop returns the stop URL u is at, or "".
func matchStop(u *url.URL, stops []string) string {
	for _, s := range stops {
		su, err := url.Parse(s)
		if err == nil && strings.EqualFold(su.Scheme, u.Scheme) && strings.EqualFold(su.Host, u.Host) && su.Path == u.Path {
			return s
		}
	}
	return ""
}

// mismatchedRedirect is a redirect URI that is not registered: the
// registered one with a path segment added, which a server matching by
// prefix would wrongly accept.
func mismatchedRedirect(registered string) string {
	u, err := url.Parse(registered)
	if err != nil {
		return registered + "-mismatch"
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/conformance-mismatch"
	u.RawPath = ""
	return u.String()
}

// run drives the browser from req until a stop URL or a page it cannot
// go on from.
func (r *runner) browse(req *http.Request, b browse) (*outcome, error) {
	out := &outcome{}
	logins := 0
	for range maxPages {
		resp, err := r.send(r.browser, req)
		if err != nil {
			return nil, err
		}
		if resp.Status/100 == 3 {
			loc, err := resp.URL.Parse(resp.Header.Get("Location"))
			if err == nil && isCallback(loc, r.stops()) {
				out.callback = loc
				return out, nil
			}
			out.page, out.why = resp, fmt.Sprintf("stopped at a %d redirect to %s", resp.Status, resp.Header.Get("Location"))
			return out, nil
		}
		out.page = resp
		forms := parseForms(resp.Body, resp.URL)
		var next *http.Request
		switch f, ok := loginForm(forms); {
		case ok && logins > 0:
			out.why = "the login was refused: " + pageSummary(resp.Body)
			return out, nil
		case ok:
			logins++
			next, err = b.login(f, resp)
		case resp.Status >= 400:
			out.why = fmt.Sprintf("an error page (%d): %s", resp.Status, pageSummary(resp.Body))
			return out, nil
		default:
			if f, btn := consentForm(forms); f != nil {
				out.consent = f
				next, err = submit(f, btn, b.untick, nil, resp)
			} else if f, btn := pickerForm(forms); f != nil {
				next, err = submit(f, btn, nil, nil, resp)
			} else {
				out.why = fmt.Sprintf("a page (%d) with no login, picker or consent form: %s", resp.Status, pageSummary(resp.Body))
				return out, nil
			}
		}
		if err != nil {
			return nil, err
		}
		req = next
	}
	out.why = fmt.Sprintf("gave up after %d pages: %s", maxPages, pageSummary(out.page.Body))
	return out, nil
}

// loginForm is the first form with a password input.
func loginForm(forms []htmlForm) (*htmlForm, bool) {
	for i := range forms {
		if forms[i].field("password") != nil {
			return &forms[i], true
		}
	}
	return nil, false
}

// login fills in the user's name (the first visible text or email input,
// preferring one whose name says user, login or email, else the field
// named username) and password, and submits.
func (b browse) login(f *htmlForm, page *response) (*http.Request, error) {
	var userField string
	for _, fd := range f.Fields {
		if fd.Type != "text" && fd.Type != "email" {
			continue
		}
		n := strings.ToLower(fd.Name)
		if strings.Contains(n, "user") || strings.Contains(n, "login") || strings.Contains(n, "email") {
			userField = fd.Name
			break
		}
		if userField == "" {
			userField = fd.Name
		}
	}
	if userField == "" {
		userField = "username"
	}
	set := url.Values{userField: {b.username}, f.field("password").Name: {b.password}}
	var btn *formButton
	if len(f.Buttons) > 0 {
		btn = &f.Buttons[0]
	}
	return submit(f, btn, nil, set, page)
}

// approveWords name a consent page's approve button.
var approveWords = []string{"allow", "approve", "authorize", "authorise", "accept", "grant", "agree", "consent"}

// consentForm is the first form with an approve button, and the button.
func consentForm(forms []htmlForm) (*htmlForm, *formButton) {
	for i := range forms {
		for j, btn := range forms[i].Buttons {
			for _, w := range strings.FieldsFunc(strings.ToLower(btn.Label+" "+btn.Value), notLetter) {
				if slices.Contains(approveWords, w) {
					return &forms[i], &forms[i].Buttons[j]
				}
			}
		}
	}
	return nil, nil
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

// pickerForm is the first POST form offering choices: buttons with a name
// and value (the first is pressed), or radio buttons (the first is
// ticked, then the form's first button pressed).
func pickerForm(forms []htmlForm) (*htmlForm, *formButton) {
	for i := range forms {
		f := &forms[i]
		if f.Method != "POST" {
			continue
		}
		for j, btn := range f.Buttons {
			if btn.Name != "" && btn.Value != "" {
				return f, &f.Buttons[j]
			}
		}
		if radio := f.field("radio"); radio != nil {
			name := radio.Name
			first := true
			for k := range f.Fields {
				if fd := &f.Fields[k]; fd.Type == "radio" && fd.Name == name {
					fd.Checked, first = first, false
				}
			}
			var btn *formButton
			if len(f.Buttons) > 0 {
				btn = &f.Buttons[0]
			}
			return f, btn
		}
	}
	return nil, nil
}

// submit builds the request submitting f with btn, as a browser on page
// would: GET with the fields as the query, or a POST with them as the
// body, with the page's origin and URL as Origin and Referer.
func submit(f *htmlForm, btn *formButton, untick func(name, value string) bool, set url.Values, page *response) (*http.Request, error) {
	vals := f.values(btn, untick, set)
	target := *f.Action
	target.Fragment = ""
	var req *http.Request
	var err error
	if f.Method == "GET" {
		target.RawQuery = vals.Encode()
		req, err = http.NewRequest(http.MethodGet, target.String(), nil)
	} else {
		req, err = http.NewRequest(http.MethodPost, target.String(), strings.NewReader(vals.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", page.URL.Scheme+"://"+page.URL.Host)
		}
	}
	if err != nil {
		return nil, err
	}
	req.Header.Set("Referer", page.URL.String())
	req.Header.Set("Accept", "text/html")
	return req, nil
}
