package checks

import (
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/remedy"
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

// Lang is a language keywarden speaks (msg.Lang).
type Lang = msg.Lang

// The languages.
const (
	English  = msg.English
	Japanese = msg.Japanese
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

// Text is a user-visible string in every language keywarden speaks
// (msg.Text): checks build theirs from the message catalogue
// (messages_en.go, messages_ja.go).
type Text = msg.Text

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

// Remediation is the fix for findings: a plan of edits to documents,
// from which the console steps, the AWS CLI commands and the Terraform
// snippet are all rendered, and which the engine proves before it is
// shown. The remedy package defines it, with its parts (Edit,
// AccessChange, Proof, Claim, Placeholder); findings that one fix
// resolves point at the same Remediation, with the same ID.
type Remediation = remedy.Fix

// The parts of a Remediation.
type (
	Edit         = remedy.Edit
	AccessChange = remedy.AccessChange
	Proof        = remedy.Proof
	Claim        = remedy.Claim
	Placeholder  = remedy.Placeholder
)

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
