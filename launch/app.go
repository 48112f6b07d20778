package launch

import (
	"errors"

	"smartd/apps/registry"
)

// Why an app cannot be opened by an EHR launch (CheckApp).
var (
	// ErrNoLaunchURL: the app registered no launch URL (initiate_login_uri).
	ErrNoLaunchURL = errors.New("the app has no launch URL")
	// ErrNoCodeGrant: the app may not use the authorization_code grant,
	// which every EHR launch ends in.
	ErrNoCodeGrant = errors.New("the app does not use the authorization_code grant")
)

// CheckApp reports whether an EHR can launch app (SMART App Launch 2.2,
// "EHR Launch"): it needs a launch URL to open and the authorization_code
// grant to finish the launch with. It returns nil, ErrNoLaunchURL or
// ErrNoCodeGrant.
func CheckApp(app *registry.App) error {
	if app.LaunchURL == "" {
		return ErrNoLaunchURL
	}
	if !app.HasGrant(registry.GrantAuthorizationCode) {
		return ErrNoCodeGrant
	}
	return nil
}
