package users

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    User
		want string // substring of the error; "" for valid
	}{
		{"clinician", User{Username: "dr.morgan", Role: Clinician, FHIRUser: "Practitioner/smart-practitioner-1"}, ""},
		{"patient", User{Username: "jose", Role: Patient, FHIRUser: "Patient/smart-patient-1"}, ""},
		{"proxy", User{Username: "maria_n-2", Role: Patient, FHIRUser: "RelatedPerson/rp1", Patient: "smart-patient-1"}, ""},
		{"admin without resource", User{Username: "admin", Role: Admin}, ""},
		{"admin practitioner", User{Username: "admin", Role: Admin, FHIRUser: "Practitioner/p1"}, ""},
		{"username 64", User{Username: strings.Repeat("a", 64), Role: Admin}, ""},
		{"username too short", User{Username: "ab", Role: Admin}, "username"},
		{"username too long", User{Username: strings.Repeat("a", 65), Role: Admin}, "username"},
		{"username upper", User{Username: "Jose", Role: Admin}, "lowercase"},
		{"username space", User{Username: "jo se", Role: Admin}, "username"},
		{"username at", User{Username: "jo@x.org", Role: Admin}, "username"},
		{"no role", User{Username: "jose", FHIRUser: "Patient/p1"}, "role"},
		{"unknown role", User{Username: "jose", Role: "nurse", FHIRUser: "Patient/p1"}, "role"},
		{"clinician as patient", User{Username: "doc", Role: Clinician, FHIRUser: "Patient/p1"}, "clinician links to Practitioner"},
		{"clinician without resource", User{Username: "doc", Role: Clinician}, "clinician"},
		{"patient as practitioner", User{Username: "jose", Role: Patient, FHIRUser: "Practitioner/p1"}, "a patient links to"},
		{"proxy without patient", User{Username: "maria", Role: Patient, FHIRUser: "RelatedPerson/rp1"}, "proxy needs"},
		{"proxy bad patient", User{Username: "maria", Role: Patient, FHIRUser: "RelatedPerson/rp1", Patient: "a/b"}, "proxy needs"},
		{"patient with patient field", User{Username: "jose", Role: Patient, FHIRUser: "Patient/p1", Patient: "p2"}, "only a RelatedPerson"},
		{"admin as patient", User{Username: "admin", Role: Admin, FHIRUser: "Patient/p1"}, "an admin"},
		{"developer", User{Username: "dev", Role: Developer}, ""},
		{"developer practitioner", User{Username: "dev", Role: Developer, FHIRUser: "Practitioner/p1"}, "a developer links to no resource"},
		{"bad reference", User{Username: "jose", Role: Patient, FHIRUser: "Patient"}, "ResourceType/id"},
		{"bad id", User{Username: "jose", Role: Patient, FHIRUser: "Patient/a b"}, "ResourceType/id"},
		{"nested reference", User{Username: "jose", Role: Patient, FHIRUser: "Patient/a/_history/1"}, "ResourceType/id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.u.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate: %v, want ErrInvalid mentioning %q", err, tc.want)
			}
		})
	}
}

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		user, pw, want string
	}{
		{"jose", "jose-demo-2026", ""},
		{"jose", "12345678", ""},
		{"jose", "ñúñez-ñú", ""}, // 8 characters, more bytes
		{"jose", "1234567", "at least 8 characters"},
		{"jose", "", "at least 8 characters"},
		{"dr.morgan", "dr.morgan", "must not be the username"},
		{"dr.morgan", "DR.MORGAN", "must not be the username"},
		{"jose", strings.Repeat("x", 1025), "at most 1024 bytes"},
	} {
		err := ValidatePassword(tc.user, tc.pw)
		if tc.want == "" && err != nil || tc.want != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("ValidatePassword(%q, %q) = %v, want %q", tc.user, tc.pw, err, tc.want)
		}
	}
}

func TestPolicy(t *testing.T) {
	clin := &User{Username: "dr.morgan", Role: Clinician, FHIRUser: "Practitioner/smart-practitioner-1"}
	pat := &User{Username: "jose", Role: Patient, FHIRUser: "Patient/smart-patient-1"}
	proxy := &User{Username: "maria", Role: Patient, FHIRUser: "RelatedPerson/rp-1", Patient: "smart-patient-2"}
	admin := &User{Username: "admin", Role: Admin, FHIRUser: "Practitioner/smart-practitioner-1"}
	disabled := &User{Username: "dr.salo", Role: Clinician, FHIRUser: "Practitioner/smart-practitioner-2", Disabled: true}
	for _, tc := range []struct {
		name    string
		u       *User
		patient string
		want    bool
	}{
		{"clinician any", clin, "smart-patient-1", true},
		{"clinician other", clin, "smart-patient-6", true},
		{"clinician empty", clin, "", false},
		{"patient own", pat, "smart-patient-1", true},
		{"patient other", pat, "smart-patient-2", false},
		{"patient empty", pat, "", false},
		{"proxy linked", proxy, "smart-patient-2", true},
		{"proxy own resource id", proxy, "rp-1", false},
		{"proxy other", proxy, "smart-patient-1", false},
		{"admin", admin, "smart-patient-1", false},
		{"disabled clinician", disabled, "smart-patient-1", false},
	} {
		if got := tc.u.MayAccessPatient(tc.patient); got != tc.want {
			t.Errorf("%s: MayAccessPatient(%q) = %v, want %v", tc.name, tc.patient, got, tc.want)
		}
	}
	for u, want := range map[*User]string{clin: "", pat: "smart-patient-1", proxy: "smart-patient-2", admin: ""} {
		if got := u.PatientContext(); got != want {
			t.Errorf("%s: PatientContext() = %q, want %q", u.Username, got, want)
		}
	}
}
