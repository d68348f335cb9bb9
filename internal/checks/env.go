package checks

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/parallel"
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
	// inFlight holds the access answers of the keys whose checks are
	// running, shared by every question about them.
	inFlight sync.Map
	// pending are the fixes whose proofs wait for every key's answers.
	pendingMu sync.Mutex
	pending   []pendingFix
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

// A KeyEnv is the environment of the checks of one key: the key and its
// access answers, computed once and shared by every check of the scan.
type KeyEnv struct {
	*Env
	Key    *access.Key
	Access *access.KeyAccess
	w      *whoCanMemo
}

// Progress is told how many keys are done, of how many.
type Progress func(done, total int)

// Run runs the given checks (all when cs is empty) and returns their
// findings, sorted. Checks of one key run together, keys in parallel on
// every core; a key's access answers live only while its checks run, so
// memory is bounded by the largest key's answers, not by the account.
func Run(env *Env, cs []*Check) []Finding {
	return RunWithProgress(env, cs, nil)
}

// RunWithProgress is Run that reports its progress key by key.
func RunWithProgress(env *Env, cs []*Check, progress Progress) []Finding {
	if len(cs) == 0 {
		cs = All()
	}
	var out []Finding
	emit := func(c *Check, fs []Finding) {
		for _, f := range fs {
			f.Check = c.ID
			f.Severity = c.Severity
			f.Control = c.Control
			if f.Status != Fail {
				f.Remediation = nil
			}
			out = append(out, f)
		}
	}
	var keyChecks []*Check
	for _, c := range cs {
		if c.Run != nil {
			emit(c, c.Run(env))
		}
		if c.RunKey != nil {
			keyChecks = append(keyChecks, c)
		}
	}
	env.pendingMu.Lock()
	pending := env.pending
	env.pending = nil
	env.pendingMu.Unlock()
	if len(keyChecks) > 0 || len(pending) > 0 {
		// Key checks run on customer managed keys; the fixes waiting for
		// key answers need every key.
		keys := customerKeys(env)
		if len(pending) > 0 {
			keys = env.Index.Keys()
		}
		perKey := make([][]Finding, len(keys))
		var (
			mu   sync.Mutex
			done int
		)
		parallel.For(len(keys), func(i int) {
			k := keys[i]
			ke := env.keyEnv(k)
			var fs []Finding
			if !k.Inv.AWSManaged() {
				for _, c := range keyChecks {
					for _, f := range c.RunKey(ke) {
						f.Check, f.Severity, f.Control = c.ID, c.Severity, c.Control
						if f.Status != Fail {
							f.Remediation = nil
						}
						fs = append(fs, f)
					}
				}
			}
			for _, p := range pending {
				p.pd.Key(ke.Access)
			}
			ke.release()
			perKey[i] = fs
			if progress != nil {
				mu.Lock()
				done++
				progress(done, len(keys))
				mu.Unlock()
			}
		})
		for _, fs := range perKey {
			out = append(out, fs...)
		}
	}
	for _, p := range pending {
		p.done(p.pd.Done())
	}
	SortFindings(out)
	noteSharedDocuments(out)
	return out
}

// noteSharedDocuments tells the fixes that edit the same document about
// each other: each was made from the document as the input holds it, so
// applying one changes what the others start from.
func noteSharedDocuments(fs []Finding) {
	byDoc := map[string][]*Remediation{}
	var docs []string
	seen := map[*Remediation]bool{}
	for _, f := range fs {
		r := f.Remediation
		if r == nil || seen[r] {
			continue
		}
		seen[r] = true
		for _, d := range editedDocuments(r) {
			if byDoc[d] == nil {
				docs = append(docs, d)
			}
			byDoc[d] = append(byDoc[d], r)
		}
	}
	noted := map[*Remediation]map[string]bool{}
	for _, d := range docs {
		rs := byDoc[d]
		if len(rs) < 2 {
			continue
		}
		for _, r := range rs {
			if noted[r] == nil {
				noted[r] = map[string]bool{}
			}
			for _, o := range rs {
				if o != r {
					noted[r][strings.SplitN(o.ID, ":", 2)[0]] = true
				}
			}
		}
	}
	for r, others := range noted {
		r.Summary = r.Summary.Append(T(mOtherFixes, msg.List(sortedKeys(others))))
	}
}

// editedDocuments names the documents a fix writes.
func editedDocuments(r *Remediation) []string {
	var out []string
	for _, e := range r.Edits {
		switch e.Action {
		case "PutKeyPolicy":
			out = append(out, "key "+e.Target)
		case "CreatePolicyVersion", "DeletePolicyVersion", "DeletePolicy":
			out = append(out, "policy "+e.Target)
		case "PutRolePolicy", "PutUserPolicy", "PutGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "DeleteGroupPolicy":
			out = append(out, "inline "+e.Target+" "+e.Name)
		case "RevokeGrant":
			out = append(out, "grant "+e.Target+" "+e.Name)
		}
	}
	return out
}

// keyEnv prepares the checks of one key; release ends them.
func (env *Env) keyEnv(k *access.Key) *KeyEnv {
	ka := env.Index.Access(k)
	env.inFlight.Store(k, ka)
	w := newWhoCanMemo(env)
	w.access[k] = ka
	return &KeyEnv{Env: env, Key: k, Access: ka, w: w}
}

func (ke *KeyEnv) release() { ke.inFlight.Delete(ke.Key) }

// accessOf is a key's access answers: the shared ones of a key whose
// checks are running, else computed afresh (a variant of a key that a
// check built).
func (env *Env) accessOf(k *access.Key) *access.KeyAccess {
	if ka, ok := env.inFlight.Load(k); ok {
		return ka.(*access.KeyAccess)
	}
	return env.Index.Access(k)
}

// sharedAccess returns the access answers of a key whose checks are
// running, nil for any other key (a variant a fix builds).
func (env *Env) sharedAccess(k *access.Key) *access.KeyAccess {
	if ka, ok := env.inFlight.Load(k); ok {
		return ka.(*access.KeyAccess)
	}
	return nil
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
