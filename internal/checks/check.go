package checks

import (
	"fmt"
	"regexp"
	"sort"
)

// A Check is one rule of the catalogue: metadata plus the function that
// evaluates it. Its ID is part of the user contract: users suppress and
// grep by it.
type Check struct {
	ID       string
	Severity Severity
	// Control is the AWS Security Hub control ("KMS.1"), if any.
	Control     string
	Title       Text
	Description Text
	Risk        Text
	// References are AWS documentation URLs; every check has one at least.
	References []string
	// Run evaluates a check that is not about one key (IAM policies,
	// the input's gaps) over the environment.
	Run func(*Env) []Finding
	// RunKey evaluates a check on one customer managed key. The scan
	// calls it for every such key, keys in parallel, with the key's
	// access answers shared by every check (KeyEnv.Access).
	RunKey func(*KeyEnv) []Finding
}

var (
	registry = map[string]*Check{}
	idFormat = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// register adds a check to the catalogue. A duplicate or malformed ID is a
// programming error caught by any test run.
func register(c *Check) *Check {
	if !idFormat.MatchString(c.ID) {
		panic(fmt.Sprintf("checks: malformed check ID %q", c.ID))
	}
	if _, dup := registry[c.ID]; dup {
		panic(fmt.Sprintf("checks: duplicate check ID %q", c.ID))
	}
	registry[c.ID] = c
	return c
}

// All returns every check, sorted by ID.
func All() []*Check {
	out := make([]*Check, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup finds a check by ID.
func Lookup(id string) (*Check, bool) {
	c, ok := registry[id]
	return c, ok
}
