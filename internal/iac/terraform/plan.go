package terraform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/posjson"
)

// MaxPlanSize is the largest plan file read, in bytes.
const MaxPlanSize = 256 << 20

// Options are the settings of a read.
type Options struct {
	// Account is the account the plan is for (--account). Empty: the plan
	// tells (the account_id of a data.aws_caller_identity, the
	// allowed_account_ids of the provider, the account of the ARNs of its
	// prior state), else DefaultAccount. A plan that names another
	// account than Account is an error.
	Account        string
	DefaultAccount string
	// Region is the region of resources whose provider configuration
	// does not say (--region); a provider's constant region, or a
	// resource's own region argument, wins.
	Region string
	// SourceDir is the directory of the configuration's .tf files
	// (--tf-dir). With it, resources are located at their file and line,
	// and values the plan holds as "known after apply" are rebuilt from
	// the sources where they can be.
	SourceDir string
}

// Read reads a plan written by `terraform show -json PLANFILE` into the
// change it makes to the account. The plan must follow Terraform's JSON
// output format (validated with hashicorp/terraform-json). Errors reading
// the plan name the file, the line and the column; a plan that is valid
// JSON but not a plan is an error naming what is wrong.
func Read(planFile string, opts Options) (*inventory.Change, []string, error) {
	data, err := readCapped(planFile)
	if err != nil {
		return nil, nil, err
	}
	return readPlan(planFile, data, opts)
}

func readPlan(planFile string, data []byte, opts Options) (*inventory.Change, []string, error) {
	plan, err := parsePlan(planFile, data)
	if err != nil {
		return nil, nil, err
	}
	r, err := newReader(planFile, plan, opts)
	if err != nil {
		return nil, nil, err
	}
	return r.read()
}

func readCapped(f string) ([]byte, error) {
	fh, err := os.Open(f)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxPlanSize+1))
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", f, err)
	}
	if len(data) > MaxPlanSize {
		return nil, policy.Errors{{Source: f, Msg: fmt.Sprintf("plan is larger than %d MiB", MaxPlanSize>>20)}}
	}
	return data, nil
}

// parsePlan decodes and validates a plan, locating every error.
func parsePlan(file string, data []byte) (*tfjson.Plan, error) {
	// posjson first: its errors have positions, and it bounds nesting.
	v, err := posjson.Parse(data)
	if err != nil {
		var se *posjson.SyntaxError
		if errors.As(err, &se) {
			line, col := posjson.LineCol(data, se.Offset)
			return nil, policy.Errors{{Source: file, Line: line, Col: col, Msg: "invalid JSON: " + se.Msg}}
		}
		return nil, policy.Errors{{Source: file, Msg: "invalid JSON: " + err.Error()}}
	}
	if v.Kind != posjson.Object {
		return nil, policy.Errors{{Source: file, Line: 1, Col: 1, Msg: "a plan must be a JSON object, not " + v.Kind.String()}}
	}
	if v.Get("format_version") == nil {
		return nil, policy.Errors{{Source: file, Line: 1, Col: 1, Msg: `no "format_version": this is not the output of terraform show -json PLANFILE`}}
	}
	if v.Get("planned_values") == nil && v.Get("resource_changes") == nil {
		return nil, policy.Errors{{Source: file, Line: 1, Col: 1, Msg: `neither "planned_values" nor "resource_changes": this is not a plan (a state from terraform show -json without a plan file?)`}}
	}
	plan := new(tfjson.Plan)
	if err := json.Unmarshal(data, plan); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			line, col := posjson.LineCol(data, int(te.Offset))
			return nil, policy.Errors{{Source: file, Path: te.Field, Line: line, Col: col, Msg: fmt.Sprintf("must be %s, not %s", te.Type, te.Value)}}
		case errors.As(err, &se):
			line, col := posjson.LineCol(data, int(se.Offset))
			return nil, policy.Errors{{Source: file, Line: line, Col: col, Msg: se.Error()}}
		}
		// terraform-json's Validate: an unsupported format version.
		at := v.Get("format_version")
		line, col := posjson.LineCol(data, at.Offset)
		return nil, policy.Errors{{Source: file, Path: "format_version", Line: line, Col: col, Msg: err.Error()}}
	}
	return plan, nil
}

