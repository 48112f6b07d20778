package conformance

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// redactions are bodies and what must and must not survive redaction;
// they seed FuzzRedact.
var redactions = []struct {
	contentType, body string
	gone, kept        []string
}{
	{"application/x-www-form-urlencoded", "grant_type=authorization_code&code=SECRETCODE&code_verifier=SECRETVERIFIER&client_id=app",
		[]string{"SECRETCODE", "SECRETVERIFIER"}, []string{"grant_type=authorization_code", "client_id=app"}},
	{"application/x-www-form-urlencoded; charset=utf-8", "username=jose&password=hunter2hunter2&client_assertion=eyJ.eyJ.sig",
		[]string{"hunter2hunter2", "eyJ.eyJ.sig"}, []string{"username=jose"}},
	{"application/json", `{"access_token":"AT-SECRET","refresh_token" : "RT-\"SECRET\"","scope":"openid","id_token":"ID.TOK.EN"}`,
		[]string{"AT-SECRET", `RT-\"SECRET\"`, "ID.TOK.EN"}, []string{`"scope":"openid"`, `"access_token":"[redacted]"`}},
	{"application/fhir+json", `{"resourceType":"Patient","password":"pw-in-json"}`, []string{"pw-in-json"}, []string{"Patient"}},
	{"text/html", `<input name="password" value="visible-html">`, nil, []string{"visible-html"}},
}

func TestRedactBody(t *testing.T) {
	for _, tt := range redactions {
		got := redactBody(tt.contentType, []byte(tt.body))
		for _, s := range tt.gone {
			if strings.Contains(got, s) {
				t.Errorf("%s: %q survives in %q", tt.contentType, s, got)
			}
		}
		for _, s := range tt.kept {
			if !strings.Contains(got, s) {
				t.Errorf("%s: %q lost from %q", tt.contentType, s, got)
			}
		}
	}
	long := strings.Repeat("x", maxDumpBody+10)
	if got := redactBody("text/plain", []byte(long)); len(got) > maxDumpBody+40 || !strings.Contains(got, "10 more bytes") {
		t.Errorf("a long body is not clipped: %d bytes", len(got))
	}
}

// TestRecorder: the recorder passes bodies through untouched both ways
// and dumps the exchange with credentials redacted.
func TestRecorder(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "COOKIE-SECRET"})
		w.Header().Set("Location", "https://app.example/cb?code=CODE-SECRET&state=s1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(302)
		json.NewEncoder(w).Encode(map[string]any{"got_password": r.PostForm.Get("password") == "PW-SECRET", "access_token": "AT-SECRET"})
	}))
	defer ts.Close()
	var got []Exchange
	client := &http.Client{Transport: &recorder{next: http.DefaultTransport, sink: func(e Exchange) { got = append(got, e) }},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", ts.URL+"/login?token=QUERY-SECRET&x=1", strings.NewReader("password=PW-SECRET&user=u"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer BEARER-SECRET")
	req.Header.Set("Cookie", "sid=OLD-COOKIE")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"got_password":true`) {
		t.Errorf("the server or the caller lost the body: %s", body)
	}
	if len(got) != 1 || got[0].Status != 302 || got[0].Method != "POST" {
		t.Fatalf("exchanges: %+v", got)
	}
	dump := got[0].URL + got[0].Request + got[0].Response
	for _, s := range []string{"QUERY-SECRET", "PW-SECRET", "BEARER-SECRET", "OLD-COOKIE", "COOKIE-SECRET", "CODE-SECRET", "AT-SECRET"} {
		if strings.Contains(dump, s) {
			t.Errorf("%s survives in the dump:\n%s", s, dump)
		}
	}
	for _, s := range []string{"x=1", "user=u", "Authorization: Bearer [redacted]", "state=s1", "HTTP/1.1 302 Found"} {
		if !strings.Contains(dump, s) {
			t.Errorf("%q lost from the dump:\n%s", s, dump)
		}
	}

	got = nil
	if _, err := client.Get("http://127.0.0.1:1/unreachable"); err == nil {
		t.Fatal("no error from an unreachable server")
	}
	if len(got) != 1 || got[0].Status != 0 || !strings.HasPrefix(got[0].Response, "error: ") {
		t.Errorf("a transport error is not recorded: %+v", got)
	}
}

// FuzzRedact: a secret sent as a password form field or as a JSON
// access_token never survives redaction.
func FuzzRedact(f *testing.F) {
	for _, r := range redactions {
		for _, s := range r.gone {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, secret string) {
		if len(secret) < 6 {
			return
		}
		esc := url.QueryEscape(secret)
		form := "user=u&password=" + esc + "&x=y"
		if got := redactBody("application/x-www-form-urlencoded", []byte(form)); strings.Contains(got, esc) && !strings.Contains("user=u&password=&x=y"+url.QueryEscape(redacted), esc) {
			t.Fatalf("form: %q survives in %q", esc, got)
		}
		js, _ := json.Marshal(map[string]string{"access_token": secret, "scope": "s"})
		enc, _ := json.Marshal(secret)
		inner := string(enc[1 : len(enc)-1])
		got := redactBody("application/json", js)
		if strings.Contains(got, inner) && !strings.Contains(`{"access_token":"`+redacted+`","scope":"s"}`, inner) {
			t.Fatalf("json: %q survives in %q", inner, got)
		}
	})
}
