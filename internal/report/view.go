package report

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/escape"
)

// A view is a report resolved into one language and grouped for reading:
// what the text and HTML writers print. The JSON and SARIF writers work
// from the findings themselves.
type view struct {
	L           *labels
	Lang        checks.Lang
	Tool        Tool
	GeneratedAt string
	Input       Input
	Summary     Summary
	Severities  []severityCount // every severity, most severe first
	Groups      []findingGroup  // failed findings, non-empty groups only
	Unknown     []findingView
	Passed      []findingView
	Suppressed  []findingView
	Expired     []expiredView
	Checks      []checkView
}

type severityCount struct {
	Class  string // "critical": CSS class and stable name
	Name   string // in the report's language
	Counts Counts
}

type findingGroup struct {
	Class    string
	Heading  string // "CRITICAL (1)"
	Name     string
	Findings []findingView
}

type findingView struct {
	Anchor      string // a stable HTML id
	Class       string // severity class
	Tag         string // "HIGH"
	SevName     string
	Status      string // in the report's language
	StatusClass string // "fail", "pass", "unknown"
	Check       string
	Control     string
	Title       string
	Resource    string
	Principal   string
	Policy      string
	Statement   string
	Source      string
	Message     string
	Explanation []string
	Missing     []string
	Remediation *remediationView
	// Suppression is set for suppressed findings.
	Suppression *suppressionView
}

type remediationView struct {
	Summary      string
	Console      []string
	CLI          string
	Terraform    string
	Verified     bool
	Alternatives []remediationView
}

type suppressionView struct {
	Reason  string
	Expires string // "" when it never expires
}

type expiredView struct {
	Check    string
	Resource string
	Reason   string
	Expired  string
}

type checkView struct {
	ID       string
	Class    string
	SevName  string
	Control  string
	Title    string
	Anchor   string
	Failures int
}

// newView sorts the report and resolves it into its language.
func newView(r *Report) *view {
	r = r.sorted()
	l := labelsFor(r.Lang)
	v := &view{
		L:           l,
		Lang:        r.Lang,
		Tool:        r.Tool,
		GeneratedAt: formatTime(r.GeneratedAt),
		Input:       Input{Description: escape.Text(r.Input.Description), Path: escape.Text(r.Input.Path)},
		Summary:     r.Summary(),
	}
	for _, s := range severitiesDesc {
		v.Severities = append(v.Severities, severityCount{Class: s.String(), Name: l.severity(s), Counts: v.Summary.BySeverity[s]})
	}
	groups := map[checks.Severity]*findingGroup{}
	failures := map[string]int{}
	for i := range r.Findings {
		f := &r.Findings[i]
		fv := newFindingView(r, l, f)
		switch f.Status {
		case checks.Fail:
			failures[f.Check]++
			g := groups[f.Severity]
			if g == nil {
				g = &findingGroup{Class: f.Severity.String(), Name: l.severity(f.Severity)}
				groups[f.Severity] = g
			}
			g.Findings = append(g.Findings, fv)
		case checks.Unknown:
			v.Unknown = append(v.Unknown, fv)
		default:
			v.Passed = append(v.Passed, fv)
		}
	}
	// Most severe first. Every severity present gets a group, even one out
	// of range, so that no finding is lost.
	for _, s := range slices.Sorted(maps.Keys(groups)) {
		g := groups[s]
		g.Heading = fmt.Sprintf(l.HeadingF, l.severityTag(s), len(g.Findings))
		v.Groups = slices.Insert(v.Groups, 0, *g)
	}
	for i := range r.Suppressed {
		sf := &r.Suppressed[i]
		fv := newFindingView(r, l, &sf.Finding)
		fv.Anchor = "s-" + fv.Anchor
		fv.Suppression = &suppressionView{Reason: escape.Text(sf.Suppression.Reason)}
		if !sf.Suppression.Expires.IsZero() {
			fv.Suppression.Expires = formatExpiry(sf.Suppression.Expires)
		}
		v.Suppressed = append(v.Suppressed, fv)
	}
	// HTML ids, unique in the page, given in the order of the page.
	seen := map[string]bool{}
	for gi := range v.Groups {
		uniqueAnchors(seen, v.Groups[gi].Findings)
	}
	uniqueAnchors(seen, v.Unknown)
	uniqueAnchors(seen, v.Passed)
	uniqueAnchors(seen, v.Suppressed)

	for _, s := range r.ExpiredSuppressions {
		v.Expired = append(v.Expired, expiredView{
			Check:    escape.Text(s.Check),
			Resource: escape.Text(s.Resource),
			Reason:   escape.Text(s.Reason),
			Expired:  formatExpiry(s.Expires),
		})
	}
	for _, c := range r.Checks {
		v.Checks = append(v.Checks, checkView{
			ID:       c.ID,
			Class:    c.Severity.String(),
			SevName:  l.severity(c.Severity),
			Control:  c.Control,
			Title:    escape.Text(c.Title.In(r.Lang)),
			Anchor:   "check-" + c.ID,
			Failures: failures[c.ID],
		})
	}
	return v
}

