package inventory

import (
	"errors"

	"github.com/keywarden/keywarden/internal/policy"
)

// ParsePolicy parses the key policy, named "key policy of ARN". A policy
// that was not read gives a nil document and a *Gap (errors.Is
// ErrIncomplete), which the engine must treat as unknown, never as a denial.
func (k *Key) ParsePolicy() (*policy.Document, error) {
	if k.Policy == nil {
		return nil, gap(keyPolicyName(k), orNotHeld(k.PolicyIncomplete))
	}
	return k.Policy.Parse(keyPolicyName(k), policy.Resource)
}

// ParsePolicy parses the bucket policy. It returns nil and no error when
// the bucket has none, and a *Gap when it could not be read.
func (b *Bucket) ParsePolicy() (*policy.Document, error) {
	if b.Policy == nil {
		if b.PolicyIncomplete != nil {
			return nil, gap(bucketPolicyName(b), b.PolicyIncomplete)
		}
		return nil, nil
	}
	return b.Policy.Parse(bucketPolicyName(b), policy.Resource)
}

// ParseTrustPolicy parses the role's trust policy; one not read gives a
// *Gap.
func (r *Role) ParseTrustPolicy() (*policy.Document, error) {
	if r.TrustPolicy == nil {
		return nil, gap(trustPolicyName(r), orNotHeld(r.Incomplete))
	}
	return r.TrustPolicy.Parse(trustPolicyName(r), policy.Resource)
}

// ParseDocument parses the default version of the policy, named "managed
// policy ARN (vN)"; a document not read gives a *Gap.
func (p *ManagedPolicy) ParseDocument() (*policy.Document, error) {
	if p.Document == nil {
		return nil, gap(managedPolicyName(p), orNotHeld(p.Incomplete))
	}
	return p.Document.Parse(managedPolicyName(p), policy.Identity)
}

// ParseInlinePolicies parses the user's inline policies, in order. On error
// the list holds those that parsed; the error joins policy.Errors for
// documents that do not parse and a *Gap for each one not read.
func (u *User) ParseInlinePolicies() ([]*policy.Document, error) {
	var e errs
	return parseInline(&e, "user", u.Name, u.InlinePolicies, u.Incomplete), e.err()
}

// ParseInlinePolicies parses the group's inline policies, as for users.
func (g *Group) ParseInlinePolicies() ([]*policy.Document, error) {
	var e errs
	return parseInline(&e, "group", g.Name, g.InlinePolicies, g.Incomplete), e.err()
}

// ParseInlinePolicies parses the role's inline policies, as for users.
func (r *Role) ParseInlinePolicies() ([]*policy.Document, error) {
	var e errs
	return parseInline(&e, "role", r.Name, r.InlinePolicies, r.Incomplete), e.err()
}

func parseInline(e *errs, ownerKind, owner string, ips []InlinePolicy, mark *Incomplete) []*policy.Document {
	var out []*policy.Document
	for _, ip := range ips {
		name := inlinePolicyName(ownerKind, owner, ip.Name)
		if ip.Document == nil {
			e.add(gap(name, orNotHeld(mark)))
			continue
		}
		d, err := ip.Document.Parse(name, policy.Identity)
		if e.add(err) {
			out = append(out, d)
		}
	}
	return out
}

// ParseSCPs parses the SCP chain, root level first. Policies that do not
// parse, or were not read, are left out of their level and reported in the
// error (as for ParseInlinePolicies); an unread chain gives a *Gap.
func (o *Organization) ParseSCPs() ([][]*policy.Document, error) {
	return parseChain("SCP", o.SCPs, o.SCPsIncomplete, policy.SCP)
}

// ParseRCPs parses the RCP chain, as ParseSCPs.
func (o *Organization) ParseRCPs() ([][]*policy.Document, error) {
	return parseChain("RCP", o.RCPs, o.RCPsIncomplete, policy.RCP)
}

func parseChain(typ string, levels []OrgLevel, mark *Incomplete, kind policy.Kind) ([][]*policy.Document, error) {
	var e errs
	if mark != nil {
		e.add(gap(typ+"s", mark))
	}
	out := make([][]*policy.Document, len(levels))
	for i := range levels {
		l := &levels[i]
		out[i] = []*policy.Document{}
		for j := range l.Policies {
			p := &l.Policies[j]
			name := orgPolicyName(typ, p, l)
			if p.Document == nil {
				e.add(gap(name, orNotHeld(mark)))
				continue
			}
			d, err := p.Document.Parse(name, kind)
			if e.add(err) {
				out[i] = append(out[i], d)
			}
		}
	}
	return out, e.err()
}

func orNotHeld(in *Incomplete) *Incomplete {
	if in != nil {
		return in
	}
	return &Incomplete{Reason: "the snapshot does not hold it"}
}

// errs gathers the errors of several parses: the policy errors of every
// document as one policy.Errors, then each gap.
type errs struct {
	policy policy.Errors
	other  []error
}

// add records err and reports whether it was nil.
func (e *errs) add(err error) bool {
	if err == nil {
		return true
	}
	var pe policy.Errors
	if errors.As(err, &pe) {
		e.policy = append(e.policy, pe...)
	} else {
		e.other = append(e.other, err)
	}
	return false
}

func (e *errs) err() error {
	var all []error
	if len(e.policy) > 0 {
		all = append(all, e.policy)
	}
	all = append(all, e.other...)
	switch len(all) {
	case 0:
		return nil
	case 1:
		return all[0]
	}
	return errors.Join(all...)
}
