package verify

import (
	"context"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/expect"
)

// Status is the outcome of one rule.
type Status string

// The statuses. Unknown means some answer the rule needs could not be
// decided and none was a violation.
const (
	Holds    Status = "holds"
	Violated Status = "violated"
	Unknown  Status = "unknown"
)

// Problem says what a counterexample shows.
type Problem string

// The problems, by rule form.
const (
	// NotListed: a principal the list of an only (or exactly) rule does not
	// hold can perform the operations.
	NotListed Problem = "not-listed"
	// Forbidden: a principal a never rule matches can perform them.
	Forbidden Problem = "forbidden"
	// Cannot: a principal a must (or exactly) rule names cannot.
	Cannot Problem = "cannot"
	// Nobody: no principal matching a selector of a must rule can.
	Nobody Problem = "nobody"
	// Both: a principal can perform operations of both lists of a
	// separate rule.
	Both Problem = "both"
	// NoKey: a must (or exactly) rule selects no key, so nobody can.
	NoKey Problem = "no-key"
)

// A Result is an expectations file held against an account.
type Result struct {
	File  string
	Rules []RuleResult
}

// Counts are the rules by status.
type Counts struct{ Holds, Violated, Unknown int }

// Counts counts the rules by status.
func (r *Result) Counts() Counts {
	var c Counts
	for i := range r.Rules {
		switch r.Rules[i].Status {
		case Holds:
			c.Holds++
		case Violated:
			c.Violated++
		default:
			c.Unknown++
		}
	}
	return c
}

// A RuleResult is one rule's outcome.
type RuleResult struct {
	Rule   *expect.Rule
	Status Status
	// Keys is the number of keys the rule selects.
	Keys int
	// Violations and Unknown are the counterexamples, sorted by key and
	// principal.
	Violations []Counterexample
	Unknown    []Counterexample
	// Caveats are the unread inputs a must rule's allows depend on
	// ("unless a service control policy ... denies it"): the rule holds
	// on what was read.
	Caveats []string
}

// A Counterexample is one principal (or class of principals) and one key
// on which a rule does not hold (or could not be decided).
type Counterexample struct {
	Problem Problem
	// Principal is the ARN (or service principal) of the principal; empty
	// for a class of principals, which Symbol and Description describe.
	Principal   string
	Symbol      *engine.Symbol
	Kind        access.Kind
	Description string
	// Partial is set when the principal is a class only part of which the
	// rule's selectors match ("anyone outside the organization" against
	// an ARN pattern).
	Partial bool
	// Selector is the rule's selector a Nobody or Cannot counterexample is
	// about, as written.
	Selector string
	Key      string
	// KeyName is the key's first alias, or its ID.
	KeyName string
	// Actions are the operations concerned, "kms:Name".
	Actions []string
	// Explanations say why, one for each group of actions the engine
	// explains alike.
	Explanations []Explanation
	// Fix is the fix of a scan finding that removes the access, when
	// one covers it.
	Fix *Fix
}

// Name is how reports name the counterexample's principal.
func (c *Counterexample) Name() string {
	if c.Principal != "" {
		return c.Principal
	}
	return c.Description
}

// An Explanation is the engine's explanation of the decision on some of a
// counterexample's actions: the engine's texts name the actions
// together ("allows kms:Decrypt, kms:ReEncryptFrom on this key").
type Explanation struct {
	Actions  []string
	Decision engine.Decision
	// Rule is the engine's rule that decided.
	Rule        engine.Rule
	Conditional bool
	Conditions  []string
	Unless      []string
	Summary     string
	Reasons     []engine.Reason
	Missing     []string
	// Unread are the inputs an Unknown answer or an allow's "unless"
	// rests on.
	Unread []engine.Gap
}

// A Fix is a failed scan finding whose remediation covers a
// counterexample.
type Fix struct {
	Check       string
	Message     checks.Text
	Remediation *checks.Remediation
}

// Options are the choices of Verify.
type Options struct {
	// Now is the time findings are computed at (key deletion dates).
	Now time.Time
	// Findings, when set, are the scan findings fixes are taken from;
	// otherwise Verify runs the catalogue when a rule is violated.
	Findings []checks.Finding
}

