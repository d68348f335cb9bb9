package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/inventory"
)

// run runs keywarden in-process and returns its standard output; it fails
// the test on an exit status other than 0 or 1.
func run(t *testing.T, args ...string) string {
	t.Helper()
	var out, errw bytes.Buffer
	if code := Main(context.Background(), args, strings.NewReader(""), &out, &errw); code > 1 {
		t.Fatalf("keywarden %s: exit %d\n%s", strings.Join(args, " "), code, errw.String())
	}
	return out.String()
}

// loadAccount reads an account as the command line would.
func loadAccount(t *testing.T, f accountFlags) *inventory.Snapshot {
	t.Helper()
	snap, _, err := f.load(context.Background(), streams{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}, "keywarden scan")
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// keyMap maps the keys of a planned account to the keys of the real one
// by alias: a planned key's ARN and ID are placeholders, the export's are
// the IDs KMS generated. The replacer rewrites the planned ones.
func keyMap(t *testing.T, planned, real *inventory.Snapshot) *strings.Replacer {
	t.Helper()
	var pairs []string
	for _, pa := range planned.Accounts {
		for _, pk := range pa.Keys {
			if !inventory.IsPlanned(pk.ID) {
				continue
			}
			for _, alias := range pk.Aliases {
				rk, err := real.Key(alias)
				if err != nil {
					continue
				}
				// Text output puts a planned key into words ("the key
				// that aws_kms_key.blog will create"): that is the ARN.
				pairs = append(pairs, pk.ARN, rk.ARN, pk.ID, rk.ID, inventory.DescribePlanned(pk.ARN, "en"), rk.ARN)
			}
		}
	}
	return strings.NewReplacer(pairs...)
}

type finding struct{ Check, Status, Resource string }

// findings runs scan --format json and returns the failed and unknown
// findings, with planned key ARNs mapped.
func findings(t *testing.T, m *strings.Replacer, args ...string) []finding {
	t.Helper()
	var rep struct {
		Findings []struct {
			Check    string `json:"check"`
			Status   string `json:"status"`
			Resource string `json:"resource"`
		} `json:"findings"`
	}
	out := run(t, append([]string{"scan", "--format", "json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var fs []finding
	for _, f := range rep.Findings {
		if f.Status != "pass" {
			res := f.Resource
			if m != nil {
				res = m.Replace(res)
			}
			fs = append(fs, finding{f.Check, f.Status, res})
		}
	}
	slices.SortFunc(fs, func(a, b finding) int {
		return strings.Compare(a.Check+a.Status+a.Resource, b.Check+b.Status+b.Resource)
	})
	return fs
}

// versionLabel is the "(v1)" of a managed policy's name in explanations:
// a Terraform state and a template do not record which version of a
// managed policy is the default, so the planned account leaves it out.
var versionLabel = regexp.MustCompile(` \(v[0-9]+\)`)

// notRead is why an item was not read, which each input says its own way
// (an AWS CLI error, "known after apply").
var notRead = regexp.MustCompile(`: not read: .*`)

// whoCan runs who-can and normalizes what differs between inputs without
// being an answer: planned key ARNs, policy version labels, why an item
// could not be read.
func whoCan(t *testing.T, m *strings.Replacer, args ...string) string {
	t.Helper()
	out := run(t, append([]string{"who-can"}, args...)...)
	if m != nil {
		out = m.Replace(out)
	}
	return notRead.ReplaceAllString(versionLabel.ReplaceAllString(out, ""), ": not read")
}

// TestIaCExamplesMatchExports: the Terraform plans and CloudFormation
// templates of examples/iac describe the accounts of examples/account and
// examples/scan-account, and scan and who-can give the same answers over
// them as over the AWS CLI exports: the same failed and unknown findings,
// the same principals with the same reasons. Planned keys are matched to
// the export's by alias.
func TestIaCExamplesMatchExports(t *testing.T) {
	chdirRoot(t)
	const (
		blogTF  = "examples/iac/terraform/blog"
		blogCFN = "examples/iac/cloudformation/blog.yaml"
	)
	for _, setting := range []string{"1", "2", "3"} {
		export := "examples/account/setting" + setting
		real := loadAccount(t, accountFlags{Input: export})
		inputs := []struct {
			name string
			args []string
			f    accountFlags
		}{
			{"terraform", []string{"--plan", blogTF + "/plan-setting" + setting + ".json", "--tf-dir", blogTF},
				accountFlags{iac: iacFlags{Plan: blogTF + "/plan-setting" + setting + ".json", TFDir: blogTF}}},
			{"cloudformation", []string{"--template", blogCFN, "--parameter", "Setting=" + setting, "--account", "123456789012", "--region", "ap-northeast-1"},
				accountFlags{iac: iacFlags{Templates: []string{blogCFN}, Parameters: []string{"Setting=" + setting}, Account: "123456789012"}, live: liveFlags{Regions: []string{"ap-northeast-1"}}}},
		}
		for _, in := range inputs {
			t.Run("setting"+setting+"/"+in.name, func(t *testing.T) {
				m := keyMap(t, loadAccount(t, in.f), real)
				if diff := cmp.Diff(findings(t, nil, "--input", export), findings(t, m, in.args...)); diff != "" {
					t.Errorf("scan findings (-export +%s):\n%s", in.name, diff)
				}
				for _, action := range []string{"kms:Decrypt", "kms:GenerateDataKey", "kms:PutKeyPolicy"} {
					want := whoCan(t, nil, action, "alias/sample-dev-blog-key", "--input", export)
					got := whoCan(t, m, append([]string{action, "alias/sample-dev-blog-key"}, in.args...)...)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("who-can %s (-export +%s):\n%s", action, in.name, diff)
					}
				}
			})
		}
	}

	const (
		scanExport = "examples/scan-account"
		scanTF     = "examples/iac/terraform/scan-account"
		scanCFN    = "examples/iac/cloudformation/scan-account.yaml"
	)
	real := loadAccount(t, accountFlags{Input: scanExport})
	want := findings(t, nil, "--input", scanExport)
	var aliases []string
	for _, k := range real.Accounts[0].Keys {
		aliases = append(aliases, k.Aliases...)
	}
	for _, in := range []struct {
		name string
		args []string
	}{
		{"terraform", []string{"--plan", scanTF + "/plan.json", "--tf-dir", scanTF}},
		{"terraform without sources", []string{"--plan", scanTF + "/plan.json"}},
		// Laid over the export it describes, the plan changes nothing
		// the scan sees.
		{"terraform over the export", []string{"--plan", scanTF + "/plan.json", "--tf-dir", scanTF, "--base", scanExport}},
	} {
		t.Run("scan-account/"+in.name, func(t *testing.T) {
			// The plan manages the keys that exist: their IDs are known.
			if diff := cmp.Diff(want, findings(t, nil, in.args...)); diff != "" {
				t.Errorf("scan findings (-export +plan):\n%s", diff)
			}
			for _, alias := range aliases {
				if alias == "alias/aws/s3" {
					continue // AWS's key, not Terraform's
				}
				w := whoCan(t, nil, "kms:Decrypt", alias, "--input", scanExport)
				g := whoCan(t, nil, append([]string{"kms:Decrypt", alias}, in.args...)...)
				if !slices.Contains(in.args, "--base") {
					// A plan alone says nothing of the organization:
					// who lies outside it is told differently.
					w, g = withoutOutsiders(w), withoutOutsiders(g)
				}
				// A key policy not read in the export is "known after
				// apply" in the plan: the same gap, another reason.
				for _, re := range unreadReasons {
					w, g = re.ReplaceAllString(w, "$1 (reason)"), re.ReplaceAllString(g, "$1 (reason)")
				}
				if diff := cmp.Diff(w, g); diff != "" {
					t.Errorf("who-can kms:Decrypt %s (-export +plan):\n%s", alias, diff)
				}
			}
		})
	}
	t.Run("scan-account/cloudformation", func(t *testing.T) {
		args := []string{"--template", scanCFN, "--account", "111122223333", "--region", "ap-northeast-1"}
		planned := loadAccount(t, accountFlags{iac: iacFlags{Templates: []string{scanCFN}, Account: "111122223333"}, live: liveFlags{Regions: []string{"ap-northeast-1"}}})
		m := keyMap(t, planned, real)
		// What a template cannot say (examples/iac/README.md): grants,
		// a key pending deletion. backup-role's AWS managed policy is not
		// in a template either, but the orphaned key has no account
		// statement, so no IAM policy can make it manageable: it fails as
		// in the export.
		const (
			partner = "arn:aws:kms:ap-northeast-1:111122223333:key/a3b4c5d6-e7f8-4901-9213-243546576879"
			batch   = "arn:aws:kms:ap-northeast-1:111122223333:key/b4c5d6e7-f809-4a12-8324-35465768798a"
			oldKey  = "arn:aws:kms:ap-northeast-1:111122223333:key/3c4d5e6f-7081-4293-8b4c-5d6e7f809102"
		)
		var expected []finding
		for _, f := range want {
			switch f {
			case finding{"grant-broad", "fail", partner}, finding{"grant-broad", "fail", batch}, finding{"key-pending-deletion", "fail", oldKey}:
				continue
			}
			expected = append(expected, f)
		}
		slices.SortFunc(expected, func(a, b finding) int {
			return strings.Compare(a.Check+a.Status+a.Resource, b.Check+b.Status+b.Resource)
		})
		if diff := cmp.Diff(expected, findings(t, m, args...)); diff != "" {
			t.Errorf("scan findings (-export +template):\n%s", diff)
		}
	})
}

// unreadReasons find why a key policy was not read, in who-can text.
var unreadReasons = []*regexp.Regexp{
	regexp.MustCompile(`(key policy of arn:aws:kms:[^: ]+:[0-9]{12}:key/[^: ]+:) [^\n]*`),
	regexp.MustCompile(`(note: the key policy could not be read) \(.*\): only`),
}

// withoutOutsiders drops the who-can entries that stand for principals
// outside the accounts and organization the input knows.
func withoutOutsiders(text string) string {
	var out []string
	skip := false
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "Allow") || strings.HasPrefix(l, "Unknown") {
			skip = strings.Contains(l, "anyone outside") || strings.Contains(l, "any principal of organization")
		}
		if !skip {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// diffChange is one change of diff --format json, keys named by alias.
type diffChange struct{ Kind, Principal, Key, Actions string }

// diffChanges runs diff --format json --no-findings and returns its
// access changes, planned key ARNs mapped.
func diffChanges(t *testing.T, m *strings.Replacer, args ...string) []diffChange {
	t.Helper()
	var rep struct {
		Changes []struct {
			Kind      string   `json:"kind"`
			Principal string   `json:"principal"`
			Key       string   `json:"key"`
			Actions   []string `json:"actions"`
		} `json:"changes"`
	}
	out := run(t, append([]string{"diff", "--format", "json", "--no-findings"}, args...)...)
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var cs []diffChange
	for _, c := range rep.Changes {
		key := c.Key
		if m != nil {
			key = m.Replace(key)
		}
		cs = append(cs, diffChange{c.Kind, c.Principal, key, strings.Join(c.Actions, ",")})
	}
	slices.SortFunc(cs, func(a, b diffChange) int {
		return strings.Compare(a.Kind+a.Principal+a.Key, b.Kind+b.Principal+b.Key)
	})
	return cs
}

// TestDiffPlanMatchesExports: diff reads a planned change as what it does
// to an account. A plan without a base is compared with an account that
// holds nothing, and finds the same access as a diff from an empty
// account to the export the plan describes; the plan of the scan account
// laid over its own export changes no access.
func TestDiffPlanMatchesExports(t *testing.T) {
	chdirRoot(t)
	const blogTF = "examples/iac/terraform/blog"
	empty := filepath.Join(t.TempDir(), "empty.json")
	snap := &inventory.Snapshot{Version: inventory.FormatVersion, Metadata: inventory.Metadata{Source: "an account that holds nothing"}, Accounts: []*inventory.Account{{ID: "123456789012",
		KMSRegions: []*inventory.KMSRegion{{Name: "ap-northeast-1"}}}}}
	if err := snap.SaveFile(empty); err != nil {
		t.Fatal(err)
	}
	for _, setting := range []string{"1", "2", "3"} {
		t.Run("blog/setting"+setting, func(t *testing.T) {
			export := "examples/account/setting" + setting
			plan := blogTF + "/plan-setting" + setting + ".json"
			m := keyMap(t, loadAccount(t, accountFlags{iac: iacFlags{Plan: plan, TFDir: blogTF}}), loadAccount(t, accountFlags{Input: export}))
			want := diffChanges(t, nil, empty, export)
			if len(want) == 0 {
				t.Fatal("the export gives no access: the comparison proves nothing")
			}
			if d := cmp.Diff(want, diffChanges(t, m, "--plan", plan, "--tf-dir", blogTF)); d != "" {
				t.Errorf("diff (-empty→export +plan):\n%s", d)
			}
		})
	}
	t.Run("scan-account over its export", func(t *testing.T) {
		got := diffChanges(t, nil, "--base", "examples/scan-account", "--plan", "examples/iac/terraform/scan-account/plan.json", "--tf-dir", "examples/iac/terraform/scan-account")
		for _, c := range got {
			if c.Kind == "gained" || c.Kind == "lost" {
				t.Errorf("the plan of the account it was made from changes access: %+v", c)
			}
		}
	})
}
