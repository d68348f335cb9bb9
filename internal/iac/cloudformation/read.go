package cloudformation

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

// Options are the settings of a read.
type Options struct {
	// Account and Region are the stack's: AWS::AccountId and AWS::Region,
	// and where the resources land. Both are required.
	Account string
	Region  string
	// Parameters are the values of template parameters (--parameter
	// KEY=VALUE); a parameter not given takes its Default. The key
	// AWS::StackName sets that pseudo parameter.
	Parameters map[string]string
}

// Read reads CloudFormation templates, each a file or a directory of
// templates (its *.json, *.yaml, *.yml and *.template files that hold a
// Resources section), into the change they make to the account. Each
// template is one stack; Fn::ImportValue finds the exports of the others.
//
// The error is policy.Errors, each naming the file, the line, the column
// and the template path, for everything that makes a template unreadable:
// invalid JSON or YAML, an unknown short-form tag, a Ref to nothing, a
// cycle, a parameter without a value, a wrong argument to a function, a
// template too large or too deep. Values a template does not determine
// (an SSM parameter, another stack's export not among the templates, a
// condition on them) are not errors: they leave what depends on them
// incomplete, or are warnings.
func Read(paths []string, opts Options) (*inventory.Change, []string, error) {
	if !accountRE.MatchString(opts.Account) {
		return nil, nil, fmt.Errorf("the account ID (AWS::AccountId) is not known: give --account or a base")
	}
	if opts.Region == "" {
		return nil, nil, fmt.Errorf("the region (AWS::Region) is not known: give --region or a base that reads one region")
	}
	files, err := templateFiles(paths)
	if err != nil {
		return nil, nil, err
	}
	var srcs []source
	for _, f := range files {
		data, err := readCapped(f)
		if err != nil {
			return nil, nil, err
		}
		srcs = append(srcs, source{f, data})
	}
	return readSources(srcs, opts)
}

// A source is one template's name and text.
type source struct {
	file string
	data []byte
}

func readSources(srcs []source, opts Options) (*inventory.Change, []string, error) {
	r := newReader(opts)
	var errs policy.Errors
	for _, sc := range srcs {
		root, err := parseTemplate(sc.file, sc.data)
		if err != nil {
			var pe policy.Errors
			if errors.As(err, &pe) {
				errs = append(errs, pe...)
				continue
			}
			return nil, nil, err
		}
		r.stacks = append(r.stacks, newStack(r, sc.file, root))
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, nil, errs
	}
	return r.read()
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// templateFiles expands directories into the templates they hold.
func templateFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("template: %w", err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("template directory: %w", err)
		}
		n := 0
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || strings.HasPrefix(name, ".") || !hasTemplateExt(name) {
				continue
			}
			f := filepath.Join(p, name)
			ok, err := looksLikeTemplate(f)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, f)
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("template directory %s holds no template (*.json, *.yaml, *.yml or *.template with a Resources section)", p)
		}
	}
	return out, nil
}

func hasTemplateExt(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".yaml", ".yml", ".template":
		return true
	}
	return false
}

// looksLikeTemplate tells a template from the other files of a directory
// (a CDK output's manifest.json, tree.json): a template has a top-level
// Resources key. The check is textual; the file is parsed later.
func looksLikeTemplate(f string) (bool, error) {
	data, err := readCapped(f)
	if err != nil {
		return false, err
	}
	return topLevelResources.Match(data), nil
}

var topLevelResources = regexp.MustCompile(`(?m)^(Resources\s*:|\s*"Resources"\s*:)`)

func readCapped(f string) ([]byte, error) {
	fh, err := os.Open(f)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxTemplateSize+1))
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", f, err)
	}
	if len(data) > MaxTemplateSize {
		return nil, policy.Errors{{Source: f, Msg: fmt.Sprintf("template is larger than %d MiB", MaxTemplateSize>>20)}}
	}
	return data, nil
}

// reader holds the templates of one read.
type reader struct {
	opts      Options
	partition string
	urlSuffix string
	stacks    []*stack
	used      map[string]bool // parameters given and used
	exporting map[string]bool // exports being evaluated, for cycles
	warnings  []string
}

func newReader(opts Options) *reader {
	r := &reader{opts: opts, partition: "aws", urlSuffix: "amazonaws.com", used: map[string]bool{}, exporting: map[string]bool{}}
	switch {
	case strings.HasPrefix(opts.Region, "cn-"):
		r.partition, r.urlSuffix = "aws-cn", "amazonaws.com.cn"
	case strings.HasPrefix(opts.Region, "us-gov-"):
		r.partition = "aws-us-gov"
	}
	return r
}

func (r *reader) warn(at inventory.Location, format string, args ...any) {
	r.warnings = append(r.warnings, at.String()+": "+fmt.Sprintf(format, args...))
}

func newStack(r *reader, file string, root *node) *stack {
	return &stack{
		r: r, file: file, root: root,
		params: root.get("Parameters"), mappings: root.get("Mappings"), conditions: root.get("Conditions"),
		resources: root.get("Resources"), outputs: root.get("Outputs"),
		paramVals: map[string]*value{}, condVals: map[string]tri{}, idents: map[string]*identity{}, busy: map[string]bool{},
	}
}

