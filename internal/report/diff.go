package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/diff"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/verify"
)

// DiffVersion is the version of the JSON written by diff
// (docs/diff-json.md). It changes only when a field changes meaning or
// is removed.
const DiffVersion = 1

// A DiffReport is the comparison of two inputs, ready to be written in
// any format.
type DiffReport struct {
	Tool        Tool
	GeneratedAt time.Time
	Old, New    Input
	Lang        checks.Lang
	Result      *diff.Result
}

func (r *DiffReport) tool() Tool {
	return (&VerifyReport{Tool: r.Tool}).tool()
}

// changeText says what changed, in one line.
func changeText(l *codeLabels, c *diff.Change) string {
	acts := actionsText(c.Actions)
	switch c.Kind {
	case diff.Gained:
		return fmt.Sprintf(l.GainedF, c.Name(), acts, c.KeyName)
	case diff.Lost:
		return fmt.Sprintf(l.LostF, c.Name(), acts, c.KeyName)
	case diff.Changed:
		return fmt.Sprintf(l.ChangedF, c.Name(), acts, c.KeyName)
	}
	return fmt.Sprintf(l.UnknownF, c.Name(), acts, c.KeyName) + " (" + statesText(c.Old) + " → " + statesText(c.New) + ")"
}

// statesText summarizes the states of a change's actions.
func statesText(ss []diff.State) string {
	var seen []string
	for _, s := range ss {
		if !containsText(seen, string(s.Access)) {
			seen = append(seen, string(s.Access))
		}
	}
	return strings.Join(seen, "/")
}

func s3Text(l *codeLabels, c *diff.S3Change) string {
	return fmt.Sprintf(l.S3F, c.Principal, c.Operation, c.Bucket, l.decisionLabel(c.Old.Decision, c.Old.Conditional), l.decisionLabel(c.New.Decision, c.New.Conditional))
}

func findingLine(lang checks.Lang, f *checks.Finding) string {
	s := "[" + strings.ToUpper(f.Severity.String()) + "] " + f.Check + "  " + f.Resource
	if f.Principal != "" {
		s += "  " + f.Principal
	}
	return s + ": " + f.Message.In(lang)
}

// diffSections are the kinds of change in the order reports give them.
var diffSections = []diff.Kind{diff.Gained, diff.Lost, diff.Changed, diff.Undecided}

func sectionTitle(l *codeLabels, k diff.Kind) string {
	switch k {
	case diff.Gained:
		return l.Gained
	case diff.Lost:
		return l.Lost
	case diff.Changed:
		return l.Changed
	}
	return l.Unknowns
}

