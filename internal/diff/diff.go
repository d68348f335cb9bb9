package diff

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/verify"
)

// Options are the choices of Diff.
type Options struct {
	// AWSManaged includes AWS managed keys (left out by default, as in the
	// access matrix).
	AWSManaged bool
	// Findings runs the check catalogue over both inputs and compares the
	// findings.
	Findings bool
	// Now is the time findings are computed at; TrustedAccounts are the
	// accounts key-cross-account accepts (--trusted-accounts).
	Now             time.Time
	TrustedAccounts []string
	// Full computes both matrices whole even where the inputs' data is
	// the same (see plan); the result is the same, only slower.
	Full bool
}

// Kind is what happened to some access.
type Kind string

// The kinds of change.
const (
	// Gained: allowed now (possibly under conditions), not before.
	Gained Kind = "gained"
	// Lost: allowed before, not now.
	Lost Kind = "lost"
	// Changed: allowed before and now, under other conditions.
	Changed Kind = "changed"
	// Undecided: the answer could not be decided before or now (data
	// that was not read), and it differs.
	Undecided Kind = "unknown"
)

// A Result is what changed between two inputs.
type Result struct {
	KeysAdded, KeysRemoved []KeyRef
	// Changes are sorted by kind (gained, lost, changed, unknown), key and
	// principal.
	Changes []Change
	// S3 are the S3 object operations through SSE-KMS whose answer
	// changed for a principal whose access to the bucket's key changed.
	S3 []S3Change
	// Findings is nil unless Options.Findings.
	Findings *Findings
}

// Count counts the changes of one kind.
func (r *Result) Count(k Kind) int {
	n := 0
	for i := range r.Changes {
		if r.Changes[i].Kind == k {
			n++
		}
	}
	return n
}

// A KeyRef names a key.
type KeyRef struct {
	ARN  string `json:"arn"`
	Name string `json:"name"`
}

// A Change is what changed for one principal (or class of principals) on
// one key: the actions of one kind of change.
type Change struct {
	Kind Kind
	// Principal is the ARN (or service principal); empty for a class,
	// which Symbol and Description describe.
	Principal   string
	Symbol      *engine.Symbol
	PrincipalOf access.Kind
	Description string
	Key         string
	KeyName     string
	// Source is where the key's policy was read in the input that has
	// the key (the new one, else the old): the line of the key policy
	// in a template or Terraform source, for annotations. Nil when the
	// input does not say.
	Source *inventory.Location
	// Actions are "kms:Name", in the matrix's order.
	Actions []string
	// Old and New are the states of the actions before and after, one per
	// action.
	Old, New []State
	// Was explains the old answers (what gave the access that was lost),
	// Now the new ones (what gives the access gained, or why it is
	// denied now).
	Was, Now []verify.Explanation
}

// Name is how reports name the change's principal.
func (c *Change) Name() string {
	if c.Principal != "" {
		return c.Principal
	}
	return c.Description
}

// A State is one action's answer in one input, as the access matrix gives
// it.
type State struct {
	Access     Access   `json:"access"`
	Conditions []string `json:"conditions,omitempty"`
}

// Access is how far an action is allowed.
type Access string

// The access levels.
const (
	None        Access = "none"
	Allowed     Access = "allowed"
	Conditional Access = "conditional"
	Undecidable Access = "unknown"
)

// Diff compares the access of two inputs, and their findings when asked.
func Diff(ctx context.Context, old, cur *access.Index, o Options) (*Result, error) {
	mo := access.MatrixOptions{AWSManaged: o.AWSManaged}
	res := &Result{}
	res.KeysAdded, res.KeysRemoved = keyChanges(old, cur, mo)
	var err error
	if o.Full {
		err = mergeStreams(ctx, old, cur, mo, func(key string, a, b []access.Cell) {
			res.Changes = append(res.Changes, compareKey(newExplainer(key, old, cur, a, b), a, b)...)
		})
	} else {
		res.Changes, err = mergeSelected(ctx, old, cur, mo, makePlan(old, cur))
	}
	if err != nil {
		return nil, err
	}
	sortChanges(res.Changes)
	res.S3 = s3Changes(old, cur, res.Changes)
	if o.Findings {
		res.Findings = compareFindings(old, cur, o)
	}
	return res, nil
}

// keyChanges lists the keys only one input holds.
func keyChanges(old, cur *access.Index, mo access.MatrixOptions) (added, removed []KeyRef) {
	a, b := old.MatrixKeys(mo), cur.MatrixKeys(mo)
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			removed = append(removed, keyRef(old, a[i]))
			i++
		case i == len(a) || b[j] < a[i]:
			added = append(added, keyRef(cur, b[j]))
			j++
		default:
			i++
			j++
		}
	}
	return added, removed
}

