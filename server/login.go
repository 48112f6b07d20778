package server

import (
	"net/http"
	"net/url"

	"smartd/authorize"
	"smartd/sessions"
	"smartd/users"
)

// openLogin opens the user accounts and login sessions over the store's
// file, seeds the demo users on the first start (logging their
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
	if s.sessions, err = sessions.Open(db, sessions.Options{Now: s.cfg.Now, HTTPS: secure}); err != nil {
		return err
	}
	s.authorize = authorize.New(authorize.Options{
		BasePath: u.Path,
		FHIRBase: s.cfg.BaseURL + "/fhir",
		Apps:     s.apps,
		Grants:   s.grants,
		Users:    s.users,
		Sessions: s.sessions,
		Limiter:  sessions.NewLimiter(sessions.LimiterOptions{Now: s.cfg.Now}),
		Patients: patientSearcher{s.store},
		Secure:   secure,
		Grant:    s.authzGrantOptions(),
		Log:      s.log,
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
