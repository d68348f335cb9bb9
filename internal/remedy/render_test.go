package remedy

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/zclconf/go-cty/cty"
)

// hostile are values an account's owner controls that reach commands and
// snippets: IAM paths may hold $, backticks and parentheses; names and
// Sids anything an input lets through.
var hostile = []string{
	"plain",
	"it's",
	`dq"uote`,
	"$(touch /tmp/keywarden-pwned)",
	"`id`",
	"${HOME}",
	"%{ if true }x%{ endif }",
	`back\slash`,
	"semi;colon && echo",
	"new\nline",
	"esc\x1b[2Jclear",
	"bidi\u202eevil",
	"tab\there",
	"(paren) [bracket] {brace} *star* ?q !bang #hash ~tilde",
	"$'ansi'",
	"$$${",
}

// hostilePlan is a plan of every kind of operation, every value of it
// hostile.
func hostilePlan(t *testing.T, v string) (*Plan, []string) {
	t.Helper()
	p := &Plan{}
	keyARN := "arn:aws:kms:us-east-1:111122223333:key/" + v
	inv := &inventory.Key{ARN: keyARN, ID: v, Region: "us-" + v, Account: "111122223333", Aliases: []string{"alias/" + v},
		Metadata: &inventory.KeyMetadata{State: "PendingDeletion"}}
	k := &access.Key{Inv: inv, ARN: keyARN}
	kd := NewDoc(policy.Resource)
	kd.Add(&Stmt{From: -1, Sid: "S " + v, Effect: policy.Allow, Principal: &Principal{AWS: []string{"arn:aws:iam::111122223333:role/" + v}},
		Action: []string{"kms:Decrypt"}, Resource: []string{"*"}, Cond: []Cond{{Op: "StringEquals", Key: "kms:EncryptionContext:" + v, Values: []string{v}}}})
	p.ops = append(p.ops, &putKeyPolicy{key: k, doc: kd, says: []msg.Text{msg.Same(v)}})
	owner := Owner{Kind: "role", Name: v, ARN: "arn:aws:iam::111122223333:role/path/" + v}
	id := NewDoc(policy.Identity)
	id.Add(&Stmt{From: -1, Sid: "UseKey", Effect: policy.Allow, Action: []string{"kms:Decrypt"}, Resource: []string{keyARN}})
	p.ops = append(p.ops, &inlinePolicy{owner: owner, name: v, doc: id})
	p.ops = append(p.ops, &inlinePolicy{owner: Owner{Kind: "user", Name: v, ARN: "arn:aws:iam::111122223333:user/" + v}, name: v, old: &policy.Document{}, doc: NewDoc(policy.Identity)})
	mp := &inventory.ManagedPolicy{ARN: "arn:aws:iam::111122223333:policy/" + v + "/" + v, Name: v, Path: "/" + v + "/",
		Versions: []inventory.PolicyVersion{{ID: "v1", Default: true}, {ID: v}, {ID: "v3"}, {ID: "v4"}, {ID: "v5"}}, DefaultVersionID: "v1"}
	p.ops = append(p.ops, &policyVersion{mp: mp, doc: id, holders: []Owner{owner}})
	p.ops = append(p.ops, &policyVersion{mp: mp, doc: NewDoc(policy.Identity), holders: []Owner{owner, {Kind: "group", Name: v, ARN: "arn:aws:iam::111122223333:group/" + v}}})
	p.ops = append(p.ops, &replaceManaged{old: mp, account: "111122223333", name: v, doc: id, holders: []Owner{owner}})
	g := &inventory.Grant{ID: v, GranteePrincipal: "arn:aws:iam::111122223333:role/" + v}
	p.ops = append(p.ops, &revokeGrant{key: k, grant: g})
	p.ops = append(p.ops, &createGrant{key: k, grant: inventory.Grant{Name: v, GranteePrincipal: "arn:aws:iam::111122223333:role/" + v, RetiringPrincipal: v,
		Operations: []string{"Decrypt"}, EncryptionContextSubset: map[string]string{v: v}}})
	p.ops = append(p.ops, &cancelDeletion{key: k})
	p.ops = append(p.ops, &enableRotation{key: inv, period: 365})
	docs := []string{string(kd.JSON()), string(id.JSON())}
	return p, docs
}

