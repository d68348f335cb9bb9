package terraform

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/ordjson"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// document reads a policy argument of an instance's resulting state.
func (r *reader) document(in *instance, attr string) (*inventory.Document, *inventory.Incomplete) {
	obj, unk := in.state()
	return r.documentFrom(in, obj, unk, attr)
}

// documentFrom reads a policy argument (a JSON string) of a state. A policy
// the plan holds as known after apply (Terraform makes the whole string
// unknown when any part of it is) is rebuilt when it can be, in this
// order: from the sources (--tf-dir), by evaluating its expression; when
// the expression is a reference to one data.aws_iam_policy_document's
// json, by rendering that document as the AWS provider does. Otherwise it
// is marked incomplete, never guessed.
func (r *reader) documentFrom(in *instance, obj, unk map[string]any, attr string) (*inventory.Document, *inventory.Incomplete) {
	loc := r.location(in, attr)
	decode := func(text string) (*inventory.Document, *inventory.Incomplete) {
		d, err := inventory.DecodeDocument([]byte(text), loc)
		if err != nil {
			r.errorf(in, attr, "%v", err)
			return nil, &inventory.Incomplete{Reason: err.Error(), Source: loc.String()}
		}
		return d, nil
	}
	if !isUnknown(unk, attr) {
		text, _ := obj[attr].(string)
		if strings.TrimSpace(text) == "" {
			return nil, &inventory.Incomplete{Reason: "the policy is empty", Source: loc.String()}
		}
		return decode(text)
	}
	if r.src != nil {
		if text, ok := r.src.evalString(in, attr); ok {
			return decode(text)
		}
	}
	if e := in.expression(attr); e != nil {
		refs := identifierRefs(e.References)
		if len(refs) == 1 && refs[0].kind == "data" && refs[0].typ == "aws_iam_policy_document" && (refs[0].attr == "json" || refs[0].attr == "minified_json") {
			if t := r.target(in.module, refs[0], in.index); t != nil {
				if text, ok := r.renderPolicyDocument(t); ok {
					return decode(text)
				}
			}
		}
	}
	return nil, &inventory.Incomplete{Reason: "known after apply (" + in.addr + "." + attr + ")" + r.hint(), Source: loc.String()}
}

// renderPolicyDocument gives the JSON of a data.aws_iam_policy_document:
// the plan's, when it was read while planning; else rendered from the
// sources; else from the plan's arguments when they are all known (the
// read was only deferred).
func (r *reader) renderPolicyDocument(in *instance) (string, bool) {
	obj, unk := in.state()
	if !isUnknown(unk, "json") {
		if s, ok := obj["json"].(string); ok && s != "" {
			return s, true
		}
	}
	if r.src != nil {
		r.src.moduleContext(in.module, in.cfgModule, 0)
		if text, ok := r.src.docs[in.addr]; ok {
			return text, true
		}
	}
	for k, u := range unk {
		if k == "json" || k == "minified_json" || k == "id" {
			continue
		}
		if hasUnknown(u) {
			return "", false
		}
	}
	text, err := renderPolicy(obj)
	return text, err == nil
}