// WriteDiffText writes the comparison for a person: the summary, the
// keys added and removed, each kind of change with its explanation, the
// S3 operations that changed, and the new and resolved findings.
func WriteDiffText(w io.Writer, r *DiffReport) error {
	l := codeLabelsFor(r.Lang)
	ew := &errWriter{w: w, planned: l.lang}
	t := r.tool()
	title := l.DiffTitle
	if t.Version != "" {
		title += " (" + t.Name + " " + t.Version + ")"
	}
	ew.printf("%s\n", title)
	col := labelColumn(l.Old, l.New, l.Generated)
	ew.printf("%s%s\n", col(l.Old), escape.Text(r.Old.Description))
	ew.printf("%s%s\n", col(l.New), escape.Text(r.New.Description))
	if !r.GeneratedAt.IsZero() {
		ew.printf("%s%s\n", col(l.Generated), formatTime(r.GeneratedAt))
	}
	res := r.Result
	ew.printf("\n%s: %s\n", l.Summary, fmt.Sprintf(l.DiffSummaryF, res.Count(diff.Gained), res.Count(diff.Lost), res.Count(diff.Changed), res.Count(diff.Undecided)))
	if fs := res.Findings; fs != nil {
		ew.printf("%s  %s\n", strings.Repeat(" ", len(l.Summary)), fmt.Sprintf(l.FindingsSummaryF, len(fs.New), len(fs.Resolved), len(fs.Unchanged)))
	}
	keys := func(title string, ks []diff.KeyRef) {
		if len(ks) == 0 {
			return
		}
		ew.printf("\n== %s (%d) ==\n\n", title, len(ks))
		for _, k := range ks {
			ew.printf("- %s  %s\n", escape.Text(k.Name), k.ARN)
		}
	}
	keys(l.KeysAdded, res.KeysAdded)
	keys(l.KeysRemoved, res.KeysRemoved)
	if len(res.Changes) == 0 {
		ew.printf("\n%s\n", l.NoChange)
	}
	for _, k := range diffSections {
		n := res.Count(k)
		if n == 0 {
			continue
		}
		ew.printf("\n== %s (%d) ==\n", sectionTitle(l, k), n)
		for i := range res.Changes {
			c := &res.Changes[i]
			if c.Kind != k {
				continue
			}
			ew.printf("\n- %s\n    %s\n", escape.Text(changeText(l, c)), c.Key)
			writeExplanationsText(ew, l, l.Was, c.Was, c.Key)
			writeExplanationsText(ew, l, l.Now, c.Now, c.Key)
		}
	}
	if len(res.S3) > 0 {
		ew.printf("\n== %s (%d) ==\n", l.S3, len(res.S3))
		for i := range res.S3 {
			c := &res.S3[i]
			ew.printf("\n- %s\n    %s: %s\n", escape.Text(s3Text(l, c)), l.Now, escape.Text(c.New.Summary))
		}
	}
	if fs := res.Findings; fs != nil {
		for _, sec := range []struct {
			title string
			list  []checks.Finding
		}{{l.NewFindings, fs.New}, {l.ResolvedFindings, fs.Resolved}} {
			if len(sec.list) == 0 {
				continue
			}
			ew.printf("\n== %s (%d) ==\n\n", sec.title, len(sec.list))
			for i := range sec.list {
				ew.printf("- %s\n", escape.Text(findingLine(r.Lang, &sec.list[i])))
			}
		}
	}
	return ew.err
}

func writeExplanationsText(ew *errWriter, l *codeLabels, label string, es []verify.Explanation, key string) {
	for _, e := range es {
		head := label
		if len(es) > 1 {
			head += " [" + actionsText(e.Actions) + "]"
		}
		lines := explanationLines(l, &e, key)
		if len(lines) == 0 {
			continue
		}
		ew.printf("    %s: %s\n", head, escape.Text(lines[0]))
		for _, line := range lines[1:] {
			ew.printf("      %s\n", escape.Text(line))
		}
	}
}

// The JSON of diff (docs/diff-json.md). Field order is the schema's.
type (
	diffJSON struct {
		Version     int              `json:"version"`
		Kind        string           `json:"kind"`
		Tool        jsonTool         `json:"tool"`
		GeneratedAt string           `json:"generatedAt,omitempty"`
		Old         string           `json:"old"`
		New         string           `json:"new"`
		Lang        string           `json:"lang"`
		Summary     diffSummaryJSON  `json:"summary"`
		KeysAdded   []diff.KeyRef    `json:"keysAdded"`
		KeysRemoved []diff.KeyRef    `json:"keysRemoved"`
		Changes     []changeJSON     `json:"changes"`
		S3          []s3ChangeJSON   `json:"s3"`
		Findings    *diffFindingJSON `json:"findings"`
	}
	diffSummaryJSON struct {
		Gained    int  `json:"gained"`
		Lost      int  `json:"lost"`
		Changed   int  `json:"changed"`
		Unknown   int  `json:"unknown"`
		New       *int `json:"newFindings,omitempty"`
		Resolved  *int `json:"resolvedFindings,omitempty"`
		Unchanged *int `json:"unchangedFindings,omitempty"`
	}
	changeJSON struct {
		Kind        diff.Kind         `json:"kind"`
		Message     string            `json:"message"`
		Principal   string            `json:"principal,omitempty"`
		Symbol      *engine.Symbol    `json:"symbol,omitempty"`
		PrincipalOf string            `json:"principalKind"`
		Description string            `json:"description,omitempty"`
		Key         string            `json:"key"`
		KeyName     string            `json:"keyName"`
		Actions     []string          `json:"actions"`
		Old         []diff.State      `json:"old"`
		New         []diff.State      `json:"new"`
		Was         []explanationJSON `json:"was"`
		Now         []explanationJSON `json:"now"`
	}
	s3ChangeJSON struct {
		Principal   string        `json:"principal"`
		Description string        `json:"description,omitempty"`
		Operation   string        `json:"operation"`
		Bucket      string        `json:"bucket"`
		Object      string        `json:"object"`
		Key         string        `json:"key"`
		KeyName     string        `json:"keyName"`
		Old         diff.S3Answer `json:"old"`
		New         diff.S3Answer `json:"new"`
	}
	diffFindingJSON struct {
		New       []jsonFinding `json:"new"`
		Resolved  []jsonFinding `json:"resolved"`
		Unchanged []jsonFinding `json:"unchanged"`
	}
)

