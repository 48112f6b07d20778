package conformance

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

var (
	ckRefresh = Check{GroupTokenRefresh, "a refresh gives a new access token and rotates the refresh token",
		"SMART App Launch 2.2, app-launch.html, \"Refresh access token\"; RFC 6749 §6; RFC 9700 §4.14.2 (public clients: rotation)"}
	ckRefreshNarrow = Check{GroupTokenRefresh, "a refresh with a narrower scope reports the narrower scope",
		"RFC 6749 §6 (scope MUST NOT include any scope not originally granted); SMART App Launch 2.2, app-launch.html"}
	ckRefreshReuse = Check{GroupTokenRefresh, "a rotated-out refresh token is refused",
		"RFC 9700 §4.14.2 (refresh token rotation); RFC 6749 §5.2 (invalid_grant)"}
)

var refreshChecks = []Check{ckRefresh, ckRefreshNarrow, ckRefreshReuse}

// refreshWith redeems a refresh token as the public client; scope "" asks
// for the scope granted.
func (r *runner) refreshWith(token, scope string) (*response, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}, "client_id": {r.cfg.PublicClientID}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return r.postForm(r.disc.token, form)
}

// refresh runs the token refresh scenario on the main launch's grant.
func (r *runner) refresh() {
	if why := r.launchSkip(); why != "" {
		r.skipAll(refreshChecks, why)
		return
	}
	ls := r.ls
	var first, latest string // the refresh token of the launch, and the newest
	r.do(ckRefresh, func(st *step) error {
		if err := r.needs(ckLaunchToken); err != nil {
			return err
		}
		if ls.refresh == "" {
			granted := strings.Fields(ls.granted)
			if slices.Contains(granted, "offline_access") || slices.Contains(granted, "online_access") {
				return fmt.Errorf("%q was granted but the token response has no refresh_token", ls.granted)
			}
			return skipf("no refresh token was issued (neither offline_access nor online_access granted)")
		}
		first = ls.refresh
		resp, err := r.refreshWith(first, "")
		if err != nil {
			return err
		}
		m, err := tokenResponse(resp)
		if err != nil {
			return err
		}
		var p []string
		if err := noStore(resp); err != nil {
			p = append(p, err.Error())
		}
		if sc, _ := str(m, "scope"); !subset(sc, ls.granted) {
			p = append(p, fmt.Sprintf("the refreshed scope %q is wider than the granted %q", sc, ls.granted))
		}
		next, _ := str(m, "refresh_token")
		switch next {
		case "":
			p = append(p, "the response has no new refresh_token (a public client's refresh tokens must rotate)")
		case first:
			p = append(p, "the response returns the same refresh_token (a public client's refresh tokens must rotate)")
		default:
			latest = next
		}
		return joinProblems(p)
	})
	r.do(ckRefreshNarrow, func(st *step) error {
		if err := r.needs(ckRefresh); err != nil {
			return err
		}
		narrow, dropped := narrower(ls.granted)
		if len(dropped) == 0 {
			return skipf("the granted scope %q has nothing to drop", ls.granted)
		}
		resp, err := r.refreshWith(latest, narrow)
		if err != nil {
			return err
		}
		m, err := tokenResponse(resp)
		if err != nil {
			return err
		}
		if next, _ := str(m, "refresh_token"); next != "" {
			latest = next
		}
		got, _ := str(m, "scope")
		if !subset(got, narrow) {
			return fmt.Errorf("asked for %q, the response says %q", narrow, got)
		}
		st.note("asked for %q, granted %q", narrow, got)
		return nil
	})
	r.do(ckRefreshReuse, func(st *step) error {
		if err := r.needs(ckRefresh); err != nil {
			return err
		}
		resp, err := r.refreshWith(first, "")
		if err != nil {
			return err
		}
		if resp.Status == 200 {
			return fmt.Errorf("the first refresh token, already rotated out, got another token")
		}
		return refused(resp, []int{400, 401}, "invalid_grant")
	})
}

// narrower drops openid and fhirUser from granted (else its last scope
// other than offline_access and online_access, which keep the refresh
// token coming) and returns the rest and what was dropped.
func narrower(granted string) (string, []string) {
	scopes := strings.Fields(granted)
	var keep, dropped []string
	for _, s := range scopes {
		if s == "openid" || s == "fhirUser" {
			dropped = append(dropped, s)
		} else {
			keep = append(keep, s)
		}
	}
	if len(dropped) == 0 {
		for i := len(keep) - 1; i >= 0; i-- {
			if keep[i] != "offline_access" && keep[i] != "online_access" {
				dropped = append(dropped, keep[i])
				keep = slices.Delete(keep, i, i+1)
				break
			}
		}
	}
	if len(keep) == 0 {
		return granted, nil
	}
	return strings.Join(keep, " "), dropped
}

// subset reports whether every scope of a is in b.
func subset(a, b string) bool {
	bs := strings.Fields(b)
	for _, s := range strings.Fields(a) {
		if !slices.Contains(bs, s) {
			return false
		}
	}
	return true
}
