package grants

import (
	"fmt"

	"smartd/authz/scope"
)

// Narrow returns the scope of a refreshed access token (RFC 6749 §6): the
// requested scope when every requested scope is within granted, granted
// verbatim when requested is empty, and an error wrapping ErrInvalidScope
// when a requested scope is not granted (widening) or malformed. Coverage
// is scope.Grant's: `patient/Observation.rs` is within `patient/*.cruds`.
// A scope this server does not understand (scope.KindOther) is within
// granted only when granted holds the same token.
func Narrow(granted, requested string) (string, error) {
	if requested == "" {
		return granted, nil
	}
	g, err := scope.Parse(granted)
	if err != nil {
		return "", fmt.Errorf("%w: granted scope: %v", ErrInvalidScope, err)
	}
	r, err := scope.Parse(requested)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidScope, err)
	}
	grantedText := make(map[string]bool, len(g))
	for _, s := range g {
		grantedText[s.String()] = true
	}
	for _, s := range r {
		if s.Kind == scope.KindOther {
			if !grantedText[s.String()] {
				return "", fmt.Errorf("%w: %q was not granted", ErrInvalidScope, s.String())
			}
			continue
		}
		got := scope.Grant(scope.Set{s}, g, scope.GrantOptions{})
		if len(got) != 1 || !got[0].Equal(s) {
			return "", fmt.Errorf("%w: %q is not within the granted scope", ErrInvalidScope, s.String())
		}
	}
	return r.String(), nil
}
