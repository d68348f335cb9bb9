package terraform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// sources are the configuration's .tf files (--tf-dir), parsed with
// hclsyntax. They give every resource its file and line and, for values
// the plan holds as known after apply, the expression that makes them:
// evaluated against the plan's known values and the identities of planned
// resources (placeholders included), an expression such as
//
//	policy = jsonencode({ ... Principal = { AWS = aws_iam_role.app.arn } ... })
//
// gives the policy with the role's ARN in it. Only Terraform's own
// language is evaluated, with the built-in functions that do not read
// files or the clock; what needs more (a function not offered, a value not
// in the plan, a dynamic block) stays unknown.
type sources struct {
	r       *reader
	root    string
	modules map[string]*moduleSource // configuration path → sources
	ctxs    map[string]*hcl.EvalContext
	busy    map[string]bool
	// docs are the rendered JSON of data.aws_iam_policy_document
	// instances the plan holds as known after apply, by address.
	docs map[string]string
}

// A moduleSource is one module's files.
type moduleSource struct {
	dir    string
	blocks map[string]located // "resource.TYPE.NAME", "data.TYPE.NAME", "module.NAME", "output.NAME", "variable.NAME"
	locals map[string]*hclsyntax.Attribute
}

type located struct {
	block *hclsyntax.Block
	file  string
}

type srcPos struct {
	file      string
	line, col int
}

// maxSourceFile bounds each .tf file read.
const maxSourceFile = 8 << 20

func loadSources(dir string, r *reader) (*sources, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("--tf-dir: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("--tf-dir %s is not a directory", dir)
	}
	s := &sources{r: r, root: dir, modules: map[string]*moduleSource{}, ctxs: map[string]*hcl.EvalContext{}, busy: map[string]bool{}, docs: map[string]string{}}
	installed := installedModules(dir)
	paths := make([]string, 0, len(r.modules))
	for p := range r.modules {
		paths = append(paths, p)
	}
	sort.Strings(paths) // parents before children
	for _, p := range paths {
		mdir := dir
		if p != "" {
			parent := s.modules[parentPath(p)]
			call := r.modules[parentPath(p)].ModuleCalls[lastModule(p)]
			switch {
			case parent != nil && call != nil && (strings.HasPrefix(call.Source, "./") || strings.HasPrefix(call.Source, "../")):
				mdir = filepath.Join(parent.dir, filepath.FromSlash(call.Source))
			case installed[moduleKey(p)] != "":
				mdir = filepath.Join(dir, filepath.FromSlash(installed[moduleKey(p)]))
			default:
				continue // a registry module not installed: no sources
			}
		}
		ms, err := parseModuleDir(mdir)
		if err != nil {
			return nil, err
		}
		if ms != nil {
			s.modules[p] = ms
		}
	}
	if s.modules[""] == nil {
		return nil, fmt.Errorf("--tf-dir %s holds no .tf file", dir)
	}
	return s, nil
}

func parentPath(p string) string {
	i := strings.LastIndex(p, "module.")
	return strings.TrimSuffix(p[:i], ".")
}

func lastModule(p string) string {
	return p[strings.LastIndex(p, "module.")+len("module."):]
}

// moduleKey is a module's key in .terraform/modules/modules.json: the
// names of the module calls joined with dots.
func moduleKey(p string) string {
	return strings.ReplaceAll(strings.TrimPrefix(p, "module."), ".module.", ".")
}

// installedModules reads where `terraform init` put the modules.
func installedModules(dir string) map[string]string {
	out := map[string]string{}
	data, err := os.ReadFile(filepath.Join(dir, ".terraform", "modules", "modules.json"))
	if err != nil {
		return out
	}
	var m struct {
		Modules []struct{ Key, Dir string }
	}
	if json.Unmarshal(data, &m) == nil {
		for _, e := range m.Modules {
			out[e.Key] = e.Dir
		}
	}
	return out
}

