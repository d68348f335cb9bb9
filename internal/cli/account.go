package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awscli"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/spf13/cobra"
)

// accountFlags choose where an account comes from: an AWS CLI export, a
// snapshot file, a Terraform plan or CloudFormation templates (iac.go), or
// (with none) the live account.
type accountFlags struct {
	Input    string
	Snapshot string
	live     liveFlags
	iac      iacFlags
}

func (f *accountFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.Input, "input", "", "read an AWS CLI export directory (see scripts/export-aws-cli.sh)")
	cmd.Flags().StringVar(&f.Snapshot, "snapshot", "", "read a snapshot file written by 'keywarden collect'")
	f.live.register(cmd)
	f.iac.register(cmd)
}

// load reads the account and reports the export's warnings on stderr.
func (f *accountFlags) load(ctx context.Context, s streams, cmdPath string) (*inventory.Snapshot, string, error) {
	if err := f.checkIaC(); err != nil {
		return nil, "", &UsageError{Command: cmdPath, Err: err}
	}
	switch {
	case f.Input != "" && f.Snapshot != "":
		return nil, "", &UsageError{Command: cmdPath, Err: errors.New("--input and --snapshot exclude each other")}
	case f.iac.active():
		return f.loadIaC(s)
	case f.Input != "":
		snap, warnings, err := awscli.Import(f.Input, awscli.Options{ToolVersion: Version()})
		if err != nil {
			return nil, "", &InputError{Err: err}
		}
		for _, w := range warnings {
			fmt.Fprintf(s.Err, "keywarden: warning: %s\n", escape.Text(w.String()))
		}
		return snap, f.Input, nil
	case f.Snapshot != "":
		snap, err := inventory.Load(f.Snapshot)
		if err != nil {
			return nil, "", &InputError{Err: err}
		}
		return snap, f.Snapshot, nil
	}
	snap, err := f.live.collect(ctx, s, cmdPath)
	if err != nil {
		return nil, "", err
	}
	return snap, "live account", nil
}

// index loads the account and prepares it for questions.
func (f *accountFlags) index(ctx context.Context, s streams, cmdPath string) (*access.Index, string, error) {
	snap, src, err := f.load(ctx, s, cmdPath)
	if err != nil {
		return nil, "", err
	}
	ix, err := access.New(snap)
	if err != nil {
		return nil, "", &InputError{Err: fmt.Errorf("%s: %w", src, err)}
	}
	return ix, src, nil
}

// parseContext reads --context key=value flags; a value with commas
// becomes a list only when the key is given as key=[a,b].
func parseContext(kvs []string) (map[string]engine.Value, error) {
	m := map[string]engine.Value{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--context %q: want key=value (or key=[a,b] for a list)", kv)
		}
		if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
			var items []string
			if inner := v[1 : len(v)-1]; inner != "" {
				items = strings.Split(inner, ",")
			}
			m[k] = engine.Value{Strings: items, List: true}
			continue
		}
		m[k] = engine.Value{Strings: []string{v}}
	}
	return m, nil
}
