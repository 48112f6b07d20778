package authorize

import (
	"strings"

	"smartd/authz/oauth"
)

// prompts is the OpenID Connect prompt parameter (OpenID Connect Core
// §3.1.2.1).
type prompts struct{ none, login, consent bool }

// parsePrompt reads prompt: none, login and consent are honoured,
// select_account and unknown values are ignored (one account per
// session), and none with any other value is invalid_request.
func parsePrompt(s string) (prompts, error) {
	var p prompts
	n := 0
	for _, v := range strings.Fields(s) {
		n++
		switch v {
		case "none":
			p.none = true
		case "login":
			p.login = true
		case "consent":
			p.consent = true
		}
	}
	if p.none && n > 1 {
		return p, oauth.New(oauth.InvalidRequest, "prompt=none cannot be combined with another value (OpenID Connect Core §3.1.2.1)")
	}
	return p, nil
}
