package signin

import (
	"smartd/sessions"
	"smartd/ui"
	"smartd/users"
)

// Nav returns the header of the console pages for the signed-in user u
// (in session sess): their name and role, the sections in links with the
// one at current marked, and the sign-out form. Nil u gives none.
func (h *Handler) Nav(sess *sessions.Session, u *users.User, links []ui.ConsoleLink, current string) ui.ConsoleNav {
	if u == nil || sess == nil {
		return ui.ConsoleNav{}
	}
	for i := range links {
		links[i].Current = links[i].URL == current
	}
	name := u.DisplayName
	if name == "" {
		name = u.Username
	}
	return ui.ConsoleNav{User: name, Role: string(u.Role), Links: links, LogoutAction: h.LogoutPath(), CSRF: sess.CSRFToken}
}