func parseModuleDir(dir string) (*moduleSource, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil // a module whose directory is gone: no sources
	}
	ms := &moduleSource{dir: dir, blocks: map[string]located{}, locals: map[string]*hclsyntax.Attribute{}}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		file := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--tf-dir: %w", err)
		}
		if len(data) > maxSourceFile {
			return nil, fmt.Errorf("--tf-dir: %s is larger than %d MiB", file, maxSourceFile>>20)
		}
		f, diags := hclsyntax.ParseConfig(data, file, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, fmt.Errorf("--tf-dir: %s", diags.Error())
		}
		n++
		body := f.Body.(*hclsyntax.Body)
		for _, b := range body.Blocks {
			switch {
			case (b.Type == "resource" || b.Type == "data") && len(b.Labels) == 2:
				ms.blocks[b.Type+"."+b.Labels[0]+"."+b.Labels[1]] = located{b, file}
			case (b.Type == "module" || b.Type == "output" || b.Type == "variable") && len(b.Labels) == 1:
				ms.blocks[b.Type+"."+b.Labels[0]] = located{b, file}
			case b.Type == "locals":
				for name, a := range b.Body.Attributes {
					ms.locals[name] = a
				}
			}
		}
	}
	if n == 0 {
		return nil, nil
	}
	return ms, nil
}

// blockOf finds an instance's resource or data block.
func (s *sources) blockOf(in *instance) (located, bool) {
	ms := s.modules[in.cfgModule]
	if ms == nil {
		return located{}, false
	}
	kind := "resource"
	if in.mode == tfjson.DataResourceMode {
		kind = "data"
	}
	l, ok := ms.blocks[kind+"."+in.typ+"."+in.name]
	return l, ok
}

// position is where an instance (or one of its top-level attributes) is
// written.
func (s *sources) position(in *instance, attr string) (srcPos, bool) {
	l, ok := s.blockOf(in)
	if !ok {
		return srcPos{}, false
	}
	rng := l.block.TypeRange
	if attr != "" {
		top, _, _ := strings.Cut(attr, "[")
		top, _, _ = strings.Cut(top, ".")
		if a := l.block.Body.Attributes[top]; a != nil {
			rng = a.SrcRange
		} else {
			for _, b := range l.block.Body.Blocks {
				if b.Type == top {
					rng = b.TypeRange
					break
				}
			}
		}
	}
	return srcPos{file: l.file, line: rng.Start.Line, col: rng.Start.Column}, true
}

// evalString evaluates a top-level attribute of an instance to a string.
func (s *sources) evalString(in *instance, attr string) (string, bool) {
	v, ok := s.evalAttr(in, nil, attr)
	if !ok {
		return "", false
	}
	return ctyString(v)
}

func (s *sources) evalStrings(in *instance, attr string) ([]string, bool) {
	v, ok := s.evalAttr(in, nil, attr)
	if !ok {
		return nil, false
	}
	return ctyStrings(v)
}

// evalNested evaluates an attribute inside nested blocks: path is block
// type, index, block type, index, ..., attribute.
func (s *sources) evalNested(in *instance, path []any) (string, bool) {
	l, ok := s.blockOf(in)
	if !ok {
		return "", false
	}
	body := l.block.Body
	for i := 0; i+1 < len(path); i += 2 {
		typ, _ := path[i].(string)
		idx, _ := path[i+1].(int)
		var found *hclsyntax.Block
		n := 0
		for _, b := range body.Blocks {
			if b.Type == "dynamic" {
				return "", false
			}
			if b.Type == typ {
				if n == idx {
					found = b
				}
				n++
			}
		}
		if found == nil {
			return "", false
		}
		body = found.Body
	}
	attr, _ := path[len(path)-1].(string)
	v, ok := s.evalAttr(in, body, attr)
	if !ok {
		return "", false
	}
	return ctyString(v)
}

// evalInlinePolicy finds the inline_policy block of a role with that name
// and evaluates its policy.
func (s *sources) evalInlinePolicy(in *instance, name string) (string, bool) {
	l, ok := s.blockOf(in)
	if !ok {
		return "", false
	}
	for _, b := range l.block.Body.Blocks {
		if b.Type != "inline_policy" {
			continue
		}
		n, ok := s.evalAttr(in, b.Body, "name")
		if ns, ok2 := ctyString(n); !ok || !ok2 || ns != name {
			continue
		}
		v, ok := s.evalAttr(in, b.Body, "policy")
		if !ok {
			return "", false
		}
		return ctyString(v)
	}
	return "", false
}

// evalAttr evaluates an attribute of the instance's block (or of a nested
// body of it) in the instance's context. It fails on any error and on a
// result that is not wholly known.
func (s *sources) evalAttr(in *instance, body *hclsyntax.Body, attr string) (cty.Value, bool) {
	if body == nil {
		l, ok := s.blockOf(in)
		if !ok {
			return cty.NilVal, false
		}
		body = l.block.Body
	}
	a := body.Attributes[attr]
	if a == nil {
		return cty.NilVal, false
	}
	ctx := s.instanceContext(in)
	if ctx == nil {
		return cty.NilVal, false
	}
	return evalExpr(a.Expr, ctx)
}

