package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed html.tmpl
var htmlSource string

// htmlTemplate is parsed once. html/template escapes every value for its
// context, so a policy, a message or a command that contains markup is
// shown as text.
var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"finding": func(f findingView, l *labels) findingCtx { return findingCtx{F: f, L: l} },
	"remediation": func(r remediationView, l *labels, label string) remediationCtx {
		return remediationCtx{R: r, L: l, Label: label}
	},
	"heading": func(format, name string, n int) string { return fmt.Sprintf(format, name, n) },
	"inc":     func(i int) int { return i + 1 },
	"title": func(l *labels, in Input) string {
		if d := strings.TrimSpace(in.Description); d != "" {
			return l.ReportTitle + " — " + d
		}
		return l.ReportTitle
	},
}).Parse(htmlSource))

type findingCtx struct {
	F findingView
	L *labels
}

type remediationCtx struct {
	R     remediationView
	L     *labels
	Label string
}

// WriteHTML writes the report as one self-contained HTML page: styles are
// inline, nothing is fetched (a Content-Security-Policy forbids it), and
// no script is needed to read it. The page's lang attribute is the
// report's language.
func WriteHTML(w io.Writer, r *Report) error {
	v := newView(r)
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return fmt.Errorf("writing HTML report: %w", err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