func explanationsJSON(es []verify.Explanation) []explanationJSON {
	out := []explanationJSON{}
	for _, e := range es {
		reasons := e.Reasons
		if reasons == nil {
			reasons = []engine.Reason{}
		}
		out = append(out, explanationJSON{Actions: e.Actions, Decision: e.Decision, Rule: e.Rule, Conditional: e.Conditional,
			Conditions: e.Conditions, Unless: e.Unless, Summary: e.Summary, Reasons: reasons, Missing: e.Missing})
	}
	return out
}

// WriteDiffJSON writes the comparison as versioned JSON.
func WriteDiffJSON(w io.Writer, r *DiffReport) error {
	l := codeLabelsFor(r.Lang)
	t := r.tool()
	res := r.Result
	out := diffJSON{
		Version: DiffVersion, Kind: "diff", Tool: jsonTool(t),
		Old: r.Old.Description, New: r.New.Description, Lang: string(langOr(r.Lang)),
		Summary:   diffSummaryJSON{Gained: res.Count(diff.Gained), Lost: res.Count(diff.Lost), Changed: res.Count(diff.Changed), Unknown: res.Count(diff.Undecided)},
		KeysAdded: nonNilKeys(res.KeysAdded), KeysRemoved: nonNilKeys(res.KeysRemoved), Changes: []changeJSON{}, S3: []s3ChangeJSON{},
	}
	if !r.GeneratedAt.IsZero() {
		out.GeneratedAt = formatTime(r.GeneratedAt)
	}
	for i := range res.Changes {
		c := &res.Changes[i]
		out.Changes = append(out.Changes, changeJSON{Kind: c.Kind, Message: changeText(l, c), Principal: c.Principal, Symbol: c.Symbol,
			PrincipalOf: string(c.PrincipalOf), Description: c.Description, Key: c.Key, KeyName: c.KeyName, Actions: c.Actions,
			Old: c.Old, New: c.New, Was: explanationsJSON(c.Was), Now: explanationsJSON(c.Now)})
	}
	for i := range res.S3 {
		c := &res.S3[i]
		out.S3 = append(out.S3, s3ChangeJSON{Principal: c.Principal, Description: c.Description, Operation: c.Operation, Bucket: c.Bucket,
			Object: c.Object, Key: c.Key, KeyName: c.KeyName, Old: c.Old, New: c.New})
	}
	if fs := res.Findings; fs != nil {
		n, rs, u := len(fs.New), len(fs.Resolved), len(fs.Unchanged)
		out.Summary.New, out.Summary.Resolved, out.Summary.Unchanged = &n, &rs, &u
		rep := &Report{Lang: r.Lang}
		conv := func(list []checks.Finding) []jsonFinding {
			js := []jsonFinding{}
			for i := range list {
				js = append(js, newJSONFinding(rep, &list[i]))
			}
			return js
		}
		out.Findings = &diffFindingJSON{New: conv(fs.New), Resolved: conv(fs.Resolved), Unchanged: conv(fs.Unchanged)}
	}
	return encodeJSON(w, out)
}

func nonNilKeys(ks []diff.KeyRef) []diff.KeyRef {
	if ks == nil {
		return []diff.KeyRef{}
	}
	return ks
}

