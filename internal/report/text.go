package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Options are the choices of the text writer.
type Options struct {
	// Color adds ANSI colours. The caller decides: typically when standard
	// output is a terminal and NO_COLOR is not set.
	Color bool
	// Full prints every fix in full (its changes with the documents they
	// write, the access it changes, the console steps, the AWS CLI
	// commands and the Terraform) and every line of every explanation.
	// Without it each finding takes about a screen, and the report says
	// what it left out and how to see it (Full, or the JSON report).
	Full bool
}

// textWidth is the width prose is wrapped to, so a report reads in an
// 80-column terminal. Commands, ARNs and code are never wrapped, so they
// copy and paste whole.
const textWidth = 80

// The limits of a short report, per finding: the lines of an
// explanation, the rows of an access diff, the lines of a command shown
// in place (a longer one is counted and left to --remediation full).
const (
	shortWhy  = 2
	shortCode = 3
	// shortSummary is the lines of a fix's summary.
	shortSummary = 2
	// shortMessage is the lines of a finding's message.
	shortMessage = 3
	// shortUnknown is the lines of the message of undecided findings,
	// which repeats the missing data listed above it.
	shortUnknown = 2
	// shortMissing is the lines of each item of missing data.
	shortMissing = 4
)

// ANSI SGR sequences.
const (
	sgrReset   = "\x1b[0m"
	sgrBold    = "\x1b[1m"
	sgrDim     = "\x1b[2m"
	sgrRed     = "\x1b[31m"
	sgrBoldRed = "\x1b[1;31m"
	sgrYellow  = "\x1b[33m"
	sgrBlue    = "\x1b[34m"
	sgrMagenta = "\x1b[35m"
	sgrCyan    = "\x1b[36m"
	sgrGreen   = "\x1b[32m"
)

var severityColor = map[string]string{
	"critical": sgrBoldRed,
	"high":     sgrRed,
	"medium":   sgrYellow,
	"low":      sgrCyan,
	"info":     sgrBlue,
}

// WriteText writes the report for a terminal. First what to read first:
// the summary, then an index of the failed and undecided findings, one
// line each (number, severity, check, resource, principal), the
// suppressed findings and the expired suppressions, one line each. Then
// the details of each finding by its number, most severe first: its
// message, where it is, why it holds and its fix. Passed findings are only
// counted.
func WriteText(w io.Writer, r *Report, opts Options) error {
	v := newView(r, !opts.Full)
	t := &textWriter{color: opts.Color, full: opts.Full, l: v.L}
	t.header(v)
	t.index(v)
	t.suppressed(v)
	t.expired(v)
	t.details(v)
	_, err := io.WriteString(w, strings.TrimRight(t.b.String(), "\n")+"\n")
	return err
}

type textWriter struct {
	b     strings.Builder
	color bool
	full  bool
	l     *labels
	// omitted is set when a short report left something out.
	omitted bool
}

func (t *textWriter) paint(sgr, s string) string {
	if !t.color || s == "" {
		return s
	}
	return sgr + s + sgrReset
}

func (t *textWriter) blank() { t.b.WriteByte('\n') }

// line writes s indented, unwrapped.
func (t *textWriter) line(indent int, s string) {
	t.b.WriteString(strings.Repeat(" ", indent))
	t.b.WriteString(s)
	t.b.WriteByte('\n')
}

// para writes s wrapped, every line indented.
func (t *textWriter) para(indent int, s string) {
	for _, l := range wrap(s, textWidth-indent) {
		t.line(indent, l)
	}
}

// paraLines is para, keeping at most limit lines in a short report.
func (t *textWriter) paraLines(indent int, s string, limit int) {
	lines := wrap(s, textWidth-indent)
	if !t.full && len(lines) > limit {
		lines = append(lines[:limit-1:limit-1], lines[limit-1]+" …")
		t.omitted = true
	}
	for _, l := range lines {
		t.line(indent, l)
	}
}

// field writes "Label:  value" with the value wrapped and its continuation
// lines aligned under its first character. labelW is the display width
// every label of the block is padded to.
func (t *textWriter) field(indent, labelW int, label, value string) {
	t.fieldColor(indent, labelW, sgrDim, label, value)
}

