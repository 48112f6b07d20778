package server

import (
	"errors"
	"net/url"
	"slices"

	"smartd/conformanceui"
)

// openConformance builds the conformance page over the login accounts
// and sessions the authorize endpoint uses. Other servers may be tested
// only as -conformance-targets lists them ("*" only in a sandbox), and
// at private addresses only with the development flag
// -allow-private-jwks-uri (both guard against request forgery).
func (s *Server) openConformance(adminToken string) error {
	if slices.Contains(s.cfg.ConformanceTargets, "*") && !s.cfg.Sandbox {
		return errors.New("-conformance-targets '*' (any server) needs -sandbox; list the FHIR bases instead")
	}
	u, _ := url.Parse(s.cfg.BaseURL)
	var err error
	s.conformanceUI, err = conformanceui.New(conformanceui.Options{
		BasePath: u.Path, FHIRBase: s.cfg.BaseURL + "/fhir", AdminToken: adminToken,
		AllowedTargets: s.cfg.ConformanceTargets, AllowPrivateAddresses: s.cfg.AllowPrivateJWKSURI,
		Users: s.users, Sessions: s.sessions, Limiter: s.limiter, Audit: s.auditAuth, Secure: u.Scheme == "https",
		Now: s.cfg.Now, Log: s.log,
	})
	return err
}
