package expect

import (
	"bytes"
	"io"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Encode writes the file's rules as YAML in the documented format, with
// header as a comment at the top (one "# " line per line of it). Parse
// reads back the same rules. Comments of rules (Rule.Comment) and of
// principal selectors (PrincipalSelector.Comment) are written beside
// them.
func Encode(w io.Writer, f *File, header string) error {
	root := mapping(0)
	root.HeadComment = header
	add(root, "version", scalar("!!int", strconv.Itoa(FormatVersion)))
	rules := &yaml.Node{Kind: yaml.SequenceNode}
	for _, r := range f.Rules {
		rules.Content = append(rules.Content, ruleNode(r))
	}
	add(root, "expectations", rules)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

func mapping(style yaml.Style) *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Style: style} }

func scalar(tag, v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v} }

func str(v string) *yaml.Node { return scalar("!!str", v) }

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

func strs(vs []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, v := range vs {
		n.Content = append(n.Content, str(v))
	}
	return n
}

func ruleNode(r *Rule) *yaml.Node {
	m := mapping(0)
	m.HeadComment = r.Comment
	add(m, "id", str(r.ID))
	if r.Description != "" {
		add(m, "description", str(r.Description))
	}
	add(m, "keys", keysNode(r.Keys))
	if r.Form == Separate {
		sep := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, ops := range r.Separate {
			if len(ops) == 1 {
				sep.Content = append(sep.Content, str(ops[0]))
			} else {
				sep.Content = append(sep.Content, strs(ops))
			}
		}
		add(m, "separate", sep)
	} else {
		add(m, "operations", strs(r.Operations))
		add(m, string(r.Form), principalsNode(r.Principals))
	}
	if len(r.Except) > 0 {
		add(m, "except", principalsNode(r.Except))
	}
	if r.Conditional == Ignored {
		add(m, "conditional", str(string(Ignored)))
	}
	return m
}

func keysNode(ks []KeySelector) *yaml.Node {
	if len(ks) == 1 {
		return keyNode(&ks[0])
	}
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for i := range ks {
		n.Content = append(n.Content, keyNode(&ks[i]))
	}
	return n
}

func keyNode(k *KeySelector) *yaml.Node {
	if k.All {
		return str("all")
	}
	m := mapping(0)
	if k.CustomerManaged != nil {
		add(m, "customerManaged", scalar("!!bool", strconv.FormatBool(*k.CustomerManaged)))
	}
	if k.Alias != "" {
		add(m, "alias", str(k.Alias))
	}
	if k.ARN != "" {
		add(m, "arn", str(k.ARN))
	}
	if k.Region != "" {
		add(m, "region", str(k.Region))
	}
	if k.Account != "" {
		add(m, "account", str(k.Account))
	}
	if len(k.Tags) > 0 {
		t := mapping(yaml.FlowStyle)
		for _, tag := range k.Tags {
			add(t, tag.Key, str(tag.Value))
		}
		add(m, "tags", t)
	}
	if len(m.Content) == 2 && m.Content[0].Value == "customerManaged" {
		if k.CustomerManaged != nil && *k.CustomerManaged {
			return str("customer-managed")
		}
		return str("aws-managed")
	}
	return m
}

func principalsNode(ps []PrincipalSelector) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	if len(ps) == 0 {
		n.Style = yaml.FlowStyle
	}
	for i := range ps {
		n.Content = append(n.Content, principalNode(&ps[i]))
	}
	return n
}

func principalNode(p *PrincipalSelector) *yaml.Node {
	m := mapping(0)
	flag := func(key string, on bool) {
		if on {
			add(m, key, scalar("!!bool", "true"))
		}
	}
	if p.Kind != "" {
		add(m, "kind", str(p.Kind))
	}
	if p.ARN != "" {
		add(m, "arn", str(p.ARN))
	}
	if p.Account != "" {
		add(m, "account", str(p.Account))
	}
	flag("iamPrincipals", p.IAMPrincipals)
	flag("outsideOrganization", p.OutsideOrganization)
	if len(p.OutsideAccounts) > 0 {
		add(m, "outsideAccounts", strs(p.OutsideAccounts))
	}
	if p.Organization != "" {
		add(m, "organization", str(p.Organization))
	}
	flag("grantee", p.Grantee)
	if p.Service != "" {
		add(m, "service", str(p.Service))
	}
	if len(m.Content) > 0 {
		m.Content[1].LineComment = p.Comment
	}
	return m
}
