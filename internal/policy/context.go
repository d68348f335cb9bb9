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
	if v.Unknown {
		return nil, false, Unknowable
	}
	return v.Strings, v.List, Present
}