func evalExpr(e hclsyntax.Expression, ctx *hcl.EvalContext) (v cty.Value, ok bool) {
	defer func() {
		// A bug in a function must not stop the read: the value is
		// then unknown.
		if recover() != nil {
			v, ok = cty.NilVal, false
		}
	}()
	v, diags := e.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	v, _ = v.UnmarkDeep()
	return v, true
}

func ctyString(v cty.Value) (string, bool) {
	if v.IsNull() || !v.IsKnown() {
		return "", false
	}
	switch v.Type() {
	case cty.String:
		return v.AsString(), true
	case cty.Number:
		return v.AsBigFloat().Text('f', -1), true
	case cty.Bool:
		if v.True() {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

func ctyStrings(v cty.Value) ([]string, bool) {
	if v.IsNull() || !v.CanIterateElements() {
		return nil, false
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		s, ok := ctyString(e)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// instanceContext is the module instance's context with count.index or
// each.key and each.value of the instance.
func (s *sources) instanceContext(in *instance) *hcl.EvalContext {
	return s.childContext(s.moduleContext(in.module, in.cfgModule, 0), in)
}

func (s *sources) childContext(ctx *hcl.EvalContext, in *instance) *hcl.EvalContext {
	if ctx == nil || in.index == nil {
		return ctx
	}
	child := ctx.NewChild()
	child.Variables = map[string]cty.Value{}
	switch idx := in.index.(type) {
	case float64:
		child.Variables["count"] = cty.ObjectVal(map[string]cty.Value{"index": cty.NumberFloatVal(idx)})
	case string:
		each := map[string]cty.Value{"key": cty.StringVal(idx), "value": cty.DynamicVal}
		if l, ok := s.blockOf(in); ok {
			if fe := l.block.Body.Attributes["for_each"]; fe != nil {
				if v, ok := evalExpr(fe.Expr, ctx); ok && v.CanIterateElements() {
					for it := v.ElementIterator(); it.Next(); {
						k, ev := it.Element()
						if ks, ok := ctyString(k); ok && ks == idx {
							each["value"] = ev
						}
					}
				}
			}
		}
		child.Variables["each"] = cty.ObjectVal(each)
	}
	return child
}

// moduleContext builds (once) the context of a module instance: var,
// local, the resources and data sources of the instance, module outputs,
// path and terraform.
func (s *sources) moduleContext(module, cfgModule string, depth int) *hcl.EvalContext {
	if ctx, ok := s.ctxs[module]; ok {
		return ctx
	}
	ms := s.modules[cfgModule]
	if ms == nil || depth > 16 || s.busy[module] {
		return nil
	}
	s.busy[module] = true
	defer delete(s.busy, module)

	vars := map[string]cty.Value{
		"var":       cty.ObjectVal(s.variables(module, cfgModule, ms, depth)),
		"path":      cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(ms.dir), "root": cty.StringVal(s.root), "cwd": cty.StringVal(".")}),
		"terraform": cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")}),
	}
	// Resources and data sources, by type and name.
	managed := map[string]map[string][]*instance{}
	data := map[string]map[string][]*instance{}
	for _, in := range s.r.instances {
		if in.module != module || in.deposed || in.actions.Delete() {
			continue
		}
		m := managed
		if in.mode == tfjson.DataResourceMode {
			m = data
		}
		if m[in.typ] == nil {
			m[in.typ] = map[string][]*instance{}
		}
		m[in.typ][in.name] = append(m[in.typ][in.name], in)
	}
	for typ, byName := range managed {
		vars[typ] = s.instancesValue(byName)
	}
	setData := func() {
		dataObj := map[string]cty.Value{}
		for typ, byName := range data {
			dataObj[typ] = s.instancesValue(byName)
		}
		vars["data"] = cty.ObjectVal(dataObj)
	}
	setData()
	ctx := &hcl.EvalContext{Variables: vars, Functions: functions}
	s.ctxs[module] = ctx // child modules' outputs may refer back through variables
	// Module outputs.
	mods := map[string]cty.Value{}
	for key, l := range ms.blocks {
		name, ok := strings.CutPrefix(key, "module.")
		if !ok || l.block.Type != "module" {
			continue
		}
		mods[name] = s.outputs(join(module, "module."+name), join(cfgModule, "module."+name), depth)
	}
	vars["module"] = cty.ObjectVal(mods)
	// Locals and the policy documents read at apply, in as many rounds
	// as they depend on each other (a document's source_policy_documents
	// naming another's json).
	locals := map[string]cty.Value{}
	vars["local"] = cty.ObjectVal(locals)
	for round := 0; round < 16; round++ {
		progress := false
		for name, a := range ms.locals {
			if _, done := locals[name]; done {
				continue
			}
			if v, ok := evalExpr(a.Expr, ctx); ok {
				locals[name] = v
				progress = true
			}
		}
		vars["local"] = cty.ObjectVal(locals)
		for _, byName := range data["aws_iam_policy_document"] {
			for _, in := range byName {
				if _, done := s.docs[in.addr]; done {
					continue
				}
				obj, unk := in.state()
				if !isUnknown(unk, "json") && obj["json"] != nil {
					continue
				}
				l, ok := s.blockOf(in)
				if !ok {
					continue
				}
				args, ok := bodyArgs(l.block.Body, s.childContext(ctx, in), 0)
				if !ok {
					continue
				}
				if text, err := renderPolicy(args); err == nil {
					s.docs[in.addr] = text
					progress = true
				}
			}
		}
		if !progress {
			break
		}
		setData()
	}
	return ctx
}

// variables are a module instance's input variables: the root module's
// from the plan, a child's from its module call, else their defaults.
func (s *sources) variables(module, cfgModule string, ms *moduleSource, depth int) map[string]cty.Value {
	out := map[string]cty.Value{}
	if cfgModule == "" {
		for name, v := range s.r.plan.Variables {
			if v != nil {
				out[name] = jsonToCty(v.Value)
			}
		}
		return out
	}
	for key, l := range ms.blocks {
		name, ok := strings.CutPrefix(key, "variable.")
		if !ok {
			continue
		}
		if d := l.block.Body.Attributes["default"]; d != nil {
			if v, ok := evalExpr(d.Expr, &hcl.EvalContext{Functions: functions}); ok {
				out[name] = v
			}
		}
	}
	parentCfg := parentPath(cfgModule)
	parentMod := parentPath(module)
	parent := s.modules[parentCfg]
	if parent == nil {
		return out
	}
	call, ok := parent.blocks["module."+lastModule(cfgModule)]
	if !ok {
		return out
	}
	pctx := s.moduleContext(parentMod, parentCfg, depth+1)
	if pctx == nil {
		return out
	}
	// The module instance's key, for count and for_each on the call.
	_, key := cutIndex(lastModule(module))
	if key != "" {
		child := pctx.NewChild()
		child.Variables = map[string]cty.Value{}
		var idx any
		if json.Unmarshal([]byte(strings.Trim(key, "[]")), &idx) == nil {
			switch v := idx.(type) {
			case float64:
				child.Variables["count"] = cty.ObjectVal(map[string]cty.Value{"index": cty.NumberFloatVal(v)})
			case string:
				child.Variables["each"] = cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(v), "value": cty.DynamicVal})
			}
		}
		pctx = child
	}
	for name, a := range call.block.Body.Attributes {
		switch name {
		case "source", "version", "count", "for_each", "providers", "depends_on":
			continue
		}
		if v, ok := evalExpr(a.Expr, pctx); ok {
			out[name] = v
		}
	}
	return out
}

// outputs are a child module instance's output values, those that
// evaluate.
func (s *sources) outputs(module, cfgModule string, depth int) cty.Value {
	ms := s.modules[cfgModule]
	if ms == nil {
		return cty.DynamicVal
	}
	ctx := s.moduleContext(module, cfgModule, depth+1)
	if ctx == nil {
		return cty.DynamicVal
	}
	out := map[string]cty.Value{}
	for key, l := range ms.blocks {
		name, ok := strings.CutPrefix(key, "output.")
		if !ok {
			continue
		}
		if a := l.block.Body.Attributes["value"]; a != nil {
			if v, ok := evalExpr(a.Expr, ctx); ok {
				out[name] = v
				continue
			}
		}
		out[name] = cty.DynamicVal
	}
	return cty.ObjectVal(out)
}

// instancesValue is the value of a resource as expressions see it: one
// object, a tuple (count) or an object by key (for_each).
func (s *sources) instancesValue(byName map[string][]*instance) cty.Value {
	out := map[string]cty.Value{}
	for name, ins := range byName {
		if len(ins) == 1 && ins[0].index == nil {
			out[name] = s.instanceValue(ins[0])
			continue
		}
		numbered := map[int]cty.Value{}
		keyed := map[string]cty.Value{}
		for _, in := range ins {
			switch idx := in.index.(type) {
			case float64:
				numbered[int(idx)] = s.instanceValue(in)
			case string:
				keyed[idx] = s.instanceValue(in)
			}
		}
		if len(keyed) > 0 {
			out[name] = cty.ObjectVal(keyed)
			continue
		}
		var list []cty.Value
		for i := 0; i < len(numbered); i++ {
			v, ok := numbered[i]
			if !ok {
				v = cty.DynamicVal
			}
			list = append(list, v)
		}
		out[name] = cty.TupleVal(list)
	}
	return cty.ObjectVal(out)
}

// instanceValue is an instance's object: the plan's known values, the
// identity's for identifiers known after apply, unknown for the rest.
func (s *sources) instanceValue(in *instance) cty.Value {
	obj, unk := in.state()
	id := s.r.identityOf(in)
	attrs := map[string]cty.Value{}
	for k, v := range obj {
		if isUnknown(unk, k) {
			continue
		}
		attrs[k] = jsonToCtyUnknown(v, unk[k])
	}
	for k := range unk {
		if _, ok := attrs[k]; !ok && isUnknown(unk, k) {
			attrs[k] = cty.DynamicVal
		}
	}
	for k, v := range id.attrs {
		if cur, ok := attrs[k]; !ok || !cur.IsKnown() {
			attrs[k] = cty.StringVal(v)
		}
	}
	if text, ok := s.docs[in.addr]; ok {
		attrs["json"], attrs["minified_json"] = cty.StringVal(text), cty.StringVal(text)
	}
	return cty.ObjectVal(attrs)
}

func jsonToCty(v any) cty.Value { return jsonToCtyUnknown(v, nil) }

// jsonToCtyUnknown converts a plan value, with unknown where its
// after_unknown mirror says so.
func jsonToCtyUnknown(v any, unk any) cty.Value {
	if b, ok := unk.(bool); ok && b {
		return cty.DynamicVal
	}
	switch x := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType)
	case string:
		return cty.StringVal(x)
	case float64:
		return cty.NumberFloatVal(x)
	case json.Number:
		f, _ := x.Float64()
		return cty.NumberFloatVal(f)
	case bool:
		return cty.BoolVal(x)
	case []any:
		if len(x) == 0 {
			return cty.EmptyTupleVal
		}
		ul, _ := unk.([]any)
		vals := make([]cty.Value, len(x))
		for i, e := range x {
			var u any
			if i < len(ul) {
				u = ul[i]
			}
			vals[i] = jsonToCtyUnknown(e, u)
		}
		return cty.TupleVal(vals)
	case map[string]any:
		if len(x) == 0 {
			return cty.EmptyObjectVal
		}
		um, _ := unk.(map[string]any)
		vals := make(map[string]cty.Value, len(x))
		for k, e := range x {
			vals[k] = jsonToCtyUnknown(e, um[k])
		}
		return cty.ObjectVal(vals)
	}
	return cty.DynamicVal
}

