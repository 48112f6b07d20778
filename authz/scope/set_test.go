package scope

import "testing"

func TestSetHelpers(t *testing.T) {
	set := mustParse(t, "launch/patient openid fhirUser offline_access patient/*.rs system/Observation.r launch/imagingstudy?role=http://x __ext user/x.rs")
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"Has openid", set.Has(KindOpenID), true},
		{"Has fhirUser", set.Has(KindFHIRUser), true},
		{"Has offline_access", set.Has(KindOfflineAccess), true},
		{"Has online_access", set.Has(KindOnlineAccess), false},
		{"Has profile", set.Has(KindProfile), false},
		{"Has resource", set.Has(KindResource), true},
		{"HasLaunch patient", set.HasLaunch("patient"), true},
		{"HasLaunch bare", set.HasLaunch(""), false},
		{"HasLaunch encounter", set.HasLaunch("encounter"), false},
		{"HasLaunch with role", set.HasLaunch("imagingstudy"), true},
		{"HasContext patient", set.HasContext(ContextPatient), true},
		{"HasContext system", set.HasContext(ContextSystem), true},
		{"HasContext user (malformed user scope does not count)", set.HasContext(ContextUser), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if got := set.Unknown().String(); got != "__ext user/x.rs" {
		t.Errorf("Unknown() = %q", got)
	}
	if got := mustParse(t, "launch openid").Unknown(); got != nil {
		t.Errorf("Unknown() = %q, want nil", got)
	}
	if !mustParse(t, "launch").HasLaunch("") {
		t.Error(`HasLaunch("") false for launch`)
	}
}

func TestEqual(t *testing.T) {
	a := mustParse(t, "patient/*.read patient/Observation.rs?code=a%7Cb launch/x?role=r")
	for _, tc := range []struct {
		other string
		want  bool
	}{
		{"patient/*.read patient/Observation.rs?code=a%7Cb launch/x?role=r", true},
		{"patient/*.rs patient/Observation.rs?code=a%7Cb launch/x?role=r", false},                 // v1 vs v2
		{"patient/*.read patient/Observation.rs?code=a|b launch/x?role=r", false},                 // spelling
		{"patient/*.read patient/Observation.rs?code=a%7Cb launch/x?role=%72", false},             // role spelling
		{"patient/*.read patient/Observation.rs?code=a%7Cb", false},                               // length
		{SMARTPrefix + "patient/*.read patient/Observation.rs?code=a%7Cb launch/x?role=r", false}, // prefix
	} {
		if got := a.Equal(mustParse(t, tc.other)); got != tc.want {
			t.Errorf("Equal(%q) = %v, want %v", tc.other, got, tc.want)
		}
	}
	if (Param{Name: "c", Value: "a|b"}).Equal(a[1].Params[0]) {
		t.Error("hand-built param equals differently spelled parsed one")
	}
	if !(Param{Name: "code", Value: "a|b"}).Equal(mustParam("code=a|b")) {
		t.Error("hand-built param differs from the same parsed one")
	}
}

func TestKindAndContextStrings(t *testing.T) {
	for k, want := range map[Kind]string{KindOther: "other", KindResource: "resource", KindLaunch: "launch",
		KindOpenID: "openid", KindFHIRUser: "fhirUser", KindProfile: "profile",
		KindOfflineAccess: "offline_access", KindOnlineAccess: "online_access", Kind(99): "Kind(99)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
	for c, want := range map[Context]string{0: "", ContextPatient: "patient", ContextUser: "user", ContextSystem: "system", 7: "Context(7)"} {
		if got := c.String(); got != want {
			t.Errorf("Context(%d).String() = %q, want %q", c, got, want)
		}
	}
}
