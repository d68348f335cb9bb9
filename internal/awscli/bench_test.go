package awscli

import (
	"bytes"
	"fmt"
	"testing"
	"testing/fstest"
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
