package checks

import (
	"strconv"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/remedy"
)

// identityPolicy is one IAM policy document the IAM checks examine.
type identityPolicy struct {
	Account string
	// Managed is set for a managed policy (its default version).
	Managed *inventory.ManagedPolicy
	// For an inline policy: its owner.
	OwnerKind string // "user", "group" or "role"
	OwnerName string
	OwnerARN  string
	Name      string
	// Label names the policy in messages: "customer managed policy
	// arn:…:policy/X (v3)" or "inline policy \"x\" of role y".
	Label string
	// Title is Label in every language, for messages.
	Title Text
	Doc   *policy.Document
	// Err is set when the document could not be read or parsed.
	Err    error
	Source *Location
	// Attached lists the users, groups and roles a managed policy is
	// attached to (as identity policy, not as boundary).
	Attached []string
}

// Resource is the ARN a finding about the policy is reported on: the
// managed policy's ARN, or the inline policy's owner.
func (p *identityPolicy) Resource() string {
	if p.Managed != nil {
		return p.Managed.ARN
	}
	return p.OwnerARN
}

func location(d *inventory.Document) *Location {
	if d == nil || d.Source.File == "" {
		return nil
	}
	return &Location{File: d.Source.File, Path: d.Source.Path, Line: d.Source.Line}
}

// managedPolicies returns the default version of every managed policy of
// the inventory (customer managed and the AWS managed ones it holds).
func (env *Env) managedPolicies() []identityPolicy {
	var out []identityPolicy
	for _, a := range env.Snapshot.Accounts {
		attached := map[string][]string{}
		for _, u := range a.Users {
			for _, arn := range u.AttachedPolicies {
				attached[arn] = append(attached[arn], u.ARN)
			}
		}
		for _, g := range a.Groups {
			for _, arn := range g.AttachedPolicies {
				attached[arn] = append(attached[arn], g.ARN)
			}
		}
		for _, r := range a.Roles {
			for _, arn := range r.AttachedPolicies {
				attached[arn] = append(attached[arn], r.ARN)
			}
		}
		for _, mp := range a.Policies {
			id := mCustomerPolicy
			if mp.AWSManaged {
				id = mAWSPolicy
			}
			version := ""
			if mp.DefaultVersionID != "" {
				version = " (" + mp.DefaultVersionID + ")"
			}
			title := T(id, mp.ARN, version)
			p := identityPolicy{Account: a.ID, Managed: mp, Name: mp.Name, Label: title.EN, Title: title, Source: location(mp.Document), Attached: attached[mp.ARN]}
			p.Doc, p.Err = mp.ParseDocument()
			out = append(out, p)
		}
	}
	return out
}

// inlinePolicies returns every inline policy of every user, group and role.
func (env *Env) inlinePolicies() []identityPolicy {
	var out []identityPolicy
	add := func(acct, kind, name, arn string, ips []inventory.InlinePolicy, mark *inventory.Incomplete) {
		for _, ip := range ips {
			title := T(mInlinePolicy, strconv.Quote(ip.Name), kindText(kind), name)
			p := identityPolicy{Account: acct, OwnerKind: kind, OwnerName: name, OwnerARN: arn, Name: ip.Name,
				Label: title.EN, Title: title, Source: location(ip.Document)}
			if ip.Document == nil {
				p.Err = incompleteErr(p.Label, mark)
			} else {
				// The same name as the inventory gives it, so the parse is
				// shared with the access index.
				p.Doc, p.Err = ip.Document.Parse(p.Label, policy.Identity)
			}
			out = append(out, p)
		}
	}
	for _, a := range env.Snapshot.Accounts {
		for _, u := range a.Users {
			add(a.ID, "user", u.Name, u.ARN, u.InlinePolicies, u.Incomplete)
		}
		for _, g := range a.Groups {
			add(a.ID, "group", g.Name, g.ARN, g.InlinePolicies, g.Incomplete)
		}
		for _, r := range a.Roles {
			add(a.ID, "role", r.Name, r.ARN, r.InlinePolicies, r.Incomplete)
		}
	}
	return out
}

type incompleteError struct {
	what   string
	reason string
}

func (e *incompleteError) Error() string { return e.what + " was not read: " + e.reason }

func incompleteErr(what string, mark *inventory.Incomplete) error {
	reason := "not in the input"
	if mark != nil {
		reason = mark.Reason
	}
	return &incompleteError{what: what, reason: reason}
}

// kindText names an IAM identity kind in every language.
func kindText(kind string) Text {
	switch kind {
	case "user":
		return T(mKindUser)
	case "group":
		return T(mKindGroup)
	}
	return T(mKindRole)
}

// owner is the IAM identity that holds an inline policy.
func (p *identityPolicy) owner() remedy.Owner {
	return remedy.Owner{Kind: p.OwnerKind, Name: p.OwnerName, ARN: p.OwnerARN}
}
