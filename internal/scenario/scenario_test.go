package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/policy"
)

// brief is a Scenario with each policy document reduced to what the loader
// decides about it (its name, kind and statement count): the documents'
// own contents are package policy's business and tested there.
type brief struct {
	Name, Description, Source string
	Request                   engine.Request
	KeyPolicy                 string
	Identity                  []string
	Boundary, Session         string
	SCPs, RCPs                [][]string
	Grants                    []engine.Grant
	Expect                    string
}

func doc(d *policy.Document) string {
	if d == nil {
		return ""
	}
	return d.Name + " (" + d.Kind.String() + ", " + strings.Repeat("S", len(d.Statements)) + ")"
}

func docs(ds []*policy.Document) []string {
	if ds == nil {
		return nil
	}
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = doc(d)
	}
	return out
}

func levels(ls [][]*policy.Document) [][]string {
	if ls == nil {
		return nil
	}
	out := make([][]string, len(ls))
	for i, l := range ls {
		out[i] = docs(l)
	}
	return out
}

func summarize(ss []Scenario) []brief {
	out := make([]brief, len(ss))
	for i, s := range ss {
		b := brief{
			Name: s.Name, Description: s.Description, Source: s.Source.String(),
			Request:   s.Request,
			KeyPolicy: doc(s.Policies.KeyPolicy), Identity: docs(s.Policies.Identity),
			Boundary: doc(s.Policies.Boundary), Session: doc(s.Policies.Session),
			SCPs: levels(s.Policies.SCPs), RCPs: levels(s.Policies.RCPs),
			Grants: s.Policies.Grants,
		}
		if s.Expect != nil {
			b.Expect = s.Expect.String()
		}
		out[i] = b
	}
	return out
}

const (
	appSession = "arn:aws:sts::111122223333:assumed-role/app/i-0abc"
	appRole    = "arn:aws:iam::111122223333:role/app"
	keyARN     = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	k1         = "arn:aws:kms:us-east-1:111122223333:key/k1"
)

func str(s ...string) engine.Value { return engine.Value{Strings: s} }

func TestLoad(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		want  []brief
	}{
		{
			name:  "every field",
			paths: []string{"testdata/full.json"},
			want: []brief{{
				Name:        "full",
				Description: "Every field of the format, to test the loader.",
				Source:      "testdata/full.json:1",
				Request: engine.Request{
					Principal: appSession,
					Action:    "kms:Decrypt",
					Resource:  keyARN,
					Context: map[string]engine.Value{
						"kms:ViaService":                   str("s3.ap-northeast-1.amazonaws.com"),
						"kms:EncryptionContextKeys":        {Strings: []string{"aws:s3:arn"}, List: true},
						"kms:EncryptionContext:aws:s3:arn": str("arn:aws:s3:::bucket/key"),
						"aws:MultiFactorAuthAge":           str("300"),
						"aws:SecureTransport":              str("true"),
					},
				},
				KeyPolicy: "key policy (resource policy, S)",
				Identity:  []string{"identity policy #0 (identity policy, S)", "identity policy #1 (identity policy, S)"},
				Boundary:  "permissions boundary (identity policy, S)",
				Session:   "session policy (identity policy, S)",
				SCPs: [][]string{
					{"SCP level 0 policy #0 (service control policy, S)"},
					{"SCP level 1 policy #0 (service control policy, S)", "SCP level 1 policy #1 (service control policy, S)"},
				},
				RCPs: [][]string{{"RCP level 0 policy #0 (resource control policy, S)"}},
				Grants: []engine.Grant{
					{GranteePrincipal: appRole, Operations: []string{"Decrypt"}},
					{
						ID:                      "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60",
						Name:                    "s3-reader",
						GranteePrincipal:        appRole,
						RetiringPrincipal:       "arn:aws:iam::111122223333:role/admin",
						IssuingAccount:          "111122223333",
						Operations:              []string{"Decrypt", "GenerateDataKey"},
						EncryptionContextSubset: map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/key"},
					},
					{GranteePrincipal: appRole, Operations: []string{"Encrypt"}, EncryptionContextEquals: map[string]string{}},
				},
				Expect: "Allow",
			}},
		},
		{
			name:  "json lines with blank lines, no expectation, no key policy",
			paths: []string{"testdata/batch.jsonl"},
			want: []brief{
				{
					Name: "allow", Source: "testdata/batch.jsonl:1",
					Request:   engine.Request{Principal: appRole, Action: "kms:Decrypt", Resource: k1},
					KeyPolicy: "key policy (resource policy, S)",
					Expect:    "Allow",
				},
				{
					Name: "no-expect", Source: "testdata/batch.jsonl:3",
					Request:   engine.Request{Principal: appRole, Action: "kms:Encrypt", Resource: k1},
					KeyPolicy: "key policy (resource policy, S)",
				},
				{
					Name: "no-key-policy", Source: "testdata/batch.jsonl:5",
					Request:  engine.Request{Principal: appRole, Action: "kms:Decrypt", Resource: k1},
					Identity: []string{},
					Expect:   "Unknown",
				},
			},
		},
		{
			name:  "directory walked in lexical order, hidden entries and other files skipped",
			paths: []string{"testdata/tree"},
			want: []brief{
				{Name: "tree-a", Source: "testdata/tree/a.json:1", Request: engine.Request{Principal: appRole, Action: "kms:Decrypt", Resource: k1}},
				{Name: "tree-b", Source: "testdata/tree/b/b.JSON:1", Request: engine.Request{Principal: appRole, Action: "kms:Decrypt", Resource: k1}},
				{Name: "tree-c1", Source: "testdata/tree/b/c/c.jsonl:1", Request: engine.Request{Principal: appRole, Action: "kms:Decrypt", Resource: k1}},
				{Name: "tree-c2", Source: "testdata/tree/b/c/c.jsonl:2", Request: engine.Request{Principal: appRole, Action: "kms:Decrypt", Resource: k1}},
			},
		},
		{
			name:  "paths in the order given",
			paths: []string{"testdata/tree/b/c/c.jsonl", "testdata/tree/a.json"},
			want: []brief{
				{Name: "tree-c1", Source: "testdata/tree/b/c/c.jsonl:1", Request: engine.Request{Principal: appRole, Action: "kms:Decrypt", Resource: k1}},
				{Name: "tree-c2", Source: "testdata/tree/b/c/c.jsonl:2", Request: engine.Request{Principal: appRole, Action: "kms:Decrypt", Resource: k1}},
				{Name: "tree-a", Source: "testdata/tree/a.json:1", Request: engine.Request{Principal: appRole, Action: "kms:Decrypt", Resource: k1}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, p := range tt.paths {
				tt.paths[i] = filepath.FromSlash(p)
			}
			got, err := Load(tt.paths...)
			if err != nil {
				t.Fatalf("Load(%q): %v", tt.paths, err)
			}
			gotBrief := summarize(got)
			for i := range gotBrief {
				gotBrief[i].Source = filepath.ToSlash(gotBrief[i].Source)
			}
			if diff := cmp.Diff(tt.want, gotBrief); diff != "" {
				t.Errorf("Load(%q) mismatch (-want +got):\n%s", tt.paths, diff)
			}
		})
	}
}

