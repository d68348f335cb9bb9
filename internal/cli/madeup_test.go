package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/awscli"
)

// madeUp are the marks of principals, accounts and keys that do not exist:
// the stand-ins older versions evaluated and then printed. Symbolic
// principals are printed as what they are ("anyone outside organization
// o-…"), never as an ARN.
var madeUp = []string{"000000000000", "999999999999", "keywarden-any-principal", "keywarden-outsider",
	"keywarden-iam-principal", "keywarden-probe", "o-zzzzzzzzzz", ":role/*", "AROAKEYWARDEN", "AIDAKEYWARDEN"}

// TestNoMadeUpPrincipals runs every command that prints answers over every
// bundled example account and fails on any made-up identifier.
func TestNoMadeUpPrincipals(t *testing.T) {
	t.Parallel()
	inputs := []string{"../../examples/scan-account", "../../examples/account/setting1", "../../examples/account/setting2", "../../examples/account/setting3"}
	run := func(t *testing.T, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := Main(context.Background(), args, strings.NewReader(""), &out, &errOut); code == ExitError {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		return out.String() + errOut.String()
	}
	for _, in := range inputs {
		t.Run(strings.TrimPrefix(in, "../../examples/"), func(t *testing.T) {
			t.Parallel()
			var outputs []string
			for _, f := range []string{"text", "json", "sarif", "html"} {
				outputs = append(outputs, run(t, "scan", "--input", in, "--format", f))
			}
			for _, f := range []string{"text", "json", "csv"} {
				outputs = append(outputs, run(t, "access", "--input", in, "--format", f, "--include-aws-managed"))
			}
			snap, _, err := awscli.Import(in, awscli.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ix, err := access.New(snap)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range ix.Keys() {
				for _, a := range []string{"kms:Decrypt", "kms:PutKeyPolicy", "kms:CreateGrant"} {
					for _, f := range []string{"text", "json"} {
						outputs = append(outputs, run(t, "who-can", a, k.ARN, "--input", in, "--format", f))
					}
				}
				for _, p := range ix.Principals() {
					outputs = append(outputs, run(t, "can", p.ARN, "kms:Decrypt", k.ARN, "--input", in, "--format", "json"))
				}
			}
			for _, out := range outputs {
				for _, m := range madeUp {
					if i := strings.Index(out, m); i >= 0 {
						t.Errorf("made-up %q in output: …%s…", m, out[max(0, i-120):min(len(out), i+80)])
						break
					}
				}
			}
		})
	}
}
