package checks

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

// statement parses one key-policy statement.
func statement(t *testing.T, js string) *policy.Statement {
	t.Helper()
	d, err := policy.Parse("test", []byte(`{"Version":"2012-10-17","Statement":[`+js+`]}`), policy.Resource)
	if err != nil {
		t.Fatal(err)
	}
	return d.Statements[0]
}

// TestActionsWithout pins how a statement loses actions: patterns that
// lose nothing stay as written, wildcards that lose part are replaced by
// what they keep, and nothing is ever added.
func TestActionsWithout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		stmt string
		want []string
	}{
		{"console key users lose use, keep DescribeKey as written",
			`{"Effect":"Allow","Principal":"*","Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"}`,
			[]string{"kms:DescribeKey"}},
		{"kms:* becomes the console administrator patterns plus the rest",
			`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}`,
			[]string{"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
				"kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
				"kms:ImportKeyMaterial", "kms:ReplicateKey", "kms:RetireGrant"}},
		{"an administrator list is kept whole",
			`{"Effect":"Allow","Principal":"*","Action":["kms:Create*","kms:Put*","kms:ScheduleKeyDeletion"],"Resource":"*"}`,
			[]string{"kms:Create*", "kms:Put*", "kms:ScheduleKeyDeletion"}},
		{"NotAction is turned into the actions it leaves",
			`{"Effect":"Allow","Principal":"*","NotAction":["kms:Put*","kms:Create*","kms:Delete*","kms:Disable*","kms:Enable*","kms:Get*","kms:List*","kms:Update*","kms:Revoke*","kms:Describe*","kms:Schedule*","kms:Cancel*","kms:Tag*","kms:Untag*","kms:Rotate*","kms:Import*","kms:Replicate*","kms:Retire*"],"Resource":"*"}`,
			nil},
		{"only use actions: nothing left",
			`{"Effect":"Allow","Principal":"*","Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}`,
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := actionsWithout(statement(t, tt.stmt), isUseAction)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("actionsWithout (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDropForSubject pins the statement edit the key-policy fixes share.
func TestDropForSubject(t *testing.T) {
	t.Parallel()
	const admin, app = "arn:aws:iam::111122223333:role/admin", "arn:aws:iam::111122223333:role/app"
	tests := []struct {
		name, stmt, subject, want string
	}{
		{"a statement naming only the subject is narrowed in place",
			`{"Sid":"Lead","Effect":"Allow","Principal":{"AWS":"` + admin + `"},"Action":["kms:Decrypt","kms:PutKeyPolicy"],"Resource":"*"}`, admin,
			`[{"Action":"kms:PutKeyPolicy","Effect":"Allow","Principal":{"AWS":"` + admin + `"},"Resource":"*","Sid":"Lead"}]`},
		{"a shared statement loses the subject, which gets its own statement with the conditions",
			`{"Sid":"Use","Effect":"Allow","Principal":{"AWS":["` + admin + `","` + app + `"]},"Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`, admin,
			`[{"Action":["kms:Decrypt","kms:DescribeKey"],"Condition":{"Bool":{"aws:SecureTransport":"true"}},"Effect":"Allow","Principal":{"AWS":"` + app + `"},"Resource":"*","Sid":"Use"},` +
				`{"Action":"kms:DescribeKey","Condition":{"Bool":{"aws:SecureTransport":"true"}},"Effect":"Allow","Principal":{"AWS":"` + admin + `"},"Resource":"*","Sid":"UseX"}]`},
		{"a statement left with nothing is removed",
			`{"Effect":"Allow","Principal":{"AWS":"` + app + `"},"Action":"kms:Decrypt","Resource":"*"}`, app,
			`[]`},
		{"a wildcard statement is narrowed for everyone",
			`{"Effect":"Allow","Principal":"*","Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"*"}`, anyone,
			`[{"Action":"kms:DescribeKey","Effect":"Allow","Principal":"*","Resource":"*"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := []byte(`{"Version":"2012-10-17","Statement":[` + tt.stmt + `]}`)
			p, err := decodeKeyPolicy(raw)
			if err != nil {
				t.Fatal(err)
			}
			dropForSubject(p, statement(t, tt.stmt), tt.subject, isUseAction, "X")
			out, err := p.encode()
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(doc["Statement"])
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestRemoveConditionValues: a condition left empty means the statement
// must go, never that the condition is dropped (which would widen it).
func TestRemoveConditionValues(t *testing.T) {
	t.Parallel()
	drop := func(v string) bool { return v == "444455556666" }
	st := map[string]any{"Condition": map[string]any{"StringEquals": map[string]any{"kms:CallerAccount": []any{"444455556666", "111122223333"}}}}
	if !removeConditionValues(st, drop) {
		t.Fatal("a condition with a value left must keep the statement")
	}
	if got := st["Condition"].(map[string]any)["StringEquals"].(map[string]any)["kms:CallerAccount"]; got != "111122223333" {
		t.Errorf("kept values = %v, want 111122223333", got)
	}
	st = map[string]any{"Condition": map[string]any{"StringEquals": map[string]any{"kms:CallerAccount": "444455556666"}}}
	if removeConditionValues(st, drop) {
		t.Error("an emptied condition must remove the statement")
	}
}

// TestGrantBreadth pins when a grant is broad.
func TestGrantBreadth(t *testing.T) {
	t.Parallel()
	sym := &inventory.Key{Account: "111122223333", Metadata: &inventory.KeyMetadata{KeySpec: "SYMMETRIC_DEFAULT"}}
	rsa := &inventory.Key{Account: "111122223333", Metadata: &inventory.KeyMetadata{KeySpec: "RSA_2048"}}
	local, other := "arn:aws:iam::111122223333:role/app", "arn:aws:iam::444455556666:role/app"
	ec := map[string]string{"k": "v"}
	tests := []struct {
		name string
		key  *inventory.Key
		g    inventory.Grant
		want int
	}{
		{"unconstrained Decrypt", sym, inventory.Grant{GranteePrincipal: local, Operations: []string{"Decrypt"}}, 1},
		{"constrained Decrypt", sym, inventory.Grant{GranteePrincipal: local, Operations: []string{"Decrypt"}, EncryptionContextSubset: ec}, 0},
		{"Equals constraint", sym, inventory.Grant{GranteePrincipal: local, Operations: []string{"ReEncryptFrom"}, EncryptionContextEquals: ec}, 0},
		{"Encrypt only", sym, inventory.Grant{GranteePrincipal: local, Operations: []string{"Encrypt", "GenerateDataKey"}}, 0},
		{"asymmetric key cannot take a constraint", rsa, inventory.Grant{GranteePrincipal: local, Operations: []string{"Decrypt"}}, 0},
		{"other account", sym, inventory.Grant{GranteePrincipal: other, Operations: []string{"Encrypt"}}, 1},
		{"other account and unconstrained", sym, inventory.Grant{GranteePrincipal: other, Operations: []string{"decrypt"}}, 2},
		{"service principal grantee", sym, inventory.Grant{GranteePrincipal: "dynamodb.amazonaws.com", Operations: []string{"Encrypt"}}, 0},
	}
	for _, tt := range tests {
		if got := grantBreadth(tt.key, &tt.g); len(got) != tt.want {
			t.Errorf("%s: grantBreadth = %v, want %d reasons", tt.name, got, tt.want)
		}
	}
}

func TestRotationApplies(t *testing.T) {
	t.Parallel()
	base := inventory.KeyMetadata{State: "Enabled", KeySpec: "SYMMETRIC_DEFAULT", Origin: "AWS_KMS", Manager: "CUSTOMER"}
	tests := []struct {
		name string
		edit func(*inventory.KeyMetadata)
		want bool
	}{
		{"symmetric AWS_KMS customer key", func(*inventory.KeyMetadata) {}, true},
		{"asymmetric", func(m *inventory.KeyMetadata) { m.KeySpec = "ECC_NIST_P256" }, false},
		{"HMAC", func(m *inventory.KeyMetadata) { m.KeySpec = "HMAC_256" }, false},
		{"imported material", func(m *inventory.KeyMetadata) { m.Origin = "EXTERNAL" }, false},
		{"custom key store", func(m *inventory.KeyMetadata) { m.Origin = "AWS_CLOUDHSM" }, false},
		{"AWS managed", func(m *inventory.KeyMetadata) { m.Manager = "AWS" }, false},
		{"disabled", func(m *inventory.KeyMetadata) { m.State = "Disabled" }, false},
		{"pending deletion", func(m *inventory.KeyMetadata) { m.State = "PendingDeletion" }, false},
	}
	for _, tt := range tests {
		m := base
		tt.edit(&m)
		if got := rotationApplies(&m); got != tt.want {
			t.Errorf("%s: rotationApplies = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDaysLeft(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want int
	}{
		{now.Add(7 * 24 * time.Hour), 7},
		{now.Add(7*24*time.Hour - time.Minute), 7},
		{now.Add(time.Hour), 1},
		{now.Add(-time.Hour), 0},
		{now.Add(-49 * time.Hour), -2},
	}
	for _, tt := range tests {
		if got := daysLeft(now, tt.at); got != tt.want {
			t.Errorf("daysLeft(%s) = %d, want %d", tt.at, got, tt.want)
		}
	}
}