// WriteDiffMarkdown writes the comparison as Markdown for a pull-request
// comment: the summary, then the changes of each kind in a table, folded
// explanations, the S3 operations and the new and resolved findings.
func WriteDiffMarkdown(w io.Writer, r *DiffReport) error {
	l := codeLabelsFor(r.Lang)
	ew := &errWriter{w: w, planned: l.lang}
	res := r.Result
	ew.printf("### %s: %s\n\n", l.md(l.DiffTitle), l.md(fmt.Sprintf(l.DiffSummaryF, res.Count(diff.Gained), res.Count(diff.Lost), res.Count(diff.Changed), res.Count(diff.Undecided))))
	if fs := res.Findings; fs != nil {
		ew.printf("%s\n\n", l.md(fmt.Sprintf(l.FindingsSummaryF, len(fs.New), len(fs.Resolved), len(fs.Unchanged))))
	}
	ew.printf("%s: %s → %s: %s\n", l.md(l.Old), l.code(r.Old.Description), l.md(l.New), l.code(r.New.Description))
	for _, sec := range []struct {
		title string
		ks    []diff.KeyRef
	}{{l.KeysAdded, res.KeysAdded}, {l.KeysRemoved, res.KeysRemoved}} {
		if len(sec.ks) == 0 {
			continue
		}
		ew.printf("\n#### %s (%d)\n\n", l.md(sec.title), len(sec.ks))
		for _, k := range sec.ks {
			ew.printf("- %s %s\n", l.code(k.Name), l.code(k.ARN))
		}
	}
	for _, k := range diffSections {
		n := res.Count(k)
		if n == 0 {
			continue
		}
		ew.printf("\n#### %s (%d)\n\n| principal | key | operations |\n|---|---|---|\n", l.md(sectionTitle(l, k)), n)
		shown := 0
		for i := range res.Changes {
			c := &res.Changes[i]
			if c.Kind != k {
				continue
			}
			if shown == markdownLimit*5 {
				ew.printf("| %s | | |\n", l.md(fmt.Sprintf(l.MoreF, n-shown)))
				break
			}
			shown++
			ew.printf("| %s | %s | %s |\n", l.md(c.Name()), l.code(c.KeyName), l.md(actionsText(c.Actions)))
		}
		ew.printf("\n<details><summary>%s</summary>\n\n", l.md(l.Why(k)))
		shown = 0
		for i := range res.Changes {
			c := &res.Changes[i]
			if c.Kind != k {
				continue
			}
			if shown == markdownLimit {
				ew.printf("- %s\n", l.md(fmt.Sprintf(l.MoreF, n-shown)))
				break
			}
			shown++
			ew.printf("- %s\n", l.md(changeText(l, c)))
			for _, sec := range []struct {
				label string
				es    []verify.Explanation
			}{{l.Was, c.Was}, {l.Now, c.Now}} {
				for _, e := range sec.es {
					lines := explanationLines(l, &e, c.Key)
					for j, line := range lines {
						if j == 0 {
							line = sec.label + ": " + line
						}
						ew.printf("  - %s\n", l.md(strings.TrimPrefix(line, "- ")))
					}
				}
			}
		}
		ew.printf("\n</details>\n")
	}
	if len(res.S3) > 0 {
		ew.printf("\n#### %s (%d)\n\n", l.md(l.S3), len(res.S3))
		for i := range res.S3 {
			ew.printf("- %s\n", l.md(s3Text(l, &res.S3[i])))
		}
	}
	if fs := res.Findings; fs != nil {
		for _, sec := range []struct {
			title string
			list  []checks.Finding
		}{{l.NewFindings, fs.New}, {l.ResolvedFindings, fs.Resolved}} {
			if len(sec.list) == 0 {
				continue
			}
			ew.printf("\n#### %s (%d)\n\n", l.md(sec.title), len(sec.list))
			for i := range sec.list {
				f := &sec.list[i]
				ew.printf("- **%s** %s %s: %s\n", l.md(strings.ToUpper(f.Severity.String())), l.code(f.Check), l.code(f.Resource), l.md(f.Message.In(r.Lang)))
			}
		}
	}
	return ew.err
}

