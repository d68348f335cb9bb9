//go:build unix

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/keywarden/keywarden/internal/awscli"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/safefile"
)

// evil is what an attacker puts in every name of an account or an export:
// a terminal title (OSC 0), a screen clear, a carriage return and a line
// feed forging a line, an OSC 8 hyperlink, a C1 CSI, bidirectional
// overrides and isolates, DEL, a tab, and a SARIF embedded link.
const evil = "\x1b]0;pwned\x07\x1b[2J\r\n\"ALLOW everything\" \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ [here](https://evil.example) \u009b31m \u202egnp.exe\u2066\u200f\u061c\x7f\tend"

// evilName is evil fit for a file name (no slash, no NUL).
const evilName = "d\x1b[2J\r\n\u202e\x07x"

// outsideSecret is held by a file outside the export; no output may show it.
const outsideSecret = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIoutside"

const (
	acct     = "111122223333"
	keyID    = "1234abcd-12ab-34cd-56ef-1234567890ab"
	keyARN   = "arn:aws:kms:us-east-1:" + acct + ":key/" + keyID
	roleName = "app" + evil
)

// hostileExport writes an export in which every field that reaches an
// output holds evil: IAM paths and names of users, groups, roles and
// policies, Sids, condition values, tags, aliases, key descriptions,
// grant names and principals, bucket names, directory names. Beside
// them: links out of the export (to the secret, to /dev/zero, to a
// directory), named pipes, a device when one can be made, files over
// their cap, error files of every form. It returns the export's path.
func hostileExport(t *testing.T) string {
	t.Helper()
	top := t.TempDir()
	secret := filepath.Join(top, "environ")
	write(t, secret, outsideSecret)
	dir := filepath.Join(top, "export"+evilName)
	doc := func(stmts ...map[string]any) map[string]any {
		return map[string]any{"Version": "2012-10-17", "Statement": stmts}
	}
	allowAll := map[string]any{"Sid": "sid" + evil, "Effect": "Allow", "Action": []string{"kms:Decrypt", "kms:PutKeyPolicy", "kms:CreateGrant"}, "Resource": "*",
		"Condition": map[string]any{"StringLike": map[string]any{"kms:ViaService": "v" + evil}}}
	allowBare := map[string]any{"Sid": "bare" + evil, "Effect": "Allow", "Action": "kms:*", "Resource": "*"}
	managedARN := "arn:aws:iam::" + acct + ":policy/p/" + "managed" + evil
	gaad := map[string]any{
		"UserDetailList": []any{map[string]any{
			"Path": "/u" + evil + "/", "UserName": "user" + evil, "UserId": "AIDAEVIL",
			"Arn":            "arn:aws:iam::" + acct + ":user/u" + evil + "/user" + evil,
			"UserPolicyList": []any{map[string]any{"PolicyName": "inline" + evil, "PolicyDocument": doc(allowAll, allowBare)}},
			"GroupList":      []string{"group" + evil}, "Tags": []any{map[string]any{"Key": "k" + evil, "Value": "v" + evil}},
			"AttachedManagedPolicies": []any{map[string]any{"PolicyName": "managed" + evil, "PolicyArn": managedARN}},
		}},
		"GroupDetailList": []any{map[string]any{
			"Path": "/", "GroupName": "group" + evil, "GroupId": "AGPAEVIL", "Arn": "arn:aws:iam::" + acct + ":group/group" + evil,
			"GroupPolicyList": []any{map[string]any{"PolicyName": "g" + evil, "PolicyDocument": doc(allowBare)}},
		}},
		"RoleDetailList": []any{map[string]any{
			"Path": "/", "RoleName": roleName, "RoleId": "AROAEVIL", "Arn": "arn:aws:iam::" + acct + ":role/" + roleName,
			"AssumeRolePolicyDocument": doc(map[string]any{"Sid": "trust" + evil, "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::444455556666:role/x" + evil}, "Action": "sts:AssumeRole"}),
			"RolePolicyList":           []any{map[string]any{"PolicyName": "r" + evil, "PolicyDocument": doc(allowAll, allowBare)}},
			"AttachedManagedPolicies":  []any{map[string]any{"PolicyName": "managed" + evil, "PolicyArn": managedARN}},
			"Tags":                     []any{map[string]any{"Key": "k" + evil, "Value": "v" + evil}},
		}},
		"Policies": []any{map[string]any{
			"PolicyName": "managed" + evil, "PolicyId": "ANPAEVIL", "Arn": managedARN, "Path": "/p/", "DefaultVersionId": "v1",
			"AttachmentCount": 2, "IsAttachable": true,
			"PolicyVersionList": []any{map[string]any{"Document": doc(allowAll), "VersionId": "v1", "IsDefaultVersion": true}},
		}},
	}
	keyPolicy := doc(
		map[string]any{"Sid": "root" + evil, "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + acct + ":root"}, "Action": "kms:*", "Resource": "*"},
		map[string]any{"Sid": "public" + evil, "Effect": "Allow", "Principal": "*", "Action": []string{"kms:Decrypt", "kms:Encrypt"}, "Resource": "*",
			"Condition": map[string]any{"StringEquals": map[string]any{"kms:EncryptionContext:app" + evil: "c" + evil}}},
		map[string]any{"Sid": "outsider" + evil, "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::444455556666:role/x" + evil}, "Action": "kms:*", "Resource": "*"},
	)
	keyPolicyText, err := json.Marshal(keyPolicy)
	if err != nil {
		t.Fatal(err)
	}
	key := "kms/us-east-1/" + keyID + "/"
	files := map[string]any{
		"account-authorization-details.json":       gaad,
		"sts-get-caller-identity.json":             map[string]any{"UserId": "AIDAEVIL" + evil, "Account": acct, "Arn": "arn:aws:iam::" + acct + ":user/u" + evil + "/user" + evil},
		"organizations/describe-organization.json": map[string]any{"Organization": map[string]any{"Id": "o-evil" + evil, "MasterAccountId": acct, "Arn": "arn:aws:organizations::" + acct + ":organization/o-evil"}},
		key + "describe-key.json": map[string]any{"KeyMetadata": map[string]any{"AWSAccountId": acct, "KeyId": keyID, "Arn": keyARN,
			"Enabled": true, "Description": "description" + evil, "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS",
			"KeyManager": "CUSTOMER", "KeySpec": "SYMMETRIC_DEFAULT", "CreationDate": "2024-01-10T09:12:31+09:00"}},
		key + "get-key-policy.json": map[string]any{"Policy": string(keyPolicyText), "PolicyName": "default"},
		key + "list-grants.json": map[string]any{"Grants": []any{map[string]any{
			"GrantId": "g" + evil, "Name": "grant" + evil, "KeyId": keyARN, "GranteePrincipal": "arn:aws:iam::444455556666:role/grantee" + evil,
			"RetiringPrincipal": "arn:aws:iam::444455556666:role/retire" + evil, "Operations": []string{"Decrypt", "CreateGrant"},
			"Constraints": map[string]any{"EncryptionContextSubset": map[string]any{"k" + evil: "v" + evil}}}}},
		key + "get-key-rotation-status.json": map[string]any{"KeyRotationEnabled": false},
		key + "list-resource-tags.json":      map[string]any{"Tags": []any{map[string]any{"TagKey": "t" + evil, "TagValue": "v" + evil}}},
		"kms/us-east-1/list-aliases.json": map[string]any{"Aliases": []any{
			map[string]any{"AliasName": "alias/a" + evil, "AliasArn": "arn:aws:kms:us-east-1:" + acct + ":alias/a" + evil, "TargetKeyId": keyID},
			map[string]any{"AliasName": "alias/b" + evil, "TargetKeyId": "unlisted" + evil}}},
		"s3/list-buckets.json": map[string]any{"Buckets": []any{map[string]any{"Name": "listed" + evil}}},
	}
	for name, v := range files {
		data, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, name), string(data))
	}
	// Keys whose files are hostile in other ways.
	other := func(id, file string) string { return filepath.Join(dir, "kms/us-east-1", id, file) }
	write(t, other("k-text", "describe-key.json"), outsideSecret+"\nnot json\x1b[2J")
	write(t, other("k-text", "get-key-policy.error"), "\nAn error occurred (AccessDenied"+"Exception) when calling the GetKeyPolicy operation: "+evil+"\n")
	write(t, other("k-text", "list-grants.error"), evil+outsideSecret)
	link(t, secret, other("k-text", "get-key-rotation-status.json"))
	link(t, "/dev/zero", other("k-text", "list-resource-tags.json"))
	fifo(t, other("k-pipe", "describe-key.json"))
	fifo(t, other("k-pipe", "get-key-policy.json"))
	fifo(t, other("k-pipe", "list-grants.error"))
	sparse(t, other("k-big", "get-key-policy.json"), safefile.Document.Max+1)
	sparse(t, other("k-big", "list-grants.json"), safefile.Listing.Max+1)
	write(t, other("k-dev", "get-key-policy.json"), `{"Policy": "{}"}`)
	if err := syscall.Mknod(other("k-dev", "describe-key.json"), syscall.S_IFCHR|0o644, 1<<8|5); err != nil {
		t.Logf("no device node in the export (%v): the device case is covered by a link to /dev/zero", err)
	}
	link(t, top, filepath.Join(dir, "kms/us-east-1/k-linkdir"+evilName))
	link(t, filepath.Join(dir, "kms/us-east-1"), filepath.Join(dir, "kms/eu-west-1"))
	write(t, filepath.Join(dir, "kms", "eu-"+evilName+"-1", "list-keys.json"), `{"Keys": [{"KeyId": "k`+strings.ReplaceAll(evilName, "\x1b", `\u001b`)+`"}]}`)
	write(t, filepath.Join(dir, "kms", "ap-"+evilName+"-1", "list-aliases.json"), "{")
	write(t, filepath.Join(dir, "s3", "bucket"+evilName, "get-bucket-location.json"), `{"LocationConstraint": "us-east-1"}`)
	write(t, filepath.Join(dir, "s3", "bucket"+evilName, "get-bucket-policy.error"), "An error occurred (NoSuchBucketPolicy) when calling the GetBucketPolicy operation: none")
	link(t, secret, filepath.Join(dir, "s3", "bucket"+evilName, "get-bucket-encryption.json"))
	link(t, top, filepath.Join(dir, "s3", "linked"+evilName))
	link(t, secret, filepath.Join(dir, "organizations", "scps.json"))
	fifo(t, filepath.Join(dir, "organizations", "rcps.json"))
	return dir
}

