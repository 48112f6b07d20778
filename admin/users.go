package admin

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"smartd/authz/oauth"
	"smartd/users"
)

// Users is the account store the /users endpoints manage; *users.Store
// implements it.
type Users interface {
	Create(u *users.User, password string) (*users.User, error)
	Get(username string) (*users.User, error)
	List() ([]*users.User, error)
	Delete(username string) error
}

// SessionEnder ends every login session of an account;
// *sessions.Store implements it.
type SessionEnder interface {
	DeleteUser(username string) error
}

// UserInfo is one account as the /users endpoints show it: never its
// password hash.
type UserInfo struct {
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name,omitempty"`
	Role        users.Role `json:"role"`
	FHIRUser    string     `json:"fhir_user,omitempty"`
	Patient     string     `json:"patient,omitempty"`
	Disabled    bool       `json:"disabled,omitempty"`
	Created     time.Time  `json:"created"`
	Updated     time.Time  `json:"updated"`
}

// NewUser is the body of POST /users: the account and its password.
type NewUser struct {
	Username    string     `json:"username"`
	Password    string     `json:"password"`
	DisplayName string     `json:"display_name,omitempty"`
	Role        users.Role `json:"role"`
	// FHIRUser links the account: Practitioner/id for a clinician,
	// Patient/id or RelatedPerson/id (with Patient) for a patient.
	FHIRUser string `json:"fhir_user,omitempty"`
	Patient  string `json:"patient,omitempty"`
}

func userInfo(u *users.User) UserInfo {
	return UserInfo{Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, FHIRUser: u.FHIRUser,
		Patient: u.Patient, Disabled: u.Disabled, Created: u.Created, Updated: u.Updated}
}

// noUsers answers when the API was built without a user store.
func (a *API) noUsers() error {
	e := oauth.New("not_found", "this server manages no user accounts here")
	e.Status = http.StatusNotFound
	return e
}

func (a *API) listUsers(w http.ResponseWriter, _ *http.Request) error {
	if a.users == nil {
		return a.noUsers()
	}
	list, err := a.users.List()
	if err != nil {
		return oauth.Internal(err)
	}
	out := make([]UserInfo, 0, len(list))
	for _, u := range list {
		out = append(out, userInfo(u))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) error {
	if a.users == nil {
		return a.noUsers()
	}
	u, err := a.users.Get(r.PathValue("username"))
	if err != nil {
		return usersError(err)
	}
	return writeJSON(w, http.StatusOK, userInfo(u))
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	if a.users == nil {
		return a.noUsers()
	}
	var nu NewUser
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&nu); err != nil {
		return oauth.New(oauth.InvalidRequest, "the body is not a user JSON object: "+err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return oauth.New(oauth.InvalidRequest, "the body holds more than one JSON value")
	}
	u, err := a.users.Create(&users.User{Username: nu.Username, DisplayName: nu.DisplayName, Role: nu.Role,
		FHIRUser: nu.FHIRUser, Patient: nu.Patient}, nu.Password)
	if err != nil {
		return usersError(err)
	}
	a.log.Info("admin: created a user", "username", u.Username, "role", u.Role)
	return writeJSON(w, http.StatusCreated, userInfo(u))
}

// deleteUser removes the account and ends its sessions (so no signed-in
// browser keeps acting as it).
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if a.users == nil {
		return a.noUsers()
	}
	name := r.PathValue("username")
	if err := a.users.Delete(name); err != nil {
		return usersError(err)
	}
	if a.sessions != nil {
		if err := a.sessions.DeleteUser(name); err != nil {
			return oauth.Internal(err)
		}
	}
	a.log.Info("admin: removed a user", "username", name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// usersError maps the user store's errors to statuses.
func usersError(err error) error {
	switch {
	case errors.Is(err, users.ErrInvalid):
		return oauth.New(oauth.InvalidRequest, err.Error())
	case errors.Is(err, users.ErrNotFound):
		e := oauth.New("not_found", err.Error())
		e.Status = http.StatusNotFound
		return e
	case errors.Is(err, users.ErrExists):
		e := oauth.New("conflict", err.Error())
		e.Status = http.StatusConflict
		return e
	}
	return oauth.Internal(err)
}
