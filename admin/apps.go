package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"smartd/apps/registry"
	"smartd/authz/oauth"
)

// ImportResult is the answer to POST /apps/import.
type ImportResult struct {
	Created  []string `json:"created"`
	Replaced []string `json:"replaced"`
}

func (a *API) listApps(w http.ResponseWriter, _ *http.Request) error {
	apps, err := a.apps.List()
	if err != nil {
		return oauth.Internal(err)
	}
	out := make([]registry.Metadata, 0, len(apps))
	for _, app := range apps {
		out = append(out, app.Metadata())
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) getApp(w http.ResponseWriter, r *http.Request) error {
	app, err := a.apps.Get(r.PathValue("client_id"))
	if err != nil {
		return registryError(err)
	}
	return writeJSON(w, http.StatusOK, app.Metadata())
}

// decodeMetadata reads an RFC 7591 metadata body into an unsaved App,
// with smartd's allow_simulation and simulation members.
func decodeMetadata(r *http.Request) (*registry.App, registry.Metadata, error) {
	var md registry.Metadata
	if err := json.NewDecoder(r.Body).Decode(&md); err != nil {
		return nil, md, oauth.New(oauth.InvalidClientMetadata, "the body is not client metadata JSON: "+err.Error())
	}
	app, err := registry.FromMetadata(md)
	if err != nil {
		return nil, md, registryError(err)
	}
	// Launch simulation is an administrator's choice: FromMetadata, which
	// dynamic registration shares, leaves these out.
	app.AllowSimulation, app.Simulation = md.AllowSimulation, md.Simulation.Clone()
	return app, md, nil
}

func (a *API) createApp(w http.ResponseWriter, r *http.Request) error {
	app, md, err := decodeMetadata(r)
	if err != nil {
		return err
	}
	app.ClientID = md.ClientID
	app, cred, err := a.apps.Create(app)
	if err != nil {
		return registryError(err)
	}
	a.log.Info("admin: registered an app", "client_id", app.ClientID)
	return writeJSON(w, http.StatusCreated, app.Response(cred, ""))
}

func (a *API) updateApp(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("client_id")
	app, md, err := decodeMetadata(r)
	if err != nil {
		return err
	}
	if md.ClientID != "" && md.ClientID != id {
		return oauth.New(oauth.InvalidClientMetadata, "client_id in the body differs from the one in the path")
	}
	cur, err := a.apps.Get(id)
	if err != nil {
		return registryError(err)
	}
	app.ClientID, app.Owner = id, cur.Owner
	app, cred, err := a.apps.Update(app)
	if err != nil {
		return registryError(err)
	}
	a.log.Info("admin: updated an app", "client_id", id)
	return writeJSON(w, http.StatusOK, app.Response(cred, ""))
}

func (a *API) deleteApp(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("client_id")
	if err := a.apps.Delete(id); err != nil {
		return registryError(err)
	}
	a.log.Info("admin: removed an app", "client_id", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("client_id")
	secret, err := a.apps.RotateSecret(id)
	if err != nil {
		return registryError(err)
	}
	a.log.Info("admin: issued a new client secret", "client_id", id)
	return writeJSON(w, http.StatusOK, map[string]string{"client_id": id, "client_secret": secret})
}

func (a *API) exportApps(w http.ResponseWriter, _ *http.Request) error {
	var b bytes.Buffer
	if err := a.apps.Export(&b); err != nil {
		return oauth.Internal(err)
	}
	oauth.NoStore(w.Header())
	w.Header().Set("Content-Type", "application/json")
	w.Write(b.Bytes())
	return nil
}

func (a *API) importApps(w http.ResponseWriter, r *http.Request) error {
	replace := false
	if v := r.URL.Query().Get("replace"); v != "" {
		var err error
		if replace, err = strconv.ParseBool(v); err != nil {
			return oauth.New(oauth.InvalidRequest, "replace must be true or false")
		}
	}
	res, err := a.apps.Import(r.Body, registry.ImportOptions{Replace: replace})
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			e := oauth.New(oauth.InvalidRequest, "the export is too large")
			e.Status = http.StatusRequestEntityTooLarge
			return e
		}
		if errors.Is(err, registry.ErrExists) {
			return registryError(err)
		}
		return oauth.New(oauth.InvalidRequest, err.Error())
	}
	a.log.Info("admin: imported apps", "created", len(res.Created), "replaced", len(res.Replaced))
	return writeJSON(w, http.StatusOK, ImportResult{Created: nonNil(res.Created), Replaced: nonNil(res.Replaced)})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
