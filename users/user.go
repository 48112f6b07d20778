package users

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Role is what an account is for.
type Role string

// The roles.
const (
	// Clinician: a Practitioner; may see and pick every patient.
	Clinician Role = "clinician"
	// Patient: a Patient, or a RelatedPerson acting for one; sees only that record.
	Patient Role = "patient"
	// Admin: manages smartd (apps, keys, users) and sees no patient records.
	Admin Role = "admin"
	// Developer: registers and manages their own apps in the app
	// registry pages; links to no resource and sees no patient data.
	Developer Role = "developer"
)

// Roles returns every role, in the order forms offer them.
func Roles() []Role { return []Role{Clinician, Patient, Developer, Admin} }

// User is one login account. The zero value is not valid.
type User struct {
	// Username is the login name: 3 to 64 of a-z, 0-9, '.', '_' and '-'.
	Username string `json:"username"`
	// DisplayName is the name shown on the login and consent pages.
	DisplayName string `json:"display_name,omitempty"`
	// Role decides which FHIRUser types fit and which patients the user sees.
	Role Role `json:"role"`
	// FHIRUser is the linked resource, "Practitioner/id", "Patient/id" or
	// "RelatedPerson/id": the fhirUser claim. Empty only for an admin.
	FHIRUser string `json:"fhir_user,omitempty"`
	// Patient is the id of the Patient a RelatedPerson proxy acts for;
	// empty otherwise.
	Patient string `json:"patient,omitempty"`
	// PasswordHash is the argon2id hash in PHC string format.
	PasswordHash string `json:"password_hash"`
	// Created and Updated are set by the Store.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Disabled accounts cannot sign in and see no patient.
	Disabled bool `json:"disabled,omitempty"`
}

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("invalid user")

var (
	usernameRE = regexp.MustCompile(`^[a-z0-9._-]{3,64}$`)
	// fhirIDRE is the FHIR R4 id type (datatypes.html#id).
	fhirIDRE = regexp.MustCompile(`^[A-Za-z0-9.-]{1,64}$`)
)

// MinPasswordLength is the shortest password ValidatePassword accepts.
const MinPasswordLength = 8

// maxPasswordLength bounds the work one login can ask for.
const maxPasswordLength = 1024

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// ValidateUsername checks the username rules.
func ValidateUsername(name string) error {
	if !usernameRE.MatchString(name) {
		return invalid("username %q: use 3 to 64 lowercase letters, digits, '.', '_' or '-'", name)
	}
	return nil
}

// ValidatePassword checks the password policy: at least
// MinPasswordLength characters, at most 1024 bytes, and not the username.
func ValidatePassword(username, password string) error {
	switch {
	case len([]rune(password)) < MinPasswordLength:
		return invalid("password: use at least %d characters", MinPasswordLength)
	case len(password) > maxPasswordLength:
		return invalid("password: use at most %d bytes", maxPasswordLength)
	case strings.EqualFold(password, username):
		return invalid("password: must not be the username")
	}
	return nil
}

// SplitFHIRUser returns the resource type and id of a FHIRUser reference,
// or empty strings if it is not "Type/id" with a valid FHIR id.
func SplitFHIRUser(ref string) (typ, id string) {
	typ, id, ok := strings.Cut(ref, "/")
	if !ok || typ == "" || !fhirIDRE.MatchString(id) {
		return "", ""
	}
	return typ, id
}

// Validate checks u's username, role, FHIRUser and Patient; it does not
// look at the password hash.
func (u *User) Validate() error {
	if err := ValidateUsername(u.Username); err != nil {
		return err
	}
	typ, _ := SplitFHIRUser(u.FHIRUser)
	if u.FHIRUser != "" && typ == "" {
		return invalid("fhirUser %q: want ResourceType/id", u.FHIRUser)
	}
	if u.Patient != "" && typ != "RelatedPerson" {
		return invalid("patient: only a RelatedPerson proxy names a linked patient (fhirUser is %q)", u.FHIRUser)
	}
	switch u.Role {
	case Clinician:
		if typ != "Practitioner" {
			return invalid("fhirUser %q: a clinician links to Practitioner/id", u.FHIRUser)
		}
	case Patient:
		switch typ {
		case "Patient":
		case "RelatedPerson":
			if !fhirIDRE.MatchString(u.Patient) {
				return invalid("patient %q: a RelatedPerson proxy needs the id of the Patient it acts for", u.Patient)
			}
		default:
			return invalid("fhirUser %q: a patient links to Patient/id or RelatedPerson/id", u.FHIRUser)
		}
	case Admin:
		if typ != "" && typ != "Practitioner" {
			return invalid("fhirUser %q: an admin links to no resource or to Practitioner/id", u.FHIRUser)
		}
	case Developer:
		if u.FHIRUser != "" {
			return invalid("fhirUser %q: a developer links to no resource (developers see no patient data)", u.FHIRUser)
		}
	default:
		return invalid("role %q: want clinician, patient, developer or admin", u.Role)
	}
	return nil
}

// MayAccessPatient reports whether u may see patientID's record under
// user/ scopes: a clinician every patient, a patient their own, a proxy
// the linked patient, an admin, a developer or a disabled account none.
func (u *User) MayAccessPatient(patientID string) bool {
	if u.Disabled || patientID == "" {
		return false
	}
	switch u.Role {
	case Clinician:
		return true
	case Patient:
		return u.PatientContext() == patientID
	}
	return false
}

// PatientContext returns the patient id a patient user or proxy acts for,
// for the launch's patient context, or "" for other users.
func (u *User) PatientContext() string {
	if u.Role != Patient {
		return ""
	}
	switch typ, id := SplitFHIRUser(u.FHIRUser); typ {
	case "Patient":
		return id
	case "RelatedPerson":
		return u.Patient
	}
	return ""
}

// Clone returns a copy of u.
func (u *User) Clone() *User {
	c := *u
	return &c
}
