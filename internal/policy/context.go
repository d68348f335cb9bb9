package policy

// Presence says what a request context knows about a condition key.
type Presence uint8

const (
	// Absent: the key is known not to be in the request.
	Absent Presence = iota
	// Present: the key is in the request with the returned values.
	Present
	// Unknowable: the context cannot say (a symbolic question about many
	// possible requests).
	Unknowable
	// NoneOf: the key holds one value that the context does not know,
	// except that it is none of the values Lookup returns ("any account
	// but these"). Operators that test for those values exactly can then
	// be decided.
	NoneOf
	// NoneOfOrAbsent: as NoneOf, or the key is absent (a caller that may
	// belong to no organization at all).
	NoneOfOrAbsent
)

// A Context answers condition-key lookups for one request. Keys are passed
// in lower case (condition key names are case-insensitive in AWS). List
// reports whether the key is multivalued in this request (a JSON list),
// which matters because an operator without ForAnyValue/ForAllValues never
// matches a list-valued key.
type Context interface {
	Lookup(lowerKey string) (values []string, list bool, p Presence)
}

// MapContext is a Context backed by a map from lower-case key to value.
// Keys not in the map are Absent, unless Open is set, in which case they
// are Unknowable.
type MapContext struct {
	Values map[string]ContextValue
	Open   bool
}

// A ContextValue is the value of one key in a MapContext.
type ContextValue struct {
	Strings []string
	List    bool
	// Unknown marks a key whose value cannot be known.
	Unknown bool
	// Excludes, with Unknown, lists values the key is known not to hold:
	// exact values, or prefixes written with a trailing "*" (the ARNs of
	// an account: "arn:aws:iam::111122223333:*"). MaybeAbsent says the key
	// may also be absent.
	Excludes    []string
	MaybeAbsent bool
}

// Presence returns how a value answers a lookup.
func (v ContextValue) Presence() ([]string, bool, Presence) {
	switch {
	case !v.Unknown:
		return v.Strings, v.List, Present
	case len(v.Excludes) == 0:
		return nil, false, Unknowable
	case v.MaybeAbsent:
		return v.Excludes, false, NoneOfOrAbsent
	}
	return v.Excludes, false, NoneOf
}

// Lookup implements Context.
func (m *MapContext) Lookup(k string) ([]string, bool, Presence) {
	v, ok := m.Values[k]
	if !ok {
		if m.Open {
			return nil, false, Unknowable
		}
		return nil, false, Absent
	}
	return v.Presence()
}
