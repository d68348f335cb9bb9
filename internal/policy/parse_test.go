package policy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		kind Kind
		want func(t *testing.T, d *Document)
	}{
		{"single statement object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}`, Identity, func(t *testing.T, d *Document) {
			if len(d.Statements) != 1 || d.Statements[0].Path != "Statement" {
				t.Errorf("statements = %+v", d.Statements)
			}
		}},
		{"string or list", `{"Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}`, Identity, func(t *testing.T, d *Document) {
			if diff := cmp.Diff([]string{"kms:Decrypt", "kms:Encrypt"}, d.Statements[0].Action); diff != "" {
				t.Errorf("Action (-want +got):\n%s", diff)
			}
		}},
		{"principal star string", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}`, Resource, func(t *testing.T, d *Document) {
			p := d.Statements[0].Principal
			if !p.Wildcard || !p.Star {
				t.Errorf("Principal = %+v, want wildcard", p)
			}
		}},
		{"principal AWS star equals star", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}}`, Resource, func(t *testing.T, d *Document) {
			p := d.Statements[0].Principal
			if !p.Wildcard || p.Star {
				t.Errorf("Principal = %+v, want wildcard from AWS", p)
			}
		}},
		{"principal types", `{"Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:root"],"Service":"cloudtrail.amazonaws.com","Federated":"cognito-identity.amazonaws.com","CanonicalUser":"79a59df9"},"Action":"kms:*","Resource":"*"}}`, Resource, func(t *testing.T, d *Document) {
			p := d.Statements[0].Principal
			want := &Principal{AWS: []string{"111122223333", "arn:aws:iam::444455556666:root"}, Service: []string{"cloudtrail.amazonaws.com"}, Federated: []string{"cognito-identity.amazonaws.com"}, CanonicalUser: []string{"79a59df9"}}
			if diff := cmp.Diff(want, p); diff != "" {
				t.Errorf("Principal (-want +got):\n%s", diff)
			}
		}},
		{"condition values keep JSON text", `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10}}}}`, Identity, func(t *testing.T, d *Document) {
			cs := d.Statements[0].Conditions
			if len(cs) != 2 || cs[0].Values[0] != "false" || cs[1].Values[0] != "10" {
				t.Errorf("conditions = %+v", cs)
			}
		}},
		{"set operator and IfExists", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAllValues:StringLikeIfExists":{"kms:EncryptionContextKeys":"a*"}}}}`, Identity, func(t *testing.T, d *Document) {
			c := d.Statements[0].Conditions[0]
			if c.Op != StringLike || c.Set != ForAllValues || !c.IfExists {
				t.Errorf("condition = %+v", c)
			}
		}},
		{"element names ignore case", `{"version":"2012-10-17","statement":{"effect":"allow","action":"kms:Decrypt","resource":"*"}}`, Identity, func(t *testing.T, d *Document) {
			if len(d.Statements) != 1 || d.Statements[0].Effect != Allow {
				t.Errorf("statements = %+v", d.Statements)
			}
		}},
		{"key policy statement without Resource is kept (inert)", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*"}}`, Resource, func(t *testing.T, d *Document) {
			if d.Statements[0].HasResourceElement() {
				t.Error("statement should have no resource element")
			}
		}},
		{"SCP without Resource means every resource", `{"Statement":{"Effect":"Allow","Action":"*"}}`, SCP, func(t *testing.T, d *Document) {
			if diff := cmp.Diff([]string{"*"}, d.Statements[0].Resource); diff != "" {
				t.Errorf("Resource (-want +got):\n%s", diff)
			}
		}},
		{"document as JSON string", `"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}}"`, Identity, func(t *testing.T, d *Document) {
			if len(d.Statements) != 1 {
				t.Errorf("statements = %+v", d.Statements)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse("p.json", []byte(tt.doc), tt.kind)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.want(t, d)
		})
	}
}

