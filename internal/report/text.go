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
}

// textWidth is the width prose is wrapped to, so a report reads in an
// 80-column terminal. Commands, ARNs and code are never wrapped, so they
// copy and paste whole.
const textWidth = 80

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

// WriteText writes the report for a terminal: a summary, then the failed
// findings grouped by severity (most severe first) with their explanation
// and remediation, then the findings that could not be decided, the
// suppressed findings and the expired suppressions. Passed findings are
// only counted.
func WriteText(w io.Writer, r *Report, opts Options) error {
	v := newView(r)
	t := &textWriter{color: opts.Color, l: v.L}
	t.header(v)
	t.findings(v)
	t.unknown(v)
	t.suppressed(v)
	t.expired(v)
	_, err := io.WriteString(w, t.b.String())
	return err
}

type textWriter struct {
	b     strings.Builder
	color bool
	l     *labels
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
	pad := strings.Repeat(" ", labelW-displayWidth(label)+2)
	col := indent + displayWidth(label) + 1 + len(pad)
	for i, l := range wrap(value, max(textWidth-col, 20)) {
		if i == 0 {
			t.line(indent, t.paint(sgr, label+":")+pad+l)
		} else {
			t.line(col, l)
		}
	}
}

// bullets writes a list, continuation lines under the text.
func (t *textWriter) bullets(indent int, items []string) {
	for _, it := range items {
		for i, l := range wrap(it, textWidth-indent-2) {
			if i == 0 {
				t.line(indent, "- "+l)
			} else {
				t.line(indent+2, l)
			}
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

func (t *textWriter) findings(v *view) {
	if len(v.Groups) == 0 {
		t.line(0, v.L.NoFailures)
		t.blank()
		return
	}
	for _, g := range v.Groups {
		t.line(0, t.paint(sgrBold+severityColor[g.Class], "== "+g.Heading+" =="))
		t.blank()
		for i := range g.Findings {
			t.finding(&g.Findings[i])
		}
	}
}

// finding writes one finding:
//
//	[HIGH] iam-inline-policy-decrypt-all-keys (KMS.2)  arn:aws:iam::…
//	  message
//	  Principal:  …
func (t *textWriter) finding(f *findingView) {
	l := t.l
	head := t.paint(severityColor[f.Class], "["+f.Tag+"]") + " " + t.paint(sgrBold, f.Check)
	if f.Control != "" {
		head += " (" + f.Control + ")"
	}
	head += "  " + f.Resource
	t.line(0, head)
	t.para(2, f.Message)
	w := maxWidth(l.Principal, l.Policy, l.Statement, l.Source, l.Reason, l.Expires)
	t.field(2, w, l.Principal, f.Principal)
	t.field(2, w, l.Policy, f.Policy)
	t.field(2, w, l.Statement, f.Statement)
	t.field(2, w, l.Source, f.Source)
	if len(f.Explanation) > 0 {
		t.line(2, t.paint(sgrDim, l.Why+":"))
		t.bullets(4, f.Explanation)
	}
	if len(f.Missing) > 0 {
		t.line(2, t.paint(sgrMagenta, l.Missing+":"))
		t.bullets(4, f.Missing)
	}
	if f.Remediation != nil {
		t.remediation(2, l.Remediation, f.Remediation)
	}
	if s := f.Suppression; s != nil {
		t.field(2, w, l.Reason, s.Reason)
		exp := s.Expires
		if exp == "" {
			exp = l.NeverExpires
		}
		t.field(2, w, l.Expires, exp)
	}
	t.blank()
}

func (t *textWriter) remediation(indent int, label string, r *remediationView) {
	l := t.l
	if r.Summary == "" {
		t.line(indent, t.paint(sgrGreen, label+":"))
	} else {
		t.fieldColor(indent, displayWidth(label)-1, sgrGreen, label, r.Summary)
	}
	in := indent + 2
	if r.Verified {
		t.para(in, "("+l.Verified+")")
	} else {
		t.para(in, "("+l.NotVerified+")")
	}
	if len(r.Console) > 0 {
		t.line(in, l.Console+":")
		for i, step := range r.Console {
			num := strconv.Itoa(i+1) + ". "
			for j, ln := range wrap(step, textWidth-in-2-len(num)) {
				if j == 0 {
					t.line(in+2, num+ln)
				} else {
					t.line(in+2+len(num), ln)
				}
			}
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
	for i := range r.Alternatives {
		t.remediation(in, l.Alternative, &r.Alternatives[i])
	}
}

func (t *textWriter) unknown(v *view) {
	t.section(v, v.L.Unknown, v.L.UnknownIntro, v.Unknown)
}

func (t *textWriter) suppressed(v *view) {
	t.section(v, v.L.Suppressed, v.L.SuppressedIntro, v.Suppressed)
}

// section writes a titled list of findings with an introduction, when it
// has any.
func (t *textWriter) section(v *view, title, intro string, fs []findingView) {
	if len(fs) == 0 {
		return
	}
	t.heading(fmt.Sprintf(v.L.HeadingF, title, len(fs)))
	t.para(0, intro)
	t.blank()
	for i := range fs {
		t.finding(&fs[i])
	}
}

func (t *textWriter) expired(v *view) {
	if len(v.Expired) == 0 {
		return
	}
	l := v.L
	t.heading(fmt.Sprintf(l.HeadingF, l.ExpiredHeading, len(v.Expired)))
	t.para(0, l.ExpiredIntro)
	t.blank()
	w := maxWidth(l.Reason, l.Expired)
	for _, e := range v.Expired {
		t.line(0, t.paint(sgrBold, e.Check)+"  "+e.Resource)
		t.field(2, w, l.Reason, e.Reason)
		t.field(2, w, l.Expired, e.Expired)
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
