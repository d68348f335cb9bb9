package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/spf13/cobra"
)

const checksLong = `Checks lists the check catalogue that scan runs, and explains each check:
what it looks at, why a failure matters, and the AWS documentation behind it.
The same text is in docs/checks.md and in every report.`

// checksOptions are the inputs of the checks subcommands.
type checksOptions struct {
	streams
	Lang string
}

func newChecksCmd(s streams) *cobra.Command {
	opts := &checksOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List and explain the checks scan runs",
		Long:  checksLong,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &UsageError{Command: cmd.CommandPath(), Err: fmt.Errorf("unknown command %q for %q (want list or explain)", args[0], cmd.CommandPath())}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&opts.Lang, "lang", "en", "language: en or ja")

	list := &cobra.Command{
		Use:     "list",
		Short:   "List every check: ID, severity, Security Hub control and title",
		Example: "  keywarden checks list\n  keywarden checks list --lang ja",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return &UsageError{Command: cmd.CommandPath(), Err: fmt.Errorf("checks list takes no arguments (got %q)", args[0])}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			lang, err := checksLang(cmd.CommandPath(), opts.Lang)
			if err != nil {
				return err
			}
			return writeCheckList(opts.Out, checks.All(), lang)
		},
	}
	explain := &cobra.Command{
		Use:     "explain ID",
		Short:   "Explain one check",
		Example: "  keywarden checks explain key-rotation-disabled\n  keywarden checks explain key-public --lang ja",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return &UsageError{Command: cmd.CommandPath(), Err: errors.New("checks explain needs one check ID ('keywarden checks list' lists them)")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			lang, err := checksLang(cmd.CommandPath(), opts.Lang)
			if err != nil {
				return err
			}
			c, ok := checks.Lookup(args[0])
			if !ok {
				return &UsageError{Command: cmd.CommandPath(), Err: fmt.Errorf("unknown check %q; the checks are: %s", args[0], strings.Join(checkIDs(), ", "))}
			}
			return writeCheckExplanation(opts.Out, c, lang)
		},
	}
	cmd.AddCommand(list, explain)
	return cmd
}

func checksLang(cmdPath, s string) (checks.Lang, error) {
	l, err := checks.ParseLang(s)
	if err != nil {
		return "", &UsageError{Command: cmdPath, Err: fmt.Errorf("--lang: %v", err)}
	}
	return l, nil
}

// checkWords are the fixed words of list and explain in one language.
type checkWords struct {
	// The column headings of list.
	id, severity, control, title string
	// The labels of explain.
	severityLabel, controlLabel, description, risk, references string
	none                                                       string
	// severities names the severities, lowest first; empty means their
	// own names (info … critical), which --fail-on takes.
	severities [5]string
}

// severityName names a severity in the words' language, with the name
// --fail-on takes when that is not the same: "高 (high)".
func (w checkWords) severityName(s checks.Severity) string {
	if int(s) < len(w.severities) && w.severities[s] != "" {
		return w.severities[s] + " (" + s.String() + ")"
	}
	return s.String()
}

var checkWordsByLang = map[checks.Lang]checkWords{
	checks.English: {
		id: "ID", severity: "SEVERITY", control: "CONTROL", title: "TITLE",
		severityLabel: "Severity", controlLabel: "Security Hub control", description: "What it checks",
		risk: "Why it matters", references: "References", none: "-",
	},
	checks.Japanese: {
		id: "ID", severity: "重大度", control: "コントロール", title: "タイトル",
		severityLabel: "重大度", controlLabel: "Security Hub コントロール", description: "確認内容",
		risk: "リスク", references: "参考資料", none: "-",
		severities: [5]string{"情報", "低", "中", "高", "緊急"},
	},
}

// writeCheckList prints one line per check in columns. The title comes
// last, so that its width never shifts another column.
func writeCheckList(w io.Writer, cs []*checks.Check, lang checks.Lang) error {
	words := checkWordsByLang[lang]
	control := func(c *checks.Check) string {
		if c.Control == "" {
			return words.none
		}
		return c.Control
	}
	idW, sevW, ctlW := columns(words.id), columns(words.severity), columns(words.control)
	for _, c := range cs {
		idW = max(idW, columns(c.ID))
		sevW = max(sevW, columns(words.severityName(c.Severity)))
		ctlW = max(ctlW, columns(control(c)))
	}
	b := bufio.NewWriter(w)
	row := func(id, sev, ctl, title string) {
		fmt.Fprintf(b, "%s  %s  %s  %s\n", escape.Args(pad(id, idW), pad(sev, sevW), pad(ctl, ctlW), title)...)
	}
	row(words.id, words.severity, words.control, words.title)
	for _, c := range cs {
		row(c.ID, words.severityName(c.Severity), control(c), c.Title.In(lang))
	}
	return b.Flush()
}

// columns is the width of s in a terminal, counting the wide (East Asian)
// characters of the Japanese headings as two columns.
func columns(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x1100 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// pad fills s with spaces to width terminal columns.
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-columns(s)))
}

// writeCheckExplanation prints everything the catalogue says of a check.
func writeCheckExplanation(w io.Writer, c *checks.Check, lang checks.Lang) error {
	words := checkWordsByLang[lang]
	ctl := c.Control
	if ctl == "" {
		ctl = words.none
	}
	b := bufio.NewWriter(w)
	// The catalogue is keywarden's own text; it is escaped all the same,
	// as every text output is.
	fmt.Fprintf(b, "%s: %s\n\n", escape.Args(c.ID, c.Title.In(lang))...)
	fmt.Fprintf(b, "%s: %s\n%s: %s\n\n", escape.Args(words.severityLabel, words.severityName(c.Severity), words.controlLabel, ctl)...)
	fmt.Fprintf(b, "%s:\n  %s\n\n", escape.Args(words.description, c.Description.In(lang))...)
	fmt.Fprintf(b, "%s:\n  %s\n\n", escape.Args(words.risk, c.Risk.In(lang))...)
	fmt.Fprintf(b, "%s:\n", escape.Text(words.references))
	for _, r := range c.References {
		fmt.Fprintf(b, "  %s\n", escape.Text(r))
	}
	return b.Flush()
}
