package grants

import (
	"errors"
	"testing"
)

func TestNarrow(t *testing.T) {
	const granted = "launch/patient openid fhirUser offline_access patient/*.rs urn:x:extra"
	tests := []struct {
		name, granted, requested, want string
		wantErr                        bool
	}{
		{"empty keeps the grant verbatim", granted, "", granted, false},
		{"same", granted, granted, granted, false},
		{"subset", granted, "openid patient/Observation.rs", "openid patient/Observation.rs", false},
		{"fewer permissions", granted, "patient/Observation.r", "patient/Observation.r", false},
		{"granular narrowing", granted, "patient/Observation.rs?category=laboratory", "patient/Observation.rs?category=laboratory", false},
		{"v1 read within rs", granted, "patient/Observation.read", "patient/Observation.read", false},
		{"unknown scope granted", granted, "urn:x:extra", "urn:x:extra", false},
		{"widen permissions", granted, "patient/Observation.cruds", "", true},
		{"widen context", granted, "user/Observation.rs", "", true},
		{"new scope", granted, "online_access", "", true},
		{"unknown scope not granted", granted, "urn:x:other", "", true},
		{"malformed", granted, "patient/Observation.rs\t", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Narrow(tt.granted, tt.requested)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidScope) {
					t.Fatalf("Narrow = %q, %v; want ErrInvalidScope", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Narrow = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