func hasUnknown(u any) bool {
	switch x := u.(type) {
	case bool:
		return x
	case []any:
		for _, e := range x {
			if hasUnknown(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if hasUnknown(e) {
				return true
			}
		}
	}
	return false
}

// policyVars turns the provider's &{...} into ${...}: in HCL, ${ would be
// interpolation, so aws_iam_policy_document spells IAM policy variables
// &{aws:username}.
var policyVars = strings.NewReplacer("&{", "${")

// renderPolicy renders aws_iam_policy_document's arguments (as the plan
// holds them, or as the sources give them) the way the AWS provider does:
// source_policy_documents first, the document's own statements merged over
// them by Sid, override_policy_documents merged over the result.
//
// [aws_iam_policy_document]: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document
func renderPolicy(args map[string]any) (string, error) {
	merged := &ordjson.Object{}
	var stmts []any
	mergeDoc := func(version, id string, add []any) {
		if version != "" {
			merged.Set("Version", version)
		}
		if id != "" {
			merged.Set("Id", id)
		}
		for _, s := range add {
			sid := sidOf(s)
			replaced := false
			if sid != "" {
				for i, old := range stmts {
					if sidOf(old) == sid {
						stmts[i], replaced = s, true
						break
					}
				}
			}
			if !replaced {
				stmts = append(stmts, s)
			}
		}
	}
	mergeJSON := func(text string) error {
		var doc map[string]any
		if err := json.Unmarshal([]byte(text), &doc); err != nil {
			return err
		}
		v, _ := doc["Version"].(string)
		id, _ := doc["Id"].(string)
		var add []any
		switch s := doc["Statement"].(type) {
		case []any:
			add = s
		case map[string]any:
			add = []any{s}
		}
		mergeDoc(v, id, add)
		return nil
	}
	for _, src := range stringList(args["source_policy_documents"]) {
		if err := mergeJSON(src); err != nil {
			return "", fmt.Errorf("source_policy_documents: %w", err)
		}
	}
	version, _ := args["version"].(string)
	if version == "" {
		version = "2012-10-17"
	}
	id, _ := args["policy_id"].(string)
	var own []any
	for _, b := range anyBlocks(args["statement"]) {
		own = append(own, statement(b))
	}
	mergeDoc(version, id, own)
	for _, ov := range stringList(args["override_policy_documents"]) {
		if err := mergeJSON(ov); err != nil {
			return "", fmt.Errorf("override_policy_documents: %w", err)
		}
	}
	if stmts == nil {
		stmts = []any{}
	}
	merged.Set("Statement", stmts)
	b, err := ordjson.Marshal(merged)
	return string(b), err
}

func sidOf(s any) string {
	switch x := s.(type) {
	case *ordjson.Object:
		v, _ := x.Get("Sid")
		sid, _ := v.(string)
		return sid
	case map[string]any:
		v, _ := x["Sid"].(string)
		return v
	}
	return ""
}

// statement renders one statement block.
func statement(b map[string]any) *ordjson.Object {
	s := &ordjson.Object{}
	if sid, _ := b["sid"].(string); sid != "" {
		s.Set("Sid", sid)
	}
	effect, _ := b["effect"].(string)
	if effect == "" {
		effect = "Allow"
	}
	s.Set("Effect", effect)
	for _, f := range []struct{ arg, key string }{{"actions", "Action"}, {"not_actions", "NotAction"}} {
		if l := stringList(b[f.arg]); len(l) > 0 {
			s.Set(f.key, oneOrList(l))
		}
	}
	for _, f := range []struct{ arg, key string }{{"resources", "Resource"}, {"not_resources", "NotResource"}} {
		if l := stringList(b[f.arg]); len(l) > 0 {
			for i := range l {
				l[i] = policyVars.Replace(l[i])
			}
			s.Set(f.key, oneOrList(l))
		}
	}
	for _, f := range []struct{ arg, key string }{{"principals", "Principal"}, {"not_principals", "NotPrincipal"}} {
		if p := principals(anyBlocks(b[f.arg])); p != nil {
			s.Set(f.key, p)
		}
	}
	if conds := anyBlocks(b["condition"]); len(conds) > 0 {
		c := &ordjson.Object{}
		for _, cond := range conds {
			test, _ := cond["test"].(string)
			variable, _ := cond["variable"].(string)
			values := stringList(cond["values"])
			for i := range values {
				values[i] = policyVars.Replace(values[i])
			}
			v, _ := c.Get(test)
			byVar, _ := v.(*ordjson.Object)
			if byVar == nil {
				byVar = &ordjson.Object{}
				c.Set(test, byVar)
			}
			byVar.Set(variable, oneOrList(values))
		}
		s.Set("Condition", c)
	}
	return s
}

// principals renders principals blocks: identifiers merged by type; type
// "*" with identifier "*" is the bare "*".
func principals(blocks []map[string]any) any {
	if len(blocks) == 0 {
		return nil
	}
	out := &ordjson.Object{}
	for _, p := range blocks {
		typ, _ := p["type"].(string)
		ids := stringList(p["identifiers"])
		for i := range ids {
			ids[i] = policyVars.Replace(ids[i])
		}
		if typ == "*" && len(ids) == 1 && ids[0] == "*" && len(blocks) == 1 {
			return "*"
		}
		var all []string
		v, _ := out.Get(typ)
		switch old := v.(type) {
		case string:
			all = []string{old}
		case []string:
			all = old
		}
		out.Set(typ, oneOrList(append(all, ids...)))
	}
	return out
}

func oneOrList(l []string) any {
	if len(l) == 1 {
		return l[0]
	}
	return l
}

func stringList(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, x...)
	}
	return out
}

func anyBlocks(v any) []map[string]any {
	var out []map[string]any
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	case []map[string]any:
		out = x
	}
	return out
}

// bodyArgs evaluates a block body into plan-like values: attributes as
// values, nested blocks as lists of objects.
func bodyArgs(body *hclsyntax.Body, ctx *hcl.EvalContext, depth int) (map[string]any, bool) {
	if depth > 8 {
		return nil, false
	}
	out := map[string]any{}
	for name, a := range body.Attributes {
		switch name {
		case "count", "for_each", "depends_on", "provider":
			continue
		}
		v, ok := evalExpr(a.Expr, ctx)
		if !ok {
			return nil, false
		}
		out[name] = ctyToJSON(v)
	}
	for _, b := range body.Blocks {
		if b.Type == "dynamic" || b.Type == "lifecycle" {
			if b.Type == "dynamic" {
				return nil, false
			}
			continue
		}
		sub, ok := bodyArgs(b.Body, ctx, depth+1)
		if !ok {
			return nil, false
		}
		l, _ := out[b.Type].([]any)
		out[b.Type] = append(l, sub)
	}
	return out, true
}

// ctyToJSON converts a wholly known value to plan-like Go values.
func ctyToJSON(v cty.Value) any {
	if v.IsNull() {
		return nil
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString()
	case t == cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f
	case t == cty.Bool:
		return v.True()
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, ctyToJSON(e))
		}
		return out
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = ctyToJSON(e)
		}
		return out
	}
	return nil
}

// replaceFunc is Terraform's replace: a substring wrapped in slashes is a
// regular expression.
var replaceFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "str", Type: cty.String},
		{Name: "substr", Type: cty.String},
		{Name: "replace", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		sub := args[1].AsString()
		if len(sub) > 1 && strings.HasPrefix(sub, "/") && strings.HasSuffix(sub, "/") {
			return stdlib.RegexReplaceFunc.Call([]cty.Value{args[0], cty.StringVal(sub[1 : len(sub)-1]), args[2]})
		}
		return stdlib.ReplaceFunc.Call(args)
	},
})

func init() { functions["replace"] = replaceFunc }