func (t *textWriter) fieldColor(indent, labelW int, sgr, label, value string) {
	if value == "" {
		return
	}
	pad := strings.Repeat(" ", max(labelW-displayWidth(label), 0)+2)
	col := indent + displayWidth(label) + 1 + len(pad)
	for i, l := range wrap(value, max(textWidth-col, 20)) {
		if i == 0 {
			t.line(indent, t.paint(sgr, label+":")+pad+l)
		} else {
			t.line(col, l)
		}
	}
}

// item writes a list item: its marker, then the text wrapped under
// itself.
func (t *textWriter) item(indent int, marker, s string) {
	w := displayWidth(marker) + 1
	for i, l := range wrap(s, max(textWidth-indent-w, 20)) {
		if i == 0 {
			t.line(indent, marker+" "+l)
		} else {
			t.line(indent+w, l)
		}
	}
}

// bullets writes a list, continuation lines under the text; a short
// report keeps the first limit items and counts the rest.
func (t *textWriter) bullets(indent int, items []string, limit int) {
	t.bulletsAfter(indent, "", items, limit)
}

// bulletsAfter is bullets whose first item follows a label on its line
// ("Why: - …"); the label's width is the indent of the items.
func (t *textWriter) bulletsAfter(indent int, label string, items []string, limit int) {
	for i, it := range items {
		lead := ""
		if label != "" {
			lead = strings.Repeat(" ", displayWidth(label))
			if i == 0 {
				lead = label
			}
		}
		suffix := ""
		if !t.full && limit > 0 && i == limit-1 && len(items) > limit {
			// The last item shown says how many are left out.
			t.omitted = true
			suffix = " " + fmt.Sprintf(t.l.MoreInlineF, len(items)-limit)
		}
		t.itemLines(indent, lead+"-", it, 2, suffix)
		if suffix != "" {
			return
		}
	}
}

// itemLines is item, keeping at most limit lines of the text in a short
// report.
func (t *textWriter) itemLines(indent int, marker, s string, limit int, suffix string) {
	w := displayWidth(marker) + 1
	lines := wrap(s, max(textWidth-indent-w, 20))
	if !t.full && len(lines) > limit {
		lines = append(lines[:limit-1:limit-1], strings.TrimRight(lines[limit-1], " ")+" …")
		t.omitted = true
	}
	if suffix != "" {
		lines[len(lines)-1] = strings.TrimSuffix(lines[len(lines)-1], " …") + suffix
	}
	for i, l := range lines {
		if i == 0 {
			t.line(indent, marker+" "+l)
		} else {
			t.line(indent+w, l)
		}
	}
}

// code writes a command or a snippet as it is, indented, never wrapped.
func (t *textWriter) code(indent int, s string) {
	for l := range strings.SplitSeq(s, "\n") {
		if l == "" {
			t.blank()
			continue
		}
		t.line(indent, l)
	}
}

func (t *textWriter) heading(s string) {
	t.line(0, t.paint(sgrBold, "== "+s+" =="))
	t.blank()
}

func (t *textWriter) header(v *view) {
	l := v.L
	title := l.ReportTitle + " (" + strings.TrimSpace(v.Tool.Name+" "+v.Tool.Version) + ")"
	t.line(0, t.paint(sgrBold, title))
	w := maxWidth(l.Input, l.Generated, l.ChecksRun)
	t.field(0, w, l.Input, v.Input.Description)
	t.field(0, w, l.Generated, v.GeneratedAt)
	t.field(0, w, l.ChecksRun, strconv.Itoa(v.Summary.Checks))
	t.blank()

	s := v.Summary
	sum := fmt.Sprintf(l.SummaryLineF, s.Total.Fail, s.Total.Unknown, s.Total.Pass, s.Suppressed)
	if s.ExpiredSuppressions > 0 {
		f := l.ExpiredCountF[1]
		if s.ExpiredSuppressions == 1 {
			f = l.ExpiredCountF[0]
		}
		sum += l.ListSep + fmt.Sprintf(f, s.ExpiredSuppressions)
	}
	t.para(0, t.paint(sgrBold, l.Summary+":")+" "+sum)
	var parts []string
	for _, sc := range v.Severities {
		parts = append(parts, t.paint(severityColor[sc.Class], sc.Name+" "+strconv.Itoa(sc.Counts.Fail)))
	}
	t.line(0, l.FailBySeverity+": "+strings.Join(parts, l.ListSep))
	t.blank()
}