// An instance is one resource instance of the plan: a managed resource
// with its change, or a data source with what was read.
type instance struct {
	addr    string // module.app[0].aws_kms_key.k["x"]
	module  string // module.app[0]; "" for the root module
	mode    tfjson.ResourceMode
	typ     string
	name    string
	index   any // nil, a number or a string
	actions tfjson.Actions
	deposed bool
	before  map[string]any
	after   map[string]any
	// unk mirrors after: true where a value is not known until apply.
	unk map[string]any
	cfg *tfjson.ConfigResource
	// cfgModule is the module's configuration path: module.app.
	cfgModule string
	region    string
	ident     *identity
}

func (in *instance) deleted() bool {
	return in.deposed || in.actions.Delete() || in.actions.DestroyBeforeCreate() || in.actions.CreateBeforeDestroy()
}

// state is the object the instance leaves: after, or before for a delete.
func (in *instance) state() (map[string]any, map[string]any) {
	if in.after == nil && !in.actions.Create() {
		return in.before, nil
	}
	return in.after, in.unk
}

// reader holds the state of one read.
type reader struct {
	file      string
	plan      *tfjson.Plan
	opts      Options
	account   string
	partition string
	instances []*instance
	byAddr    map[string]*instance
	modules   map[string]*tfjson.ConfigModule // configuration path → module
	src       *sources                        // --tf-dir, or nil
	at        time.Time
	warnings  []string
	errs      policy.Errors
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

func newReader(file string, plan *tfjson.Plan, opts Options) (*reader, error) {
	r := &reader{file: file, plan: plan, opts: opts, partition: "aws", byAddr: map[string]*instance{}, modules: map[string]*tfjson.ConfigModule{}}
	if plan.Timestamp != "" {
		if t, err := time.Parse(time.RFC3339, plan.Timestamp); err == nil {
			r.at = t.UTC()
		}
	}
	if plan.Config != nil && plan.Config.RootModule != nil {
		r.indexModules("", plan.Config.RootModule, 0)
	}
	for _, rc := range plan.ResourceChanges {
		if rc == nil || rc.Change == nil || !isAWS(rc.ProviderName) {
			continue
		}
		in := &instance{
			addr: rc.Address, module: rc.ModuleAddress, mode: rc.Mode, typ: rc.Type, name: rc.Name, index: rc.Index,
			actions: rc.Change.Actions, deposed: rc.DeposedKey != "",
			before: asMap(rc.Change.Before), after: asMap(rc.Change.After), unk: asMap(rc.Change.AfterUnknown),
		}
		if in.deposed {
			// A deposed object is the old object of a
			// create_before_destroy replacement: it goes.
			in.addr += " (deposed " + rc.DeposedKey + ")"
		}
		r.add(in)
	}
	// Data sources read while planning are in the prior state only.
	if plan.PriorState != nil && plan.PriorState.Values != nil {
		r.priorData(plan.PriorState.Values.RootModule, 0)
	}
	if opts.SourceDir != "" {
		src, err := loadSources(opts.SourceDir, r)
		if err != nil {
			return nil, err
		}
		r.src = src
	}
	if err := r.resolveAccount(); err != nil {
		return nil, err
	}
	if strings.HasPrefix(opts.Region, "cn-") {
		r.partition = "aws-cn"
	} else if strings.HasPrefix(opts.Region, "us-gov-") {
		r.partition = "aws-us-gov"
	}
	for _, in := range r.instances {
		in.region = r.regionOf(in)
	}
	return r, nil
}

func isAWS(provider string) bool {
	return provider == "" || strings.HasSuffix(provider, "/aws") || provider == "aws"
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func (r *reader) add(in *instance) {
	in.cfgModule = configPath(in.module)
	if m := r.modules[in.cfgModule]; m != nil {
		cfgAddr := in.typ + "." + in.name
		if in.mode == tfjson.DataResourceMode {
			cfgAddr = "data." + cfgAddr
		}
		for _, c := range m.Resources {
			if c.Address == cfgAddr {
				in.cfg = c
			}
		}
	}
	if _, dup := r.byAddr[in.addr]; dup {
		return
	}
	r.byAddr[in.addr] = in
	r.instances = append(r.instances, in)
}

func (r *reader) priorData(m *tfjson.StateModule, depth int) {
	if m == nil || depth > 64 {
		return
	}
	for _, res := range m.Resources {
		if res == nil || res.Mode != tfjson.DataResourceMode || !isAWS(res.ProviderName) {
			continue
		}
		if _, ok := r.byAddr[res.Address]; ok {
			continue
		}
		module := ""
		if i := strings.LastIndex(res.Address, "data."); i > 0 {
			module = strings.TrimSuffix(res.Address[:i], ".")
		}
		r.add(&instance{
			addr: res.Address, module: module, mode: res.Mode, typ: res.Type, name: res.Name, index: res.Index,
			actions: tfjson.Actions{tfjson.ActionNoop}, before: res.AttributeValues, after: res.AttributeValues,
		})
	}
	for _, c := range m.ChildModules {
		r.priorData(c, depth+1)
	}
}

// indexModules records the configuration of every module by its path.
func (r *reader) indexModules(path string, m *tfjson.ConfigModule, depth int) {
	if m == nil || depth > 64 {
		return
	}
	r.modules[path] = m
	for name, call := range m.ModuleCalls {
		if call != nil {
			r.indexModules(join(path, "module."+name), call.Module, depth+1)
		}
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// configPath drops the instance keys of a module address:
// module.app[0].module.x["a"] → module.app.module.x.
func configPath(module string) string {
	var b strings.Builder
	depth := 0
	inQuote := false
	for i := 0; i < len(module); i++ {
		c := module[i]
		switch {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
			continue
		case c == '"' && depth > 0:
			inQuote = true
			continue
		case c == '[':
			depth++
			continue
		case c == ']':
			depth--
			continue
		}
		if depth == 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// resolveAccount picks the account the plan is for.
func (r *reader) resolveAccount() error {
	planAcct, from := r.planAccount()
	switch {
	case r.opts.Account != "":
		if !accountRE.MatchString(r.opts.Account) {
			return fmt.Errorf("--account %q is not a 12-digit account ID", r.opts.Account)
		}
		if planAcct != "" && planAcct != r.opts.Account {
			return fmt.Errorf("the plan is for account %s (%s), not %s (--account)", planAcct, from, r.opts.Account)
		}
		r.account = r.opts.Account
	case planAcct != "":
		r.account = planAcct
	case r.opts.DefaultAccount != "":
		r.account = r.opts.DefaultAccount
	default:
		return fmt.Errorf("%s: the plan does not say which account it is for (no data.aws_caller_identity, allowed_account_ids or ARN in its state): give --account", r.file)
	}
	return nil
}

// planAccount finds the account in the plan, and says where.
func (r *reader) planAccount() (string, string) {
	for _, in := range r.instances {
		if in.mode == tfjson.DataResourceMode && in.typ == "aws_caller_identity" {
			if a, ok := in.after["account_id"].(string); ok && accountRE.MatchString(a) {
				return a, in.addr + ".account_id"
			}
		}
	}
	if r.plan.Config != nil {
		keys := make([]string, 0, len(r.plan.Config.ProviderConfigs))
		for k := range r.plan.Config.ProviderConfigs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pc := r.plan.Config.ProviderConfigs[k]
			if pc == nil || pc.Name != "aws" {
				continue
			}
			if e := pc.Expressions["allowed_account_ids"]; e != nil && e.ExpressionData != nil {
				if l, ok := e.ConstantValue.([]any); ok && len(l) == 1 {
					if a, ok := l[0].(string); ok && accountRE.MatchString(a) {
						return a, "provider " + k + " allowed_account_ids"
					}
				}
			}
		}
	}
	// The ARNs of IAM entities and keys the state already holds.
	for _, in := range r.instances {
		if in.mode != tfjson.ManagedResourceMode || in.before == nil {
			continue
		}
		if arn, ok := in.before["arn"].(string); ok {
			f := strings.SplitN(arn, ":", 6)
			if len(f) == 6 && (f[2] == "iam" || f[2] == "kms") && accountRE.MatchString(f[4]) {
				return f[4], in.addr + ".arn"
			}
		}
	}
	return "", ""
}

// regionOf finds an instance's region: its own region argument (AWS
// provider 6), its provider configuration's, else --region.
func (r *reader) regionOf(in *instance) string {
	if obj, _ := in.state(); obj != nil {
		if reg, ok := obj["region"].(string); ok && reg != "" {
			return reg
		}
	}
	if r.plan.Config != nil {
		// A resource no longer in the configuration (being destroyed)
		// used the default provider, as far as the plan tells.
		key := "aws"
		if in.cfg != nil {
			key = in.cfg.ProviderConfigKey
		}
		if reg := r.providerRegion(key, in.cfgModule); reg != "" {
			return reg
		}
	}
	return r.opts.Region
}

func (r *reader) providerRegion(key, module string) string {
	pcs := r.plan.Config.ProviderConfigs
	pc := pcs[key]
	if pc == nil {
		// Keys of providers declared in a module are "module.x:aws".
		if _, k, ok := strings.Cut(key, ":"); ok {
			pc = pcs[k]
		}
	}
	if pc == nil {
		return ""
	}
	e := pc.Expressions["region"]
	if e == nil || e.ExpressionData == nil {
		return ""
	}
	if s, ok := e.ConstantValue.(string); ok {
		return s
	}
	// region = var.region in the root module.
	if len(e.References) > 0 && pc.ModuleAddress == "" {
		if name, ok := strings.CutPrefix(e.References[0], "var."); ok {
			if v := r.plan.Variables[name]; v != nil {
				if s, ok := v.Value.(string); ok {
					return s
				}
			}
		}
	}
	return ""
}

func (r *reader) warn(in *instance, format string, args ...any) {
	r.warnings = append(r.warnings, r.location(in, "").String()+": "+fmt.Sprintf(format, args...))
}

// location is where an instance (and one of its attributes) is declared:
// the .tf file and line with --tf-dir, else the plan file; the path is the
// address and attribute.
func (r *reader) location(in *instance, attr string) inventory.Location {
	path := in.addr
	if attr != "" {
		path += "." + attr
	}
	loc := inventory.Location{File: r.file, Path: path}
	if r.src != nil {
		if p, ok := r.src.position(in, attr); ok {
			loc.File, loc.Line, loc.Col = p.file, p.line, p.col
		}
	}
	return loc
}

func (r *reader) sourceOf(in *instance) *inventory.Location {
	l := r.location(in, "")
	return &l
}

// read turns every instance into edits.
func (r *reader) read() (*inventory.Change, []string, error) {
	c := &inventory.Change{Source: inventory.SourceTerraform, Account: r.account, GeneratedAt: r.at}
	regions := map[string]bool{}
	for _, in := range r.instances {
		if in.mode != tfjson.ManagedResourceMode {
			if in.mode == tfjson.DataResourceMode && in.typ == "aws_iam_policy" {
				c.Edits = append(c.Edits, r.awsManagedPolicy(in)...)
			}
			continue
		}
		edits := r.edits(in)
		if len(edits) > 0 && in.region != "" && strings.HasPrefix(in.typ, "aws_kms_") {
			regions[in.region] = true
		}
		c.Edits = append(c.Edits, edits...)
	}
	for reg := range regions {
		c.Regions = append(c.Regions, reg)
	}
	sort.Strings(c.Regions)
	if len(r.errs) > 0 {
		r.errs.Sort()
		return nil, nil, r.errs
	}
	sort.Strings(r.warnings)
	return c, r.warnings, nil
}

func (r *reader) errorf(in *instance, attr, format string, args ...any) {
	loc := r.location(in, attr)
	r.errs = append(r.errs, &policy.Error{Source: loc.File, Path: loc.Path, Line: loc.Line, Col: loc.Col, Msg: fmt.Sprintf(format, args...)})
}

// indexString renders an instance key as Terraform writes it in an
// address: [0] or ["a"].
func indexString(index any) string {
	switch v := index.(type) {
	case nil:
		return ""
	case float64:
		return "[" + strconv.FormatFloat(v, 'f', -1, 64) + "]"
	case json.Number:
		return "[" + v.String() + "]"
	case string:
		b, _ := json.Marshal(v)
		return "[" + string(bytes.TrimSpace(b)) + "]"
	}
	return fmt.Sprintf("[%v]", index)
}
