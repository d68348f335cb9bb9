package checks

import (
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/inventory"
)

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
