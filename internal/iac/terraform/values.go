package terraform

import (
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/keywarden/keywarden/internal/inventory"
)

// An identity holds what keywarden determines of a resource's identifiers
// before it exists: known values from the plan, ARNs built from known names
// (an IAM role's ARN is its account, path and name), and placeholders for
// what AWS generates (a key ID, a name from name_prefix).
type identity struct {
	// attrs are the identifier attributes, by name: arn, id, name, key_id,
	// bucket, grant_id, ...
	attrs map[string]string
	// name and path of IAM entities; keyID and arn of keys.
	name, path, keyID, arn string
}

// identityOf computes an instance's identity, once.
func (r *reader) identityOf(in *instance) *identity {
	if in.ident != nil {
		return in.ident
	}
	// A guard against reference cycles through identities: while it is
	// computed, an instance's identity is its placeholder.
	ph := inventory.PlannedTerraform(in.addr)
	in.ident = &identity{attrs: map[string]string{}, name: ph, keyID: ph}
	id := &identity{attrs: map[string]string{}}
	obj, unk := in.state()
	known := func(attr string) (string, bool) {
		if isUnknown(unk, attr) {
			return "", false
		}
		s, ok := obj[attr].(string)
		return s, ok && s != ""
	}
	p, a, reg := r.partition, r.account, in.region
	switch in.typ {
	case "aws_iam_role", "aws_iam_user", "aws_iam_group":
		kind := strings.TrimPrefix(in.typ, "aws_iam_")
		id.name = ph
		if n, ok := known("name"); ok {
			id.name = n
		} else if v, ok := r.inferString(in, "name"); ok {
			id.name = v
		}
		id.path = "/"
		if s, ok := known("path"); ok {
			id.path = s
		}
		id.arn = "arn:" + p + ":iam::" + a + ":" + kind + id.path + id.name
		if s, ok := known("arn"); ok {
			id.arn = s
		}
		id.attrs["name"], id.attrs["id"], id.attrs["arn"] = id.name, id.name, id.arn
	case "aws_iam_policy":
		id.name = ph
		if n, ok := known("name"); ok {
			id.name = n
		}
		id.path = "/"
		if s, ok := known("path"); ok {
			id.path = s
		}
		id.arn = "arn:" + p + ":iam::" + a + ":policy" + id.path + id.name
		if s, ok := known("arn"); ok {
			id.arn = s
		}
		id.attrs["name"], id.attrs["id"], id.attrs["arn"] = id.name, id.arn, id.arn
	case "aws_kms_key", "aws_kms_replica_key":
		id.keyID = ph
		if s, ok := known("key_id"); ok {
			id.keyID = s
		} else if in.typ == "aws_kms_replica_key" {
			// Replicas share their primary key's ID.
			if primary, ok := r.str(in, "primary_key_arn"); ok {
				if f := strings.SplitN(primary, ":", 6); len(f) == 6 && strings.HasPrefix(f[5], "key/") {
					id.keyID = strings.TrimPrefix(f[5], "key/")
				}
			}
		}
		id.arn = "arn:" + p + ":kms:" + reg + ":" + a + ":key/" + id.keyID
		if s, ok := known("arn"); ok {
			id.arn = s
		}
		id.attrs["key_id"], id.attrs["id"], id.attrs["arn"] = id.keyID, id.keyID, id.arn
	case "aws_kms_alias":
		id.name = ph
		if n, ok := known("name"); ok {
			id.name = n
		}
		id.arn = "arn:" + p + ":kms:" + reg + ":" + a + ":" + id.name
		id.attrs["name"], id.attrs["id"], id.attrs["arn"] = id.name, id.name, id.arn
		if t, ok := r.str(in, "target_key_id"); ok {
			if k := r.keyByRef(t, reg); k != nil {
				kid := r.identityOf(k)
				id.attrs["target_key_id"], id.attrs["target_key_arn"] = kid.keyID, kid.arn
			}
		}
	case "aws_s3_bucket":
		id.name = ph
		if n, ok := known("bucket"); ok {
			id.name = n
		}
		id.arn = "arn:" + p + ":s3:::" + id.name
		id.attrs["bucket"], id.attrs["id"], id.attrs["arn"] = id.name, id.name, id.arn
	case "aws_kms_grant":
		g := ph
		if s, ok := known("grant_id"); ok {
			g = s
		}
		id.attrs["grant_id"] = g
	case "aws_organizations_policy":
		pid := ph
		if s, ok := known("id"); ok {
			pid = s
		}
		id.attrs["id"] = pid
	}
	in.ident = id
	return id
}

// keyByRef finds the planned key a key ID or key ARN names.
func (r *reader) keyByRef(ref, region string) *instance {
	for _, in := range r.instances {
		if in.mode != tfjson.ManagedResourceMode || (in.typ != "aws_kms_key" && in.typ != "aws_kms_replica_key") || in.deposed {
			continue
		}
		id := r.identityOf(in)
		if id.arn == ref || (id.keyID == ref && in.region == region) {
			return in
		}
	}
	return nil
}

