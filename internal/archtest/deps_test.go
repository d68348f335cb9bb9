package archtest

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const module = "github.com/keywarden/keywarden"

// allowed lists, for every package of the module (by its path inside the
// module), the module's packages it may import. Data flows one way
// (shared/design.md): inputs → inventory → engine → access/checks →
// report → cli. A package missing from this table fails the test: give it
// a row when you create it.
var allowed = map[string][]string{
	"internal/posjson":  {},
	"internal/awsfacts": {},
	"internal/arn":      {}, // AWS identifiers: account IDs, ARNs, principals
	"internal/policy":   {"internal/arn", "internal/posjson", "internal/awsfacts", "internal/ordjson"},
	"internal/engine":   {"internal/arn", "internal/policy", "internal/awsfacts", "internal/posjson"},
	"internal/scenario": {"internal/arn", "internal/engine", "internal/policy", "internal/posjson", "internal/awsfacts"},
	// The message catalogue of engine explanations, in every language.
	"internal/explain": {"internal/engine"},

	"internal/inventory": {"internal/arn", "internal/policy", "internal/posjson", "internal/awsfacts"},
	// Input adapters build inventories; they never evaluate.
	"internal/awscli":             {"internal/arn", "internal/inventory", "internal/policy", "internal/posjson", "internal/awsfacts"},
	"internal/collect":            {"internal/arn", "internal/inventory", "internal/policy", "internal/awsfacts"},
	"internal/iac/terraform":      {"internal/arn", "internal/inventory", "internal/policy", "internal/posjson", "internal/awsfacts", "internal/ordjson"},
	"internal/iac/cloudformation": {"internal/arn", "internal/inventory", "internal/policy", "internal/posjson", "internal/awsfacts"},

	// Benchmark fixtures: generated accounts, as snapshots and exports.
	"internal/accountgen":            {"internal/inventory", "internal/policy", "internal/awsfacts", "internal/posjson"},
	"internal/accountgen/genaccount": {"internal/accountgen", "internal/inventory"},

	"internal/motoserver": {}, // test support: starts moto_server
	"internal/access":     {"internal/arn", "internal/inventory", "internal/engine", "internal/policy", "internal/awsfacts"},
	// Remedies plan the checks' fixes as typed edits, prove them with the
	// access layer and render them; they know nothing of checks.
	"internal/remedy": {"internal/arn", "internal/ordjson", "internal/access", "internal/inventory", "internal/engine", "internal/policy", "internal/awsfacts"},
	"internal/checks": {"internal/arn", "internal/parallel", "internal/remedy", "internal/access", "internal/inventory", "internal/engine", "internal/explain", "internal/policy", "internal/awsfacts"},
	"internal/report": {"internal/arn", "internal/parallel", "internal/checks", "internal/remedy", "internal/access", "internal/engine", "internal/explain", "internal/inventory", "internal/policy", "internal/awsfacts", "internal/verify", "internal/diff"},
	"internal/store":  {"internal/arn", "internal/report", "internal/checks", "internal/inventory", "internal/engine", "internal/policy", "internal/awsfacts"},
	"internal/web":    {"internal/arn", "internal/store", "internal/report", "internal/checks", "internal/access", "internal/inventory", "internal/engine", "internal/policy", "internal/awsfacts"},

	// Access as code: the expectations format knows keys and principals;
	// verify and diff ask the access layer and take fixes from checks.
	"internal/expect": {"internal/arn", "internal/engine", "internal/inventory", "internal/policy", "internal/awsfacts"},
	"internal/verify": {"internal/arn", "internal/access", "internal/checks", "internal/remedy", "internal/engine", "internal/expect", "internal/inventory", "internal/policy", "internal/awsfacts"},
	"internal/diff":   {"internal/arn", "internal/access", "internal/checks", "internal/remedy", "internal/engine", "internal/verify", "internal/inventory", "internal/policy", "internal/awsfacts"},

	// Suppressions decide which findings a user accepts: they know findings
	// and reports, nothing of how findings are made.
	"internal/suppress": {"internal/arn", "internal/checks", "internal/report", "internal/policy", "internal/posjson"},

	// The CLI wires everything; nothing imports it but the command.
	"internal/cli":  {"*"},
	"cmd/keywarden": {"internal/cli"},

	"internal/archtest": {},

	// Writes policy documents with their elements in AWS's order.
	"internal/ordjson": {},
	// Runs independent work on every core (checks, report writers).
	"internal/parallel": {},

	// Leaves that any package may import (see everywhere).
	"internal/escape":   {},
	"internal/safefile": {},
	"internal/msg":      {},
}

// everywhere lists the leaf packages every package of the module may
// import: the one way to show text keywarden did not write (escape), the
// one way to read an input file or write an output file (safefile), and
// the message catalogues of what keywarden says in every language (msg).
// They import only the standard library.
var everywhere = []string{"internal/escape", "internal/safefile", "internal/msg"}