// index writes one line per failed and undecided finding:
//
//	#  SEVERITY  CHECK             RESOURCE        PRINCIPAL
//	1  CRITICAL  key-public        key/5e6f…       *
func (t *textWriter) index(v *view) {
	l := v.L
	if len(v.Numbered) == 0 {
		t.line(0, l.NoFailures)
		t.blank()
		return
	}
	t.heading(fmt.Sprintf(l.HeadingF, l.Index, len(v.Numbered)))
	numW := max(displayWidth(l.ColNumber), len(strconv.Itoa(len(v.Numbered)))+2)
	sevW, checkW, resW := displayWidth(l.ColSeverity), displayWidth(l.ColCheck), displayWidth(l.ColResource)
	for _, f := range v.Numbered {
		sevW = max(sevW, displayWidth(f.Tag))
		checkW = max(checkW, displayWidth(f.Check))
		resW = max(resW, displayWidth(f.ResourceShort))
	}
	row := func(num, sev, sevColor, check, res, principal string) {
		s := pad(num, numW) + "  " + t.paint(sevColor, pad(sev, sevW)) + "  " + pad(check, checkW) + "  " + pad(res, resW)
		if principal != "" {
			s += "  " + principal
		}
		t.line(0, strings.TrimRight(s, " "))
	}
	row(l.ColNumber, l.ColSeverity, "", l.ColCheck, l.ColResource, l.ColPrincip)
	unknownShown := false
	for _, f := range v.Numbered {
		if f.StatusClass == "unknown" && !unknownShown {
			unknownShown = true
			t.line(0, t.paint(sgrMagenta, l.Unknown+":"))
		}
		row(fmt.Sprintf(l.FindingRefF, f.N), f.Tag, severityColor[f.Class], f.Check, f.ResourceShort, f.PrincipalShort)
	}
	t.blank()
}

// pad pads s with spaces to a display width.
func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(w-displayWidth(s), 0))
}

// suppressed writes the suppressed findings one line each, with the
// reason and the expiry under it.
func (t *textWriter) suppressed(v *view) {
	if len(v.Suppressed) == 0 {
		return
	}
	l := v.L
	t.heading(fmt.Sprintf(l.HeadingF, l.Suppressed, len(v.Suppressed)))
	t.para(0, l.SuppressedIntro)
	for _, f := range v.Suppressed {
		head := f.Tag + "  " + f.Check + "  " + f.Resource
		if f.Principal != "" {
			head += "  " + f.PrincipalShort
		}
		t.line(0, head)
		exp := f.Suppression.Expires
		if exp == "" {
			exp = l.NeverExpires
		}
		t.para(4, f.Suppression.Reason+" ("+l.Expires+": "+exp+")")
	}
	t.blank()
}

func (t *textWriter) expired(v *view) {
	if len(v.Expired) == 0 {
		return
	}
	l := v.L
	t.heading(fmt.Sprintf(l.HeadingF, l.ExpiredHeading, len(v.Expired)))
	t.para(0, l.ExpiredIntro)
	for _, e := range v.Expired {
		t.line(0, t.paint(sgrBold, e.Check)+"  "+e.Resource)
		t.para(4, e.Reason+" ("+l.Expired+": "+e.Expired+")")
	}
	t.blank()
}

// details writes every numbered finding in full, by severity, then the
// undecided ones grouped by what was missing.
func (t *textWriter) details(v *view) {
	if len(v.Numbered) == 0 {
		return
	}
	l := v.L
	h := "== " + l.Details + " =="
	if !t.full {
		// What a short report leaves out, and how to see it.
		h += "  (" + l.ShowAll + ")"
	}
	t.line(0, t.paint(sgrBold, h))
	t.blank()
	for _, g := range v.Groups {
		t.line(0, t.paint(sgrBold+severityColor[g.Class], "-- "+g.Heading+" --"))
		for i := range g.Findings {
			t.finding(&g.Findings[i])
		}
	}
	t.unknown(v)
}

