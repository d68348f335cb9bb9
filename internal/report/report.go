package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/checks"
)

// Version is the version of the JSON report schema (docs/report-json.md).
// It changes only when a field changes meaning or is removed.
const Version = 1

// The tool's defaults, used when a [Tool] leaves a field empty.
const (
	defaultToolName = "keywarden"
	defaultToolURI  = "https://github.com/keywarden/keywarden"
)

// A Report is the outcome of one scan, ready to be written in any format.
// Writers do not modify it; they sort copies.
type Report struct {
	Tool Tool
	// GeneratedAt is when the scan ran. The caller sets it from its own
	// clock, so tests and golden files can fix it.
	GeneratedAt time.Time
	Input       Input
	// Lang is the language of every user-visible text; empty means English.
	Lang checks.Lang
	// Checks are the checks that ran, in any order.
	Checks   []*checks.Check
	Findings []checks.Finding
	// Suppressed are findings a suppression accepted; they are reported
	// apart and do not count as failures.
	Suppressed []SuppressedFinding
	// ExpiredSuppressions no longer suppress anything: the findings they
	// matched are in Findings. They are reported so they get renewed or
	// removed.
	ExpiredSuppressions []Suppression
}

// Tool names the program that wrote the report.
type Tool struct {
	Name           string // "keywarden" when empty
	Version        string
	InformationURI string // the project's home page when empty
}

// Input says what was scanned.
type Input struct {
	// Description is shown to the reader, e.g. "--input examples/account".
	Description string
	// Path is the file or directory that was read, relative to the
	// working directory when possible. SARIF uses it as the location of
	// findings that have no Source; empty for a live collection.
	Path string
}

// A Suppression is a user's decision to accept the findings of one check
// on one resource, for a reason and possibly until a date.
type Suppression struct {
	Check    string
	Resource string
	Reason   string
	// Expires is when the suppression stops applying; zero means never.
	Expires time.Time
}

// A SuppressedFinding is a finding together with the suppression that
// accepted it.
type SuppressedFinding struct {
	Finding     checks.Finding
	Suppression Suppression
}

// Counts are numbers of findings by status.
type Counts struct {
	Fail, Unknown, Pass int
}

func (c *Counts) add(s checks.Status) {
	switch s {
	case checks.Fail:
		c.Fail++
	case checks.Unknown:
		c.Unknown++
	case checks.Pass:
		c.Pass++
	}
}

// Summary counts a report's findings. Suppressed findings are counted only
// in Suppressed.
type Summary struct {
	Checks              int // checks that ran
	Total               Counts
	BySeverity          map[checks.Severity]Counts
	Suppressed          int
	ExpiredSuppressions int
}

// Summary counts the report's findings by status and severity.
func (r *Report) Summary() Summary {
	s := Summary{
		Checks:              len(r.Checks),
		BySeverity:          make(map[checks.Severity]Counts),
		Suppressed:          len(r.Suppressed),
		ExpiredSuppressions: len(r.ExpiredSuppressions),
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		s.Total.add(f.Status)
		c := s.BySeverity[f.Severity]
		c.add(f.Status)
		s.BySeverity[f.Severity] = c
	}
	return s
}

// severitiesDesc lists the severities, most severe first: the order of
// every grouping.
var severitiesDesc = []checks.Severity{checks.Critical, checks.High, checks.Medium, checks.Low, checks.Info}

// compareFindings orders findings by severity (most severe first), check
// ID, resource, principal, policy and statement, then by what is left so
// the order is total.
func compareFindings(a, b *checks.Finding) int {
	if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
		return c
	}
	if c := cmp.Or(
		strings.Compare(a.Check, b.Check),
		strings.Compare(a.Resource, b.Resource),
		strings.Compare(a.Principal, b.Principal),
		strings.Compare(a.Policy, b.Policy),
	); c != 0 {
		return c
	}
	if c := compareStatements(a.Statement, b.Statement); c != 0 {
		return c
	}
	return cmp.Or(
		cmp.Compare(a.Status, b.Status),
		strings.Compare(a.Message.EN, b.Message.EN),
		compareSources(a.Source, b.Source),
	)
}

// compareStatements puts "no statement" first.
func compareStatements(a, b *checks.Statement) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Or(cmp.Compare(a.Index, b.Index), strings.Compare(a.Sid, b.Sid))
}

func compareSources(a, b *checks.Location) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), strings.Compare(a.Path, b.Path))
}

// sorted returns a copy of the report with every list in output order.
func (r *Report) sorted() *Report {
	s := *r
	s.Findings = slices.Clone(r.Findings)
	slices.SortStableFunc(s.Findings, func(a, b checks.Finding) int { return compareFindings(&a, &b) })
	s.Suppressed = slices.Clone(r.Suppressed)
	slices.SortStableFunc(s.Suppressed, func(a, b SuppressedFinding) int {
		return cmp.Or(compareFindings(&a.Finding, &b.Finding), compareSuppressions(&a.Suppression, &b.Suppression))
	})
	s.ExpiredSuppressions = slices.Clone(r.ExpiredSuppressions)
	slices.SortStableFunc(s.ExpiredSuppressions, func(a, b Suppression) int { return compareSuppressions(&a, &b) })
	s.Checks = slices.Clone(r.Checks)
	slices.SortStableFunc(s.Checks, func(a, b *checks.Check) int { return strings.Compare(a.ID, b.ID) })
	if s.Lang == "" {
		s.Lang = checks.English
	}
	if s.Tool.Name == "" {
		s.Tool.Name = defaultToolName
	}
	if s.Tool.InformationURI == "" {
		s.Tool.InformationURI = defaultToolURI
	}
	return &s
}

func compareSuppressions(a, b *Suppression) int {
	return cmp.Or(
		strings.Compare(a.Check, b.Check),
		strings.Compare(a.Resource, b.Resource),
		a.Expires.Compare(b.Expires),
		strings.Compare(a.Reason, b.Reason),
	)
}

// check finds a check of the report by ID.
func (r *Report) check(id string) *checks.Check {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// formatTime writes a time in UTC, RFC 3339, to the second.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// formatExpiry writes an expiry as a date when it falls on midnight UTC
// (suppressions are usually written as dates), else as a full time.
func formatExpiry(t time.Time) string {
	u := t.UTC()
	if u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
		return u.Format(time.DateOnly)
	}
	return formatTime(u)
}
