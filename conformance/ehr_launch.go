package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"time"
)

const (
	specEHR = "SMART App Launch 2.2, app-launch.html, \"EHR Launch\""
	// specLaunchAPI names smartd's launch-context API: a vendor extension,
	// known here only as an HTTP API.
	specLaunchAPI = "smartd launch-context API (README \"Launch-context API\"; a vendor extension)"
	specContext   = "SMART App Launch 2.2, scopes-and-launch-context.html"
)

var (
	ckEHRCreate = Check{GroupEHRLaunch, "the launch-context API issues a launch",
		specLaunchAPI + ": POST /launch/api/launches answers 201 with launch, launch_url (with iss and launch) and expires_at"}
	ckEHRCode = Check{GroupEHRLaunch, "an EHR launch returns a code",
		specEHR + ": authorize with launch=<id> and the launch scope; RFC 6749 §4.1.2"}
	ckEHRContext = Check{GroupEHRLaunch, "the token response carries the launch context",
		specContext + ", \"Launch context arrives with your access_token\": patient, encounter, need_patient_banner"}
	ckEHRStyle = Check{GroupEHRLaunch, "smart_style_url serves a SMART style document",
		specContext + ", \"Styling\": smart_style_url, a JSON object with the style properties"}
	ckEHRFHIRContext = Check{GroupEHRLaunch, "fhirContext is an array of objects",
		specContext + ", \"fhirContext\": since 2.1 objects with reference, canonical or identifier"}
	ckEHRSingleUse = Check{GroupEHRLaunch, "a used launch id is refused",
		specEHR + " (launch is an opaque handle to one launch); RFC 6749 §4.1.2.1"}
	ckEHROtherApp = Check{GroupEHRLaunch, "a launch issued for another app is refused",
		specEHR + ": the launch context belongs to the app that was launched"}
	ckEHRUnknown = Check{GroupEHRLaunch, "an unknown launch id is refused",
		specEHR + "; RFC 6749 §4.1.2.1 (invalid_request)"}
)

var ehrChecks = []Check{ckEHRCreate, ckEHRCode, ckEHRContext, ckEHRStyle, ckEHRFHIRContext, ckEHRSingleUse,
	ckEHROtherApp, ckEHRUnknown}

// launchRequest is the body of smartd's POST /launch/api/launches.
type launchRequest struct {
	ClientID          string              `json:"client_id"`
	User              string              `json:"user,omitempty"`
	Patient           string              `json:"patient,omitempty"`
	Encounter         string              `json:"encounter,omitempty"`
	FHIRContext       []map[string]string `json:"fhirContext,omitempty"`
	NeedPatientBanner bool                `json:"need_patient_banner"`
}

// ehrState is what the EHR launch got.
type ehrState struct {
	sent   launchRequest
	launch string
	token  map[string]any
	access string
}

// ehrLaunch runs the ehr-launch group: a launch made through smartd's
// launch-context API, driven through the HTML forms, and the refusals of
// used, foreign and unknown launch ids.
func (r *runner) ehrLaunch() {
	if r.cfg.AdminToken == "" {
		r.skipAll(ehrChecks, noAdminToken)
		return
	}
	if why := r.launchSkip(); why != "" {
		r.skipAll(ehrChecks, why)
		return
	}
	es := &ehrState{}
	r.do(ckEHRCreate, func(st *step) error {
		req, err := r.ehrRequest(st, r.cfg.PublicClientID)
		if err != nil {
			return err
		}
		es.sent = req
		es.launch, err = r.createLaunch(req)
		return err
	})
	var code, verifier string
	r.do(ckEHRCode, func(st *step) error {
		if err := r.needs(ckEHRCreate); err != nil {
			return err
		}
		a := r.ehrAuthRequest(es.launch)
		out, err := r.authorize(a, false, nil)
		if err != nil {
			return err
		}
		verifier = a.verifier
		code, err = r.codeFrom(out)
		return err
	})
	r.do(ckEHRContext, func(st *step) error {
		if err := r.needs(ckEHRCode); err != nil {
			return err
		}
		return r.ehrToken(st, es, code, verifier)
	})
	r.do(ckEHRStyle, func(st *step) error {
		if err := r.needs(ckEHRContext); err != nil {
			return err
		}
		return r.smartStyle(st, es.token)
	})
	r.do(ckEHRFHIRContext, func(st *step) error {
		if err := r.needs(ckEHRContext); err != nil {
			return err
		}
		return fhirContextShape(st, es.sent.FHIRContext, es.token)
	})
	r.do(ckEHRSingleUse, func(st *step) error {
		if err := r.needs(ckEHRCode); err != nil {
			return err
		}
		return r.expectNoCode(r.ehrAuthRequest(es.launch), "a launch id used before")
	})
	r.do(ckEHROtherApp, func(st *step) error {
		if err := r.needs(ckEHRCode); err != nil {
			return err
		}
		if r.tw == nil || r.tw.otherApp == "" {
			return skipf("no second app was registered (see %q)", ckSetupApps.Name)
		}
		req := es.sent
		req.ClientID = r.tw.otherApp
		id, err := r.createLaunch(req)
		if err != nil {
			return fmt.Errorf("creating a launch for %s: %v", r.tw.otherApp, err)
		}
		return r.expectNoCode(r.ehrAuthRequest(id), "a launch issued for "+r.tw.otherApp)
	})
	r.do(ckEHRUnknown, func(st *step) error {
		if err := r.needs(ckEHRCode); err != nil {
			return err
		}
		return r.expectNoCode(r.ehrAuthRequest("conformance-unknown-launch-"+randomString()), "an unknown launch id")
	})
}