// finding writes one finding:
//
//	[1] HIGH  iam-inline-policy-decrypt-all-keys (KMS.2)
//	    Resource:   arn:aws:iam::…
//	    message
//	    Principal:  …
func (t *textWriter) finding(f *findingView) {
	l := t.l
	head := t.paint(sgrBold, fmt.Sprintf(l.FindingRefF, f.N)) + " " + t.paint(severityColor[f.Class], f.Tag) + "  " + t.paint(sgrBold, f.Check)
	if f.Control != "" {
		head += " (" + f.Control + ")"
	}
	// The resource's ARN ends the line, whole, to be copied.
	t.line(0, head+"  "+f.Resource)
	w := maxWidth(l.Principal, l.Policy, l.Statement, l.Source)
	t.paraLines(4, f.Message, shortMessage)
	// The principal, unless the resource or (in a short report) the
	// message already names it.
	if f.Principal != f.Resource && (t.full || !strings.Contains(f.Message, f.Principal)) {
		t.field(4, w, l.Principal, f.Principal)
	}
	// The policy and its statement on one line: "key policy #1 (Sid …)",
	// unless (in a short report) the message already quotes the Sid.
	switch {
	case !t.full && f.Sid != "" && strings.Contains(f.Message, "'"+f.Sid+"'"):
	case f.Statement != "":
		t.field(4, w, l.Statement, strings.TrimSpace(f.Policy+" "+f.Statement))
	case f.Policy != "":
		t.field(4, w, l.Policy, f.Policy)
	}
	// A path is not prose: it stays on one line, to be copied whole.
	if f.Source != "" {
		t.line(4, t.paint(sgrDim, l.Source+":")+strings.Repeat(" ", w-displayWidth(l.Source)+2)+f.Source)
	}
	if len(f.Explanation) > 0 {
		t.bulletsAfter(4, t.paint(sgrDim, l.Why+":")+" ", f.Explanation, shortWhy)
	}
	if len(f.Missing) > 0 {
		t.line(4, t.paint(sgrMagenta, l.Missing+":"))
		t.bullets(6, f.Missing, shortWhy)
	}
	switch {
	case f.Remediation != nil:
		t.remediation(4, l.Fix, f.Remediation)
	case f.SameFix > 0:
		t.line(4, t.paint(sgrGreen, l.Fix+":")+" "+fmt.Sprintf(l.SameFixF, f.SameFix))
	}
	t.blank()
}

// remediation writes a fix: its summary and whether it was proved, the
// changes it makes and the access they change, the values the user must
// choose, then (in full, or when short) how to apply it, and the other
// fixes.
func (t *textWriter) remediation(indent int, label string, r *remediationView) {
	l := t.l
	status := l.NotVerifiedShort
	if r.Verified {
		status = l.VerifiedShort
	}
	heading := label + " (" + status + ")"
	if !t.full {
		if c := t.counted(r); c != "" {
			heading += " — " + c
		}
	}
	summary := r.Summary
	if summary == "" {
		summary = l.NotVerified
		if r.Verified {
			summary = l.Verified
		}
	}
	lines := wrap(summary, textWidth-indent-2)
	t.line(indent, t.paint(sgrGreen, heading+":"))
	if !t.full && len(lines) > shortSummary {
		lines = append(lines[:shortSummary-1:shortSummary-1], lines[shortSummary-1]+" …")
		t.omitted = true
	}
	for _, ln := range lines {
		t.line(indent+2, ln)
	}
	in := indent + 2
	if len(r.Proof) > 0 && (t.full || !r.Verified) {
		for _, c := range r.Proof {
			mark, word := "✓", ""
			if !c.Holds {
				mark, word = "✗", l.DoesNotHold
			}
			if !t.full && c.Holds {
				continue
			}
			s := c.Name
			if !c.Holds {
				s += ": " + word
			}
			if c.Why != "" {
				s += ": " + c.Why
			}
			if !t.full {
				t.oneLine(in, mark+" "+s)
				continue
			}
			t.item(in, mark, s)
		}
	}
	t.body(in, r)
	if len(r.Alternatives) > 0 {
		if t.full {
			t.line(in, l.OtherFixes+":")
			for i := range r.Alternatives {
				t.alternative(in+2, i, &r.Alternatives[i])
			}
		} else {
			// One line each, the first after the heading.
			for i := range r.Alternatives {
				lead := strings.Repeat(" ", displayWidth(l.OtherFixes)+2)
				if i == 0 {
					lead = l.OtherFixes + ": "
				}
				t.alternative(in, i, &r.Alternatives[i], lead)
			}
		}
	}
}

