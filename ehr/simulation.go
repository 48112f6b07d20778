package ehr

import (
	"net/url"

	"smartd/apps/registry"
	"smartd/launch/simulation"
)

// simulateDefaults returns what an app's Launch form offers to simulate:
// nil (no Simulate section) unless the server is in sandbox mode and the
// app opted in; then the app's defaults, or none.
func (h *Handler) simulateDefaults(app *registry.App) *simulation.Options {
	if !h.opts.Sandbox || !app.AllowSimulation {
		return nil
	}
	if app.Simulation == nil {
		return &simulation.Options{}
	}
	return app.Simulation.Clone()
}

// simulateChoice reads the Simulate choices a Launch form posted for
// app. Where the form offers none (not a sandbox server, or an app that
// did not opt in) posted choices are ignored: the launch simulates
// nothing of its own. A form that offered them yields the options
// chosen, even none, which turns the app's defaults off.
func (h *Handler) simulateChoice(app *registry.App, form url.Values) (*simulation.Options, error) {
	if h.simulateDefaults(app) == nil {
		return nil, nil
	}
	return simulation.FromForm(form)
}
