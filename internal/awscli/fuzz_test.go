package awscli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzGAAD feeds any bytes as account-authorization-details.json and checks
// the importer's promises: it does not panic; an error comes alone and
// names the file; otherwise every warning names a file of the export, and
// the snapshot is valid, which inventory.Read checks after a Save (ARNs
// present and unique, documents JSON objects), and reads back equal.
func FuzzGAAD(f *testing.F) {
	seeds := []string{"testdata/export/account-authorization-details.json"}
	more, err := filepath.Glob("testdata/gaad/*.json")
	if err != nil {
		f.Fatal(err)
	}
	seeds = append(seeds, more...)
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	archives, err := filepath.Glob("testdata/broken/*.txtar")
	if err != nil {
		f.Fatal(err)
	}
	for _, a := range archives {
		ar, err := txtar.ParseFile(a)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			if file.Name == gaadFile {
				f.Add(file.Data)
			}
		}
	}
	caller := []byte(`{"UserId": "AIDAZX3Q5ALICE0000001", "Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/alice"}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{gaadFile: {Data: data}, callerFile: {Data: caller}}
		s, ws, err := importFS(fsys, "export", fixed)
		if err != nil {
			if s != nil || ws != nil {
				t.Fatalf("import returned results with error %v", err)
			}
			if !strings.Contains(err.Error(), "export/"+gaadFile) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, w := range ws {
			if !strings.HasPrefix(w.File, "export") {
				t.Fatalf("warning not located in the export: %s", w)
			}
		}
		var buf bytes.Buffer
		if err := s.Save(&buf); err != nil {
			t.Fatalf("Save: %v", err)
		}
		again, err := inventory.Read("fuzz.json", bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("the imported snapshot is not valid: %v\n%s", err, buf.Bytes())
		}
		if diff := cmp.Diff(s, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("the imported snapshot does not read back equal (-import +read):\n%s", diff)
		}
	})
}