// functions are Terraform's built-in functions that depend on nothing but
// their arguments (no files, no clock, no randomness).
var functions = map[string]function.Function{
	"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "chomp": stdlib.ChompFunc, "chunklist": stdlib.ChunklistFunc,
	"coalesce": stdlib.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc,
	"concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc,
	"element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc, "floor": stdlib.FloorFunc, "format": stdlib.FormatFunc,
	"formatlist": stdlib.FormatListFunc, "indent": stdlib.IndentFunc, "index": stdlib.IndexFunc, "join": stdlib.JoinFunc,
	"jsondecode": stdlib.JSONDecodeFunc, "jsonencode": stdlib.JSONEncodeFunc, "keys": stdlib.KeysFunc,
	"length": stdlib.LengthFunc, "log": stdlib.LogFunc, "lookup": stdlib.LookupFunc, "lower": stdlib.LowerFunc,
	"max": stdlib.MaxFunc, "merge": stdlib.MergeFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc,
	"pow": stdlib.PowFunc, "range": stdlib.RangeFunc, "regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc,
	"reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc,
	"setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc, "signum": stdlib.SignumFunc,
	"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc,
	"substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc, "trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc,
	"trimspace": stdlib.TrimSpaceFunc, "trimsuffix": stdlib.TrimSuffixFunc, "upper": stdlib.UpperFunc,
	"values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc, "replace": stdlib.ReplaceFunc,
	"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number), "tobool": stdlib.MakeToFunc(cty.Bool),
	"tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)), "toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
	"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
}
