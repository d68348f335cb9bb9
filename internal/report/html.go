package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed html.tmpl
var htmlSource string

// copyScript adds a Copy button above every command and snippet. It is
// the page's only script, and the page's Content-Security-Policy allows
// exactly it (by its hash): nothing else runs, nothing is fetched. Without
// it the page loses nothing but the buttons: a click on a command selects
// all of it (user-select: all), ready to copy.
const copyScript = `(function(){` +
	`var b=document.body,c=b.getAttribute("data-copy"),d=b.getAttribute("data-copied");` +
	`function sel(e){var r=document.createRange();r.selectNodeContents(e);var s=window.getSelection();s.removeAllRanges();s.addRange(r);}` +
	`document.querySelectorAll(".codeblock").forEach(function(w){` +
	`var code=w.querySelector("pre code"),h=w.querySelector(".codehead");if(!code||!h)return;` +
	`var btn=document.createElement("button");btn.type="button";btn.className="copy";btn.textContent=c;` +
	`btn.addEventListener("click",function(){` +
	`var done=function(){btn.textContent=d;setTimeout(function(){btn.textContent=c;},2000);};` +
	`if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(code.textContent).then(done,function(){sel(code);});}else{sel(code);}` +
	`});h.appendChild(btn);});})();`

// copyScriptHash is the script's CSP source: 'sha256-…'.
var copyScriptHash = func() string {
	sum := sha256.Sum256([]byte(copyScript))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// htmlTemplate is parsed once. html/template escapes every value for its
// context, so a policy, a message or a command that contains markup is
// shown as text.
var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"finding": func(f findingView, l *labels) findingCtx { return findingCtx{F: &f, L: l} },
	"remediation": func(r any, l *labels, label string, alt bool) remediationCtx {
		switch r := r.(type) {
		case *remediationView:
			return remediationCtx{R: r, L: l, Label: label, Alt: alt}
		case remediationView:
			return remediationCtx{R: &r, L: l, Label: label, Alt: alt}
		}
		return remediationCtx{R: &remediationView{}, L: l, Label: label, Alt: alt}
	},
	"heading": func(format, name string, n int) string { return fmt.Sprintf(format, name, n) },
	"sprintf": func(format string, n ...any) string { return fmt.Sprintf(format, n...) },
	"title": func(l *labels, in Input) string {
		if d := strings.TrimSpace(in.Description); d != "" {
			return l.ReportTitle + " — " + d
		}
		return l.ReportTitle
	},
	"script": func() template.JS { return template.JS(copyScript) },
	"csp": func() template.HTMLAttr {
		return template.HTMLAttr(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ` + copyScriptHash + `"`)
	},
}).Parse(htmlSource))

type findingCtx struct {
	F *findingView
	L *labels
}

type remediationCtx struct {
	R     *remediationView
	L     *labels
	Label string
	Alt   bool
}

// WriteHTML writes the report as one self-contained HTML page: styles
// and the one small script are inline, nothing is fetched (a
// Content-Security-Policy forbids it), and the page reads without the
// script. It starts with the summary and an index of the findings, whose
// severity cards and rows link to each finding; each finding's
// explanation and fix are collapsed (<details>). The page's lang
// attribute is the report's language.
func WriteHTML(w io.Writer, r *Report) error {
	v := newView(r, false)
	var b strings.Builder
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return fmt.Errorf("writing HTML report: %w", err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
