package remedy

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/ordjson"
)

// Render writes a proved plan as a fix: its edits, console steps, AWS CLI
// commands and Terraform, with the proof and the access diff.
func (p *Plan) Render(summary msg.Text, proof *Proof, diff *Diff) *Fix {
	f := &Fix{Summary: summary, Proof: proof, Verified: proof.Holds()}
	f.Diff, f.DiffTotal = AccessChanges(diff.First), diff.Total
	if f.DiffTotal == len(f.Diff) {
		f.DiffTotal = 0
	}
	var cli, tf []string
	for _, o := range p.ops {
		r := p.render(o)
		f.Edits = append(f.Edits, r.edits...)
		f.Console = append(f.Console, r.console...)
		cli = append(cli, r.cli...)
		if r.tf != "" {
			tf = append(tf, r.tf)
		}
	}
	f.CLI = strings.Join(cli, "\n\n")
	f.Terraform = strings.Join(tf, "\n\n")
	for _, ph := range p.placeholders {
		f.Placeholders = append(f.Placeholders, ph.Placeholder)
	}
	return f
}

// A rendering is what one operation contributes.
type rendering struct {
	edits   []Edit
	console []msg.Text
	cli     []string
	tf      string
}

func (p *Plan) render(o op) rendering {
	var r rendering
	switch o := o.(type) {
	case *putKeyPolicy:
		if len(o.doc.Stmts) == 0 {
			// KMS refuses a key policy with no statement: the proof says
			// the fix is not valid, and nothing is written.
			return r
		}
		k := o.key.Inv
		doc := o.doc.JSON()
		r.edits = []Edit{{Action: "PutKeyPolicy", Target: k.ARN, Name: "default", Document: doc, Statements: o.doc.Changed(),
			Description: joinSays(o.says, catalog.T(mEditKeyPolicy, keyRef(k)))}}
		r.console = append([]msg.Text{catalog.T(mConsoleOpenKey, k.Region, keyRef(k)), catalog.T(mConsoleKeyPolicyEdit)}, o.says...)
		r.console = append(r.console, catalog.T(mConsoleKeyPolicyReplace), catalog.T(mConsoleKeyPolicySave))
		r.cli = []string{command("aws", "kms", "put-key-policy", "--region", k.Region, "--key-id", k.ARN, "--policy-name", "default", "--policy", string(doc))}
		r.tf = block("resource", []string{"aws_kms_key_policy", label("key_" + k.ID)}, attr{"key_id", hclString(k.ARN)}, attr{"policy", heredoc(doc)})
	case *policyVersion:
		mp := o.mp
		if len(o.doc.Stmts) == 0 {
			for _, h := range o.holders {
				r.edits = append(r.edits, Edit{Action: "Detach" + title(h.Kind) + "Policy", Target: h.ARN, Name: mp.ARN,
					Description: catalog.T(mEditDetach, mp.ARN, kindText(h.Kind), h.Name)})
				r.console = append(r.console, catalog.T(mConsoleDetach, kindPlural(h.Kind), h.Name, mp.Name))
				r.cli = append(r.cli, command("aws", "iam", "detach-"+h.Kind+"-policy", "--"+h.Kind+"-name", h.Name, "--policy-arn", mp.ARN))
			}
			if len(o.holders) == 0 {
				r.edits = append(r.edits, Edit{Action: "DeletePolicy", Target: mp.ARN, Description: catalog.T(mEditDeletePolicy, mp.ARN)})
				r.console = append(r.console, catalog.T(mConsoleDeletePolicy, mp.Name))
				r.cli = append(r.cli, deleteVersions(mp)...)
				r.cli = append(r.cli, command("aws", "iam", "delete-policy", "--policy-arn", mp.ARN))
			}
			return r
		}
		doc := o.doc.JSON()
		if old := oldestVersion(mp); old != "" {
			r.edits = append(r.edits, Edit{Action: "DeletePolicyVersion", Target: mp.ARN, Name: old, Description: catalog.T(mEditDeleteVersion, old, mp.ARN)})
			r.cli = append(r.cli, command("aws", "iam", "delete-policy-version", "--policy-arn", mp.ARN, "--version-id", old))
		}
		r.edits = append(r.edits, Edit{Action: "CreatePolicyVersion", Target: mp.ARN, Document: doc, Statements: o.doc.Changed(),
			Description: joinSays(o.says, catalog.T(mEditPolicyVersion, mp.ARN))})
		r.console = append([]msg.Text{catalog.T(mConsoleOpenPolicy, mp.Name), catalog.T(mConsoleEditJSON)}, o.says...)
		r.console = append(r.console, catalog.T(mConsoleReplaceJSON), catalog.T(mConsoleSaveVersion))
		r.cli = append(r.cli, command("aws", "iam", "create-policy-version", "--policy-arn", mp.ARN, "--set-as-default", "--policy-document", string(doc)))
		attrs := []attr{{"name", hclString(mp.Name)}}
		if mp.Path != "" && mp.Path != "/" {
			attrs = append(attrs, attr{"path", hclString(mp.Path)})
		}
		attrs = append(attrs, attr{"policy", heredoc(doc)})
		r.tf = block("resource", []string{"aws_iam_policy", label(mp.Name)}, attrs...)
	case *inlinePolicy:
		h := o.owner
		if len(o.doc.Stmts) == 0 {
			r.edits = []Edit{{Action: "Delete" + title(h.Kind) + "Policy", Target: h.ARN, Name: o.name,
				Description: joinSays(o.says, catalog.T(mEditDeleteInline, o.name, kindText(h.Kind), h.Name))}}
			r.console = []msg.Text{catalog.T(mConsoleOpenOwner, kindPlural(h.Kind), h.Name), catalog.T(mConsoleRemoveInline, o.name)}
			r.cli = []string{command("aws", "iam", "delete-"+h.Kind+"-policy", "--"+h.Kind+"-name", h.Name, "--policy-name", o.name)}
			return r
		}
		doc := o.doc.JSON()
		desc := catalog.T(mEditInline, o.name, kindText(h.Kind), h.Name)
		steps := []msg.Text{catalog.T(mConsoleOpenOwner, kindPlural(h.Kind), h.Name), catalog.T(mConsoleEditInline, o.name)}
		if o.old == nil {
			desc = catalog.T(mEditNewInline, o.name, kindText(h.Kind), h.Name)
			steps = []msg.Text{catalog.T(mConsoleOpenOwner, kindPlural(h.Kind), h.Name), catalog.T(mConsoleCreateInline, o.name)}
		}
		r.edits = []Edit{{Action: "Put" + title(h.Kind) + "Policy", Target: h.ARN, Name: o.name, Document: doc, Statements: o.doc.Changed(),
			Description: joinSays(o.says, desc)}}
		r.console = append(append(steps, o.says...), catalog.T(mConsoleReplaceJSON), catalog.T(mConsoleSaveInline))
		r.cli = []string{command("aws", "iam", "put-"+h.Kind+"-policy", "--"+h.Kind+"-name", h.Name, "--policy-name", o.name, "--policy-document", string(doc))}
		r.tf = block("resource", []string{"aws_iam_" + h.Kind + "_policy", label(h.Name + "_" + o.name)},
			attr{"name", hclString(o.name)}, attr{h.Kind, hclString(h.Name)}, attr{"policy", heredoc(doc)})
	case *replaceManaged:
		doc := o.doc.JSON()
		arn := "arn:aws:iam::" + o.account + ":policy/" + o.name
		r.edits = append(r.edits, Edit{Action: "CreatePolicy", Target: arn, Name: o.name, Document: doc,
			Description: joinSays(o.says, catalog.T(mEditCreatePolicy, o.name, o.old.ARN))})
		r.console = append([]msg.Text{catalog.T(mConsoleCreatePolicy, o.name)}, o.says...)
		r.cli = append(r.cli, command("aws", "iam", "create-policy", "--policy-name", o.name, "--policy-document", string(doc)))
		blocks := []string{block("resource", []string{"aws_iam_policy", label(o.name)}, attr{"name", hclString(o.name)}, attr{"policy", heredoc(doc)})}
		for _, h := range o.holders {
			r.edits = append(r.edits,
				Edit{Action: "Attach" + title(h.Kind) + "Policy", Target: h.ARN, Name: arn, Description: catalog.T(mEditAttach, o.name, kindText(h.Kind), h.Name)},
				Edit{Action: "Detach" + title(h.Kind) + "Policy", Target: h.ARN, Name: o.old.ARN, Description: catalog.T(mEditDetach, o.old.ARN, kindText(h.Kind), h.Name)})
			r.console = append(r.console, catalog.T(mConsoleAttachDetach, kindPlural(h.Kind), h.Name, o.name, o.old.Name))
			r.cli = append(r.cli,
				command("aws", "iam", "attach-"+h.Kind+"-policy", "--"+h.Kind+"-name", h.Name, "--policy-arn", arn),
				command("aws", "iam", "detach-"+h.Kind+"-policy", "--"+h.Kind+"-name", h.Name, "--policy-arn", o.old.ARN))
			blocks = append(blocks, block("resource", []string{"aws_iam_" + h.Kind + "_policy_attachment", label(h.Name + "_" + o.name)},
				attr{h.Kind, hclString(h.Name)}, attr{"policy_arn", "aws_iam_policy." + label(o.name) + ".arn"}))
		}
		r.tf = strings.Join(blocks, "\n\n")
	case *revokeGrant:
		k := o.key.Inv
		r.edits = []Edit{{Action: "RevokeGrant", Target: k.ARN, Name: o.grant.ID, Description: catalog.T(mEditRevoke, o.grant.ID, o.grant.GranteePrincipal, keyRef(k))}}
		r.console = []msg.Text{catalog.T(mConsoleGrants)}
		r.cli = []string{command("aws", "kms", "revoke-grant", "--region", k.Region, "--key-id", k.ARN, "--grant-id", o.grant.ID)}
	case *createGrant:
		k := o.key.Inv
		g := o.grant
		args := []string{"aws", "kms", "create-grant", "--region", k.Region, "--key-id", k.ARN, "--grantee-principal", g.GranteePrincipal, "--operations"}
		args = append(args, g.Operations...)
		if c := constraintsJSON(g); c != "" {
			args = append(args, "--constraints", c)
		}
		if g.RetiringPrincipal != "" {
			args = append(args, "--retiring-principal", g.RetiringPrincipal)
		}
		if g.Name != "" {
			args = append(args, "--name", g.Name)
		}
		r.edits = []Edit{{Action: "CreateGrant", Target: k.ARN, Name: g.Name, Description: catalog.T(mEditCreateGrant, msg.List(g.Operations), g.GranteePrincipal, keyRef(k))}}
		r.console = []msg.Text{catalog.T(mConsoleGrants)}
		r.cli = []string{command(args...)}
		attrs := []attr{{"key_id", hclString(k.ARN)}, {"grantee_principal", hclString(g.GranteePrincipal)}, {"operations", hclList(g.Operations)}}
		if g.Name != "" {
			attrs = append([]attr{{"name", hclString(g.Name)}}, attrs...)
		}
		if g.RetiringPrincipal != "" {
			attrs = append(attrs, attr{"retiring_principal", hclString(g.RetiringPrincipal)})
		}
		var inner []string
		if len(g.EncryptionContextEquals) > 0 {
			inner = append(inner, "    encryption_context_equals = "+hclMap(g.EncryptionContextEquals, "    "))
		}
		if len(g.EncryptionContextSubset) > 0 {
			inner = append(inner, "    encryption_context_subset = "+hclMap(g.EncryptionContextSubset, "    "))
		}
		body := block("resource", []string{"aws_kms_grant", label("grant_" + firstNonEmpty(g.Name, g.GranteePrincipal))}, attrs...)
		if len(inner) > 0 {
			body = strings.TrimSuffix(body, "}") + "\n  constraints {\n" + strings.Join(inner, "\n") + "\n  }\n}"
		}
		r.tf = body
	case *cancelDeletion:
		k := o.key.Inv
		r.edits = []Edit{{Action: "CancelKeyDeletion", Target: k.ARN, Description: catalog.T(mEditCancel, keyRef(k))}}
		r.console = []msg.Text{catalog.T(mConsoleOpenKey, k.Region, keyRef(k)), catalog.T(mConsoleCancel)}
		// The key ID with its Region names the key as well as its ARN
		// does (moto 5.2.1 answers CancelKeyDeletion only by ID).
		r.cli = []string{command("aws", "kms", "cancel-key-deletion", "--region", k.Region, "--key-id", k.ID)}
		r.tf = "resource \"aws_kms_key\" " + hclString(label("key_"+k.ID)) + " {\n  lifecycle {\n    prevent_destroy = true\n  }\n}"
	case *enableRotation:
		k := o.key
		region := k.Region
		if o.region != "" {
			region = o.region
		}
		period := fmt.Sprint(o.period)
		r.edits = []Edit{{Action: "EnableKeyRotation", Target: k.ARN, Description: catalog.T(mEditRotation, keyRef(k), o.period)}}
		r.console = []msg.Text{catalog.T(mConsoleOpenKey, region, keyRef(k)), catalog.T(mConsoleRotation, o.period)}
		keyID := k.ARN
		if o.region != "" {
			keyID = k.ID
		}
		r.cli = []string{command("aws", "kms", "enable-key-rotation", "--region", region, "--key-id", keyID, "--rotation-period-in-days", period)}
		r.tf = block("resource", []string{"aws_kms_key", label("key_" + k.ID)}, attr{"enable_key_rotation", "true"}, attr{"rotation_period_in_days", period})
	}
	return r
}