// TestParseErrors pins that every invalid policy is reported with its
// source, line, column and JSON path.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		kind Kind
		want string
	}{
		{"bad JSON", "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",,}\n  ]\n}", Identity, `p.json:3:24: invalid JSON: unexpected ',' in object, expected a quoted key`},
		{"missing Effect", `{"Statement":[{"Action":"kms:Decrypt","Resource":"*"}]}`, Identity, `p.json:1:15: Statement[0]: statement has no Effect`},
		{"bad Effect", `{"Statement":{"Effect":"Permit","Action":"kms:Decrypt","Resource":"*"}}`, Identity, `p.json:1:24: Statement.Effect: Effect must be "Allow" or "Deny", not "Permit"`},
		{"unknown operator", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEqual":{"a":"b"}}}}`, Identity, `p.json:1:97: Statement.Condition.StringEqual: unknown condition operator "StringEqual"`},
		{"Null with IfExists", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"NullIfExists":{"a":"true"}}}}`, Identity, `p.json:1:98: Statement.Condition.NullIfExists: unknown condition operator "NullIfExists"`},
		{"unknown set operator", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"a":"b"}}}}`, Identity, `p.json:1:112: Statement.Condition.ForSomeValues:StringEquals: unknown condition operator "ForSomeValues:StringEquals"`},
		{"Action and NotAction", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","NotAction":"s3:*","Resource":"*"}}`, Identity, `p.json:1:14: Statement: statement has both Action and NotAction`},
		{"Principal in identity policy", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}}`, Identity, `p.json:1:14: Statement: an identity policy cannot have a Principal or NotPrincipal`},
		{"key policy without principal", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}`, Resource, `p.json:1:14: Statement: statement in a resource policy must have a Principal or NotPrincipal`},
		{"action without service", `{"Statement":{"Effect":"Allow","Action":["kms:Decrypt","Decrypt"],"Resource":"*"}}`, Identity, `p.json:1:56: Statement.Action[1]: invalid action "Decrypt" (expected "service:Action" or "*")`},
		{"nested condition value", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"a":{"b":"c"}}}}}`, Identity, `p.json:1:103: Statement.Condition.StringEquals["a"]: condition value must be a string, number or boolean, not object`},
		{"duplicate element", `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"kms:Decrypt","Resource":"*"}}`, Identity, `p.json:1:32: Statement.Effect: duplicate element "Effect"`},
		{"unknown element", `{"Statement":{"Effect":"Allow","Actions":"kms:Decrypt","Resource":"*"}}`, Identity, `p.json:1:32: Statement.Actions: unknown element "Actions" (expected one of Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)`},
		{"no Statement", `{"Version":"2012-10-17"}`, Identity, `p.json:1:1: policy has no Statement`},
		{"bad principal string", `{"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::111122223333:root","Action":"kms:*","Resource":"*"}}`, Resource, `p.json:1:44: Statement.Principal: principal must be "*" or an object such as {"AWS": ...}, not the string "arn:aws:iam::111122223333:root"`},
		{"Null with bad value", `{"Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"Null":{"a":"yes"}}}}`, Identity, `p.json:1:95: Statement.Condition.Null["a"]: Null takes true or false, not "yes"`},
		{"empty action list", `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, Identity, `p.json:1:41: Statement.Action: must not be an empty list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse("p.json", []byte(tt.doc), tt.kind)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", d)
			}
			if d != nil {
				t.Error("Parse returned a document with an error")
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T is not policy.Errors", err)
			}
			found := false
			for _, e := range es {
				found = found || e.Error() == tt.want
			}
			if !found {
				t.Errorf("errors:\n%s\nwant among them:\n%s", es.Error(), tt.want)
			}
		})
	}
}

// TestParseCollectsAllErrors: the parser reports every problem it finds,
// sorted by position.
func TestParseCollectsAllErrors(t *testing.T) {
	doc := "{\"Statement\":[\n{\"Effect\":\"Maybe\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"},\n{\"Action\":\"x\",\"Resource\":\"*\"}\n]}"
	_, err := Parse("p.json", []byte(doc), Identity)
	var es Errors
	if !errors.As(err, &es) || len(es) != 3 {
		t.Fatalf("got %v, want 3 errors", err)
	}
	for i := 1; i < len(es); i++ {
		if es[i].Line < es[i-1].Line {
			t.Errorf("errors not sorted: %v", es)
		}
	}
}

// FuzzParse: any input parses or fails cleanly; a parsed document re-parses
// from its Raw form to the same statements.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.json")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*","Condition":{"ForAnyValue:StringLikeIfExists":{"kms:EncryptionContextKeys":["a*",1,true]}}}}`))
	f.Add([]byte(`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333"]},"NotAction":"s3:*","NotResource":"arn:aws:kms:*:*:key/${aws:username}"}]}`))
	f.Add([]byte(`"{\"Statement\":[]}"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kind := range []Kind{Identity, Resource, SCP, RCP} {
			d, err := Parse("fuzz", data, kind)
			if err != nil {
				if d != nil {
					t.Fatal("document returned with an error")
				}
				var es Errors
				if !errors.As(err, &es) || len(es) == 0 {
					t.Fatalf("error %v is not a non-empty policy.Errors", err)
				}
				continue
			}
			again, err := Parse("again", d.Raw, kind)
			if err != nil {
				t.Fatalf("re-parse of Raw %s: %v", d.Raw, err)
			}
			if len(again.Statements) != len(d.Statements) {
				t.Fatalf("re-parse gives %d statements, want %d", len(again.Statements), len(d.Statements))
			}
			for i := range d.Statements {
				a, b := d.Statements[i], again.Statements[i]
				if a.Effect != b.Effect || strings.Join(a.Action, ",") != strings.Join(b.Action, ",") || len(a.Conditions) != len(b.Conditions) {
					t.Fatalf("statement %d differs after re-parse", i)
				}
			}
			if !json.Valid(d.Raw) {
				t.Fatalf("Raw is not valid JSON: %s", d.Raw)
			}
			// Evaluation never panics on a parsed document.
			ctx := &MapContext{Open: true}
			for _, s := range d.Statements {
				s.MatchAction("kms:Decrypt")
				s.MatchResource("arn:aws:kms:us-east-1:111122223333:key/k", ctx)
				s.EvalConditions(ctx, nil)
			}
		}
	})
}
