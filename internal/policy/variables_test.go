package policy

import (
	"reflect"
	"testing"
)

func TestVariableKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version string
		stmt    string
		want    []string
	}{
		{"resource", "2012-10-17", `{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:*:*:key/${aws:username}"}`, []string{"aws:username"}},
		{"condition value, case folded, once", "2012-10-17", `{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/Team}","aws:ResourceTag/owner":["${AWS:PrincipalTag/team}","${aws:userid}"]}}}`, []string{"aws:principaltag/team", "aws:userid"}},
		{"default value", "2012-10-17", `{"Effect":"Allow","Action":"kms:*","NotResource":"arn:aws:kms:*:*:key/${aws:PrincipalTag/kid, 'none'}"}`, []string{"aws:principaltag/kid"}},
		{"literal characters are not keys", "2012-10-17", `{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:*:*:alias/${*}${?}${$}"}`, nil},
		{"old version: literal text", "2008-10-17", `{"Effect":"Allow","Action":"kms:*","Resource":"arn:aws:kms:*:*:key/${aws:username}"}`, nil},
		{"no variables", "2012-10-17", `{"Effect":"Allow","Action":"kms:*","Resource":"*"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse("test.json", []byte(`{"Version":"`+tt.version+`","Statement":[`+tt.stmt+`]}`), Identity)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Statements[0].VariableKeys(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("VariableKeys() = %q, want %q", got, tt.want)
			}
		})
	}
}
