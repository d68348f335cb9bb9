package checks

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/awscli"
)

// keyCheckIDs are the key and grant checks of the catalogue.
var keyCheckIDs = []string{
	"key-pending-deletion", "key-rotation-disabled", "key-public", "key-unmanageable",
	"key-no-account-delegation", "key-policy-direct-access", "key-cross-account",
	"grant-broad", "key-admin-can-use", "key-policy-wildcard-admin",
}

// TestKeyFindingsComplete runs every case of the key checks and holds
// each finding to what the catalogue promises: a message in English and
// Japanese; for Unknown, the missing data; for Fail, a remediation in both
// languages with something to do (console steps, a command or a
// snippet), whose steps are in both languages too.
func TestKeyFindingsComplete(t *testing.T) {
	for _, id := range keyCheckIDs {
		c, ok := Lookup(id)
		if !ok {
			t.Fatalf("%s is not registered", id)
		}
		files, _ := filepath.Glob(filepath.Join("testdata", id, "*.txtar"))
		for _, file := range files {
			env := readCase(t, file).env
			for _, f := range Run(env, []*Check{c}) {
				where := file + ": " + findingLine(f)
				if f.Message.EN == "" || f.Message.JA == "" {
					t.Errorf("%s: message needs English and Japanese", where)
				}
				if f.Account == "" || f.Region == "" {
					t.Errorf("%s: account and region must be set", where)
				}
				switch f.Status {
				case Unknown:
					if len(f.Missing) == 0 {
						t.Errorf("%s: an Unknown finding must say what is missing", where)
					}
				case Fail:
					checkRemediation(t, where, f.Remediation)
				}
			}
		}
	}
}

func checkRemediation(t *testing.T, where string, r *Remediation) {
	t.Helper()
	if r == nil {
		t.Errorf("%s: a failing finding needs a remediation", where)
		return
	}
	if r.Summary.EN == "" || r.Summary.JA == "" {
		t.Errorf("%s: remediation summary needs English and Japanese", where)
	}
	if len(r.Console) == 0 && r.CLI == "" && r.Terraform == "" {
		t.Errorf("%s: remediation has nothing to do", where)
	}
	for _, s := range r.Console {
		if s.EN == "" || s.JA == "" {
			t.Errorf("%s: console step needs English and Japanese: %q", where, s.EN)
		}
	}
	if strings.Contains(r.CLI, "put-key-policy") && !strings.Contains(r.CLI, "--region ") {
		t.Errorf("%s: a key ARN is answered only in its Region: put-key-policy needs --region", where)
	}
	for i := range r.Alternatives {
		checkRemediation(t, where+" (alternative)", &r.Alternatives[i])
	}
}

// TestExplanationsBilingual holds every explanation line to both
// languages: each finding of every check case, and of the bundled example
// account (examples/scan-account, scanned with the whole catalogue), must
// have non-empty English and Japanese for every line. The Japanese report
// prints these lines under 理由.
func TestExplanationsBilingual(t *testing.T) {
	lines := 0
	check := func(where string, fs []Finding) {
		t.Helper()
		for _, f := range fs {
			for i, e := range f.Explanation {
				lines++
				if e.EN == "" || e.JA == "" {
					t.Errorf("%s: %s: explanation[%d] needs English and Japanese: %+v", where, findingLine(f), i, e)
				}
			}
		}
	}

	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no check case found under testdata")
	}
	for _, file := range files {
		c, ok := Lookup(filepath.Base(filepath.Dir(file)))
		if !ok {
			continue // TestCases reports it
		}
		env := readCase(t, file).env
		check(file, Run(env, []*Check{c}))
	}

	const example = "../../examples/scan-account"
	s, _, err := awscli.Import(example, awscli.Options{})
	if err != nil {
		t.Fatal(err)
	}
	env, err := NewEnv(s, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	before := lines
	check(example, Run(env, All()))
	if lines == before {
		t.Errorf("%s: no finding has an explanation; the test no longer sees what it checks", example)
	}
}