// exclusive lists module paths outside the standard library that only the
// given packages may import.
var exclusive = map[string][]string{
	"github.com/spf13/cobra":          {"internal/cli"},
	"github.com/spf13/pflag":          {"internal/cli"},
	"github.com/aws/aws-sdk-go-v2":    {"internal/collect"},
	"github.com/aws/smithy-go":        {"internal/collect"},
	"github.com/owenrumney/go-sarif":  {"internal/report"},
	"github.com/rogpeppe/go-internal": {}, // tests only
	// The IaC readers' parsers stay in the readers.
	"github.com/hashicorp/terraform-json": {"internal/iac/terraform"},
	"github.com/hashicorp/hcl":            {"internal/iac/terraform"},
	"github.com/zclconf/go-cty":           {"internal/iac/terraform"},
	// YAML: CloudFormation templates and the expectations of access as
	// code.
	"go.yaml.in/yaml": {"internal/iac/cloudformation", "internal/expect"},
}

// TestDependencies parses the imports of every non-test Go file of the
// module and checks them against allowed and exclusive.
func TestDependencies(t *testing.T) {
	root := moduleRoot(t)
	imports := packageImports(t, root)
	if _, ok := imports["internal/engine"]; !ok {
		t.Fatalf("found no internal/engine under %s; is the module root right?", root)
	}
	for _, v := range violations(imports) {
		t.Error(v)
	}
}

// TestViolations shows that the rules catch what they are for.
func TestViolations(t *testing.T) {
	imports := map[string][]string{
		"internal/policy":   {"fmt", module + "/internal/posjson", module + "/internal/engine"},
		"internal/scenario": {module + "/internal/engine", "github.com/spf13/cobra"},
		"internal/engine":   {"github.com/aws/aws-sdk-go-v2/service/kms"},
		"internal/collect":  {"github.com/aws/aws-sdk-go-v2/service/kms", module + "/internal/inventory"},
		"internal/cli":      {"github.com/spf13/cobra", module + "/internal/scenario", module + "/internal/report"},
		"internal/newthing": {"strings"},
		"internal/awscli":   {module + "/internal/escape", module + "/internal/safefile"},
		"internal/escape":   {"strings", module + "/internal/policy"},
	}
	want := []string{
		"internal/engine imports github.com/aws/aws-sdk-go-v2/service/kms; only [internal/collect] may",
		"internal/escape imports internal/policy; it may import only []",
		"internal/newthing has no row in the allowed table of deps_test.go: decide which packages it may import",
		"internal/policy imports internal/engine; it may import only [internal/arn internal/posjson internal/awsfacts internal/ordjson]",
		"internal/scenario imports github.com/spf13/cobra; only [internal/cli] may",
	}
	if diff := cmp.Diff(want, violations(imports)); diff != "" {
		t.Errorf("violations mismatch (-want +got):\n%s", diff)
	}
}

// violations checks package imports (package path inside the module →
// import paths) against the tables, in package order.
func violations(imports map[string][]string) []string {
	var out []string
	for _, pkg := range sortedKeys(imports) {
		rule, known := allowed[pkg]
		if !known {
			out = append(out, pkg+" has no row in the allowed table of deps_test.go: decide which packages it may import")
			continue
		}
		for _, imp := range imports[pkg] {
			if inModule, ok := strings.CutPrefix(imp, module+"/"); ok {
				if !slices.Contains(rule, "*") && !slices.Contains(rule, inModule) && !slices.Contains(everywhere, inModule) {
					out = append(out, fmt.Sprintf("%s imports %s; it may import only %v", pkg, inModule, rule))
				}
				continue
			}
			for _, prefix := range sortedKeys(exclusive) {
				owners := exclusive[prefix]
				if (imp == prefix || strings.HasPrefix(imp, prefix+"/")) && !slices.Contains(owners, pkg) {
					out = append(out, fmt.Sprintf("%s imports %s; only %v may", pkg, imp, owners))
				}
			}
		}
	}
	return out
}

// packageImports maps each package directory (relative to root, slash
// separated) to the imports of its non-test files. Directories holding
// only tests, testdata and hidden directories are skipped.
func packageImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, top := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			pkg := filepath.ToSlash(rel)
			if _, ok := out[pkg]; !ok {
				out[pkg] = nil
			}
			for _, spec := range f.Imports {
				imp, err := strconv.Unquote(spec.Path.Value)
				if err != nil {
					return err
				}
				if !slices.Contains(out[pkg], imp) {
					out[pkg] = append(out[pkg], imp)
				}
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	for _, imps := range out {
		sort.Strings(imps)
	}
	return out
}

// moduleRoot finds the directory of go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