func joinSays(says []msg.Text, first msg.Text) msg.Text {
	out := first
	for _, s := range says {
		out = out.Append(s)
	}
	return out
}

// keyRef names a key: its first alias and ID, or its ID.
func keyRef(k *inventory.Key) string {
	if len(k.Aliases) > 0 {
		a := append([]string(nil), k.Aliases...)
		sort.Strings(a)
		return a[0] + " (" + k.ID + ")"
	}
	return k.ID
}

// KeyRef is keyRef for the checks.
func KeyRef(k *inventory.Key) string { return keyRef(k) }

func title(kind string) string {
	if kind == "" {
		return ""
	}
	return strings.ToUpper(kind[:1]) + kind[1:]
}

// oldestVersion is the version of a managed policy to delete before a new
// one can be made: IAM keeps at most five versions of a policy.
func oldestVersion(mp *inventory.ManagedPolicy) string {
	if len(mp.Versions) < 5 {
		return ""
	}
	var candidates []inventory.PolicyVersion
	for _, v := range mp.Versions {
		if !v.Default && v.ID != mp.DefaultVersionID {
			candidates = append(candidates, v)
		}
	}
	if len(candidates) == 0 {
		return ""
	}
	sort.Slice(candidates, func(i, j int) bool {
		if !candidates[i].CreateDate.Equal(candidates[j].CreateDate) {
			return candidates[i].CreateDate.Before(candidates[j].CreateDate)
		}
		return candidates[i].ID < candidates[j].ID
	})
	return candidates[0].ID
}

