package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"hash"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

// A plan says which answers can differ between two inputs, so that the
// others are not computed at all (see mergeSelected).
//
// What a principal may do with a key depends on the key (its policy,
// grants, metadata, aliases, tags), on the principal (its policies,
// boundary, groups, tags, path), and on its account and the key's
// (organization, SCPs, RCPs, what the IAM listing missed); on nothing of
// any other principal: principals the access layer groups decide alike.
// Principals outside the input, and classes of them, depend on the key and
// the accounts only. So when the accounts are the same in both inputs, a
// key whose own data is the same can differ only for the principals whose
// data changed, and only if one of them can reach it: its IAM statements
// (before or after) cover the key, the key policy or a grant names it, or
// the key policy admits principals it does not name ("*", NotPrincipal,
// conditions on the caller's ARN or tags).
type plan struct {
	// all: the accounts differ, compare every key.
	all bool
	// keys maps a key ARN whose own data differs (or that only one input
	// holds) to true.
	keys map[string]bool
	// changed are the principals whose data differs; statements are
	// their IAM statements that cover KMS actions, before and after.
	changed    []changedPrincipal
	statements []*policy.Statement
}

type changedPrincipal struct {
	arn, name, id string
}

// makePlan compares the inputs' data.
func makePlan(old, cur *access.Index) *plan {
	pl := &plan{keys: map[string]bool{}}
	if accountsPrint(old.Snapshot) != accountsPrint(cur.Snapshot) {
		pl.all = true
		return pl
	}
	ko, kc := keyPrints(old.Snapshot), keyPrints(cur.Snapshot)
	for arn, p := range ko {
		if kc[arn] != p {
			pl.keys[arn] = true
		}
	}
	for arn := range kc {
		if _, ok := ko[arn]; !ok {
			pl.keys[arn] = true
		}
	}
	po, pc := principalPrints(old.Snapshot), principalPrints(cur.Snapshot)
	seen := map[*policy.Statement]bool{}
	add := func(arn string) {
		cp := changedPrincipal{arn: arn}
		for _, ix := range []*access.Index{old, cur} {
			p, err := ix.Principal(arn)
			if err != nil || p.ARN != arn {
				continue
			}
			cp.name = p.Name
			for _, d := range p.Identity {
				for _, s := range d.Statements {
					// Principals that share a managed policy share its
					// statements: each is checked against the keys once.
					if !seen[s] && kmsStatement(s) {
						seen[s] = true
						pl.statements = append(pl.statements, s)
					}
				}
			}
		}
		cp.id = principalID(old.Snapshot, arn) + " " + principalID(cur.Snapshot, arn)
		pl.changed = append(pl.changed, cp)
	}
	for arn, p := range po {
		if pc[arn] != p {
			add(arn)
		}
	}
	for arn := range pc {
		if _, ok := po[arn]; !ok {
			add(arn)
		}
	}
	return pl
}

// reaches reports whether a principal whose data changed may reach a key
// whose own data is the same in both inputs: the key policy admits
// principals it does not name, or names it, or a grant does, or one of
// its IAM statements (before or after) covers the key.
func (pl *plan) reaches(k *access.Key) bool {
	if len(pl.changed) == 0 {
		return false
	}
	if k.Policy == nil || openPolicy(k.Policy) {
		return true
	}
	text := string(k.Inv.Policy.JSON)
	for _, s := range pl.statements {
		if coversKey(s, k.ARN) {
			return true
		}
	}
	for _, cp := range pl.changed {
		if namedBy(text, k, cp) {
			return true
		}
	}
	return false
}

// namedBy reports whether the key's policy or grants may name the
// principal: its ARN, its name (a session ARN names its role), its unique
// ID. A name that appears anywhere counts: the comparison is then only
// slower, never wrong.
func namedBy(policyText string, k *access.Key, cp changedPrincipal) bool {
	for _, needle := range append([]string{cp.arn, "/" + cp.name}, strings.Fields(cp.id)...) {
		if needle == "/" || needle == "" {
			continue
		}
		if strings.Contains(policyText, needle) {
			return true
		}
		for _, g := range k.Grants {
			if strings.Contains(g.GranteePrincipal, needle) || strings.Contains(g.RetiringPrincipal, needle) {
				return true
			}
		}
	}
	return false
}

// openPolicy reports whether a key policy admits principals it does not
// name, or tells principals apart by what they are: then any principal's
// change may change its answers.
func openPolicy(d *policy.Document) bool {
	for _, s := range d.Statements {
		if s.NotPrincipal != nil {
			return true
		}
		if s.Principal != nil && (s.Principal.Wildcard || containsAny(s.Principal.AWS, "*")) {
			return true
		}
		for _, c := range s.Conditions {
			k := c.LowerKey()
			if strings.HasPrefix(k, "aws:principal") || strings.HasPrefix(k, "aws:user") || strings.HasPrefix(k, "aws:sourceidentity") ||
				strings.HasPrefix(k, "aws:federatedprovider") || strings.Contains(strings.Join(c.Values, " "), "${") {
				return true
			}
		}
	}
	return false
}

