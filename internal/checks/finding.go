package checks

import (
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

// Remediation is the fix for one finding, computed from it.
type Remediation struct {
	// Summary says what to change, in one or two sentences.
	Summary Text `json:"summary"`
	// Console lists the steps in the AWS Management Console, naming the
	// real principal, policy and statement.
	Console []Text `json:"console,omitempty"`
	// CLI is an AWS CLI command (or several) that applies the fix, with the
	// complete fixed policy document where a policy changes.
	CLI string `json:"cli,omitempty"`
	// Terraform is a snippet that expresses the fixed configuration.
	Terraform string `json:"terraform,omitempty"`
	// Alternatives are other fixes (KMS.1/KMS.2 offer two).
	Alternatives []Remediation `json:"alternatives,omitempty"`
	// Verified says the engine re-checked the fix: the fixed policy no
	// longer triggers the check and the account keeps a way to manage the
	// key.
	Verified bool `json:"verified"`
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
