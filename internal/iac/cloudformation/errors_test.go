package cloudformation

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/policy"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the error sections of testdata/errors/*.txtar and the golden files")

// testOptions are the account and region of the tests.
var testOptions = Options{Account: "111122223333", Region: "us-east-1"}

// TestErrors runs testdata/errors/*.txtar: each holds one template and the
// exact errors Read must give, one per line (-update rewrites them).
func TestErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/errors/*.txtar (%v)", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if len(ar.Files) != 2 || ar.Files[1].Name != "error" {
				t.Fatalf("%s: want a template and an \"error\" file", file)
			}
			dir := t.TempDir()
			tmpl := filepath.Join(dir, ar.Files[0].Name)
			if err := os.WriteFile(tmpl, ar.Files[0].Data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err = Read([]string{tmpl}, testOptions)
			if err == nil {
				t.Fatal("Read succeeded, want an error")
			}
			var pe policy.Errors
			if !errors.As(err, &pe) {
				t.Errorf("error is %T, want policy.Errors: %v", err, err)
			}
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "") + "\n"
			if *update {
				ar.Files[1].Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := string(ar.Files[1].Data); got != want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestHostile: inputs built to hurt give a located error, quickly.
func TestHostile(t *testing.T) {
	deepJSON := `{"Resources": {"K": {"Type": "AWS::KMS::Key", "Properties": {"Description": ` +
		strings.Repeat(`{"Fn::Base64": `, 200) + `"x"` + strings.Repeat("}", 200) + "}}}}"
	deepYAML := "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: " +
		strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n"
	// Nine levels of aliases, each ten times the one before: 10^9 nodes
	// if expanded naively.
	var bomb strings.Builder
	bomb.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		prev := "*a" + string(rune('0'+i-1))
		bomb.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	bomb.WriteString("Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Tags: *a9\n")
	huge := []byte("Resources:\n  K:\n    Type: AWS::KMS::Key\n    Description: \"" + strings.Repeat("x", MaxTemplateSize) + "\"\n")
	// Fn::Join over a growing list: the step budget stops it.
	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"deep JSON", "deep.json", []byte(deepJSON), "nested more than 128 levels deep"},
		{"deep YAML", "deep.yaml", []byte(deepYAML), "nested more than 128 levels deep"},
		{"alias bomb", "bomb.yaml", []byte(bomb.String()), "values (YAML aliases expanded)"},
		{"huge", "huge.yaml", huge, "template is larger than 8 MiB"},
		{"not UTF-8", "bad.yaml", []byte("Resources: \xff\xfe"), "template is not UTF-8 text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(f, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := Read([]string{f}, testOptions)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Read = %v, want an error containing %q", err, tt.want)
			}
			var pe policy.Errors
			if !errors.As(err, &pe) || pe[0].Source != f {
				t.Errorf("error %v does not name the file", err)
			}
		})
	}
}

func TestReadArguments(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "t.yaml")
	if err := os.WriteFile(tmpl, []byte("Resources:\n  K:\n    Type: AWS::KMS::Key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"version": "36.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		paths []string
		opts  Options
		want  string
	}{
		{"no account", []string{tmpl}, Options{Region: "us-east-1"}, "the account ID (AWS::AccountId) is not known: give --account or a base"},
		{"no region", []string{tmpl}, Options{Account: "111122223333"}, "the region (AWS::Region) is not known"},
		{"missing file", []string{filepath.Join(dir, "none.yaml")}, testOptions, "no such file"},
		{"empty directory", []string{t.TempDir()}, testOptions, "holds no template"},
		{"unknown parameter", []string{tmpl}, Options{Account: "111122223333", Region: "us-east-1", Parameters: map[string]string{"Nope": "1"}}, "--parameter: no template declares a parameter Nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Read(tt.paths, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	// A directory: the template is read, the CDK manifest beside it not.
	c, _, err := Read([]string{dir}, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Edits) != 1 {
		t.Errorf("edits = %d, want 1", len(c.Edits))
	}
}
