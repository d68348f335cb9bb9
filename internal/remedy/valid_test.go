package remedy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/msg"
	"github.com/keywarden/keywarden/internal/policy"
)

const acct = "111122223333"

func doc(t *testing.T, js string) *inventory.Document {
	t.Helper()
	d, err := inventory.DecodeDocument([]byte(js), inventory.Location{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// smallAccount is an account with a key (default key policy), a role with
// a large inline policy, and a managed policy.
func smallAccount(t *testing.T) (*access.Index, *inventory.Snapshot) {
	t.Helper()
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 9800) + `"}]}`
	snap := &inventory.Snapshot{Version: 1, Accounts: []*inventory.Account{{
		ID: acct,
		Roles: []*inventory.Role{{ARN: "arn:aws:iam::" + acct + ":role/app", Name: "app", Path: "/",
			InlinePolicies: []inventory.InlinePolicy{{Name: "big", Document: doc(t, big)}}}},
		Policies: []*inventory.ManagedPolicy{{ARN: "arn:aws:iam::" + acct + ":policy/p", Name: "p", DefaultVersionID: "v1",
			Document: doc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`)}},
		KMSRegions: []*inventory.KMSRegion{{Name: "us-east-1"}},
		Keys: []*inventory.Key{{ARN: "arn:aws:kms:us-east-1:" + acct + ":key/k1", ID: "k1", Region: "us-east-1", Account: acct,
			Metadata: &inventory.KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", Manager: "CUSTOMER"},
			Policy:   doc(t, `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"kms:*","Resource":"*"}]}`)}},
	}}}
	ix, err := access.New(snap)
	if err != nil {
		t.Fatal(err)
	}
	return ix, snap
}

// TestValid: the limits AWS puts on what a fix writes make it invalid,
// and an IAM policy left with no statement is deleted or detached rather
// than written empty.
func TestValid(t *testing.T) {
	ix, snap := smallAccount(t)
	k := ix.Keys()[0]
	role := Owner{Kind: "role", Name: "app", ARN: "arn:aws:iam::" + acct + ":role/app"}
	mp := snap.Accounts[0].Policies[0]
	mpDoc, err := mp.ParseDocument()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		plan  func(p *Plan)
		valid bool
		why   string
		edits string
	}{
		{"a key policy with no statement", func(p *Plan) {
			d := p.KeyPolicy(k)
			d.Remove(d.Stmts[0])
		}, false, "would have no statement", ""},
		{"a key policy over 32 KB", func(p *Plan) {
			d := p.KeyPolicy(k)
			for i := 0; i < 200; i++ {
				d.Add(&Stmt{From: -1, Sid: fmt.Sprint("S", i), Effect: policy.Allow, Principal: &Principal{AWS: []string{"arn:aws:iam::" + acct + ":role/" + strings.Repeat("r", 100)}},
					Action: []string{"kms:Decrypt"}, Resource: []string{"*"}})
			}
		}, false, "over AWS's limit of 32768", "PutKeyPolicy"},
		{"inline policies of a role over 10,240 characters together", func(p *Plan) {
			d := p.InlinePolicy(role, "more", nil)
			d.Add(&Stmt{From: -1, Sid: "UseKey", Effect: policy.Allow, Action: []string{"kms:Decrypt"}, Resource: []string{strings.Repeat("k", 500)}})
		}, false, "over IAM's limit of 10240", "PutRolePolicy"},
		{"a managed policy left empty is detached", func(p *Plan) {
			d := p.ManagedPolicy(mp, mpDoc, []Owner{role})
			d.Remove(d.Stmts[0])
		}, true, "", "DetachRolePolicy"},
		{"a new inline policy with nothing in it is not written", func(p *Plan) {
			p.InlinePolicy(role, "empty", nil)
			p.KeyPolicy(k).Stmts[0].Sid = "Renamed"
		}, true, "", "PutKeyPolicy"},
		{"a Sid IAM refuses", func(p *Plan) {
			d := p.ManagedPolicy(mp, mpDoc, []Owner{role})
			d.Stmts[0].Sid = "has space"
		}, false, "letters and digits only", "CreatePolicyVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPlan(ix, nil)
			tt.plan(p)
			proof, diff := p.Prove(nil)
			f := p.Render(msg.Same("s"), proof, diff)
			if proof.Valid.Holds != tt.valid {
				t.Errorf("valid = %v (%s), want %v", proof.Valid.Holds, proof.Valid.Why.EN, tt.valid)
			}
			if !strings.Contains(proof.Valid.Why.EN, tt.why) {
				t.Errorf("why = %q, want it to say %q", proof.Valid.Why.EN, tt.why)
			}
			var actions []string
			for _, e := range f.Edits {
				actions = append(actions, e.Action)
				if len(e.Document) > 0 && strings.Contains(string(e.Document), `"Statement": []`) {
					t.Errorf("an edit writes an empty statement list:\n%s", e.Document)
				}
			}
			if !strings.Contains(strings.Join(actions, " "), tt.edits) {
				t.Errorf("edits %v, want %s", actions, tt.edits)
			}
		})
	}
}
