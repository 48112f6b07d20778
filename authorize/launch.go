package authorize

import (
	"errors"

	"smartd/authz"
	"smartd/authz/oauth"
	"smartd/launch"
)

// peek resolves the launch parameter of an EHR launch (SMART App Launch
// 2.2, "EHR Launch"): the request must carry the launch scope, and the id
// must be one issued for this client, unused and unexpired. It does not
// use the launch up; issue does.
func (h *Handler) peek(req *authz.AuthorizeRequest) (*launch.Context, error) {
	if h.opts.Launches == nil {
		return nil, oauth.New(oauth.InvalidRequest, "EHR launch is not available on this server")
	}
	if !req.Scopes.HasLaunch("") {
		return nil, oauth.New(oauth.InvalidScope, "an EHR launch (the launch parameter) needs the launch scope")
	}
	l, err := h.opts.Launches.Peek(req.Launch, req.ClientID)
	if err != nil {
		return nil, launchError(err)
	}
	return &l, nil
}

// launchError is the OAuth error for a launch id that cannot be used:
// invalid_request with what is wrong, or server_error.
func launchError(err error) error {
	var desc string
	switch {
	case errors.Is(err, launch.ErrUnknown):
		desc = "the launch id is unknown to this server"
	case errors.Is(err, launch.ErrExpired):
		desc = "the launch has expired; launch the app again from the EHR"
	case errors.Is(err, launch.ErrUsed):
		desc = "the launch was already used; launch the app again from the EHR"
	case errors.Is(err, launch.ErrOtherApp):
		desc = "the launch was issued for another app"
	default:
		return oauth.Internal(err)
	}
	return oauth.New(oauth.InvalidRequest, desc)
}