func TestLoadPolicyDocuments(t *testing.T) {
	// The loader hands each document to package policy with its own file
	// as the source; a statement's JSON path is relative to the document.
	ss, err := Load("testdata/full.json")
	if err != nil {
		t.Fatal(err)
	}
	kp := ss[0].Policies.KeyPolicy
	if kp.Source != "testdata/full.json" {
		t.Errorf("key policy Source = %q, want %q", kp.Source, "testdata/full.json")
	}
	if got, want := kp.Statements[0].Sid, "Enable IAM User Permissions"; got != want {
		t.Errorf("key policy statement 0 Sid = %q, want %q", got, want)
	}
	if got, want := kp.Statements[0].Line, 19; got != want {
		t.Errorf("key policy statement 0 Line = %d, want %d", got, want)
	}
}

func TestFilesErrors(t *testing.T) {
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(empty, "nope.json"), "no such file or directory"},
		{"no scenario files", empty, empty + ": no .json or .jsonl scenario files in this directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Files(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Files(%q) = %q, %v; want error containing %q", tt.path, got, err, tt.want)
			}
			if _, err := Load(tt.path); err == nil {
				t.Errorf("Load(%q) succeeded, want the files error", tt.path)
			}
		})
	}
}

func TestReadStopsEarly(t *testing.T) {
	data, err := os.ReadFile("testdata/batch.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for s, err := range ReadLines("batch.jsonl", strings.NewReader(string(data))) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, s.Name)
		if len(names) == 2 {
			break
		}
	}
	if diff := cmp.Diff([]string{"allow", "no-expect"}, names); diff != "" {
		t.Errorf("ReadLines then break after two (-want +got):\n%s", diff)
	}
}

func TestReadKeepsGoingAfterABadLine(t *testing.T) {
	in := `{"name":"a","request":{"principal":"p","action":"kms:Decrypt","resource":"r"}}
{"name":"b"}
{"name":"c","request":{"principal":"p","action":"kms:Decrypt","resource":"r"}}
`
	var got []string
	for s, err := range ReadLines("x.jsonl", strings.NewReader(in)) {
		if err != nil {
			got = append(got, "error: "+err.Error())
			continue
		}
		got = append(got, s.Source.String()+" "+s.Name)
	}
	want := []string{"x.jsonl:1 a", "error: x.jsonl:2:1: missing field \"request\"", "x.jsonl:3 c"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadLines mismatch (-want +got):\n%s", diff)
	}
	if ss, err := Parse("x.jsonl", []byte(in)); err == nil || ss != nil {
		t.Errorf("Parse = %d scenarios, %v; want no scenarios and the error of line 2", len(ss), err)
	}
}

func TestSharedCorpus(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared corpus not found at %s (it sits beside the repository in the project workspace): %v", shared, err)
	}
	ss, err := Load(filepath.Join(shared, "scenarios"), filepath.Join(shared, "kms-authorization-examples.jsonl"))
	if err != nil {
		t.Fatalf("Load(shared corpus): %v", err)
	}
	if len(ss) != 94 {
		t.Errorf("Load(shared corpus) = %d scenarios, want 94", len(ss))
	}
	for _, s := range ss {
		if s.Expect == nil || s.Policies.KeyPolicy == nil {
			t.Errorf("%s (%s): expect = %v, key policy = %v; every shared scenario has both", s.Name, s.Source, s.Expect, s.Policies.KeyPolicy)
		}
	}
}
