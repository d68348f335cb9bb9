package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/explain"
	"github.com/keywarden/keywarden/internal/inventory"
)

// A view is a report resolved into one language and grouped for reading:
// what the text and HTML writers print. The JSON and SARIF writers work
// from the findings themselves.
//
// Every text of a view is for people: placeholders of planned resources
// are put into words (inventory.DescribePlanned), the engine's English
// phrases quoted in Japanese texts are translated (explain.Text), and
// every value is escaped (escape.Text, escape.Block for code).
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
	// Numbered is every failed finding then every undecided one, in the
	// order of the page and of the index.
	Numbered []*findingView
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
	N           int    // the finding's number in the index, from 1; 0 for passed and suppressed
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
	// ResourceShort and PrincipalShort name them in the index: the part
	// of the ARN after the account, with the account when it is another.
	ResourceShort  string
	PrincipalShort string
	Policy         string
	Statement      string
	Sid            string
	Source         string
	Message        string
	Explanation    []string
	Missing        []string
	Remediation    *remediationView
	// SameFix is the number of an earlier finding whose fix (same
	// Remediation.ID) resolves this one too; the fix is listed there.
	SameFix       int
	SameFixAnchor string
	// Suppression is set for suppressed findings.
	Suppression *suppressionView
}

type remediationView struct {
	ID       string
	Anchor   string
	Summary  string
	Verified bool
	// Proof lists the four claims, when the engine proved them.
	Proof        []claimView
	Edits        []editView
	Diff         []diffView
	Removed      int
	Added        int
	Placeholders []placeholderView
	Console      []string
	CLI          string
	Terraform    string
	Alternatives []remediationView
}

type claimView struct {
	Name  string
	Holds bool
	Why   string
}

type editView struct {
	Action      string
	Target      string
	TargetShort string
	Name        string
	Statements  string // "0, 2"
	Description string
	Document    string // indented JSON
}

// A diffView is the rows of an access diff that share a principal, a
// key and a change, with their actions together.
type diffView struct {
	Principal string
	Key       string
	KeyShort  string
	Actions   string // "kms:Decrypt, kms:GenerateDataKey"
	Before    string
	After     string
	Removed   bool // access taken away (else given)
}

