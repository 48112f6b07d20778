package server

import (
	"net/url"

	"smartd/ehr"
	"smartd/launch"
	"smartd/sessions"
)

// openEHR builds the EHR view and the launch-context API over the launch
// store the authorize endpoint resolves launches from.
func (s *Server) openEHR(adminToken string) error {
	u, _ := url.Parse(s.cfg.BaseURL)
	var err error
	s.ehr, err = ehr.New(ehr.Options{
		BasePath: u.Path, FHIRBase: s.cfg.BaseURL + "/fhir", Store: s.store, Apps: s.apps,
		Launches: s.launches, Users: s.users, Sessions: s.sessions, Limiter: s.limiter,
		Secure: u.Scheme == "https", Audit: s.auditAuth, Now: s.cfg.Now, Log: s.log, Sandbox: s.cfg.Sandbox,
	})
	if err != nil {
		return err
	}
	s.launchAPI, err = launch.NewAPI(launch.APIOptions{
		BasePath: u.Path, FHIRBase: s.cfg.BaseURL + "/fhir", Store: s.launches, Apps: s.apps, Users: s.users,
		Resources: s.ehr.Records(), Authenticate: launch.BearerToken(adminToken), Log: s.log, Sandbox: s.cfg.Sandbox,
	})
	return err
}

// newLimiter is the sign-in limiter the authorize endpoint and the EHR
// share, so that attempts on either count together.
func (s *Server) newLimiter() *sessions.Limiter {
	return sessions.NewLimiter(sessions.LimiterOptions{Now: s.cfg.Now})
}
