//go:build unix

package awscli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/keywarden/keywarden/internal/safefile"
)

// secret is what a file outside the export holds; it must never appear in
// anything the import returns.
const secret = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI"

// hostileBase writes a small valid export into a new directory beside a
// file of secrets, and returns the export's path and the secret file's.
func hostileBase(t *testing.T) (dir, outside string) {
	t.Helper()
	top := t.TempDir()
	outside = filepath.Join(top, "environ")
	// Valid JSON of the right shape, so that only the refusal keeps it out.
	writeFile(t, outside, `{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"`+secret+`\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}", "Tags": [{"TagKey": "`+secret+`", "TagValue": "x"}], "KeyRotationEnabled": true, "Grants": [], "KeyMetadata": {"KeyId": "`+secret+`"}}`)
	dir = filepath.Join(top, "export")
	files := map[string]string{
		gaadFile:                                        `{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}`,
		callerFile:                                      `{"UserId": "x", "Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/alice"}`,
		"kms/us-east-1/k1/describe-key.json":            `{"KeyMetadata": {"KeyId": "k1", "KeyState": "Enabled", "Enabled": true}}`,
		"kms/us-east-1/k1/get-key-policy.json":          `{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}`,
		"kms/us-east-1/k1/list-grants.json":             `{"Grants": []}`,
		"kms/us-east-1/k1/get-key-rotation-status.json": `{"KeyRotationEnabled": true}`,
		"kms/us-east-1/k1/list-resource-tags.json":      `{"Tags": []}`,
		"kms/us-east-1/list-aliases.json":               `{"Aliases": []}`,
		"s3/list-buckets.json":                          `{"Buckets": []}`,
	}
	for name, data := range files {
		writeFile(t, filepath.Join(dir, name), data)
	}
	return dir, outside
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, name string) {
	t.Helper()
	os.RemoveAll(name)
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

// TestHostileTree imports exports that hold links out of the export,
// named pipes, devices, files over their cap and text that is not JSON.
// Each must be refused and said (a gap naming the file and why, or an
// error), the import must end, and nothing of the files outside must be
// read.
func TestHostileTree(t *testing.T) {
	key := "kms/us-east-1/k1/"
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, outside string)
		// gap is a line of the snapshot's gaps (or of the error).
		gap string
		err bool
	}{
		{"key policy links out", func(t *testing.T, dir, outside string) {
			symlink(t, outside, filepath.Join(dir, key, getKeyPolicy))
		}, "key policy of arn:aws:kms:us-east-1:111122223333:key/k1: not read: a symbolic link: keywarden follows no symbolic link inside an input directory", false},
		{"relative link out", func(t *testing.T, dir, outside string) {
			symlink(t, "../../../../environ", filepath.Join(dir, key, listTags))
		}, "tags of key arn:aws:kms:us-east-1:111122223333:key/k1: not read: a symbolic link", false},
		{"link inside the export", func(t *testing.T, dir, outside string) {
			symlink(t, listGrants, filepath.Join(dir, key, rotationStatus))
		}, "rotation status of key arn:aws:kms:us-east-1:111122223333:key/k1: not read: a symbolic link", false},
		{"link to /dev/zero", func(t *testing.T, dir, outside string) {
			symlink(t, "/dev/zero", filepath.Join(dir, key, listGrants))
		}, "grants of key arn:aws:kms:us-east-1:111122223333:key/k1: not read: a symbolic link", false},
		{"named pipe", func(t *testing.T, dir, outside string) {
			p := filepath.Join(dir, key, listGrants)
			os.Remove(p)
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "grants of key arn:aws:kms:us-east-1:111122223333:key/k1: not read: not a regular file (a named pipe)", false},
		{"named pipe as .error", func(t *testing.T, dir, outside string) {
			os.Remove(filepath.Join(dir, key, getKeyPolicy))
			if err := syscall.Mkfifo(filepath.Join(dir, key, "get-key-policy.error"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "key policy of arn:aws:kms:us-east-1:111122223333:key/k1: not read: not a regular file (a named pipe)", false},
		{"device", func(t *testing.T, dir, outside string) {
			p := filepath.Join(dir, key, describeKey)
			os.Remove(p)
			if err := syscall.Mknod(p, syscall.S_IFCHR|0o644, 1<<8|5); err != nil {
				t.Skipf("cannot make a device node here: %v", err)
			}
		}, "metadata of key arn:aws:kms:us-east-1:111122223333:key/k1: not read: not a regular file (a device)", false},
		{"file over its cap", func(t *testing.T, dir, outside string) {
			if err := os.Truncate(filepath.Join(dir, key, getKeyPolicy), safefile.Document.Max+1); err != nil {
				t.Fatal(err)
			}
		}, "key policy of arn:aws:kms:us-east-1:111122223333:key/k1: not read: too large (16.0 MiB, over the 16 MiB cap for AWS CLI output; KEYWARDEN_MAX_FILE_SIZE raises it)", false},
		{"text that is not JSON", func(t *testing.T, dir, outside string) {
			writeFile(t, filepath.Join(dir, key, describeKey), secret+"\nHOME=/root\n")
		}, "metadata of key arn:aws:kms:us-east-1:111122223333:key/k1: not read: not JSON, nor an AWS CLI error message (the text is not shown)", false},
		{"error file of unknown form", func(t *testing.T, dir, outside string) {
			os.Remove(filepath.Join(dir, key, getKeyPolicy))
			writeFile(t, filepath.Join(dir, key, "get-key-policy.error"), secret+"\n")
		}, "key policy of arn:aws:kms:us-east-1:111122223333:key/k1: not read: the call failed; its error output is not an AWS CLI error message keywarden knows (not shown)", false},
		{"error file with escapes", func(t *testing.T, dir, outside string) {
			os.Remove(filepath.Join(dir, key, getKeyPolicy))
			writeFile(t, filepath.Join(dir, key, "get-key-policy.error"),
				"\nAn error occurred (AccessDeniedException) when calling the GetKeyPolicy operation: \x1b]0;pwned\x07\x1b[2J\u202eforged "+strings.Repeat("x", 600)+"\n")
		}, `key policy of arn:aws:kms:us-east-1:111122223333:key/k1: not read: An error occurred (AccessDeniedException) when calling the GetKeyPolicy operation: \x1b]0;pwned\x07\x1b[2J\u202eforged xxxxxxxxxx`, false},
		{"key directory links out", func(t *testing.T, dir, outside string) {
			symlink(t, filepath.Dir(outside), filepath.Join(dir, "kms/us-east-1/k2"))
		}, "key arn:aws:kms:us-east-1:111122223333:key/k2: not read: a symbolic link", false},
		{"region directory links out", func(t *testing.T, dir, outside string) {
			symlink(t, filepath.Join(dir, "kms/us-east-1"), filepath.Join(dir, "kms/eu-west-1"))
		}, "KMS keys of account 111122223333 in eu-west-1: not read: a symbolic link", false},
		{"bucket directory links out", func(t *testing.T, dir, outside string) {
			symlink(t, filepath.Dir(outside), filepath.Join(dir, "s3/bucket"))
		}, "region of bucket bucket: not read: a symbolic link", false},
		{"organizations links out", func(t *testing.T, dir, outside string) {
			symlink(t, filepath.Dir(outside), filepath.Join(dir, "organizations"))
		}, "organization of account 111122223333: not read: export/organizations: a symbolic link", false},
		{"kms links out", func(t *testing.T, dir, outside string) {
			os.RemoveAll(filepath.Join(dir, "kms"))
			symlink(t, filepath.Dir(outside), filepath.Join(dir, "kms"))
		}, "export/kms: a symbolic link", true},
		{"IAM listing links out", func(t *testing.T, dir, outside string) {
			symlink(t, outside, filepath.Join(dir, gaadFile))
		}, "export/account-authorization-details.json: IAM authorization details: not read: a symbolic link", true},
		{"IAM listing is a pipe", func(t *testing.T, dir, outside string) {
			os.Remove(filepath.Join(dir, gaadFile))
			if err := syscall.Mkfifo(filepath.Join(dir, gaadFile), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "export/account-authorization-details.json: IAM authorization details: not read: not a regular file (a named pipe)", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, outside := hostileBase(t)
			tt.setup(t, dir, outside)
			// Messages name the export as the user gave it; "export"
			// stands for it here.
			t.Chdir(filepath.Dir(dir))
			s, ws, err := Import("export", fixed)
			var got string
			if err != nil {
				got = err.Error()
			} else {
				got = lines(ws) + gapLines(s)
			}
			if (err != nil) != tt.err {
				t.Fatalf("Import error = %v, want an error: %v\n%s", err, tt.err, got)
			}
			if !strings.Contains(got, tt.gap) {
				t.Errorf("Import does not say %q; it says:\n%s", tt.gap, got)
			}
			if strings.Contains(got, strings.Repeat("x", 500)) {
				t.Errorf("an error message was not cut")
			}
			if strings.Contains(got, "wJalr") {
				t.Errorf("the secret outside the export was read:\n%s", got)
			}
			if strings.ContainsFunc(got, func(r rune) bool { return r == 0x1b || r == 0x07 || r == 0x202e }) {
				t.Errorf("a control character reached the messages:\n%q", got)
			}
			if s != nil {
				var b strings.Builder
				if err := s.Save(&b); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(b.String(), "wJalr") {
					t.Errorf("the secret outside the export is in the snapshot")
				}
			}
		})
	}
}

// TestHostileTreeIncomplete: a refused file leaves its item incomplete,
// never empty (an unread key policy is not a key policy that allows
// nothing).
func TestHostileTreeIncomplete(t *testing.T) {
	dir, outside := hostileBase(t)
	symlink(t, outside, filepath.Join(dir, "kms/us-east-1/k1", getKeyPolicy))
	s, _, err := Import(dir, fixed)
	if err != nil {
		t.Fatal(err)
	}
	k := s.Accounts[0].Keys[0]
	if k.Policy != nil || k.PolicyIncomplete == nil {
		t.Fatalf("key policy %v, incomplete %v; want none and a mark", k.Policy, k.PolicyIncomplete)
	}
	if !strings.Contains(k.PolicyIncomplete.Reason, "symbolic link") {
		t.Errorf("reason %q does not say why", k.PolicyIncomplete.Reason)
	}
}