// deleteVersions are the commands that delete a managed policy's
// non-default versions, which IAM requires before deleting the policy.
func deleteVersions(mp *inventory.ManagedPolicy) []string {
	var out []string
	for _, v := range mp.Versions {
		if !v.Default && v.ID != mp.DefaultVersionID {
			out = append(out, command("aws", "iam", "delete-policy-version", "--policy-arn", mp.ARN, "--version-id", v.ID))
		}
	}
	return out
}

func constraintsJSON(g inventory.Grant) string {
	var o ordjson.Object
	if len(g.EncryptionContextEquals) > 0 {
		o = append(o, ordjson.Member{Key: "EncryptionContextEquals", Value: sortedMap(g.EncryptionContextEquals)})
	}
	if len(g.EncryptionContextSubset) > 0 {
		o = append(o, ordjson.Member{Key: "EncryptionContextSubset", Value: sortedMap(g.EncryptionContextSubset)})
	}
	if len(o) == 0 {
		return ""
	}
	b, _ := o.MarshalJSON()
	return string(escape.JSON(b))
}

func sortedMap(m map[string]string) ordjson.Object {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var o ordjson.Object
	for _, k := range keys {
		o = append(o, ordjson.Member{Key: k, Value: m[k]})
	}
	return o
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// command writes a shell command: the program and its options as they
// are, every value quoted (ShellQuote).
func command(args ...string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i < 3 && a != "" && isWord(a) || strings.HasPrefix(a, "--") && isWord(a) {
			b.WriteString(a)
			continue
		}
		b.WriteString(ShellQuote(a))
	}
	return b.String()
}

func isWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// ShellQuote quotes a value for a POSIX shell: in single quotes, with ' as
// '"'"'. A value holding a control character, or one that could reorder
// or hide text, is written $'…' (bash, zsh, ksh) with those characters as
// \xHH escapes, so that the command shows them and means them exactly.
func ShellQuote(s string) string {
	if !needsANSIC(s) {
		return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1, escape.Unsafe(r):
			for _, c := range []byte(s[i : i+n]) {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		case r == '\'':
			b.WriteString(`\'`)
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('\'')
	return b.String()
}

func needsANSIC(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || escape.Unsafe(r) && r != '\n' {
			return true
		}
		i += n
	}
	return false
}

// An attr is one argument of a Terraform block.
type attr struct{ name, value string }

// block writes a Terraform block with its arguments aligned.
func block(kind string, labels []string, attrs ...attr) string {
	var b strings.Builder
	b.WriteString(kind)
	for _, l := range labels {
		b.WriteString(" " + hclString(l))
	}
	b.WriteString(" {\n")
	width := 0
	for _, a := range attrs {
		width = max(width, len(a.name))
	}
	for _, a := range attrs {
		fmt.Fprintf(&b, "  %-*s = %s\n", width, a.name, a.value)
	}
	b.WriteString("}")
	return b.String()
}

// label makes a Terraform resource name.
func label(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "p_" + out
	}
	return out
}