// body writes what a fix changes (its edits, the access diff, the values
// the user must choose) and how to apply it.
func (t *textWriter) body(in int, r *remediationView) {
	l := t.l
	if !t.full {
		t.shortBody(in, r)
		return
	}
	if len(r.Edits) > 0 {
		t.line(in, l.Edits+":")
		for i, e := range r.Edits {
			s := e.Action + " " + e.Target
			if e.Name != "" {
				s += " (" + e.Name + ")"
			}
			if e.Statements != "" {
				s += " [" + l.Statements + " " + e.Statements + "]"
			}
			if e.Description != "" {
				s += ": " + e.Description
			}
			t.item(in+2, strconv.Itoa(i+1)+".", s)
			if t.full && e.Document != "" {
				t.line(in+5, l.Document+":")
				t.code(in+7, e.Document)
			}
		}
	}
	if len(r.Diff) > 0 {
		t.line(in, l.AccessDiff+" ("+fmt.Sprintf(l.DiffCountF, r.Removed, r.Added)+"):")
		for _, d := range r.Diff {
			mark := "+"
			if d.Removed {
				mark = "-"
			}
			t.item(in+2, mark, d.Principal+l.ListSep+d.KeyShort+": "+d.Actions+" ("+d.Before+" → "+d.After+")")
		}
	}
	if len(r.Placeholders) > 0 {
		t.line(in, l.Placeholders+" ("+l.UserChoice+"):")
	}
	for _, p := range r.Placeholders {
		s := p.Name
		if p.Note != "" {
			s += ": " + p.Note
		}
		t.item(in+2, "-", s)
		if len(p.Candidates) > 0 {
			t.bullets(in+4, []string{l.Candidates + ": " + strings.Join(p.Candidates, l.ListSep)}, 0)
		}
	}
	t.apply(in, r)
}

// shortBody is body in a short report: one line for the changes and the
// access they change, one per value to choose, and a short command.
func (t *textWriter) shortBody(in int, r *remediationView) {
	l := t.l
	var parts []string
	if n := len(r.Edits); n > 0 {
		// The actions only: what each changes is in the full report.
		var es []string
		for _, e := range r.Edits {
			es = append(es, e.Action)
		}
		parts = append(parts, l.Edits+": "+strings.Join(es, l.ListSep))
	}
	if len(r.Diff) > 0 {
		parts = append(parts, l.AccessDiff+": "+fmt.Sprintf(l.DiffCountF, r.Removed, r.Added))
	}
	if len(parts) > 0 {
		t.oneLine(in, strings.Join(parts, "; "))
	}
	for _, p := range r.Placeholders {
		s := l.Placeholders + ": " + p.Name
		if len(p.Candidates) > 0 {
			s += " (" + l.Candidates + ": " + strings.Join(p.Candidates, l.ListSep) + ")"
		}
		t.oneLine(in, s)
	}
	t.apply(in, r)
}

// oneLine writes s on one line, cut with "…" when it is longer.
func (t *textWriter) oneLine(indent int, s string) {
	if lines := wrap(s, textWidth-indent); len(lines) > 1 {
		s = lines[0] + " …"
		t.omitted = true
	}
	t.line(indent, s)
}