// ehrAuthRequest is an EHR launch's authorization request for launch id.
func (r *runner) ehrAuthRequest(id string) *authRequest {
	a := r.newAuthRequest(ehrScope)
	a.params.Set("launch", id)
	return a
}

// ehrPatient is the patient the EHR launch opens: the standalone
// launch's, else the throwaway user's.
func (r *runner) ehrPatient() string {
	if r.ls != nil && r.ls.token != nil {
		if p, _ := str(r.ls.token, "patient"); p != "" {
			return p
		}
	}
	if r.tw != nil {
		return r.tw.patient
	}
	return ""
}

// ehrRequest is the launch to create for client: the user, the patient,
// one of the patient's encounters and an observation in fhirContext (found
// with a standalone launch's token, when one can be had), a canonical
// item, and the patient banner asked for.
func (r *runner) ehrRequest(st *step, client string) (launchRequest, error) {
	req := launchRequest{ClientID: client, User: r.cfg.Username, Patient: r.ehrPatient(), NeedPatientBanner: true}
	if req.Patient == "" {
		return req, skipf("no patient is known for the launch: the standalone launch gave none")
	}
	if tok := r.lookupToken(); tok != "" {
		q := "?patient=" + url.QueryEscape(req.Patient) + "&_count=1"
		req.Encounter, _ = r.firstID(r.cfg.FHIRBase+"/Encounter"+q, tok)
		if obs, err := r.firstID(r.cfg.FHIRBase+"/Observation"+q, tok); err == nil {
			req.FHIRContext = append(req.FHIRContext, map[string]string{"reference": "Observation/" + obs})
		}
	}
	req.FHIRContext = append(req.FHIRContext, map[string]string{
		"canonical": "http://hl7.org/fhir/smart-app-launch/ImplementationGuide/hl7.fhir.uv.smart-app-launch", "type": "ImplementationGuide"})
	st.note("patient %s, encounter %q, %d fhirContext items", req.Patient, req.Encounter, len(req.FHIRContext))
	return req, nil
}

// createLaunch posts req to the launch-context API and checks the
// answer: 201, a launch id, a launch_url with iss (the FHIR base) and
// launch (the id), and an expires_at in the future.
func (r *runner) createLaunch(req launchRequest) (string, error) {
	resp, err := r.admin(http.MethodPost, "/launch/api/launches", req)
	if err != nil {
		return "", err
	}
	if resp.Status != 201 {
		return "", fmt.Errorf("got %s, want 201", resp.describe())
	}
	m, err := resp.object()
	if err != nil {
		return "", err
	}
	id, _ := str(m, "launch")
	if id == "" {
		return "", fmt.Errorf("the answer has no launch id")
	}
	var p []string
	raw, _ := str(m, "launch_url")
	if u, err := url.Parse(raw); err != nil || !u.IsAbs() {
		p = append(p, fmt.Sprintf("launch_url %q is not an absolute URL", raw))
	} else if q := u.Query(); q.Get("iss") != r.cfg.FHIRBase || q.Get("launch") != id {
		p = append(p, fmt.Sprintf("launch_url has iss=%q and launch=%q, want the FHIR base and the launch id", q.Get("iss"), q.Get("launch")))
	}
	exp, _ := str(m, "expires_at")
	if t, err := time.Parse(time.RFC3339, exp); err != nil || !t.After(r.cfg.Now()) {
		p = append(p, fmt.Sprintf("expires_at %q is not an RFC 3339 time in the future", exp))
	}
	return id, joinProblems(p)
}

// lookupToken is the access token of a fresh standalone launch, "" when
// there is none. The main launch's grant may be revoked by now: the
// token-refresh group replays a rotated-out refresh token, and a server
// that detects the reuse rightly revokes the whole grant.
func (r *runner) lookupToken() string {
	if r.status[ckLaunchToken.ID()] != Pass {
		return ""
	}
	a := r.newAuthRequest(r.cfg.LaunchScope)
	out, err := r.authorize(a, false, nil)
	if err != nil {
		return ""
	}
	code, err := r.codeFrom(out)
	if err != nil {
		return ""
	}
	resp, err := r.exchange(code, a.verifier)
	if err != nil {
		return ""
	}
	m, err := tokenResponse(resp)
	if err != nil {
		return ""
	}
	tok, _ := str(m, "access_token")
	return tok
}