// Why is the heading of a section's explanations.
func (l *codeLabels) Why(k diff.Kind) string {
	return sectionTitle(l, k) + ": " + l.WhyWord
}

// WriteDiffSARIF writes what the change adds, for code scanning: the new
// findings (as scan writes them, with the same rules and fingerprints)
// and one result per principal and key that gained access, under the
// rule "access-gained". Lost access and resolved findings are left out:
// code scanning closes an alert when a later upload no longer has it.
func WriteDiffSARIF(w io.Writer, r *DiffReport) error {
	l := codeLabelsFor(r.Lang)
	rep := &Report{Tool: r.Tool, GeneratedAt: r.GeneratedAt, Input: r.New, Lang: r.Lang}
	if fs := r.Result.Findings; fs != nil {
		rep.Findings = fs.New
		seen := map[string]bool{}
		for _, f := range fs.New {
			if c, ok := checks.Lookup(f.Check); ok && !seen[f.Check] {
				seen[f.Check] = true
				rep.Checks = append(rep.Checks, c)
			}
		}
	}
	if rep.Tool.Name == "" {
		rep.Tool.Name = defaultToolName
	}
	if rep.Tool.InformationURI == "" {
		rep.Tool.InformationURI = defaultToolURI
	}
	log := sarifLog(rep)
	run := log.Runs[0]
	if run.Results == nil {
		run.Results = []*sarif.Result{}
	}
	gained := 0
	for i := range r.Result.Changes {
		if r.Result.Changes[i].Kind == diff.Gained {
			gained++
		}
	}
	if gained > 0 {
		props := sarif.NewPropertyBag().WithTags([]string{"security", "aws", "kms", "access"})
		props.Add("security-severity", "5.5")
		props.Add("problem.severity", "warning")
		index := len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarif.NewRule("access-gained").
			WithName("AccessGained").
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(l.Gained)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText("A principal can perform KMS operations on a key that it could not before.")).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarif.LevelWarning)).
			WithProperties(props))
		p := r.New.Path
		if p == "" {
			p = "."
		}
		for i := range r.Result.Changes {
			c := &r.Result.Changes[i]
			if c.Kind != diff.Gained {
				continue
			}
			msg := changeText(l, c)
			if len(c.Now) > 0 {
				msg += ": " + c.Now[0].Summary
			}
			res := sarif.NewRuleResult("access-gained").WithRuleIndex(index).WithLevel(sarif.LevelWarning).WithMessage(sarif.NewTextMessage(inventory.DescribePlanned(msg, l.lang)))
			res.PartialFingerprints = map[string]string{"primaryLocationLineHash": changeFingerprint(c)}
			// The key policy's line when the input has it (a template,
			// Terraform sources): the pull request is annotated there.
			phys := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(fileURI(p)))
			if src := c.Source; src != nil {
				phys = sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(fileURI(src.File)))
				if src.Line > 0 {
					phys.WithRegion(sarif.NewRegion().WithStartLine(src.Line))
				}
			}
			loc := sarif.NewLocation().WithPhysicalLocation(phys)
			loc.AddLogicalLocation(sarif.NewLogicalLocation().WithFullyQualifiedName(c.Key).WithKind("resource"))
			if src := c.Source; src != nil && src.Path != "" {
				loc.AddLogicalLocation(sarif.NewLogicalLocation().WithFullyQualifiedName(src.Path).WithKind("member"))
			}
			res.AddLocation(loc)
			rp := sarif.NewPropertyBag()
			rp.Add("principal", c.Name())
			rp.Add("actions", c.Actions)
			rp.Add("explanation", explanationsJSON(c.Now))
			res.WithProperties(rp)
			run.AddResult(res)
		}
	}
	return writeSARIFLog(w, log)
}

func changeFingerprint(c *diff.Change) string {
	h := sha256.New()
	for _, s := range []string{"keywarden-diff/v1", string(c.Kind), c.Name(), c.Key, strings.Join(c.Actions, ",")} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
