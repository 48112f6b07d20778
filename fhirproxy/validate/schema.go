package validate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// kind is how an element is written in FHIR JSON (R4 §2.6.2): the primitive kinds
// are JSON strings, booleans and numbers, the others are JSON objects.
type kind uint8

const (
	kindString   kind = iota // string, uri, date, dateTime, base64Binary, xhtml... (models: string)
	kindBool                 // boolean (models: bool)
	kindInteger              // integer, positiveInt, unsignedInt (models: int)
	kindDecimal              // decimal (models: json.Number)
	kindCode                 // code with a required binding (models: an enum with Code())
	kindComplex              // data type or backbone element (models: a struct)
	kindResource             // an inline resource such as Bundle.entry.resource (models: json.RawMessage)
)

// primitive reports whether elements of kind k may have a `_name` extension sibling.
func (k kind) primitive() bool { return k <= kindCode }

// element is what one JSON property of a complex type may hold.
type element struct {
	kind    kind
	array   bool
	complex *complexType // for kindComplex
	codes   *codeSet     // for kindCode
}

// codeSet is the value set of one required binding, read from a samply enum.
type codeSet struct {
	typ   reflect.Type // the enum, e.g. fhir.AdministrativeGender
	name  string       // its Go name, for diagnostics
	codes map[string]struct{}
}

// requirement is one element with minimum cardinality 1. The models write a
// required choice element (medication[x]) as one required field per type, so
// names lists the alternatives, any one of which satisfies it.
type requirement struct {
	label string // "code" or "medication[x]"
	names []string
}

// complexType is the element table of one data type, backbone element or resource.
type complexType struct {
	elements map[string]*element
	required []requirement
}

// resourceSchema is what Check needs to know about one resource type.
type resourceSchema struct {
	model
	fields *complexType
	domain bool // a DomainResource, so it may have contained resources
}

// schema holds the element tables of every resource type, built once.
type schema struct {
	resources  map[string]*resourceSchema
	primExtend *complexType // the object in a `_name` sibling: Element's id and extension
}

// loadSchema builds the schema on first use; the tables are never modified afterwards.
var loadSchema = sync.OnceValue(buildSchema)

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	numberType      = reflect.TypeFor[json.Number]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// choiceSuffixes are the R4 data type names as they end a choice element's name
// (R4 §2.24.0.1 "Choice of Data Types": value[x] is written valueQuantity, ...).
var choiceSuffixes = strings.Fields(`Base64Binary Boolean Canonical Code Date DateTime Decimal Id
	Instant Integer Markdown Oid PositiveInt String Time UnsignedInt Uri Url Uuid Address Age
	Annotation Attachment CodeableConcept Coding ContactPoint Count Distance Duration HumanName
	Identifier Money Period Quantity Range Ratio Reference SampledData Signature Timing
	ContactDetail Contributor DataRequirement Expression ParameterDefinition RelatedArtifact
	TriggerDefinition UsageContext Dosage Meta`)

func buildSchema() *schema {
	b := &schemaBuilder{types: map[reflect.Type]*complexType{}, codes: map[reflect.Type]*codeSet{}}
	s := &schema{resources: make(map[string]*resourceSchema, len(models))}
	for name, m := range models {
		rs := &resourceSchema{model: m, fields: b.complex(m.typ)}
		// DomainResource adds text, contained, extension and modifierExtension to
		// Resource (R4 §2.37); the models drop contained but keep text.
		_, rs.domain = rs.fields.elements["text"]
		s.resources[name] = rs
	}
	s.primExtend = &complexType{elements: map[string]*element{
		"id":        {kind: kindString},
		"extension": {kind: kindComplex, array: true, complex: b.complex(reflect.TypeFor[fhir.Extension]())},
	}}
	return s
}

type schemaBuilder struct {
	types map[reflect.Type]*complexType
	codes map[reflect.Type]*codeSet
}

// complex returns the element table of the struct type t, building it (and
// those of the types it refers to) on first sight; recursion (Extension in
// Extension) is cut by registering the table before filling it.
func (b *schemaBuilder) complex(t reflect.Type) *complexType {
	if ct, ok := b.types[t]; ok {
		return ct
	}
	ct := &complexType{elements: make(map[string]*element, t.NumField())}
	b.types[t] = ct
	var required []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		ct.elements[name] = b.element(f.Type)
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	ct.required = groupChoices(required)
	return ct
}

func (b *schemaBuilder) element(t reflect.Type) *element {
	switch {
	case t == rawMessageType:
		return &element{kind: kindResource}
	case t.Kind() == reflect.Slice:
		el := *b.element(t.Elem())
		el.array = true
		return &el
	case t.Kind() == reflect.Pointer:
		return b.element(t.Elem())
	case t == numberType:
		return &element{kind: kindDecimal}
	case t.Kind() == reflect.Int && reflect.PointerTo(t).Implements(unmarshalerType):
		return &element{kind: kindCode, codes: b.codeSet(t)}
	case t.Kind() == reflect.String:
		return &element{kind: kindString}
	case t.Kind() == reflect.Bool:
		return &element{kind: kindBool}
	case t.Kind() == reflect.Int:
		return &element{kind: kindInteger}
	case t.Kind() == reflect.Struct:
		return &element{kind: kindComplex, complex: b.complex(t)}
	}
	panic(fmt.Sprintf("validate: model field of unsupported type %s", t))
}

// codeSet lists the codes of a samply enum: its values count up from 0 and
// Code() answers "<unknown>" past the last one.
func (b *schemaBuilder) codeSet(t reflect.Type) *codeSet {
	if cs, ok := b.codes[t]; ok {
		return cs
	}
	cs := &codeSet{typ: t, name: t.Name(), codes: map[string]struct{}{}}
	v := reflect.New(t).Elem()
	for i := int64(0); ; i++ {
		v.SetInt(i)
		c, ok := v.Interface().(interface{ Code() string })
		if !ok {
			panic(fmt.Sprintf("validate: enum %s has no Code method", t))
		}
		code := c.Code()
		if code == "<unknown>" {
			break
		}
		cs.codes[code] = struct{}{}
	}
	b.codes[t] = cs
	return cs
}

// groupChoices turns the required field names of one struct into requirements,
// merging the members of a required choice element (two or more names that share
// a prefix and end in a data type name) into one.
func groupChoices(names []string) []requirement {
	var reqs []requirement
	byPrefix := map[string]int{} // choice prefix -> index in reqs
	for _, n := range names {
		p := choicePrefix(n, names)
		if p == "" {
			reqs = append(reqs, requirement{label: n, names: []string{n}})
			continue
		}
		if i, ok := byPrefix[p]; ok {
			reqs[i].names = append(reqs[i].names, n)
			continue
		}
		byPrefix[p] = len(reqs)
		reqs = append(reqs, requirement{label: p + "[x]", names: []string{n}})
	}
	return reqs
}

// choicePrefix returns the prefix of name if name is one type of a choice element
// among names, else "".
func choicePrefix(name string, names []string) string {
	for _, suffix := range choiceSuffixes {
		p, ok := strings.CutSuffix(name, suffix)
		if !ok || p == "" {
			continue
		}
		for _, other := range names {
			if other == name || !strings.HasPrefix(other, p) {
				continue
			}
			for _, s2 := range choiceSuffixes {
				if other == p+s2 {
					return p
				}
			}
		}
	}
	return ""
}