func isUnknown(unk map[string]any, attr string) bool {
	if unk == nil {
		return false
	}
	b, ok := unk[attr].(bool)
	return ok && b
}

// str returns a top-level string attribute: known in the plan, or rebuilt
// (see resolve). ok is false when it is not known.
func (r *reader) str(in *instance, attr string) (string, bool) {
	obj, unk := in.state()
	if !isUnknown(unk, attr) {
		s, ok := obj[attr].(string)
		return s, ok && s != ""
	}
	return r.resolveString(in, attr)
}

// resolveString rebuilds an attribute the plan holds as known after apply:
// from the sources (--tf-dir) when given, else by inference from the
// configuration's references.
func (r *reader) resolveString(in *instance, attr string) (string, bool) {
	if r.src != nil {
		if v, ok := r.src.evalString(in, attr); ok {
			return v, true
		}
	}
	return r.inferString(in, attr)
}

// strs returns a top-level list (or set) of strings: the known elements,
// with unknown ones rebuilt; ok is false when some element is not known.
func (r *reader) strs(in *instance, attr string) ([]string, bool) {
	obj, unk := in.state()
	if isUnknown(unk, attr) {
		if r.src != nil {
			if v, ok := r.src.evalStrings(in, attr); ok {
				return v, true
			}
		}
		return r.inferStrings(in, attr, 0, nil)
	}
	list, _ := obj[attr].([]any)
	var unkList []any
	if unk != nil {
		unkList, _ = unk[attr].([]any)
	}
	var out []string
	missing := 0
	for i, e := range list {
		if i < len(unkList) {
			if b, _ := unkList[i].(bool); b {
				missing++
				continue
			}
		}
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	if missing == 0 {
		return out, true
	}
	if r.src != nil {
		if v, ok := r.src.evalStrings(in, attr); ok {
			return v, true
		}
	}
	return r.inferStrings(in, attr, missing, out)
}

// A reference is one reference of a configuration expression, split:
// data.aws_iam_policy_document.x.json → mode data, type, name, attr json.
type reference struct {
	kind  string // "resource", "data", "var", "module", "other"
	typ   string
	name  string
	index string // [0], ["a"], or ""
	attr  string
}

// parseReference splits a reference as Terraform lists it in the
// configuration ("aws_kms_key.k.arn", "aws_kms_key.k[0]",
// "module.m.out", "var.x", "local.y", "count.index").
func parseReference(ref string) reference {
	parts := splitTraversal(ref)
	if len(parts) == 0 {
		return reference{kind: "other"}
	}
	switch parts[0] {
	case "var":
		if len(parts) >= 2 {
			return reference{kind: "var", name: parts[1]}
		}
	case "module":
		if len(parts) >= 2 {
			name, idx := cutIndex(parts[1])
			ref := reference{kind: "module", name: name, index: idx}
			if len(parts) >= 3 {
				ref.attr = parts[2]
			}
			return ref
		}
		return reference{kind: "other"}
	case "data":
		if len(parts) >= 3 {
			name, idx := cutIndex(parts[2])
			ref := reference{kind: "data", typ: parts[1], name: name, index: idx}
			if len(parts) >= 4 {
				ref.attr = parts[3]
			}
			return ref
		}
	case "local", "each", "count", "path", "terraform", "self":
		return reference{kind: "other"}
	}
	if len(parts) >= 2 && strings.Contains(parts[0], "_") {
		name, idx := cutIndex(parts[1])
		ref := reference{kind: "resource", typ: parts[0], name: name, index: idx}
		if len(parts) >= 3 {
			ref.attr = parts[2]
		}
		return ref
	}
	return reference{kind: "other"}
}

// splitTraversal splits at dots outside brackets; an index written after a
// dot ("a.b.0") stays a part.
func splitTraversal(s string) []string {
	var parts []string
	depth, start := 0, 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func cutIndex(s string) (string, string) {
	if i := strings.IndexByte(s, '['); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// identifierRefs returns the references of an expression that name one
// attribute of a resource or data source, without the shorter prefixes
// Terraform lists with them.
func identifierRefs(refs []string) []reference {
	var out []reference
	for _, s := range refs {
		ref := parseReference(s)
		if ref.kind == "other" {
			return nil
		}
		if (ref.kind == "resource" || ref.kind == "data" || ref.kind == "module") && ref.attr == "" {
			continue // the prefix of a longer reference
		}
		dup := false
		for _, o := range out {
			dup = dup || o == ref
		}
		if !dup {
			out = append(out, ref)
		}
	}
	return out
}

// expression returns the configuration expression of a top-level
// attribute, or nil.
func (in *instance) expression(attr string) *tfjson.Expression {
	if in.cfg == nil {
		return nil
	}
	e := in.cfg.Expressions[attr]
	if e == nil || e.ExpressionData == nil {
		return nil
	}
	return e
}

// inferString rebuilds an unknown identifier argument from the
// configuration alone: when its expression references exactly one
// identifier attribute of one resource (target_key_id =
// aws_kms_key.k.key_id, role = aws_iam_role.app.name), the value is that
// attribute's, placeholder and all. Arguments holding policies are never
// inferred this way: a policy is rebuilt only from the sources.
func (r *reader) inferString(in *instance, attr string) (string, bool) {
	e := in.expression(attr)
	if e == nil {
		return "", false
	}
	if s, ok := e.ConstantValue.(string); ok {
		return s, true
	}
	refs := identifierRefs(e.References)
	if len(refs) != 1 {
		return "", false
	}
	return r.refValue(in.module, in.cfgModule, in.index, refs[0], 0)
}

// inferStrings rebuilds the unknown elements of a list the same way: the
// missing elements must be as many as the distinct identifier references
// that are not already among the known ones (a set's order does not
// matter).
func (r *reader) inferStrings(in *instance, attr string, missing int, known []string) ([]string, bool) {
	e := in.expression(attr)
	if e == nil {
		return nil, false
	}
	refs := identifierRefs(e.References)
	if len(refs) == 0 {
		return nil, false
	}
	var vals []string
	for _, ref := range refs {
		v, ok := r.refValue(in.module, in.cfgModule, in.index, ref, 0)
		if !ok {
			return nil, false
		}
		vals = append(vals, v)
	}
	if missing == 0 {
		// The whole list was unknown: a list of these references.
		return vals, true
	}
	if len(vals) != missing {
		return nil, false
	}
	return append(known, vals...), true
}

// refValue evaluates a reference made in a module instance. Variables
// follow the module call into the parent; module outputs follow the output
// into the child. Only identifier attributes (those an identity holds) or
// known values are accepted.
func (r *reader) refValue(module, cfgModule string, fromIndex any, ref reference, depth int) (string, bool) {
	if depth > 16 {
		return "", false
	}
	switch ref.kind {
	case "resource", "data":
		t := r.target(module, ref, fromIndex)
		if t == nil {
			return "", false
		}
		obj, unk := t.state()
		if !isUnknown(unk, ref.attr) {
			if s, ok := obj[ref.attr].(string); ok {
				return s, true
			}
		}
		if v, ok := r.identityOf(t).attrs[ref.attr]; ok {
			return v, true
		}
		return "", false
	case "var":
		if cfgModule == "" {
			if v := r.plan.Variables[ref.name]; v != nil {
				s, ok := v.Value.(string)
				return s, ok
			}
			return "", false
		}
		// The module call in the parent passes the variable.
		i := strings.LastIndex(cfgModule, "module.")
		parentCfg := strings.TrimSuffix(cfgModule[:i], ".")
		callName := cfgModule[i+len("module."):]
		parent := r.modules[parentCfg]
		if parent == nil || parent.ModuleCalls[callName] == nil {
			return "", false
		}
		e := parent.ModuleCalls[callName].Expressions[ref.name]
		if e == nil || e.ExpressionData == nil {
			if v := r.modules[cfgModule].Variables[ref.name]; v != nil {
				s, ok := v.Default.(string)
				return s, ok
			}
			return "", false
		}
		if s, ok := e.ConstantValue.(string); ok {
			return s, true
		}
		refs := identifierRefs(e.References)
		if len(refs) != 1 {
			return "", false
		}
		parentModule := module
		if j := strings.LastIndex(module, "module."); j >= 0 {
			parentModule = strings.TrimSuffix(module[:j], ".")
		}
		return r.refValue(parentModule, parentCfg, nil, refs[0], depth+1)
	case "module":
		childCfg := join(cfgModule, "module."+ref.name)
		child := r.modules[childCfg]
		if child == nil || child.Outputs[ref.attr] == nil || child.Outputs[ref.attr].Expression == nil {
			return "", false
		}
		e := child.Outputs[ref.attr].Expression
		if e.ExpressionData == nil {
			return "", false
		}
		if s, ok := e.ConstantValue.(string); ok {
			return s, true
		}
		refs := identifierRefs(e.References)
		if len(refs) != 1 {
			return "", false
		}
		childModule := join(module, "module."+ref.name+ref.index)
		return r.refValue(childModule, childCfg, nil, refs[0], depth+1)
	}
	return "", false
}

// target finds the instance a resource reference made in a module
// instance names: the exact instance, or, for a reference without an index
// to a resource with several, the one with the referrer's own index (the
// count.index pattern), or the only one.
func (r *reader) target(module string, ref reference, fromIndex any) *instance {
	base := ref.typ + "." + ref.name
	if ref.kind == "data" {
		base = "data." + base
	}
	base = join(module, base)
	if in := r.byAddr[base+ref.index]; in != nil {
		return in
	}
	if ref.index != "" {
		return nil
	}
	if fromIndex != nil {
		if in := r.byAddr[base+indexString(fromIndex)]; in != nil {
			return in
		}
	}
	var found *instance
	for _, in := range r.instances {
		if strings.HasPrefix(in.addr, base+"[") && !in.deposed {
			if found != nil {
				return nil
			}
			found = in
		}
	}
	return found
}