// read evaluates every template and assembles the change.
func (r *reader) read() (*inventory.Change, []string, error) {
	r.nameStacks()
	c := &inventory.Change{Source: inventory.SourceCloudFormation, Account: r.opts.Account, Regions: []string{r.opts.Region}}
	var errs policy.Errors
	for _, s := range r.stacks {
		c.Edits = append(c.Edits, s.read()...)
		errs = append(errs, s.errs...)
	}
	for name := range r.opts.Parameters {
		if name != "AWS::StackName" && !r.declared(name) {
			errs = append(errs, &policy.Error{Source: "--parameter", Msg: fmt.Sprintf("no template declares a parameter %s", name)})
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, nil, errs
	}
	sort.Strings(r.warnings)
	return c, r.warnings, nil
}

func (r *reader) declared(name string) bool {
	for _, s := range r.stacks {
		if s.params.get(name) != nil {
			return true
		}
	}
	return false
}

// nameStacks qualifies the placeholders of templates whose logical IDs
// repeat in another template of the read, so that two stacks' AppRole are
// not one resource: {{cfn:network/AppRole}}.
func (r *reader) nameStacks() {
	seen := map[string]int{}
	for _, s := range r.stacks {
		if s.resources != nil {
			for _, id := range s.resources.keys {
				seen[id]++
			}
		}
	}
	for _, s := range r.stacks {
		if s.resources == nil {
			continue
		}
		if slices.ContainsFunc(s.resources.keys, func(id string) bool { return seen[id] > 1 }) {
			base := filepath.Base(s.file)
			base = strings.TrimSuffix(base, filepath.Ext(base))
			base = strings.TrimSuffix(base, ".template")
			s.name = stackNameRE.ReplaceAllString(base, "-")
		}
	}
}

var stackNameRE = regexp.MustCompile(`[^A-Za-z0-9-]+`)

// read checks the template's sections and evaluates its resources.
func (s *stack) read() []inventory.Edit {
	for i, k := range s.root.keys {
		switch k {
		case "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings", "Conditions", "Resources", "Outputs", "Rules", "Hooks":
		case "Transform":
			if !isLanguageExtensions(s.root.vals[i]) {
				at := s.root.keyAt[i]
				s.r.warn(inventory.Location{File: s.file, Path: "Transform", Line: at.line, Col: at.col},
					"macros (Transform) are not expanded: resources they would add or change are not read")
			}
		default:
			at := s.root.keyAt[i]
			s.errorf(&node{line: at.line, col: at.col}, k, "unknown top-level section %q", k)
		}
	}
	for _, sec := range []struct {
		name string
		n    *node
	}{{"Parameters", s.params}, {"Mappings", s.mappings}, {"Conditions", s.conditions}, {"Resources", s.resources}, {"Outputs", s.outputs}} {
		if sec.n != nil && sec.n.kind != kMap {
			s.errorf(sec.n, sec.name, "%s must be an object, not %s", sec.name, sec.n.kind)
			return nil
		}
	}
	if s.resources == nil || len(s.resources.keys) == 0 {
		s.errorf(s.root, "Resources", "a template needs a Resources section with at least one resource")
		return nil
	}
	for _, name := range keysOf(s.params) {
		if s.params.get(name).kind != kMap {
			s.errorf(s.params.get(name), "Parameters."+name, "a parameter must be an object")
			continue
		}
		// Every parameter is resolved, used or not, so that a missing
		// value is reported as CloudFormation would.
		s.param(name, nil, "")
	}
	var out []inventory.Edit
	for _, id := range s.resources.keys {
		r := s.resources.get(id)
		path := "Resources." + id
		if r.kind != kMap {
			s.errorf(r, path, "a resource must be an object, not %s", r.kind)
			continue
		}
		t := r.get("Type")
		if t == nil || t.kind != kString {
			s.errorf(r, path, "a resource needs a Type string")
			continue
		}
		if c := r.get("Condition"); c != nil {
			if c.kind != kString {
				s.errorf(c, path+".Condition", "Condition takes a condition name, not %s", c.kind)
				continue
			}
			switch s.namedCondition(c.str, c, path+".Condition") {
			case triFalse:
				continue
			case triUnknown:
				s.r.warn(*s.resourceLocation(id), "condition %s is not known before deployment: the resource is read as if it were created", c.str)
			}
		}
		out = append(out, s.edits(id)...)
	}
	return out
}

func isLanguageExtensions(n *node) bool {
	switch n.kind {
	case kString:
		return n.str == "AWS::LanguageExtensions"
	case kList:
		for _, e := range n.list {
			if !isLanguageExtensions(e) {
				return false
			}
		}
		return true
	}
	return false
}

func keysOf(n *node) []string {
	if n == nil {
		return nil
	}
	return n.keys
}

// importValue resolves Fn::ImportValue from the exports of the templates
// read; an export of a stack not among them is not known.
func (r *reader) importValue(from *stack, name string, at *node, path string) *value {
	for _, s := range r.stacks {
		if s.outputs == nil {
			continue
		}
		for _, out := range s.outputs.keys {
			o := s.outputs.get(out)
			exp := o.get("Export").get("Name")
			if exp == nil {
				continue
			}
			item := s.file + "#Outputs." + out
			if r.exporting[item] {
				from.errorf(at, path, "cycle: the export of %s imports itself", item)
				return unknown(at, path, "an error")
			}
			r.exporting[item] = true
			ev := s.eval(exp, "Outputs."+out+".Export.Name")
			match := ev.kind == vString && ev.str == name
			var v *value
			if match {
				if vn := o.get("Value"); vn != nil {
					v = s.eval(vn, "Outputs."+out+".Value")
				}
			}
			delete(r.exporting, item)
			if match {
				if v == nil {
					return unknown(at, path, "export "+name+" has no Value")
				}
				return relocate(v, at, path)
			}
		}
	}
	return unknown(at, path, "Fn::ImportValue "+name+" is another stack's export")
}
