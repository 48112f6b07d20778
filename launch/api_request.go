package launch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"smartd/apps/registry"
	"smartd/authz/oauth"
	"smartd/launch/simulation"
	"smartd/users"
)

// Bounds on a launch request.
const (
	maxFHIRContext = 32
	maxIntent      = 256
)

var (
	// fhirIDRE is the FHIR R4 id type (datatypes.html#id).
	fhirIDRE = regexp.MustCompile(`^[A-Za-z0-9.-]{1,64}$`)
	// typeRE is the shape of a FHIR resource type name.
	typeRE = regexp.MustCompile(`^[A-Z][A-Za-z]{1,63}$`)
)

// check validates a decoded request against the registry, the accounts
// and the FHIR store, and returns the context to issue and the app.
func (a *API) check(ctx context.Context, req *APIRequest) (Context, *registry.App, error) {
	if req.ClientID == "" {
		return Context{}, nil, badRequest("client_id is required")
	}
	app, err := a.opts.Apps.Get(req.ClientID)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return Context{}, nil, notFound(fmt.Sprintf("no app has client_id %q", req.ClientID))
	case err != nil:
		return Context{}, nil, oauth.Internal(err)
	}
	if err := CheckApp(app); err != nil {
		return Context{}, nil, badRequest(fmt.Sprintf("app %q cannot be launched from an EHR: %v", req.ClientID, err))
	}
	c := Context{ClientID: app.ClientID, NeedPatientBanner: true}
	if req.NeedPatientBanner != nil {
		c.NeedPatientBanner = *req.NeedPatientBanner
	}
	if len(req.Intent) > maxIntent || strings.ContainsFunc(req.Intent, isControl) {
		return Context{}, nil, badRequest(fmt.Sprintf("intent must be at most %d printable characters", maxIntent))
	}
	c.Intent = req.Intent
	if err := a.checkPatient(ctx, req.Patient, req.Encounter); err != nil {
		return Context{}, nil, err
	}
	c.Patient, c.Encounter = req.Patient, req.Encounter
	if req.User != "" {
		u, err := a.checkUser(req.User, req.Patient)
		if err != nil {
			return Context{}, nil, err
		}
		c.Username, c.FHIRUser = u.Username, u.FHIRUser
	}
	if len(req.FHIRContext) > maxFHIRContext {
		return Context{}, nil, badRequest(fmt.Sprintf("fhirContext holds more than %d items", maxFHIRContext))
	}
	for i, item := range req.FHIRContext {
		if err := a.checkItem(ctx, item); err != nil {
			return Context{}, nil, prefixed(fmt.Sprintf("fhirContext[%d]: ", i), err)
		}
	}
	c.FHIRContext = req.FHIRContext
	if c.Simulate, err = a.checkSimulate(app, req.Simulate); err != nil {
		return Context{}, nil, err
	}
	return c, app, nil
}

// checkSimulate refuses a simulate member unless the server is in
// sandbox mode and the app opted in, and checks its values.
func (a *API) checkSimulate(app *registry.App, sim *simulation.Options) (*simulation.Options, error) {
	switch {
	case sim == nil:
		return nil, nil
	case !a.opts.Sandbox:
		return nil, badRequest("simulate: launch simulation needs a server started with -sandbox")
	case !app.AllowSimulation:
		return nil, badRequest(fmt.Sprintf("simulate: app %q has not opted in to launch simulation (allow_simulation)", app.ClientID))
	}
	if err := sim.Validate(); err != nil {
		return nil, badRequest("simulate: " + err.Error())
	}
	return sim.Clone(), nil
}

// checkPatient checks that the patient exists, and the encounter too and
// that it is the patient's (SMART App Launch 2.2: the encounter in
// context is one of the patient's).
func (a *API) checkPatient(ctx context.Context, patient, encounter string) error {
	if encounter != "" && patient == "" {
		return badRequest("an encounter needs its patient: set patient too")
	}
	if patient == "" {
		return nil
	}
	if err := a.exists(ctx, "Patient", patient, "patient"); err != nil {
		return err
	}
	if encounter == "" {
		return nil
	}
	if err := a.exists(ctx, "Encounter", encounter, "encounter"); err != nil {
		return err
	}
	ok, err := a.opts.Resources.BelongsTo(ctx, "Encounter", encounter, patient)
	if err != nil {
		return oauth.Internal(err)
	}
	if !ok {
		return badRequest(fmt.Sprintf("Encounter/%s is not an encounter of Patient/%s", encounter, patient))
	}
	return nil
}

