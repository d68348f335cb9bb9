package policy

import "testing"

func TestMatchAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"kms:Decrypt", "kms:Decrypt", true},
		{"KMS:DECRYPT", "kms:Decrypt", true}, // actions ignore case
		{"kms:decrypt", "KMS:Decrypt", true},
		{"kms:*", "kms:ScheduleKeyDeletion", true},
		{"*", "s3:GetObject", true},
		{"kms:ReEncrypt*", "kms:ReEncryptFrom", true},
		{"kms:GenerateDataKey*", "kms:GenerateDataKeyPairWithoutPlaintext", true},
		{"kms:GenerateDataKey*", "kms:GenerateDataKey", true}, // * matches the empty string
		{"kms:?ecrypt", "kms:Decrypt", true},
		{"kms:?ecrypt", "kms:Encrypt", false},
		{"kms:*crypt*", "kms:ReEncryptTo", true},
		{"kms:Describe*", "kms:DescribeKey", true},
		{"kms:Delete*", "kms:ScheduleKeyDeletion", false},
		{"kms:Decrypt", "kms:DecryptX", false},
		{"s3:*", "kms:Decrypt", false},
		{"kms*", "kms:Decrypt", true},
	}
	for _, tt := range tests {
		if got := MatchAction(tt.pattern, tt.action); got != tt.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

func TestMatchResource(t *testing.T) {
	t.Parallel()
	const key = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	tests := []struct {
		name, pattern, arn string
		want               bool
	}{
		{"star", "*", key, true},
		{"exact", key, key, true},
		{"any key of the account", "arn:aws:kms:*:111122223333:key/*", key, true},
		{"other account", "arn:aws:kms:*:444455556666:key/*", key, false},
		{"region wildcard stays in the region field", "arn:aws:kms:*", key, true},
		{"resource part is case-sensitive", "arn:aws:kms:ap-northeast-1:111122223333:KEY/1234ABCD-12AB-34CD-56EF-1234567890AB", key, false},
		{"region ignores case", "arn:aws:kms:AP-NORTHEAST-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", key, true},
		{"alias ARN does not match the key", "arn:aws:kms:ap-northeast-1:111122223333:alias/app", key, false},
		{"question mark", "arn:aws:kms:ap-northeast-?:111122223333:key/*", key, true},
		{"resource star crosses slashes", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c.txt", true},
		{"star in account field does not cross colons", "arn:aws:kms:ap-northeast-1:*", key, true},
		{"wrong service", "arn:aws:s3:::*", key, false},
	}
	for _, tt := range tests {
		if got := MatchResource(tt.pattern, tt.arn); got != tt.want {
			t.Errorf("%s: MatchResource(%q, %q) = %v, want %v", tt.name, tt.pattern, tt.arn, got, tt.want)
		}
	}
}

func TestGlobLiteralEscapes(t *testing.T) {
	t.Parallel()
	if !Glob("a"+literalStar+"b", "a*b") || Glob("a"+literalStar+"b", "axb") {
		t.Error("a literal star must match only '*'")
	}
	if !Glob("a"+literalQuestion, "a?") || Glob("a"+literalQuestion, "ab") {
		t.Error("a literal question mark must match only '?'")
	}
	if !Glob("*x*", "axbxc") || Glob("*x", "axbc") || !Glob("", "") || Glob("", "a") || !Glob("*", "") {
		t.Error("basic globbing is broken")
	}
	if !Glob("?", "é") {
		t.Error("? must match one character, not one byte")
	}
}

// TestStatementElements pins NotAction, NotResource and resource variables
// at statement level.
func TestStatementElements(t *testing.T) {
	t.Parallel()
	const key = "arn:aws:kms:us-east-1:111122223333:key/k1"
	tests := []struct {
		name     string
		stmt     string
		action   string
		resource string
		ctx      map[string]any
		want     bool
	}{
		{"NotAction allows everything else", `{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`, "kms:Decrypt", key, nil, true},
		{"NotAction excludes the listed", `{"Effect":"Allow","NotAction":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}`, "kms:Decrypt", key, nil, false},
		{"NotAction excludes by wildcard", `{"Effect":"Allow","NotAction":"kms:*","Resource":"*"}`, "KMS:Decrypt", key, nil, false},
		{"NotResource covers other resources", `{"Effect":"Allow","Action":"kms:*","NotResource":"arn:aws:kms:*:111122223333:key/other"}`, "kms:Decrypt", key, nil, true},
		{"NotResource excludes the listed", `{"Effect":"Allow","Action":"kms:*","NotResource":"arn:aws:kms:*:111122223333:key/*"}`, "kms:Decrypt", key, nil, false},
		{"resource variable", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}`, "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", map[string]any{"aws:username": "alice"}, true},
		{"resource variable other user", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}`, "s3:GetObject", "arn:aws:s3:::home/bob/notes.txt", map[string]any{"aws:username": "alice"}, false},
		{"resource variable absent", `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}`, "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse("test", []byte(`{"Version":"2012-10-17","Statement":`+tt.stmt+`}`), Identity)
			if err != nil {
				t.Fatal(err)
			}
			s := d.Statements[0]
			got := s.MatchAction(tt.action) && s.MatchResource(tt.resource, ctxOf(tt.ctx)) == True
			if got != tt.want {
				t.Errorf("%s: applies to %s on %s = %v, want %v", tt.stmt, tt.action, tt.resource, got, tt.want)
			}
		})
	}
}

// TestCanonical: the layout, the order of condition operators and the
// index do not change a statement's canonical form; its meaning does.
func TestCanonical(t *testing.T) {
	parse := func(s string) *Statement {
		t.Helper()
		d, err := Parse("t", []byte(s), Resource)
		if err != nil {
			t.Fatal(err)
		}
		return d.Statements[len(d.Statements)-1]
	}
	a := parse(`{"Version":"2012-10-17","Statement":{"Sid":"S","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"1"},"Bool":{"aws:SecureTransport":"true"}}}}`)
	b := parse(`{"Version":"2012-10-17","Statement":[{"Sid":"X","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"},
	  {"Condition": {"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"kms:CallerAccount": "1"}},
	   "Resource": "*", "Action": "kms:*", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Effect": "Allow", "Sid": "S"}]}`)
	if a.Canonical() != b.Canonical() {
		t.Errorf("same statement, different forms:\n%s\n%s", a.Canonical(), b.Canonical())
	}
	c := parse(`{"Version":"2012-10-17","Statement":{"Sid":"S","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"1"},"Bool":{"aws:SecureTransport":"true"}}}}`)
	if a.Canonical() == c.Canonical() {
		t.Error("different actions, same form")
	}
}