type placeholderView struct {
	Name       string
	Candidates []string
	Note       string
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

// newView sorts the report and resolves it into its language. elide
// shortens long lists of actions in texts (the short text report).
func newView(r *Report, elide bool) *view {
	r = r.sorted()
	l := labelsFor(r.Lang)
	tr := &translator{lang: r.Lang, l: l, elide: elide}
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
		fv := newFindingView(r, tr, f)
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
		fv := newFindingView(r, tr, &sf.Finding)
		fv.Anchor = "s-" + fv.Anchor
		fv.Suppression = &suppressionView{Reason: tr.quote(sf.Suppression.Reason)}
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

	// Number the findings in the order of the page, and list each fix
	// once: at the first finding it resolves.
	for gi := range v.Groups {
		for fi := range v.Groups[gi].Findings {
			v.Numbered = append(v.Numbered, &v.Groups[gi].Findings[fi])
		}
	}
	for i := range v.Unknown {
		v.Numbered = append(v.Numbered, &v.Unknown[i])
	}
	fixes := map[string]*findingView{}
	for i, f := range v.Numbered {
		f.N = i + 1
		if f.Remediation == nil {
			continue
		}
		f.Remediation.Anchor = "fix-" + f.Anchor
		if id := f.Remediation.ID; id != "" {
			if first, ok := fixes[id]; ok {
				f.SameFix, f.SameFixAnchor = first.N, first.Remediation.Anchor
				f.Remediation = nil
				continue
			}
			fixes[id] = f
		}
	}

	for _, s := range r.ExpiredSuppressions {
		v.Expired = append(v.Expired, expiredView{
			Check:    escape.Text(s.Check),
			Resource: tr.plain(s.Resource),
			Reason:   tr.quote(s.Reason),
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

// A translator resolves the texts of findings into the report's language.
type translator struct {
	lang  checks.Lang
	l     *labels
	elide bool
}

// plain is a value for people: an ARN, a name, a path.
func (tr *translator) plain(s string) string {
	return escape.Text(inventory.DescribePlanned(s, string(tr.lang)))
}

// quote is a text the user wrote (the reason of a suppression), shown as
// theirs: in Japanese inside 「」, since it may be in any language.
func (tr *translator) quote(s string) string {
	if tr.lang == checks.Japanese && s != "" {
		s = "「" + s + "」"
	}
	return escape.Text(s)
}

// say is a sentence of a check, in the report's language.
func (tr *translator) say(t checks.Text) string {
	return tr.sentence(t.In(tr.lang))
}

func (tr *translator) sentence(s string) string {
	s = inventory.DescribePlanned(s, string(tr.lang))
	s = explain.Text(s, string(tr.lang))
	s = tr.actions(s)
	return escape.Text(s)
}

// code is a command or a snippet: kept as written, but for the comments
// of its lines, which are put into the report's language.
func (tr *translator) code(s string) string {
	return escape.Block(commentsIn(strings.TrimRight(s, "\n"), tr.lang))
}

// actionRun is a list of at least six actions joined by "and", "と" or
// commas: the text of a fix that names every action of a policy.
var actionRun = regexp.MustCompile(`[a-z0-9-]+:[A-Za-z0-9*]+(?:(?:,| と| and|、) ?(?:and )?[a-z0-9-]+:[A-Za-z0-9*]+){5,}`)

var actionName = regexp.MustCompile(`[a-z0-9-]+:[A-Za-z0-9*]+`)

// opRun is a list of at least five KMS operation names without their
// "kms:" prefix, as messages list them: "Decrypt, Encrypt, GenerateDataKey,
// …".
var opRun = regexp.MustCompile(`\b[A-Z][A-Za-z]+(?:, [A-Z][A-Za-z]+){4,}(?: \(\+(\d+)\))?`)

// actions rewrites a long run of actions as a counted list, "45
// actions: kms:A, kms:B, …", and, when eliding, keeps only its ends.
func (tr *translator) actions(s string) string {
	if tr.elide {
		s = opRun.ReplaceAllStringFunc(s, func(m string) string {
			list, more, _ := strings.Cut(m, " (+")
			names := strings.Split(list, ", ")
			for _, n := range names {
				if awsfacts.LookupKMS("kms:"+n) == nil {
					return m
				}
			}
			n := len(names)
			if more != "" {
				k, _ := strconv.Atoi(strings.TrimSuffix(more, ")"))
				n += k
			}
			return strings.Join(names[:2], ", ") + ", … (" + fmt.Sprintf(tr.l.ListOfF, n) + ")"
		})
	}
	return actionRun.ReplaceAllStringFunc(s, func(m string) string {
		names := actionName.FindAllString(m, -1)
		sep := ", "
		if tr.lang == checks.Japanese {
			sep = "、"
		}
		list := names
		if tr.elide && len(names) > 4 {
			list = []string{names[0], names[1], "…", names[len(names)-1]}
		}
		return fmt.Sprintf(tr.l.ListOfF, len(names)) + " (" + strings.Join(list, sep) + ")"
	})
}

// alternativePrefix is how the checks start an alternative's summary:
// "Or, …", "または、…". The report lists alternatives under their own
// heading, which says it already.
var alternativePrefix = regexp.MustCompile(`^(?:[Oo]r,? |または、?\s*)`)

func newFindingView(r *Report, tr *translator, f *checks.Finding) findingView {
	l := tr.l
	lang := string(r.Lang)
	fv := findingView{
		Anchor:         "f-" + fingerprint(f)[:12],
		Class:          f.Severity.String(),
		Tag:            l.severityTag(f.Severity),
		SevName:        l.severity(f.Severity),
		Status:         l.status(f.Status),
		StatusClass:    f.Status.String(),
		Check:          escape.Text(f.Check),
		Control:        escape.Text(f.Control),
		Resource:       tr.plain(f.Resource),
		Principal:      tr.plain(explain.Text(f.Principal, lang)),
		ResourceShort:  tr.plain(shortARN(f.Resource, f.Account)),
		PrincipalShort: tr.plain(explain.Text(shortARN(f.Principal, f.Account), lang)),
		Policy:         tr.plain(explain.PolicyLabel(f.Policy, lang)),
		Statement:      escape.Text(statementText(f.Statement)),
		Sid:            escape.Text(sidOf(f.Statement)),
		Source:         escape.Text(sourceText(f.Source)),
		Message:        tr.say(f.Message),
	}
	if r.Lang != checks.Japanese {
		fv.Tag = strings.ToUpper(f.Severity.String())
		if int(f.Severity) < len(l.SeverityTagNames) {
			fv.Tag = l.SeverityTagNames[f.Severity]
		}
	}
	for _, e := range f.Explanation {
		fv.Explanation = append(fv.Explanation, tr.say(e))
	}
	for _, m := range f.Missing {
		fv.Missing = append(fv.Missing, tr.sentence(explain.Reason(m, lang)))
	}
	if c := r.check(f.Check); c != nil {
		fv.Title = escape.Text(c.Title.In(r.Lang))
	}
	if f.Remediation != nil {
		rv := newRemediationView(tr, f.Remediation, false)
		fv.Remediation = &rv
	}
	return fv
}

func newRemediationView(tr *translator, rem *checks.Remediation, alternative bool) remediationView {
	l := tr.l
	summary := rem.Summary.In(tr.lang)
	if alternative {
		summary = alternativePrefix.ReplaceAllString(summary, "")
	}
	rv := remediationView{
		ID:        escape.Text(rem.ID),
		Summary:   tr.sentence(summary),
		CLI:       tr.code(rem.CLI),
		Terraform: tr.code(rem.Terraform),
		Verified:  rem.Verified,
	}
	if p := rem.Proof; p != nil {
		for i, c := range []checks.Claim{p.Valid, p.Effective, p.Minimal, p.Safe} {
			rv.Proof = append(rv.Proof, claimView{Name: l.ClaimNames[i], Holds: c.Holds, Why: tr.say(c.Why)})
		}
	}
	for _, e := range rem.Edits {
		ev := editView{
			Action:      escape.Text(e.Action),
			Target:      tr.plain(e.Target),
			TargetShort: tr.plain(resourcePart(e.Target)),
			Name:        escape.Text(e.Name),
			Description: tr.say(e.Description),
			Document:    escape.Block(indentJSON(e.Document)),
		}
		if len(e.Statements) > 0 {
			var ns []string
			for _, n := range e.Statements {
				ns = append(ns, "#"+strconv.Itoa(n))
			}
			ev.Statements = strings.Join(ns, ", ")
		}
		rv.Edits = append(rv.Edits, ev)
	}
	group := map[[4]string]int{}
	for _, d := range rem.Diff {
		removed := grants(d.Before) && !grants(d.After)
		if removed {
			rv.Removed++
		} else if grants(d.After) && !grants(d.Before) {
			rv.Added++
		}
		k := [4]string{d.Principal, d.Key, d.Before, d.After}
		if i, ok := group[k]; ok {
			rv.Diff[i].Actions += ", " + escape.Text(d.Action)
			continue
		}
		group[k] = len(rv.Diff)
		rv.Diff = append(rv.Diff, diffView{
			Principal: tr.plain(explain.Text(d.Principal, string(tr.lang))),
			Key:       tr.plain(d.Key),
			KeyShort:  tr.plain(resourcePart(d.Key)),
			Actions:   escape.Text(d.Action),
			Before:    tr.decision(d.Before),
			After:     tr.decision(d.After),
			Removed:   removed,
		})
	}
	for _, ph := range rem.Placeholders {
		pv := placeholderView{Name: escape.Text(ph.Name), Note: tr.say(ph.Note)}
		for _, c := range ph.Candidates {
			pv.Candidates = append(pv.Candidates, tr.plain(c))
		}
		rv.Placeholders = append(rv.Placeholders, pv)
	}
	for _, step := range rem.Console {
		rv.Console = append(rv.Console, tr.say(step))
	}
	for i := range rem.Alternatives {
		rv.Alternatives = append(rv.Alternatives, newRemediationView(tr, &rem.Alternatives[i], true))
	}
	return rv
}

// grants reports whether a decision of an access diff gives access:
// "Allow", and "Allow (conditional)".
func grants(decision string) bool { return strings.HasPrefix(decision, "Allow") }

// decision names a decision of an access diff in the report's language.
func (tr *translator) decision(d string) string {
	if tr.lang != checks.Japanese {
		return escape.Text(d)
	}
	switch d {
	case "Allow":
		return "許可"
	case "Allow (conditional)":
		return "条件付きで許可"
	case "ImplicitDeny":
		return "暗黙的な拒否"
	case "ExplicitDeny":
		return "明示的な拒否"
	case "Unknown":
		return "判定不能"
	}
	return escape.Text(d)
}

// indentJSON writes a document indented by two spaces; a document that
// is not JSON is written as it is.
func indentJSON(doc json.RawMessage) string {
	if len(doc) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, doc, "", "  "); err != nil {
		return string(doc)
	}
	return b.String()
}

// shortARN names an ARN by its resource part ("key/1234…", "role/app",
// "policy/KMSFullAccess"), with the account first when it is not the
// finding's ("444455556666:root"). Other values are kept.
func shortARN(s, account string) string {
	if !strings.HasPrefix(s, "arn:") {
		return s
	}
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[5] == "" {
		return s
	}
	if f[4] != "" && f[4] != account {
		return f[4] + ":" + f[5]
	}
	return f[5]
}

// resourcePart is the part of an ARN after its account ("key/1234…");
// other values are kept.
func resourcePart(s string) string {
	if f := strings.SplitN(s, ":", 6); len(f) == 6 && f[0] == "arn" && f[5] != "" {
		return f[5]
	}
	return s
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

func sidOf(s *checks.Statement) string {
	if s == nil {
		return ""
	}
	return s.Sid
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
		out = append(out, explain.Text(t.In(lang), string(lang)))
	}
	return out
}
