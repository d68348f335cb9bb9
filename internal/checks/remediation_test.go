package checks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNarrowStatement pins how the KMS.1/KMS.2 fix rewrites a statement.
func TestNarrowStatement(t *testing.T) {
	t.Parallel()
	keys := []string{"arn:aws:kms:us-east-1:111122223333:key/a", "arn:aws:kms:us-east-1:111122223333:key/b"}
	tests := []struct {
		name string
		stmt string
		want string
	}{
		{"KMS only: resources become the keys",
			`{"Sid":"S","Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}`,
			`[{"Action":["kms:Decrypt","kms:Encrypt"],"Effect":"Allow","Resource":["arn:aws:kms:us-east-1:111122223333:key/a","arn:aws:kms:us-east-1:111122223333:key/b"],"Sid":"S"}]`},
		{"mixed actions are split",
			`{"Sid":"S","Effect":"Allow","Action":["s3:GetObject","kms:Decrypt"],"Resource":"*"}`,
			`[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*","Sid":"S"},{"Action":"kms:Decrypt","Effect":"Allow","Resource":["arn:aws:kms:us-east-1:111122223333:key/a","arn:aws:kms:us-east-1:111122223333:key/b"],"Sid":"SPinnedKeys"}]`},
		{"star keeps everything but KMS",
			`{"Effect":"Allow","Action":"*","Resource":"*"}`,
			`[{"Effect":"Allow","NotAction":"kms:*","Resource":"*"},{"Action":"kms:*","Effect":"Allow","Resource":["arn:aws:kms:us-east-1:111122223333:key/a","arn:aws:kms:us-east-1:111122223333:key/b"]}]`},
		{"NotAction also excludes KMS",
			`{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}`,
			`[{"Effect":"Allow","NotAction":["s3:*","kms:*"],"Resource":"*"},{"Action":"kms:*","Effect":"Allow","Resource":["arn:aws:kms:us-east-1:111122223333:key/a","arn:aws:kms:us-east-1:111122223333:key/b"]}]`},
		{"fixed ARNs already named stay",
			`{"Effect":"Allow","Action":"kms:Decrypt","Resource":["arn:aws:kms:eu-west-1:444455556666:key/x","arn:aws:kms:*:111122223333:key/*"]}`,
			`[{"Action":"kms:Decrypt","Effect":"Allow","Resource":["arn:aws:kms:us-east-1:111122223333:key/a","arn:aws:kms:us-east-1:111122223333:key/b","arn:aws:kms:eu-west-1:444455556666:key/x"]}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var st map[string]any
			if err := json.Unmarshal([]byte(tt.stmt), &st); err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(narrowStatement(st, append([]string(nil), keys...)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	if got := shellQuote(`{"Sid":"it's"}`); got != `'{"Sid":"it'"'"'s"}'` {
		t.Errorf("shellQuote = %s", got)
	}
	if !strings.HasPrefix(tfName("9-lives policy"), "p_9") {
		t.Errorf("tfName must not start with a digit: %s", tfName("9-lives policy"))
	}
}