// Verify holds every rule of the file against the account.
func Verify(ctx context.Context, ix *access.Index, f *expect.File, o Options) (*Result, error) {
	out := &Result{File: f.Name, Rules: make([]RuleResult, len(f.Rules))}
	for i, r := range f.Rules {
		out.Rules[i].Rule = r
	}
	// Keys are verified in parallel, each with its own KeyAccess, and
	// their counterexamples merged in key order: the output does not
	// depend on scheduling.
	type job struct {
		key   *access.Key
		rules []int
	}
	var jobs []job
	for _, k := range ix.Keys() {
		var rules []int
		for i, r := range f.Rules {
			if r.SelectsKey(k.Inv) {
				rules = append(rules, i)
				out.Rules[i].Keys++
			}
		}
		if len(rules) > 0 {
			jobs = append(jobs, job{key: k, rules: rules})
		}
	}
	results := make([][]partial, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				v := newKeyVerifier(ix, jobs[j].key)
				for _, i := range jobs[j].rules {
					results[j] = append(results[j], v.rule(i, f.Rules[i]))
				}
			}
		}()
	}
	var err error
	for j := range jobs {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	for _, rs := range results {
		for _, p := range rs {
			rr := &out.Rules[p.rule]
			rr.Violations = append(rr.Violations, p.violations...)
			rr.Unknown = append(rr.Unknown, p.unknown...)
			for _, c := range p.caveats {
				if !contains(rr.Caveats, c) {
					rr.Caveats = append(rr.Caveats, c)
				}
			}
		}
	}
	for i := range out.Rules {
		rr := &out.Rules[i]
		if rr.Keys == 0 && rr.Rule.Requires() {
			rr.Violations = append(rr.Violations, Counterexample{Problem: NoKey, Selector: keySelectorsText(rr.Rule.Keys),
				Description: "no key matches the rule's keys, so nobody can perform the operations"})
		}
		sortCounterexamples(rr.Violations)
		sortCounterexamples(rr.Unknown)
		sort.Strings(rr.Caveats)
		switch {
		case len(rr.Violations) > 0:
			rr.Status = Violated
		case len(rr.Unknown) > 0:
			rr.Status = Unknown
		default:
			rr.Status = Holds
		}
	}
	attachFixes(ix, out, o)
	return out, nil
}

// partial is one rule's outcome on one key.
type partial struct {
	rule                int
	violations, unknown []Counterexample
	caveats             []string
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func sortCounterexamples(cs []Counterexample) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := &cs[i], &cs[j]
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if (a.Principal == "") != (b.Principal == "") {
			return a.Principal != ""
		}
		if a.Name() != b.Name() {
			return a.Name() < b.Name()
		}
		if a.Selector != b.Selector {
			return a.Selector < b.Selector
		}
		return a.Problem < b.Problem
	})
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

// keySelectorsText renders key selectors for messages.
func keySelectorsText(ks []expect.KeySelector) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = KeySelectorText(&k)
	}
	return strings.Join(parts, " or ")
}

// KeySelectorText renders a key selector as the file would write it.
func KeySelectorText(k *expect.KeySelector) string {
	if k.All {
		return "all"
	}
	var parts []string
	if k.CustomerManaged != nil {
		if *k.CustomerManaged {
			parts = append(parts, "customer-managed")
		} else {
			parts = append(parts, "aws-managed")
		}
	}
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+": "+v)
		}
	}
	add("alias", k.Alias)
	add("arn", k.ARN)
	add("region", k.Region)
	add("account", k.Account)
	for _, t := range k.Tags {
		parts = append(parts, "tag "+t.Key+"="+t.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// PrincipalSelectorText renders a principal selector as the file would
// write it.
func PrincipalSelectorText(p *expect.PrincipalSelector) string {
	var parts []string
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+": "+v)
		}
	}
	add("arn", p.ARN)
	add("account", p.Account)
	add("kind", p.Kind)
	if p.IAMPrincipals {
		parts = append(parts, "iamPrincipals: true")
	}
	if p.OutsideOrganization {
		parts = append(parts, "outsideOrganization: true")
	}
	if len(p.OutsideAccounts) > 0 {
		parts = append(parts, "outsideAccounts: ["+strings.Join(p.OutsideAccounts, ", ")+"]")
	}
	add("organization", p.Organization)
	if p.Grantee {
		parts = append(parts, "grantee: true")
	}
	add("service", p.Service)
	return "{" + strings.Join(parts, ", ") + "}"
}