func containsAny(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// kmsStatement reports whether a statement covers some KMS action on a
// key.
func kmsStatement(s *policy.Statement) bool {
	for _, a := range awsfacts.KMSActions {
		if a.Resource != awsfacts.NoResource && s.MatchAction("kms:"+a.Name) {
			return true
		}
	}
	return false
}

// coversKey reports whether a statement's resources may include the key.
func coversKey(s *policy.Statement, keyARN string) bool {
	if s.Resource == nil {
		return true // NotResource
	}
	for _, r := range s.Resource {
		if strings.Contains(r, "${") || policy.MatchResource(r, keyARN) {
			return true
		}
	}
	return false
}

// fingerprint is a fingerprint of data as JSON, where it was read left out
// ("source" locations differ between two exports of the same account)
// and whitespace and key order normalized.
func fingerprint(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return "unprintable"
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return "unprintable"
	}
	norm, err := json.Marshal(stripSources(doc))
	if err != nil {
		return "unprintable"
	}
	sum := sha256.Sum256(norm)
	return string(sum[:])
}

func stripSources(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "source")
		for k, e := range v {
			v[k] = stripSources(e)
		}
	case []any:
		for i := range v {
			v[i] = stripSources(v[i])
		}
	}
	return v
}

// accountsPrint is a fingerprint of what every answer depends on beyond
// keys and principals: the accounts, their organizations (SCPs and RCPs
// included) and what their listings missed.
func accountsPrint(s *inventory.Snapshot) string {
	var parts []string
	for _, a := range s.Accounts {
		parts = append(parts, fingerprint(struct {
			ID                     string
			Organization           *inventory.Organization
			OrganizationIncomplete *inventory.Incomplete
			IAMIncomplete          *inventory.Incomplete
			KMSRegions             []*inventory.KMSRegion
		}{a.ID, a.Organization, a.OrganizationIncomplete, a.IAMIncomplete, a.KMSRegions}))
	}
	return strings.Join(parts, "|")
}

func keyPrints(s *inventory.Snapshot) map[string]string {
	out := map[string]string{}
	for _, a := range s.Accounts {
		for _, k := range a.Keys {
			out[k.ARN] = fingerprint(k)
		}
	}
	return out
}

// principalPrints fingerprints each user and role with everything its
// decisions read: its name, path, unique ID, tags, policies (inline as
// read, managed by their documents), boundary, groups and theirs. (Its
// trust policy and creation date decide nothing about KMS.)
func principalPrints(s *inventory.Snapshot) map[string]string {
	out := map[string]string{}
	for _, a := range s.Accounts {
		managed := map[string]string{}
		policyPrint := func(arn string) string {
			if fp, ok := managed[arn]; ok {
				return fp
			}
			fp := "missing"
			if mp := a.ManagedPolicy(arn); mp != nil && mp.Document != nil {
				sum := sha256.Sum256(mp.Document.JSON)
				fp = string(sum[:])
			}
			managed[arn] = fp
			return fp
		}
		write := func(h *printer, inline []inventory.InlinePolicy, attached []string, boundary string, inc *inventory.Incomplete) {
			for _, p := range inline {
				h.add("inline", p.Name)
				if p.Document != nil {
					h.add(string(p.Document.JSON))
				}
			}
			for _, arn := range attached {
				h.add("attached", arn, policyPrint(arn))
			}
			if boundary != "" {
				h.add("boundary", boundary, policyPrint(boundary))
			}
			if inc != nil {
				h.add("incomplete", inc.Reason)
			}
		}
		tags := func(h *printer, ts []inventory.Tag) {
			for _, t := range ts {
				h.add("tag", t.Key, t.Value)
			}
		}
		for _, u := range a.Users {
			h := newPrinter("user", u.ARN, u.Name, u.Path, u.ID)
			tags(h, u.Tags)
			write(h, u.InlinePolicies, u.AttachedPolicies, u.PermissionsBoundary, u.Incomplete)
			for _, name := range u.Groups {
				h.add("group", name)
				if g := a.Group(name); g != nil {
					h.add(g.ARN, g.ID)
					write(h, g.InlinePolicies, g.AttachedPolicies, "", g.Incomplete)
				}
			}
			out[u.ARN] = h.sum()
		}
		for _, r := range a.Roles {
			h := newPrinter("role", r.ARN, r.Name, r.Path, r.ID)
			if r.ServiceLinked {
				h.add("service-linked")
			}
			tags(h, r.Tags)
			write(h, r.InlinePolicies, r.AttachedPolicies, r.PermissionsBoundary, r.Incomplete)
			out[r.ARN] = h.sum()
		}
	}
	return out
}

// A printer hashes strings, each ended so that no two lists of strings
// hash alike.
type printer struct{ h hash.Hash }

func newPrinter(parts ...string) *printer {
	p := &printer{h: sha256.New()}
	p.add(parts...)
	return p
}

func (p *printer) add(parts ...string) {
	for _, s := range parts {
		p.h.Write([]byte(s))
		p.h.Write([]byte{0})
	}
}

func (p *printer) sum() string { return string(p.h.Sum(nil)) }

// principalID is the unique ID of a user or role (AIDA..., AROA...),
// which a key policy shows for a principal that was deleted.
func principalID(s *inventory.Snapshot, arn string) string {
	for _, a := range s.Accounts {
		for _, u := range a.Users {
			if u.ARN == arn {
				return u.ID
			}
		}
		for _, r := range a.Roles {
			if r.ARN == arn {
				return r.ID
			}
		}
	}
	return ""
}
