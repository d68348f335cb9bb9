package cloudformation

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// loadStacks parses templates into a reader, as Read does, without
// evaluating them.
func loadStacks(t *testing.T, opts Options, files ...string) *reader {
	t.Helper()
	r := newReader(opts)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		root, err := parseTemplate(f, data)
		if err != nil {
			t.Fatal(err)
		}
		r.stacks = append(r.stacks, newStack(r, f, root))
	}
	r.nameStacks()
	return r
}

// show renders a value for comparison: JSON when known, "unknown: why"
// otherwise.
func show(v *value) string {
	if u := v.firstUnknown(); u != nil {
		return "unknown: " + u.why
	}
	if v.kind == vNoValue {
		return "AWS::NoValue"
	}
	var b bytes.Buffer
	v.writeJSON(&b)
	return b.String()
}

// TestIntrinsics evaluates every output of testdata/intrinsics.yaml: one
// or more cases per intrinsic function and pseudo parameter.
func TestIntrinsics(t *testing.T) {
	r := loadStacks(t, Options{Account: "111122223333", Region: "us-east-1"}, "testdata/intrinsics.yaml", "testdata/exports.json")
	s := r.stacks[0]
	want := map[string]string{
		"RefParam":          `"prod"`,
		"RefPseudo":         `"111122223333/us-east-1/aws/amazonaws.com"`,
		"RefNamedRole":      `"app"`,
		"RefGeneratedRole":  `"{{cfn:Generated}}"`,
		"RefKey":            `"{{cfn:Key}}"`,
		"RefOther":          `"{{cfn:Topic}}"`,
		"GetAttShort":       `"arn:aws:iam::111122223333:role/service/app"`,
		"GetAttLong":        `"arn:aws:iam::111122223333:role/{{cfn:Generated}}"`,
		"GetAttKey":         `"arn:aws:kms:us-east-1:111122223333:key/{{cfn:Key}}"`,
		"GetAttUnknownAttr": `"{{cfn:Topic.TopicArn}}"`,
		"GetAttBucket":      `"arn:aws:s3:::prod-data"`,
		"SubLiteral":        `"${Literal}-prod"`,
		"SubVars":           `"prod-arn:aws:iam::111122223333:role/service/app"`,
		"SubAttr":           `"arn:aws:s3:::prod-data/*"`,
		"Join":              `"a:prod:b"`,
		"Select":            `"z"`,
		"FindInMap":         `"use1"`,
		"FindInMapDefault":  `"none"`,
		"IfTrue":            `"yes"`,
		"IfFalse":           `"no"`,
		"IfUnknownSame":     `"same"`,
		"IfUnknown":         "unknown: condition FromSSMIsX is not known before deployment",
		"IfNoValue":         `"ac"`,
		"Conditions":        `"both,either"`,
		"Base64":            `"YWJj"`,
		"GetAZs":            "unknown: Fn::GetAZs: the Availability Zones are known only in the account",
		"ImportOther":       `"arn:aws:kms:us-east-1:111122223333:key/{{cfn:K}}"`,
		"ImportMissing":     "unknown: Fn::ImportValue nowhere is another stack's export",
		"SSM":               "unknown: parameter FromSSM is read from SSM at deployment (give --parameter FromSSM=VALUE)",
		"StackName":         "unknown: AWS::StackName (give --parameter AWS::StackName=NAME)",
		"Length":            `3`,
		"ToJson":            `"{\"A\":[1,true]}"`,
		"RefSkipped":        `"x"`,
	}
	for _, name := range s.outputs.keys {
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("output %s has no expectation", name)
			}
			got := show(s.eval(s.outputs.get(name).get("Value"), "Outputs."+name+".Value"))
			if got != w {
				t.Errorf("%s = %s, want %s", name, got, w)
			}
		})
	}
	if len(s.errs) > 0 {
		t.Errorf("errors: %v", s.errs)
	}
	if len(want) != len(s.outputs.keys) {
		t.Errorf("%d expectations for %d outputs", len(want), len(s.outputs.keys))
	}
	// Given parameters win over defaults; AWS::StackName may be given.
	r = loadStacks(t, Options{Account: "111122223333", Region: "us-east-1", Parameters: map[string]string{"Env": "dev", "FromSSM": "x", "AWS::StackName": "blog"}},
		"testdata/intrinsics.yaml", "testdata/exports.json")
	s = r.stacks[0]
	for name, w := range map[string]string{"IfTrue": `"no"`, "IfUnknown": `"a"`, "StackName": `"blog"`, "IfNoValue": `"abc"`} {
		if got := show(s.eval(s.outputs.get(name).get("Value"), "Outputs."+name+".Value")); got != w {
			t.Errorf("with parameters, %s = %s, want %s", name, got, w)
		}
	}
}

// TestShortFormsAreLongForms reads the same template written with YAML
// short forms and as JSON long forms: the changes are equal.
func TestShortFormsAreLongForms(t *testing.T) {
	yaml := `Parameters: {Env: {Type: String, Default: prod}}
Conditions: {P: !Equals [!Ref Env, prod]}
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Join ["-", [!Ref Env, !Select [0, !Split [",", "a,b"]]]]
      AssumeRolePolicyDocument:
        Statement:
          - Effect: !If [P, Allow, Deny]
            Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
            Action: sts:AssumeRole
            Condition: {StringEquals: {"aws:PrincipalTag/x": !Base64 y}}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: "kms:Decrypt", Resource: !GetAtt K.Arn}
  K: {Type: AWS::KMS::Key}
`
	json := `{"Parameters": {"Env": {"Type": "String", "Default": "prod"}},
"Conditions": {"P": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
"Resources": {
  "R": {"Type": "AWS::IAM::Role", "Properties": {
    "RoleName": {"Fn::Join": ["-", [{"Ref": "Env"}, {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}]]},
    "AssumeRolePolicyDocument": {"Statement": [{"Effect": {"Fn::If": ["P", "Allow", "Deny"]},
      "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}, "Action": "sts:AssumeRole",
      "Condition": {"StringEquals": {"aws:PrincipalTag/x": {"Fn::Base64": "y"}}}}]},
    "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Fn::GetAtt": ["K", "Arn"]}}]}}]}},
  "K": {"Type": "AWS::KMS::Key"}}}
`
	read := func(name, text string) string {
		f := t.TempDir() + "/" + name
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		c, _, err := Read([]string{f}, testOptions)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(editStrings(t, c), "\n")
	}
	y, j := read("t.yaml", yaml), read("t.json", json)
	if y != j {
		t.Errorf("YAML short forms and JSON long forms differ:\n%s\n---\n%s", y, j)
	}
	if !strings.Contains(y, `"Principal": {"AWS": "arn:aws:iam::111122223333:root"}`) || !strings.Contains(y, `"Resource": "arn:aws:kms:us-east-1:111122223333:key/{{cfn:K}}"`) {
		t.Errorf("unexpected change:\n%s", y)
	}
}
