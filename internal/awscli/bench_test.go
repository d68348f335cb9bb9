package awscli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/keywarden/keywarden/internal/safefile"
)

// bigGAAD is an account of n roles, each with a trust policy, two inline
// policies and an attached managed policy, as the AWS CLI prints it.
func bigGAAD(n int) []byte {
	var b bytes.Buffer
	b.WriteString("{\n    \"UserDetailList\": [],\n    \"GroupDetailList\": [],\n    \"RoleDetailList\": [\n")
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `        {
            "Path": "/",
            "RoleName": "role-%[1]d",
            "RoleId": "AROAZX3Q5ROLE%08[1]d",
            "Arn": "arn:aws:iam::111122223333:role/role-%[1]d",
            "CreateDate": "2024-03-01T09:00:00+00:00",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "RolePolicyList": [
                {"PolicyName": "a", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "arn:aws:kms:ap-northeast-1:111122223333:key/%[1]d"}]}},
                {"PolicyName": "b", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket-%[1]d/*"}]}}
            ],
            "AttachedManagedPolicies": [{"PolicyName": "p", "PolicyArn": "arn:aws:iam::111122223333:policy/p"}],
            "Tags": []
        }`, i)
	}
	b.WriteString("\n    ],\n    \"Policies\": []\n}\n")
	return b.Bytes()
}

// BenchmarkImportGAAD imports an account of 5,000 roles (about 7 MB of
// authorization details). Locating each document must not rescan the file.
func BenchmarkImportGAAD(b *testing.B) {
	data := bigGAAD(5000)
	b.SetBytes(int64(len(data)))
	fsys := fstest.MapFS{gaadFile: {Data: data}}
	for b.Loop() {
		if _, _, err := importFS(fsys, "export", fixed); err != nil {
			b.Fatal(err)
		}
	}
}

// longSid is the length of the Sid of BenchmarkImportLongSid.
var longSid = 200 << 20

// BenchmarkImportLongSid imports an export whose one key policy holds a
// 200 MB Sid (AWS caps a key policy at 32 KB). Under the default cap the
// file is refused from its size alone, without being read; with the cap
// raised (KEYWARDEN_MAX_FILE_SIZE) it is read and parsed in time and
// memory proportional to its size.
func BenchmarkImportLongSid(b *testing.B) {
	dir := b.TempDir()
	write := func(name string, data []byte) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write(gaadFile, bigGAAD(1))
	var p bytes.Buffer
	p.WriteString(`{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"`)
	p.Write(bytes.Repeat([]byte("A"), longSid))
	p.WriteString(`\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}]}"}`)
	write("kms/us-east-1/k1/get-key-policy.json", p.Bytes())
	for _, bc := range []struct{ name, cap string }{{"capped", ""}, {"cap raised", "1GiB"}} {
		b.Run(bc.name, func(b *testing.B) {
			b.Setenv(safefile.EnvMaxSize, bc.cap)
			b.ReportAllocs()
			for b.Loop() {
				s, _, err := Import(dir, fixed)
				if err != nil {
					b.Fatal(err)
				}
				if k := s.Accounts[0].Keys[0]; (k.Policy == nil) != (bc.cap == "") {
					b.Fatalf("key policy read: %v", k.Policy != nil)
				}
			}
		})
	}
}
