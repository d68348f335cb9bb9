package engine

import (
	"testing"

	"github.com/keywarden/keywarden/internal/policy"
)

// FuzzDecide: any parsed key policy and identity policy with any request
// gives a decision with a summary, and never panics.
func FuzzDecide(f *testing.F) {
	f.Add(kpDefault, idDecrypt, session, "kms:Decrypt", keyA, "kms:ViaService", "s3.ap-northeast-1.amazonaws.com", true)
	f.Add(`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:sts::111122223333:assumed-role/app/x"]},"NotAction":"kms:Encrypt","NotResource":"arn:aws:kms:*:*:alias/*"}}`, allowAll, "arn:aws:iam::111122223333:root", "kms:PutKeyPolicy", keyA, "aws:PrincipalOrgID", "o-1", false)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"Service":"logs.amazonaws.com","AWS":"*"},"Action":"kms:*","Resource":"*","Condition":{"ForAnyValue:StringLike":{"kms:EncryptionContextKeys":"a*"},"Null":{"kms:ViaService":"false"}}}}`, idS3Only, "logs.amazonaws.com", "kms:RetireGrant", "*", "kms:EncryptionContext:a", "b", true)
	f.Fuzz(func(t *testing.T, keyPolicy, identity, principal, action, resource, ctxKey, ctxValue string, open bool) {
		p := &Policies{Grants: []Grant{{GranteePrincipal: principal, Operations: []string{"Decrypt", "RetireGrant"}, EncryptionContextSubset: map[string]string{ctxKey: ctxValue}}}}
		if d, err := policy.Parse("kp", []byte(keyPolicy), policy.Resource); err == nil {
			p.KeyPolicy = d
		}
		if d, err := policy.Parse("id", []byte(identity), policy.Identity); err == nil {
			p.Identity = []*policy.Document{d}
			p.Boundary = d
			p.SCPs = [][]*policy.Document{{d}}
		}
		req := Request{Principal: principal, Action: action, Resource: resource, Open: open,
			Context: map[string]Value{ctxKey: {Strings: []string{ctxValue}}}}
		r := Decide(req, p)
		if r.Summary == "" {
			t.Fatalf("no summary for %+v", req)
		}
		if r.Decision == ExplicitDeny && len(r.Reasons) == 0 {
			t.Fatal("explicit deny without the statement that denies")
		}
	})
}
