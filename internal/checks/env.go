package checks

import (
	"sort"
	"time"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/inventory"
)

// Env is what a check runs over: the snapshot, the access index built on
// it, and the user's settings.
type Env struct {
	Snapshot *inventory.Snapshot
	Index    *access.Index
	// TrustedAccounts are accounts outside the organization that
	// key-cross-account does not report (--trusted-accounts).
	TrustedAccounts map[string]bool
	// Now is the time the scan runs (key deletion dates, suppression
	// expiry); tests fix it.
	Now time.Time
}

// NewEnv prepares a snapshot for the checks.
func NewEnv(snap *inventory.Snapshot, trusted []string, now time.Time) (*Env, error) {
	ix, err := access.New(snap)
	if err != nil {
		return nil, err
	}
	env := &Env{Snapshot: snap, Index: ix, TrustedAccounts: map[string]bool{}, Now: now}
	for _, a := range trusted {
		env.TrustedAccounts[a] = true
	}
	return env, nil
}

// Run runs the given checks (all when ids is empty) and returns their
// findings, sorted.
func Run(env *Env, cs []*Check) []Finding {
	var out []Finding
	for _, c := range cs {
		for _, f := range c.Run(env) {
			f.Check = c.ID
			f.Severity = c.Severity
			f.Control = c.Control
			if f.Status != Fail {
				f.Remediation = nil
			}
			out = append(out, f)
		}
	}
	SortFindings(out)
	return out
}

// SortFindings orders findings by check, resource, principal, policy and
// statement, so that every output is deterministic.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		switch {
		case a.Check != b.Check:
			return a.Check < b.Check
		case a.Resource != b.Resource:
			return a.Resource < b.Resource
		case a.Principal != b.Principal:
			return a.Principal < b.Principal
		case a.Policy != b.Policy:
			return a.Policy < b.Policy
		}
		return stmtIndex(a.Statement) < stmtIndex(b.Statement)
	})
}

func stmtIndex(s *Statement) int {
	if s == nil {
		return -1
	}
	return s.Index
}