func write(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

func fifo(t *testing.T, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sparse(t *testing.T, name string, size int64) {
	t.Helper()
	write(t, name, "")
	if err := os.Truncate(name, size); err != nil {
		t.Fatal(err)
	}
}

// hostileScenario is a simulate scenario whose name, Sids, condition
// values and context hold evil.
func hostileScenario(t *testing.T, dir string) string {
	t.Helper()
	s := map[string]any{
		"name": "scenario" + evil, "description": "d" + evil,
		"request": map[string]any{
			"principal": "arn:aws:iam::" + acct + ":role/" + roleName, "action": "kms:Decrypt", "resource": keyARN,
			"context": map[string]any{"kms:EncryptionContext:app" + evil: "c" + evil},
		},
		"keyPolicy": map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Sid": "root" + evil, "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + acct + ":root"}, "Action": "kms:*", "Resource": "*"},
			map[string]any{"Sid": "deny" + evil, "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
				"Condition": map[string]any{"StringNotEquals": map[string]any{"kms:EncryptionContext:app" + evil: "other" + evil}}},
		}},
		"identityPolicies": []any{map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Sid": "id" + evil, "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
				"Condition": map[string]any{"StringLike": map[string]any{"kms:EncryptionContext:app" + evil: "*" + evil}}}}}},
		"expect": "Allow",
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "scenario.json")
	write(t, name, string(data))
	return name
}

