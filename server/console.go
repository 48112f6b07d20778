package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"smartd/adminpages"
	"smartd/apps/registry"
	"smartd/ehr"
	"smartd/registrypages"
	"smartd/signin"
	"smartd/ui"
	"smartd/users"
)

// Paths of the shared sign-in of the web pages, below the base URL's path.
const (
	LoginPath  = "/login"
	LogoutPath = "/logout"
)

// console is the shared sign-in and the pages it opens: the app registry
// pages and the admin pages.
type console struct {
	signin   *signin.Handler
	registry *registrypages.Handler
	admin    *adminpages.Handler
}

// mountConsole builds the shared sign-in, the app registry pages and the
// admin pages and mounts them on r, with the admin API below the admin
// pages' folder (gin allows one catch-all there).
func (s *Server) mountConsole(r *gin.Engine, basePath string) {
	c, err := s.newConsole(basePath)
	if err != nil { // only a missing option, which newConsole never leaves out
		s.log.Error("the app registry and admin pages are not mounted", "err", err)
		r.Any(basePath+AdminAPIPrefix+"/*path", gin.WrapH(http.StripPrefix(basePath+AdminAPIPrefix, s.admin)))
		return
	}
	r.Any(basePath+LoginPath, gin.WrapH(c.signin))
	r.Any(basePath+LogoutPath, gin.WrapH(c.signin))
	r.Any(basePath+registrypages.Prefix, gin.WrapH(c.registry))
	r.Any(basePath+registrypages.Prefix+"/*path", gin.WrapH(c.registry))
	api := http.StripPrefix(basePath+AdminAPIPrefix, s.admin)
	adminRoutes := gin.WrapH(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, basePath+AdminAPIPrefix+"/") {
			api.ServeHTTP(w, r)
			return
		}
		c.admin.ServeHTTP(w, r)
	}))
	r.Any(basePath+adminpages.Prefix, adminRoutes)
	r.Any(basePath+adminpages.Prefix+"/*path", adminRoutes)
}

// newConsole builds the shared sign-in, the app registry pages and the
// admin pages.
func (s *Server) newConsole(basePath string) (*console, error) {
	u, _ := url.Parse(s.cfg.BaseURL)
	var c console
	var err error
	c.signin, err = signin.New(signin.Options{
		LoginPath: basePath + LoginPath, LogoutPath: basePath + LogoutPath, NextPrefix: basePath + "/",
		HomeFor: func(u *users.User) string { return homeOf(basePath, u) },
		Users:   s.users, Sessions: s.sessions, Limiter: s.limiter, Secure: u.Scheme == "https",
		Audit: s.auditAuth, Now: s.cfg.Now, Log: s.log,
	})
	if err != nil {
		return nil, err
	}
	nav := func(u *users.User) []ui.ConsoleLink { return consoleLinks(basePath, u) }
	c.registry, err = registrypages.New(registrypages.Options{
		BasePath: basePath, Apps: s.apps, Audit: s.audit, Record: s.audit.Record, SignIn: c.signin, Nav: nav, Log: s.log,
		Validate: registry.ValidateOptions{AllowPrivateJWKSURI: s.cfg.AllowPrivateJWKSURI},
	})
	if err != nil {
		return nil, err
	}
	c.admin, err = adminpages.New(adminpages.Options{
		BasePath: basePath, Grants: s.grants, Users: s.users, Sessions: s.sessions, Apps: s.apps,
		Audit: s.audit, Record: s.audit.Record, SignIn: c.signin, Nav: nav, Log: s.log,
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// homeOf is where an account goes after the shared sign-in without a
// next: its pages.
func homeOf(basePath string, u *users.User) string {
	switch u.Role {
	case users.Developer:
		return basePath + registrypages.ListPath
	case users.Admin:
		return basePath + adminpages.GrantsPath
	case users.Clinician:
		return basePath + ehr.HomePath
	}
	return ""
}

// consoleLinks are the console's sections an account may open.
func consoleLinks(basePath string, u *users.User) []ui.ConsoleLink {
	label := "My apps"
	if u.Role == users.Admin {
		label = "Apps"
	}
	links := []ui.ConsoleLink{
		{Label: label, URL: basePath + registrypages.ListPath},
		{Label: "Register an app", URL: basePath + registrypages.NewPath},
	}
	if u.Role == users.Admin {
		links = append(links,
			ui.ConsoleLink{Label: "Grants", URL: basePath + adminpages.GrantsPath},
			ui.ConsoleLink{Label: "Users", URL: basePath + adminpages.UsersPath})
	}
	return links
}
