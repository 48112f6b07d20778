package server

import (
	"net/http"
	"net/url"

	"smartd/authorize"
	"smartd/ehr"
	"smartd/sessions"
	"smartd/users"
)

// openSessions opens the login sessions over the store's file, before
// the grants that ask them whether an online_access session is open.
func (s *Server) openSessions() error {
	u, _ := url.Parse(s.cfg.BaseURL)
	var err error
	s.sessions, err = sessions.Open(s.store.DB(), sessions.Options{Now: s.cfg.Now, HTTPS: u.Scheme == "https"})
	return err
}

// openLogin opens the user accounts over the store's file (the login
// sessions are already open: openSessions), seeds the demo users on the first start (logging their
// usernames, never their passwords), and builds the authorize endpoint.
func (s *Server) openLogin(fresh bool) error {
	db := s.store.DB()
	var err error
	if s.users, err = users.Open(db, users.Options{Now: s.cfg.Now}); err != nil {
		return err
	}
	if fresh && !s.cfg.NoDemoUsers {
		creds, err := users.SeedDemo(s.users)
		if err != nil {
			return err
		}
		names := make([]string, len(creds))
		for i, c := range creds {
			names[i] = c.Username
		}
		s.log.Info("created the demo users (passwords in the README)", "usernames", names)
	}
	u, _ := url.Parse(s.cfg.BaseURL)
	secure := u.Scheme == "https"
	s.authorize = authorize.New(authorize.Options{
		BasePath:   u.Path,
		FHIRBase:   s.cfg.BaseURL + "/fhir",
		Apps:       s.apps,
		Grants:     s.grants,
		Users:      s.users,
		Sessions:   s.sessions,
		Limiter:    s.limiter,
		Launches:   s.launches,
		StyleURL:   s.cfg.BaseURL + ehr.StylePath,
		Audit:      s.auditAuth,
		Patients:   patientSearcher{s.store},
		Encounters: encounterSearcher{s.store},
		Secure:     secure,
		Grant:      s.authzGrantOptions(),
		Now:        s.cfg.Now,
		Log:        s.log,

		// Launch simulation (-sandbox).
		Sandbox:     s.cfg.Sandbox,
		SandboxUser: s.cfg.SandboxUser,
		Simulated:   s.auditSimulation,
	})
	return nil
}

// authRoutes dispatches below <base>/auth: the authorize endpoint and
// its pages, else the authorization server (gin cannot register them
// beside its catch-all).
func (s *Server) authRoutes() http.Handler {
	protocol := s.authz.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.authorize.Owns(r.URL.Path) {
			s.authorize.ServeHTTP(w, r)
			return
		}
		protocol.ServeHTTP(w, r)
	})
}
