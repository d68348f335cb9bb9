//go:build unix

package awscli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/safefile"
)

// treePaths are the names a fuzzed tree is made of: every file and
// directory the importer looks at, and names that no export has.
var treePaths = []string{
	gaadFile, callerFile, orgFile, scpFile, rcpFile, "organizations",
	"kms", "kms/us-east-1", "kms/us-east-1/" + listKeys, "kms/us-east-1/" + listAliases, "kms/us-east-1/list-keys.error",
	"kms/us-east-1/k1", "kms/us-east-1/k1/" + describeKey, "kms/us-east-1/k1/" + getKeyPolicy, "kms/us-east-1/k1/get-key-policy.error",
	"kms/us-east-1/k1/" + listGrants, "kms/us-east-1/k1/" + rotationStatus, "kms/us-east-1/k1/" + listTags,
	"kms/\x1b]0;t\a\n", "kms/us-east-1/k\u202e\r\n", "kms/us-east-1/k\u202e\r\n/" + describeKey,
	"s3", listBuckets, "s3/b1", "s3/b1/" + bucketLocation, "s3/b1/" + bucketEncrypt, "s3/b1/" + bucketPolicy, "s3/b1/get-bucket-policy.error",
}

// What a record of the fuzzed input makes at its path.
const (
	opFile       = iota // a regular file holding the record's data
	opLinkOut           // a symbolic link to the secret outside the export
	opLinkIn            // a symbolic link to another path of the tree
	opFIFO              // a named pipe
	opDir               // a directory
	opLinkZero          // a symbolic link to /dev/zero
	opOverCap           // a sparse file one byte over its cap
	opLinkOutDir        // a symbolic link to the directory holding the secret
	numOps
)

// buildTree writes the tree the fuzzed input describes into dir. The input
// is records separated by 0xff: an operation byte, a path byte (indexes
// treePaths), and the data of a file. What cannot be made (a file where a
// directory is) is skipped.
func buildTree(t *testing.T, dir, outside string, data []byte) {
	t.Helper()
	for _, rec := range bytes.Split(data, []byte{0xff}) {
		if len(rec) < 2 {
			continue
		}
		op := int(rec[0]) % numOps
		rel := treePaths[int(rec[1])%len(treePaths)]
		name := filepath.Join(dir, filepath.FromSlash(rel))
		if os.MkdirAll(filepath.Dir(name), 0o755) != nil {
			continue
		}
		os.RemoveAll(name)
		switch op {
		case opFile:
			os.WriteFile(name, rec[2:], 0o644)
		case opLinkOut:
			os.Symlink(outside, name)
		case opLinkIn:
			target := treePaths[int(rec[len(rec)-1])%len(treePaths)]
			os.Symlink(filepath.Join(dir, filepath.FromSlash(target)), name)
		case opFIFO:
			syscall.Mkfifo(name, 0o644)
		case opDir:
			os.Mkdir(name, 0o755)
		case opLinkZero:
			os.Symlink("/dev/zero", name)
		case opOverCap:
			if f, err := os.Create(name); err == nil {
				f.Truncate(kindOf(rel).Max + 1)
				f.Close()
			}
		case opLinkOutDir:
			os.Symlink(filepath.Dir(outside), name)
		}
	}
}

func record(op int, path string, data string) []byte {
	i := 0
	for j, p := range treePaths {
		if p == path {
			i = j
		}
	}
	return append([]byte{byte(op), byte(i)}, data...)
}

// FuzzImportTree imports fuzzed export trees: regular files with fuzzed
// contents, links out of the export and inside it, named pipes,
// directories where files belong, files over their cap, names holding
// control characters. Import must return (no hang, no panic) either an
// error alone or a valid snapshot, and nothing it returns may hold what
// the file outside the export holds.
func FuzzImportTree(f *testing.F) {
	base := [][]byte{
		record(opFile, gaadFile, `{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}`),
		record(opFile, callerFile, `{"Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/a"}`),
		record(opFile, "kms/us-east-1/k1/"+describeKey, `{"KeyMetadata": {"KeyId": "k1", "KeyState": "Enabled"}}`),
		record(opFile, "kms/us-east-1/k1/"+getKeyPolicy, `{"Policy": "{\"Statement\":[]}"}`),
		record(opFile, "s3/b1/"+bucketLocation, `{"LocationConstraint": null}`),
	}
	f.Add(bytes.Join(base, []byte{0xff}))
	for op := range numOps {
		for _, p := range []string{gaadFile, "kms", "kms/us-east-1/k1", "kms/us-east-1/k1/" + getKeyPolicy, "s3/b1", "organizations", "kms/us-east-1/k1/get-key-policy.error"} {
			f.Add(bytes.Join(append(base, record(op, p, "An error occurred (X) when calling the Y operation: \x1b[2J")), []byte{0xff}))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		top := t.TempDir()
		outside := filepath.Join(top, "environ")
		if err := os.WriteFile(outside, []byte(`{"Account": "999999999999", "Policy": "`+secret+`", "Sid": "`+secret+`"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(top, "export")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		buildTree(t, dir, outside, data)
		// Keep the caps small, so that files over them stay cheap.
		t.Setenv(safefile.EnvMaxSize, "1MiB")
		s, ws, err := Import(dir, fixed)
		var out strings.Builder
		if err != nil {
			if s != nil || ws != nil {
				t.Fatalf("Import returned results with its error %v", err)
			}
			out.WriteString(err.Error())
		} else {
			for _, w := range ws {
				out.WriteString(w.String())
			}
			var snap bytes.Buffer
			if err := s.Save(&snap); err != nil {
				t.Fatalf("Save: %v", err)
			}
			if _, err := inventory.Read("fuzz.json", bytes.NewReader(snap.Bytes())); err != nil {
				t.Fatalf("the imported snapshot is not valid: %v", err)
			}
			out.Write(snap.Bytes())
		}
		if strings.Contains(out.String(), "wJalr") || strings.Contains(out.String(), "999999999999") {
			t.Fatalf("a file outside the export was read:\n%s", out.String())
		}
	})
}