func newFindingView(r *Report, l *labels, f *checks.Finding) findingView {
	fv := findingView{
		Anchor:      "f-" + fingerprint(f)[:12],
		Class:       f.Severity.String(),
		Tag:         strings.ToUpper(f.Severity.String()),
		SevName:     l.severity(f.Severity),
		Status:      l.status(f.Status),
		StatusClass: f.Status.String(),
		Check:       escape.Text(f.Check),
		Control:     escape.Text(f.Control),
		Resource:    escape.Text(f.Resource),
		Principal:   escape.Text(f.Principal),
		Policy:      escape.Text(f.Policy),
		Statement:   escape.Text(statementText(f.Statement)),
		Source:      escape.Text(sourceText(f.Source)),
		Message:     escape.Text(f.Message.In(r.Lang)),
		Explanation: escape.Strings(textsIn(f.Explanation, r.Lang)),
		Missing:     escape.Strings(f.Missing),
	}
	if c := r.check(f.Check); c != nil {
		fv.Title = escape.Text(c.Title.In(r.Lang))
	}
	if f.Remediation != nil {
		rv := newRemediationView(f.Remediation, r.Lang)
		fv.Remediation = &rv
	}
	return fv
}

func newRemediationView(rem *checks.Remediation, lang checks.Lang) remediationView {
	rv := remediationView{
		Summary:   escape.Text(rem.Summary.In(lang)),
		CLI:       escape.Block(strings.TrimRight(rem.CLI, "\n")),
		Terraform: escape.Block(strings.TrimRight(rem.Terraform, "\n")),
		Verified:  rem.Verified,
	}
	for _, step := range rem.Console {
		rv.Console = append(rv.Console, escape.Text(step.In(lang)))
	}
	for i := range rem.Alternatives {
		rv.Alternatives = append(rv.Alternatives, newRemediationView(&rem.Alternatives[i], lang))
	}
	return rv
}

// statementText names a statement as the engine's explanations do: its
// index in the policy, then its Sid when it has one.
func statementText(s *checks.Statement) string {
	if s == nil {
		return ""
	}
	t := "#" + strconv.Itoa(s.Index)
	if s.Sid != "" {
		t += fmt.Sprintf(" (Sid %q)", s.Sid)
	}
	return t
}

// sourceText writes a location as FILE:LINE (PATH).
func sourceText(s *checks.Location) string {
	if s == nil || s.File == "" {
		return ""
	}
	t := s.File
	if s.Line > 0 {
		t += ":" + strconv.Itoa(s.Line)
	}
	if s.Path != "" {
		t += " (" + s.Path + ")"
	}
	return t
}

// uniqueAnchors makes the findings' HTML ids unique within the page: two
// findings share a fingerprint when they differ only in wording or
// location.
func uniqueAnchors(seen map[string]bool, fs []findingView) {
	for i := range fs {
		id := fs[i].Anchor
		for n := 2; seen[fs[i].Anchor]; n++ {
			fs[i].Anchor = id + "-" + strconv.Itoa(n)
		}
		seen[fs[i].Anchor] = true
	}
}

// textsIn resolves texts into one language; nil stays nil.
func textsIn(ts []checks.Text, lang checks.Lang) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.In(lang))
	}
	return out
}