// exists checks the id's syntax (400) and that typ/id exists (404);
// field names the request field for the messages.
func (a *API) exists(ctx context.Context, typ, id, field string) error {
	if !fhirIDRE.MatchString(id) {
		return badRequest(fmt.Sprintf("%s %q is not a FHIR id", field, id))
	}
	ok, err := a.opts.Resources.Exists(ctx, typ, id)
	if err != nil {
		return oauth.Internal(err)
	}
	if !ok {
		return notFound(fmt.Sprintf("there is no %s/%s", typ, id))
	}
	return nil
}

// checkUser returns the enabled account named username, a clinician or
// a patient (an admin sees no records), allowed to see patient if set.
func (a *API) checkUser(username, patient string) (*users.User, error) {
	u, err := a.opts.Users.Get(username)
	switch {
	case errors.Is(err, users.ErrNotFound):
		return nil, notFound(fmt.Sprintf("there is no user %q", username))
	case err != nil:
		return nil, oauth.Internal(err)
	case u.Disabled:
		return nil, badRequest(fmt.Sprintf("user %q is disabled", username))
	case u.Role != users.Clinician && u.Role != users.Patient:
		return nil, badRequest(fmt.Sprintf("user %q is an %s, who opens no records", username, u.Role))
	case patient != "" && !u.MayAccessPatient(patient):
		return nil, badRequest(fmt.Sprintf("user %q may not open Patient/%s", username, patient))
	}
	return u, nil
}

// checkItem checks one fhirContext item (SMART App Launch 2.2,
// "fhirContext"): a relative reference that exists, or an absolute
// canonical URL; a type that agrees with the reference; a role that is
// "launch" or an absolute URI; Patient and Encounter only with another
// role, since they have launch parameters of their own.
func (a *API) checkItem(ctx context.Context, it FHIRContextItem) error {
	if it.Reference == "" && it.Canonical == "" {
		return badRequest("an item needs a reference or a canonical")
	}
	if it.Type != "" && !typeRE.MatchString(it.Type) {
		return badRequest(fmt.Sprintf("type %q is not a FHIR resource type", it.Type))
	}
	if it.Role != "" && it.Role != "launch" && !absoluteURI(it.Role) {
		return badRequest(fmt.Sprintf("role %q is neither \"launch\" nor an absolute URI", it.Role))
	}
	if it.Canonical != "" {
		u, _, _ := strings.Cut(it.Canonical, "|")
		if !absoluteURI(u) {
			return badRequest(fmt.Sprintf("canonical %q is not an absolute URL", it.Canonical))
		}
	}
	if it.Reference == "" {
		return nil
	}
	typ, id, ok := strings.Cut(it.Reference, "/")
	if !ok || !typeRE.MatchString(typ) {
		return badRequest(fmt.Sprintf("reference %q is not a relative reference Type/id", it.Reference))
	}
	if it.Type != "" && it.Type != typ {
		return badRequest(fmt.Sprintf("type %q differs from the reference's type %q", it.Type, typ))
	}
	if (typ == "Patient" || typ == "Encounter") && (it.Role == "" || it.Role == "launch") {
		return badRequest(fmt.Sprintf("a %s goes in the %s field; in fhirContext it needs a role other than launch", typ, strings.ToLower(typ)))
	}
	return a.exists(ctx, typ, id, "reference")
}

// absoluteURI reports whether s parses as a URI with a scheme.
func absoluteURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.IsAbs() && !strings.ContainsFunc(s, isControl)
}

// isControl reports an ASCII control character.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// prefixed adds a prefix to the description of an OAuth error.
func prefixed(prefix string, err error) error {
	var e *oauth.Error
	if errors.As(err, &e) && e.Code != oauth.ServerError {
		c := *e
		c.Description = prefix + c.Description
		return &c
	}
	return err
}
