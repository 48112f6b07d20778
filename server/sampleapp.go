package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"smartd/apps/registry"
	"smartd/sampleapp"
)

// openSampleApp builds the sample app, served at <base>/sample-app/, and
// when sync is set (a later start with the demo apps) moves its
// registration to the current base URL (syncSampleApp). It
// launches against our own FHIR base, and its discovery, token and FHIR
// requests go to our router in process (selfTransport), so it works
// whatever the public base URL resolves to from the server itself
// (behind a proxy, in a container, with a certificate for another name).
func (s *Server) openSampleApp(sync bool) error {
	if sync {
		if err := s.syncSampleApp(); err != nil {
			return err
		}
	}
	var err error
	s.sampleApp, err = sampleapp.New(sampleapp.Options{
		BaseURL: s.cfg.BaseURL, FHIRBase: s.cfg.BaseURL + "/fhir",
		HTTPClient: &http.Client{Transport: selfTransport{s}},
		Now:        s.cfg.Now, Log: s.log,
	})
	return err
}

// selfTransport serves requests for our own base URL with the router, in
// process, as if from the host itself; it refuses any other URL.
type selfTransport struct{ s *Server }

// RoundTrip implements http.RoundTripper.
func (t selfTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.String(), t.s.cfg.BaseURL+"/") {
		return nil, fmt.Errorf("server: the sample app may only call %s, not %s", t.s.cfg.BaseURL, req.URL.Redacted())
	}
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:0"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.s.router.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// registerSampleApp registers the sample app for the current base URL
// (on the first start, with the other demo clients). A base URL that
// makes no valid redirect URI (plain http on a host that is not
// loopback) leaves it out with a warning instead of failing the start.
func (s *Server) registerSampleApp() error {
	_, _, err := s.apps.Create(sampleapp.Registration(s.cfg.BaseURL))
	var verr *registry.ValidationError
	if errors.As(err, &verr) {
		s.log.Warn("the sample app is not registered: its URLs below this base URL are not valid redirect URIs (use https or a loopback host)", "base_url", s.cfg.BaseURL, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("registering the sample app: %w", err)
	}
	s.log.Info("registered the sample app", "client_id", sampleapp.ClientID, "url", s.cfg.BaseURL+sampleapp.HomePath)
	return nil
}

// syncSampleApp moves the sample app's launch URL and redirect URI to
// the current base URL on a later start (the base URL may change between
// runs: another port, a proxy in front). Only the registration this
// server made is touched: one with the sample app's client_id, no owner,
// and URLs ending in the sample app's paths; a deleted one stays deleted.
func (s *Server) syncSampleApp() error {
	app, err := s.apps.Get(sampleapp.ClientID)
	if errors.Is(err, registry.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	want := sampleapp.Registration(s.cfg.BaseURL)
	if app.Owner != "" || !strings.HasSuffix(app.LaunchURL, sampleapp.LaunchPath) || len(app.RedirectURIs) != 1 ||
		!strings.HasSuffix(app.RedirectURIs[0], sampleapp.CallbackPath) ||
		app.LaunchURL == want.LaunchURL && slices.Equal(app.RedirectURIs, want.RedirectURIs) {
		return nil
	}
	app.LaunchURL, app.RedirectURIs = want.LaunchURL, want.RedirectURIs
	if _, _, err := s.apps.Update(app); err != nil {
		s.log.Warn("the sample app keeps its old URLs", "base_url", s.cfg.BaseURL, "err", err)
		return nil
	}
	s.log.Info("moved the sample app to the base URL", "url", s.cfg.BaseURL+sampleapp.HomePath)
	return nil
}
