package validate

import (
	"reflect"
	"slices"
)

//go:generate go run gen_resources.go

// model is one resource type of the samply models: its Go struct type, walked by
// reflection to build the element tables, and its UnmarshalXxx as a shape check.
type model struct {
	typ       reflect.Type
	unmarshal func([]byte) error
}

// modelOf adapts a samply UnmarshalXxx function to a model.
func modelOf[T any](unmarshal func([]byte) (T, error)) model {
	return model{
		typ: reflect.TypeFor[T](),
		unmarshal: func(b []byte) error {
			_, err := unmarshal(b)
			return err
		},
	}
}

// IsResourceType reports whether name is a concrete FHIR R4 resource type
// (case-sensitive; the abstract Resource and DomainResource are not).
func IsResourceType(name string) bool {
	_, ok := models[name]
	return ok
}

// ResourceTypes returns every concrete FHIR R4 resource type, sorted. The caller may modify the slice.
func ResourceTypes() []string {
	return slices.Clone(resourceTypes)
}