// apply writes how to apply a fix: the console steps, the AWS CLI
// commands and the Terraform. A short report writes a command of a few
// lines in place and counts the rest.
func (t *textWriter) apply(in int, r *remediationView) {
	l := t.l
	if t.full {
		if len(r.Console) > 0 {
			t.line(in, l.Console+":")
			for i, step := range r.Console {
				t.item(in+2, strconv.Itoa(i+1)+".", step)
			}
		}
		if r.CLI != "" {
			t.line(in, l.CLI+":")
			t.code(in+2, r.CLI)
		}
		if r.Terraform != "" {
			t.line(in, l.Terraform+":")
			t.code(in+2, r.Terraform)
		}
		return
	}
	if r.CLI != "" && lineCount(r.CLI) <= shortCode {
		t.line(in, l.CLI+":")
		t.code(in+2, r.CLI)
	}
}

// counted says what a short report leaves out of a fix, counted: "console
// 4 steps, AWS CLI 30 lines, Terraform 35 lines". A command of a few lines
// is shown (apply), not counted.
func (t *textWriter) counted(r *remediationView) string {
	l := t.l
	var counted []string
	if n := len(r.Console); n > 0 {
		counted = append(counted, l.Console+" "+plural(l.StepsF, n))
	}
	if n := lineCount(r.CLI); r.CLI != "" && n > shortCode {
		counted = append(counted, l.CLI+" "+plural(l.LinesF, n))
	}
	if r.Terraform != "" {
		counted = append(counted, l.Terraform+" "+plural(l.LinesF, lineCount(r.Terraform)))
	}
	if len(counted) == 0 {
		return ""
	}
	t.omitted = true
	return strings.Join(counted, l.ListSep)
}

// alternative writes another fix as a list item: its summary and status,
// and in full its changes and commands.
func (t *textWriter) alternative(in, i int, r *remediationView, lead ...string) {
	l := t.l
	status := l.NotVerifiedShort
	if r.Verified {
		status = l.VerifiedShort
	}
	marker := string(rune('a'+i%26)) + "."
	if !t.full {
		// One line: the start of the summary.
		pre := strings.Join(lead, "") + marker + " "
		s := "(" + status + ") " + r.Summary
		if lines := wrap(s, textWidth-in-displayWidth(pre)-2); len(lines) > 1 {
			s = lines[0] + " …"
			t.omitted = true
		}
		t.line(in, pre+s)
		return
	}
	t.item(in, marker, "("+status+") "+r.Summary)
	t.body(in+3, r)
}

func lineCount(s string) int { return strings.Count(s, "\n") + 1 }

// unknown writes the undecided findings grouped by the data they lack:
// the missing data once, then one line per finding.
func (t *textWriter) unknown(v *view) {
	if len(v.Unknown) == 0 {
		return
	}
	l := v.L
	t.line(0, t.paint(sgrBold+sgrMagenta, "-- "+fmt.Sprintf(l.HeadingF, l.Unknown, len(v.Unknown))+" --"))
	t.para(0, l.UnknownIntro)
	t.blank()
	type group struct {
		missing []string
		message string
		fs      []*findingView
	}
	var groups []*group
	byKey := map[string]*group{}
	for i := range v.Unknown {
		f := &v.Unknown[i]
		key := strings.Join(f.Missing, "\x00") + "\x01" + f.Message
		g := byKey[key]
		if g == nil {
			g = &group{missing: f.Missing, message: f.Message}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.fs = append(g.fs, f)
	}
	for _, g := range groups {
		if len(g.missing) > 0 {
			// What to read next time, once per group.
			t.line(0, t.paint(sgrMagenta, l.Missing+":"))
			for _, m := range g.missing {
				t.itemLines(2, "-", m, shortMissing, "")
			}
		}
		t.paraLines(2, g.message, shortUnknown)
		for _, f := range g.fs {
			head := fmt.Sprintf(l.FindingRefF, f.N) + " " + t.paint(severityColor[f.Class], f.Tag) + "  " + f.Check
			if f.Control != "" {
				head += " (" + f.Control + ")"
			}
			t.line(4, head)
			if f.Remediation != nil {
				t.remediation(8, l.Fix, f.Remediation)
			}
		}
		t.blank()
	}
}

func maxWidth(ss ...string) int {
	n := 0
	for _, s := range ss {
		n = max(n, displayWidth(s))
	}
	return n
}
