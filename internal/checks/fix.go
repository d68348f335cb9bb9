package checks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/policy"
)

// A statement edit replaces one statement of a policy with the statements
// it returns: none removes it, two split it.
type stmtEdit func(stmt map[string]any) []map[string]any

// editPolicy applies an edit to statement index of a policy document and
// returns the fixed document, indented. Element names keep their case;
// object keys come out sorted, which AWS accepts.
func editPolicy(raw []byte, index int, edit stmtEdit) ([]byte, error) {
	doc, err := decodePolicy(raw)
	if err != nil {
		return nil, err
	}
	key := elementKey(doc, "Statement")
	var list []any
	switch st := doc[key].(type) {
	case map[string]any:
		list = []any{st}
	case []any:
		list = st
	default:
		return nil, errors.New("policy has no statements")
	}
	if index < 0 || index >= len(list) {
		return nil, fmt.Errorf("policy has %d statements, not %d", len(list), index+1)
	}
	s, ok := list[index].(map[string]any)
	if !ok {
		return nil, errors.New("statement is not an object")
	}
	var out []any
	out = append(out, list[:index]...)
	for _, r := range edit(s) {
		out = append(out, r)
	}
	out = append(out, list[index+1:]...)
	doc[key] = out
	return encodePolicy(doc)
}

func decodePolicy(raw []byte) (map[string]any, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	return doc, nil
}

// encodePolicy writes a policy document indented, as people read it.
func encodePolicy(doc map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}

// addStatements appends statements to a policy document.
func addStatements(raw []byte, stmts ...map[string]any) ([]byte, error) {
	doc, err := decodePolicy(raw)
	if err != nil {
		return nil, err
	}
	key := elementKey(doc, "Statement")
	var list []any
	switch st := doc[key].(type) {
	case map[string]any:
		list = []any{st}
	case []any:
		list = st
	}
	for _, s := range stmts {
		list = append(list, s)
	}
	doc[key] = list
	return encodePolicy(doc)
}

// elementKey finds an element's key as written (element names are matched
// without regard to case).
func elementKey(m map[string]any, name string) string {
	for k := range m {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// stringList reads a string-or-list element.
func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func anyList(ss []string) any {
	if len(ss) == 1 {
		return ss[0]
	}
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// reparse checks that a fixed document is a valid policy.
func reparse(fixed []byte, kind policy.Kind) (*policy.Document, error) {
	return policy.Parse("fixed policy", fixed, kind)
}

// shellQuote quotes a string for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

// cliPutIdentityPolicy is the AWS CLI command that replaces an IAM policy
// with the fixed document.
func cliPutIdentityPolicy(p *identityPolicy, fixed []byte) string {
	doc := shellQuote(string(fixed))
	if p.Managed != nil {
		return "# A customer managed policy keeps at most five versions: delete the oldest non-default one first if needed\n" +
			"# (aws iam list-policy-versions --policy-arn " + p.Managed.ARN + ").\n" +
			"aws iam create-policy-version --policy-arn " + p.Managed.ARN + " --set-as-default --policy-document " + doc
	}
	return fmt.Sprintf("aws iam put-%s-policy --%s-name %s --policy-name %s --policy-document %s",
		p.OwnerKind, p.OwnerKind, shellQuote(p.OwnerName), shellQuote(p.Name), doc)
}

// terraformIdentityPolicy is a Terraform snippet for the fixed policy.
func terraformIdentityPolicy(p *identityPolicy, fixed []byte) string {
	name := tfName(p.Name)
	if p.Managed != nil {
		return fmt.Sprintf("resource \"aws_iam_policy\" %q {\n  name   = %q\n  policy = <<-EOT\n%s\n  EOT\n}", name, p.Managed.Name, indent(string(fixed), "    "))
	}
	return fmt.Sprintf("resource \"aws_iam_%s_policy\" %q {\n  %s   = %q\n  name   = %q\n  policy = <<-EOT\n%s\n  EOT\n}",
		p.OwnerKind, name, p.OwnerKind, p.OwnerName, p.Name, indent(string(fixed), "    "))
}

// terraformKeyPolicy replaces a key policy.
func terraformKeyPolicy(keyARN string, fixed []byte) string {
	id := keyARN[strings.LastIndexByte(keyARN, '/')+1:]
	return fmt.Sprintf("resource \"aws_kms_key_policy\" %q {\n  key_id = %q\n  policy = <<-EOT\n%s\n  EOT\n}", tfName("key_"+id), keyARN, indent(string(fixed), "    "))
}

func tfName(s string) string {
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

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