// hclString writes a Terraform quoted string: backslash escapes for
// quotes, backslashes and control characters, and the template sequences
// ${ and %{ doubled so that they stay literal.
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\uFFFD`)
		case escape.Unsafe(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		case (r == '$' || r == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteRune(r)
			b.WriteRune(r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}

func hclList(ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = hclString(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func hclMap(m map[string]string, indent string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("{\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s  %s = %s\n", indent, hclString(k), hclString(m[k]))
	}
	b.WriteString(indent + "}")
	return b.String()
}

// heredoc writes a policy as a Terraform heredoc. JSON that keywarden
// wrote holds no raw control character; the template sequences ${ and %{
// are doubled so that Terraform keeps them literal.
func heredoc(doc []byte) string {
	s := strings.ReplaceAll(string(doc), "${", "$${")
	s = strings.ReplaceAll(s, "%{", "%%{")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return "<<-EOT\n" + strings.Join(lines, "\n") + "\n  EOT"
}

func kindText(kind string) msg.Text {
	switch kind {
	case "user":
		return catalog.T(mKindUser)
	case "group":
		return catalog.T(mKindGroup)
	}
	return catalog.T(mKindRole)
}

func kindPlural(kind string) msg.Text {
	switch kind {
	case "user":
		return catalog.T(mKindUsers)
	case "group":
		return catalog.T(mKindGroups)
	}
	return catalog.T(mKindRoles)
}
