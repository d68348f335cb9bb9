package checks

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Severity orders findings; the names are part of the user contract
// (--fail-on, JSON, SARIF).
type Severity uint8

// The severities, lowest first.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads a severity name, ignoring case.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(n, name) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("invalid severity %q (want one of %s)", name, strings.Join(severityNames[:], ", "))
}

// Status is the outcome of a check on one resource.
type Status uint8

// The statuses. Unknown means data needed to decide could not be read; it
// is never counted as a pass.
const (
	Fail Status = iota
	Pass
	Unknown
)

var statusNames = [...]string{"fail", "pass", "unknown"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("invalid status %q", b)
}

// Lang is a language keywarden speaks.
type Lang string

// The languages.
const (
	English  Lang = "en"
	Japanese Lang = "ja"
)

// ParseLang reads "en" or "ja".
func ParseLang(s string) (Lang, error) {
	switch Lang(strings.ToLower(s)) {
	case English:
		return English, nil
	case Japanese:
		return Japanese, nil
	}
	return "", fmt.Errorf("unsupported language %q (want en or ja)", s)
}

// Text is a user-visible string in every language keywarden speaks.
type Text struct {
	EN string `json:"en"`
	JA string `json:"ja"`
}

// In returns the text in a language, falling back to English.
func (t Text) In(l Lang) string {
	if l == Japanese && t.JA != "" {
		return t.JA
	}
	return t.EN
}

// Statement points at one statement of a policy.
type Statement struct {
	Index int    `json:"index"`
	Sid   string `json:"sid,omitempty"`
}

// Location is where in the input a finding's subject was read: a file of
// an AWS CLI export or an IaC template, with the JSON path and line.
type Location struct {
	File string `json:"file"`
	Path string `json:"path,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Remediation is the fix for a finding: a plan of edits to documents,
// from which the console steps, the AWS CLI commands and the Terraform
// snippet are all rendered, and which the engine proves before it is
// shown (Proof).
type Remediation struct {
	// ID identifies the fix. Findings that one fix resolves share it, and
	// reports list each fix once.
	ID string `json:"id,omitempty"`
	// Summary says what to change, in one or two sentences.
	Summary Text `json:"summary"`
	// Edits are the changes, in the order to make them.
	Edits []Edit `json:"edits,omitempty"`
	// Console lists the steps in the AWS Management Console, naming the
	// real principal, policy and statement.
	Console []Text `json:"console,omitempty"`
	// CLI is the AWS CLI commands that apply the fix; every value in them
	// is shell-quoted.
	CLI string `json:"cli,omitempty"`
	// Terraform is a snippet that expresses the fixed configuration.
	Terraform string `json:"terraform,omitempty"`
	// Diff is the access the fix changes, computed by the engine over the
	// whole account: principal × key × action, before and after.
	Diff []AccessChange `json:"diff,omitempty"`
	// Proof says whether the fix is valid, effective, minimal and safe.
	Proof *Proof `json:"proof,omitempty"`
	// Placeholders are values only the user knows (which keys a role
	// really uses), named in the edits and the commands.
	Placeholders []Placeholder `json:"placeholders,omitempty"`
	// Alternatives are other fixes.
	Alternatives []Remediation `json:"alternatives,omitempty"`
	// Verified says the engine proved the fix: Proof holds in full.
	Verified bool `json:"verified"`
}

// An Edit is one change to one document: a key policy, an IAM policy (a
// version of a managed policy, an inline policy), a grant, a key's state.
type Edit struct {
	// Action says what the edit does, as the AWS API names it:
	// PutKeyPolicy, CreatePolicyVersion, PutRolePolicy, DeleteRolePolicy,
	// DetachRolePolicy, RevokeGrant, CancelKeyDeletion, EnableKeyRotation…
	Action string `json:"action"`
	// Target is the ARN of what the edit changes (a key, a policy, a
	// role); Name names an inline policy or a grant.
	Target string `json:"target"`
	Name   string `json:"name,omitempty"`
	// Document is the complete new document, when the edit writes one.
	Document json.RawMessage `json:"document,omitempty"`
	// Statements are the indexes of the statements of the old document
	// the edit changes or removes.
	Statements []int `json:"statements,omitempty"`
	// Description says what changes, in words.
	Description Text `json:"description"`
}

// An AccessChange is access that a fix takes away (or gives).
type AccessChange struct {
	// Principal is an ARN, or the description of a symbolic principal.
	Principal string `json:"principal"`
	Key       string `json:"key"`
	Action    string `json:"action"`
	// Before and After are the decisions ("Allow", "Allow (conditional)",
	// "ImplicitDeny", ...).
	Before string `json:"before"`
	After  string `json:"after"`
}

// A Proof is what the engine showed of a fix before it was offered.
type Proof struct {
	// Valid: every document the fix writes is one AWS accepts (statement
	// list neither empty nor null, within AWS's size limits, no duplicate
	// Sids).
	Valid Claim `json:"valid"`
	// Effective: with the fix, the finding no longer holds.
	Effective Claim `json:"effective"`
	// Minimal: the access that changes is exactly the access the finding
	// is about.
	Minimal Claim `json:"minimal"`
	// Safe: someone can still manage every key, and no principal gains
	// access.
	Safe Claim `json:"safe"`
}

// A Claim is one property of a fix, and why it holds or does not.
type Claim struct {
	Holds bool `json:"holds"`
	Why   Text `json:"why"`
}

// A Placeholder is a value the user must choose, with the candidates
// keywarden can see.
type Placeholder struct {
	// Name is how the edits and commands write it: <KEYS_ROLE_app_USES>.
	Name       string   `json:"name"`
	Candidates []string `json:"candidates,omitempty"`
	Note       Text     `json:"note"`
}

// A Finding is the result of one check on one resource.
type Finding struct {
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	// Control is the AWS Security Hub control, when the check has one.
	Control string `json:"control,omitempty"`
	Status  Status `json:"status"`
	// Resource is the ARN of the subject (a key, a policy, a role).
	Resource  string `json:"resource"`
	Account   string `json:"account,omitempty"`
	Region    string `json:"region,omitempty"`
	Principal string `json:"principal,omitempty"`
	// Policy names the policy involved (a managed policy ARN, "inline
	// policy x of role y", "key policy").
	Policy    string     `json:"policy,omitempty"`
	Statement *Statement `json:"statement,omitempty"`
	Message   Text       `json:"message"`
	// Explanation lists the reasons for the finding, one line each: the
	// statements, grants and engine decisions that make it true. Text the
	// engine generates (a decision's summary, a condition) is embedded
	// verbatim in both languages.
	Explanation []Text `json:"explanation,omitempty"`
	// Missing lists the data whose absence made the finding Unknown.
	Missing     []string     `json:"missing,omitempty"`
	Remediation *Remediation `json:"remediation,omitempty"`
	Source      *Location    `json:"source,omitempty"`
}
