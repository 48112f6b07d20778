package authz

import "fmt"

// RegistrationPolicy says who may register a client at the RFC 7591
// registration endpoint.
type RegistrationPolicy string

// The registration policies (the -registration flag).
const (
	// RegistrationOpen lets anyone register, rate-limited per client
	// address: a sandbox setting, for connectathons and test kits.
	RegistrationOpen RegistrationPolicy = "open"
	// RegistrationToken requires the initial access token configured with
	// SMARTD_REGISTRATION_TOKEN, as a Bearer token (RFC 7591 §3).
	RegistrationToken RegistrationPolicy = "token"
	// RegistrationClosed refuses dynamic registration (403); apps are
	// registered by an administrator.
	RegistrationClosed RegistrationPolicy = "closed"
)

// ParseRegistrationPolicy returns the policy named s.
func ParseRegistrationPolicy(s string) (RegistrationPolicy, error) {
	switch p := RegistrationPolicy(s); p {
	case RegistrationOpen, RegistrationToken, RegistrationClosed:
		return p, nil
	}
	return "", fmt.Errorf("registration policy %q is not open, token or closed", s)
}