// TestShellQuoting runs every command of fixes full of hostile values
// through bash, with an aws that prints its arguments: the script parses
// (bash -n), and each value reaches the AWS CLI as one argument, exactly.
func TestShellQuoting(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not on PATH")
	}
	for _, v := range hostile {
		p, docs := hostilePlan(t, v)
		f := p.Render(msg.Same("summary"), &Proof{}, &Diff{})
		dir := t.TempDir()
		script := filepath.Join(dir, "fix.sh")
		pwned := filepath.Join(dir, "pwned")
		body := strings.ReplaceAll(f.CLI, "/tmp/keywarden-pwned", pwned)
		prelude := "aws() { for a in \"$@\"; do printf '%s\\0' \"$a\"; done; printf '\\n\\0'; }\n"
		if err := os.WriteFile(script, []byte(prelude+body+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bash, "-n", script).CombinedOutput(); err != nil {
			t.Errorf("%q: bash -n: %v\n%s\n%s", v, err, out, f.CLI)
			continue
		}
		cmd := exec.Command(bash, script)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir}
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%q: bash: %v\n%s", v, err, f.CLI)
			continue
		}
		if _, err := os.Stat(pwned); err == nil {
			t.Errorf("%q: a value ran as a command", v)
		}
		args := map[string]int{}
		for _, a := range strings.Split(string(out), "\x00") {
			args[a]++
		}
		want := []string{v, "us-" + v, "arn:aws:kms:us-east-1:111122223333:key/" + v, "arn:aws:iam::111122223333:policy/" + v + "/" + v,
			"arn:aws:iam::111122223333:role/" + v}
		want = append(want, docs...)
		for i := range want {
			want[i] = strings.ReplaceAll(want[i], "/tmp/keywarden-pwned", pwned)
		}
		for _, w := range want {
			if args[w] == 0 {
				t.Errorf("%q: no argument is exactly %q; the commands:\n%s", v, w, f.CLI)
			}
		}
		for a := range args {
			if strings.HasPrefix(a, "{") && !strings.HasPrefix(a, `{"Encryption`) {
				var x any
				if err := json.Unmarshal([]byte(a), &x); err != nil {
					t.Errorf("%q: a policy argument is not JSON: %v", v, err)
				}
			}
		}
		if strings.ContainsAny(f.CLI, "\x1b\u202e\x7f") {
			t.Errorf("%q: the commands hold a raw control or bidi character:\n%q", v, f.CLI)
		}
	}
}

// TestTerraformQuoting parses every snippet of fixes full of hostile
// values with Terraform's own syntax (hclsyntax): each value comes back
// exactly, as a literal, and every policy heredoc is the policy.
func TestTerraformQuoting(t *testing.T) {
	for _, v := range hostile {
		p, docs := hostilePlan(t, v)
		f := p.Render(msg.Same("summary"), &Proof{}, &Diff{})
		file, diags := hclsyntax.ParseConfig([]byte(f.Terraform), "fix.tf", hcl.Pos{Line: 1, Column: 1})
		if diags.HasErrors() {
			t.Errorf("%q: %s\n%s", v, diags.Error(), f.Terraform)
			continue
		}
		var values []string
		var walk func(b *hclsyntax.Body)
		walk = func(b *hclsyntax.Body) {
			for _, a := range b.Attributes {
				if len(a.Expr.Variables()) > 0 {
					continue // aws_iam_policy.x.arn
				}
				val, d := a.Expr.Value(nil)
				if d.HasErrors() {
					t.Errorf("%q: %s = %s", v, a.Name, d.Error())
					continue
				}
				collect(val, &values)
			}
			for _, blk := range b.Blocks {
				values = append(values, blk.Labels...)
				walk(blk.Body)
			}
		}
		walk(file.Body.(*hclsyntax.Body))
		got := map[string]bool{}
		for _, s := range values {
			got[s] = true
		}
		for _, w := range append([]string{v, "arn:aws:kms:us-east-1:111122223333:key/" + v, "arn:aws:iam::111122223333:role/" + v}, docs...) {
			// A heredoc ends with a line break.
			if !got[w] && !got[w+"\n"] {
				t.Errorf("%q: no Terraform value is exactly %q:\n%s", v, w, f.Terraform)
			}
		}
		if strings.ContainsAny(f.Terraform, "\x1b\u202e\x7f") {
			t.Errorf("%q: the snippet holds a raw control or bidi character", v)
		}
	}
}

func collect(v cty.Value, out *[]string) {
	switch {
	case v.IsNull() || !v.IsKnown():
	case v.Type() == cty.String:
		*out = append(*out, v.AsString())
	case v.Type().IsTupleType() || v.Type().IsListType() || v.Type().IsObjectType() || v.Type().IsMapType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if k.Type() == cty.String {
				*out = append(*out, k.AsString())
			}
			collect(e, out)
		}
	}
}

// TestShellQuote pins the two forms of quoting.
func TestShellQuote(t *testing.T) {
	tests := map[string]string{
		"plain":        "'plain'",
		"it's":         `'it'"'"'s'`,
		"esc\x1b":      `$'esc\x1b'`,
		"a'b\x7f":      `$'a\'b\x7f'`,
		"bidi\u202e":   `$'bidi\xe2\x80\xae'`,
		"new\nline":    "'new\nline'",
		`back\slash'x`: `'back\slash'"'"'x'`,
	}
	var keys []string
	for k := range tests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, in := range keys {
		if got := ShellQuote(in); got != tests[in] {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, tests[in])
		}
	}
	var b bytes.Buffer
	b.WriteString(hclString("${x} %{y} $${z}"))
	if got, want := b.String(), `"$${x} %%{y} $$${z}"`; got != want {
		t.Errorf("hclString = %s, want %s", got, want)
	}
}