// sgrSequence is keywarden's own colouring, the only control sequence a
// coloured text report may hold.
var sgrSequence = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// checkSafe fails when out holds a character that could drive a terminal
// or reorder text (escape.Unsafe) other than a line feed, or any sign of
// the file outside the export.
func checkSafe(t *testing.T, what string, out []byte, color bool) {
	t.Helper()
	s := string(out)
	if color {
		s = sgrSequence.ReplaceAllString(s, "")
	}
	if !utf8.ValidString(s) {
		t.Errorf("%s: not UTF-8", what)
	}
	for i, r := range s {
		if r != '\n' && escape.Unsafe(r) {
			t.Errorf("%s: %U at byte %d: %q", what, r, i, s[max(0, i-60):min(len(s), i+20)])
			break
		}
	}
	if strings.Contains(s, "wJalr") {
		t.Errorf("%s: shows the content of a file outside the export", what)
	}
}

// TestHostileExport runs every command over the hostile export (and a
// hostile scenario, snapshot and suppression file): each must exit 0, 1
// or 2, and nothing it writes, on standard output, standard error or to
// its --output file, may hold a control character or anything read from
// outside the export.
func TestHostileExport(t *testing.T) {
	dir := hostileExport(t)
	work := t.TempDir()
	scenario := hostileScenario(t, work)
	suppressions := filepath.Join(work, "suppressions.json")
	write(t, suppressions, `{"version": 1, "suppressions": [{"check": "*", "resource": "arn:aws:kms:*`+strings.ReplaceAll(evilName, "\x1b", `\u001b`)+`", "reason": "r\u001b[2J\u202e"}]}`)
	out := filepath.Join(work, "report"+evilName)
	snapshot := filepath.Join(work, "snap.json")

	principal := "arn:aws:iam::" + acct + ":role/" + roleName
	runs := []struct {
		name string
		args []string
	}{
		{"scan text", []string{"scan", "--input", dir}},
		{"scan text ja", []string{"scan", "--input", dir, "--lang", "ja", "--fail-on", "low"}},
		{"scan json", []string{"scan", "--input", dir, "--format", "json", "--suppress", suppressions}},
		{"scan sarif", []string{"scan", "--input", dir, "--format", "sarif"}},
		{"scan html", []string{"scan", "--input", dir, "--format", "html"}},
		{"scan to a file", []string{"scan", "--input", dir, "--format", "sarif", "--output", out}},
		{"can", []string{"can", principal, "kms:Decrypt", keyARN, "--input", dir, "--context", "kms:EncryptionContext:app" + evil + "=c" + evil}},
		{"can json", []string{"can", principal, "kms:Decrypt", "alias/a" + evil, "--input", dir, "--format", "json"}},
		{"can by name", []string{"can", roleName, "kms:PutKeyPolicy", keyID, "--input", dir}},
		{"can unknown principal", []string{"can", "nobody" + evil, "kms:Decrypt", keyARN, "--input", dir}},
		{"who-can", []string{"who-can", "kms:Decrypt", keyARN, "--input", dir}},
		{"who-can json", []string{"who-can", "kms:Decrypt", keyARN, "--input", dir, "--format", "json"}},
		{"who-can unknown key", []string{"who-can", "kms:Decrypt", "alias/" + evil, "--input", dir}},
		{"access", []string{"access", "--input", dir}},
		{"access json", []string{"access", "--input", dir, "--format", "json"}},
		{"access csv", []string{"access", "--input", dir, "--format", "csv"}},
		{"simulate", []string{"simulate", scenario}},
		{"simulate json", []string{"simulate", "--format", "json", scenario}},
		{"simulate missing", []string{"simulate", filepath.Join(work, "missing"+evilName+".json")}},
		{"checks explain", []string{"checks", "explain", "key" + evil}},
		{"unknown command", []string{"frobnicate" + evil}},
		{"bad flag", []string{"scan", "--format", evil}},
		{"missing export", []string{"scan", "--input", filepath.Join(work, "missing"+evilName)}},
		{"export is a pipe", []string{"scan", "--snapshot", filepath.Join(dir, "organizations", "rcps.json")}},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(context.Background(), r.args, strings.NewReader(""), &stdout, &stderr)
			if code != ExitOK && code != ExitFailed && code != ExitError {
				t.Errorf("exit %d", code)
			}
			checkSafe(t, "stdout", stdout.Bytes(), false)
			checkSafe(t, "stderr", stderr.Bytes(), false)
			if stdout.Len()+stderr.Len() == 0 {
				t.Errorf("no output at all")
			}
		})
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("scan --output: %v", err)
	}
	checkSafe(t, "scan --output", data, false)

	// The same account through a snapshot: what the export gave, saved
	// and read back, with the same guarantees.
	snap, _, err := awscli.Import(dir, awscli.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.SaveFile(snapshot); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"scan", "--snapshot", snapshot},
		{"scan", "--snapshot", snapshot, "--format", "sarif"},
		{"who-can", "kms:Decrypt", keyARN, "--snapshot", snapshot},
		{"access", "--snapshot", snapshot},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Main(context.Background(), args, nil, &stdout, &stderr); code != ExitOK && code != ExitFailed {
				t.Errorf("exit %d: %s", code, stderr.String())
			}
			checkSafe(t, "stdout", stdout.Bytes(), false)
			checkSafe(t, "stderr", stderr.Bytes(), false)
		})
	}

	// Colour: keywarden's own escapes stay, nothing else.
	t.Run("scan text coloured", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		opts := &scanOptions{streams: streams{Out: &stdout, Err: &stderr}, Format: "text", Lang: "en", Color: true,
			Now: func() time.Time { return goldenNow }, ToolVersion: "test"}
		opts.account.Input = dir
		if err := runScan(context.Background(), "keywarden scan", opts); err != nil {
			t.Fatal(err)
		}
		if !sgrSequence.Match(stdout.Bytes()) {
			t.Errorf("no colour in a coloured report")
		}
		checkSafe(t, "stdout", stdout.Bytes(), true)
		checkSafe(t, "stderr", stderr.Bytes(), false)
	})
}
