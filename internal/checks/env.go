package checks

import (
	"runtime"
	"sort"
	"sync"
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
	// inFlight holds the access answers of the keys whose checks are
	// running, shared by every question about them.
	inFlight sync.Map
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
	if len(keyChecks) > 0 {
		keys := customerKeys(env)
		perKey := make([][]Finding, len(keys))
		var (
			mu   sync.Mutex
			done int
			wg   sync.WaitGroup
		)
		next := make(chan int)
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					ke := env.keyEnv(keys[i])
					var fs []Finding
					for _, c := range keyChecks {
						for _, f := range c.RunKey(ke) {
							f.Check, f.Severity, f.Control = c.ID, c.Severity, c.Control
							if f.Status != Fail {
								f.Remediation = nil
							}
							fs = append(fs, f)
						}
					}
					ke.release()
					perKey[i] = fs
					if progress != nil {
						mu.Lock()
						done++
						progress(done, len(keys))
						mu.Unlock()
					}
				}
			}()
		}
		for i := range keys {
			next <- i
		}
		close(next)
		wg.Wait()
		for _, fs := range perKey {
			out = append(out, fs...)
		}
	}
	SortFindings(out)
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