func keyRef(ix *access.Index, arn string) KeyRef {
	k, err := ix.Key(arn)
	if err != nil {
		return KeyRef{ARN: arn, Name: arn}
	}
	return KeyRef{ARN: arn, Name: keyName(k)}
}

// keyName is how reports name a key: its first alias, else its ID.
func keyName(k *access.Key) string {
	if len(k.Inv.Aliases) > 0 {
		as := append([]string(nil), k.Inv.Aliases...)
		sort.Strings(as)
		return as[0]
	}
	if k.Inv.ID != "" {
		return k.Inv.ID
	}
	return k.ARN
}

func kindRank(k Kind) int {
	switch k {
	case Gained:
		return 0
	case Lost:
		return 1
	case Changed:
		return 2
	}
	return 3
}

func sortChanges(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := &cs[i], &cs[j]
		if a.Kind != b.Kind {
			return kindRank(a.Kind) < kindRank(b.Kind)
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if (a.Principal == "") != (b.Principal == "") {
			return a.Principal != ""
		}
		return a.Name() < b.Name()
	})
}

// cellID identifies a cell's principal across the two inputs: its ARN,
// or for a class, its kind and what fixes it (its account, its
// organization). The class of "anyone outside ..." is the same class
// when the accounts it excludes change.
func cellID(principal string, sym *engine.Symbol, kind access.Kind, desc string) string {
	switch {
	case principal != "":
		return "p|" + principal
	case sym != nil:
		return "s|" + string(kind) + "|" + sym.Account + "|" + sym.OrgID
	}
	return "d|" + string(kind) + "|" + desc
}

// states reads a cell's answers by action ("kms:Name").
func states(c *access.Cell) map[string]State {
	out := map[string]State{}
	add := func(names []string) {
		for _, n := range names {
			name, cond := strings.CutSuffix(n, "*")
			st := State{Access: Allowed}
			if cond {
				st = State{Access: Conditional, Conditions: c.Conditions[name]}
			}
			out["kms:"+name] = st
		}
	}
	add(c.Use)
	add(c.Admin)
	for _, n := range c.Unknown {
		out["kms:"+n] = State{Access: Undecidable}
	}
	return out
}

// classify says what kind of change two states are, or "" for none.
func classify(a, b State) Kind {
	allowed := func(s State) bool { return s.Access == Allowed || s.Access == Conditional }
	switch {
	case a.Access == b.Access && (a.Access != Conditional || slices.Equal(a.Conditions, b.Conditions)):
		return ""
	case a.Access == Undecidable || b.Access == Undecidable:
		return Undecided
	case !allowed(a) && allowed(b):
		return Gained
	case allowed(a) && !allowed(b):
		return Lost
	}
	return Changed
}

// Findings compares the failed findings of the two inputs. A finding is
// the same finding when its check, resource, principal, policy and
// statement are.
type Findings struct {
	New, Resolved, Unchanged []checks.Finding
}

func compareFindings(old, cur *access.Index, o Options) *Findings {
	run := func(ix *access.Index) []checks.Finding {
		env := &checks.Env{Snapshot: ix.Snapshot, Index: ix, TrustedAccounts: map[string]bool{}, Now: o.Now}
		for _, a := range o.TrustedAccounts {
			env.TrustedAccounts[a] = true
		}
		var out []checks.Finding
		for _, f := range checks.Run(env, checks.All()) {
			if f.Status == checks.Fail {
				out = append(out, f)
			}
		}
		return out
	}
	a, b := run(old), run(cur)
	inOld := map[string]bool{}
	for i := range a {
		inOld[findingID(&a[i])] = true
	}
	inNew := map[string]bool{}
	fs := &Findings{}
	for i := range b {
		id := findingID(&b[i])
		inNew[id] = true
		if inOld[id] {
			fs.Unchanged = append(fs.Unchanged, b[i])
		} else {
			fs.New = append(fs.New, b[i])
		}
	}
	for i := range a {
		if !inNew[findingID(&a[i])] {
			fs.Resolved = append(fs.Resolved, a[i])
		}
	}
	return fs
}

func findingID(f *checks.Finding) string {
	stmt := "-"
	if f.Statement != nil {
		stmt = f.Statement.Sid + "#" + strconv.Itoa(f.Statement.Index)
	}
	return strings.Join([]string{f.Check, f.Resource, f.Principal, f.Policy, stmt}, "\x00")
}
