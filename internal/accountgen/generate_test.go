package accountgen

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/inventory"
)

func generate(t testing.TB, principals, keys int, seed uint64) *inventory.Snapshot {
	t.Helper()
	s, err := Generate(Options{Principals: principals, Keys: keys, Seed: seed})
	if err != nil {
		t.Fatalf("Generate(%d, %d, %d): %v", principals, keys, seed, err)
	}
	return s
}

func saved(t testing.TB, s *inventory.Snapshot) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := s.Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGenerateSize(t *testing.T) {
	tests := []struct {
		principals, keys int
	}{
		{FixedPrincipals, 1},
		{5, 2},
		{204, 20},
		{1004, 100},
		{2004, 200},
	}
	for _, tt := range tests {
		s := generate(t, tt.principals, tt.keys, 1)
		a := s.Accounts[0]
		if got := len(a.Users) + len(a.Roles); got != tt.principals {
			t.Errorf("Generate(%d, %d): %d users + roles, want %d", tt.principals, tt.keys, got, tt.principals)
		}
		if got := len(a.Keys); got != tt.keys {
			t.Errorf("Generate(%d, %d): %d keys, want %d", tt.principals, tt.keys, got, tt.keys)
		}
		if _, err := DelegatingKey(s); err != nil {
			t.Errorf("Generate(%d, %d): %v", tt.principals, tt.keys, err)
		}
	}
}

func TestGenerateBadOptions(t *testing.T) {
	for _, o := range []Options{{Principals: FixedPrincipals - 1, Keys: 1}, {Principals: 10, Keys: 0}} {
		if _, err := Generate(o); err == nil {
			t.Errorf("Generate(%+v) succeeded, want an error", o)
		}
	}
}

// TestDeterministic: a seed is an account; another seed, another one.
func TestDeterministic(t *testing.T) {
	a := saved(t, generate(t, 204, 20, 7))
	b := saved(t, generate(t, 204, 20, 7))
	if diff := cmp.Diff(string(a), string(b)); diff != "" {
		t.Errorf("two snapshots of seed 7 differ (-first +second):\n%s", diff)
	}
	if c := saved(t, generate(t, 204, 20, 8)); bytes.Equal(a, c) {
		t.Error("seeds 7 and 8 give the same snapshot")
	}
}

// TestValid: the snapshot reads back as written (Read checks identifiers
// and duplicates) and every policy in it parses.
func TestValid(t *testing.T) {
	s := generate(t, 1004, 100, 3)
	data := saved(t, s)
	back, err := inventory.Read("generated.json", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Read(Save(Generate)): %v", err)
	}
	if !bytes.Equal(saved(t, back), data) {
		t.Error("Save(Read(Save(Generate))) differs from Save(Generate)")
	}
	if gaps := s.Gaps(); len(gaps) > 0 {
		t.Errorf("the snapshot has %d incomplete marks, first: %v", len(gaps), gaps[0])
	}
	for _, err := range parseAll(s.Accounts[0]) {
		t.Error(err)
	}
}

// parseAll parses every policy of the account.
func parseAll(a *inventory.Account) []error {
	var errs []error
	add := func(_ any, err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for _, u := range a.Users {
		add(u.ParseInlinePolicies())
	}
	for _, g := range a.Groups {
		add(g.ParseInlinePolicies())
	}
	for _, r := range a.Roles {
		add(r.ParseInlinePolicies())
		add(r.ParseTrustPolicy())
	}
	for _, p := range a.Policies {
		add(p.ParseDocument())
	}
	for _, k := range a.Keys {
		add(k.ParsePolicy())
	}
	for _, b := range a.Buckets {
		add(b.ParsePolicy())
	}
	add(a.Organization.ParseSCPs())
	add(a.Organization.ParseRCPs())
	return errs
}

// TestMix checks the proportions of mix.go on an account of 2,004
// principals and 200 keys.
func TestMix(t *testing.T) {
	const principals, keys = 2004, 200
	a := generate(t, principals, keys, 1).Accounts[0]

	awsManaged := min(portion(keys, awsManagedShare), 2*len(awsManagedServices))
	customer := keys - awsManaged
	rest := principals - FixedPrincipals
	users := portion(rest, userShare)
	roles := rest - users
	linked := portion(roles, serviceLinkedShare)

	kind := func(k *inventory.Key) string {
		j := string(k.Policy.JSON)
		switch {
		case k.AWSManaged():
			return "aws-managed"
		case bytes.Equal(k.Policy.JSON, defaultKeyPolicy(Account).JSON):
			return "default"
		case strings.Contains(j, `"Id":"key-direct-1"`):
			return "direct"
		case strings.Contains(j, "Allow access for Key Administrators"):
			return "console"
		case strings.Contains(j, "Allow use of the key by account"):
			return "cross-account"
		case strings.Contains(j, "AllowOrganization"):
			return "org"
		case strings.Contains(j, "AllowThroughService"):
			return "via-service"
		case strings.Contains(j, "PublicDecrypt"):
			return "public"
		}
		return "unknown: " + j
	}
	got := map[string]int{}
	grants := 0
	states := map[string]int{}
	for _, k := range a.Keys {
		got[kind(k)]++
		if !k.AWSManaged() {
			grants += len(k.Grants)
			states[k.Metadata.State]++
			if k.Metadata.KeyUsage == "SIGN_VERIFY" {
				states["asymmetric"]++
			}
			if k.Metadata.MultiRegion {
				states["multi-Region"]++
			}
		}
	}
	others := customer - 1 // the first key always has the default policy
	want := map[string]int{
		"aws-managed":   awsManaged,
		"console":       portion(others, consoleShare),
		"cross-account": portion(others, crossAccountShare),
		"org":           portion(others, orgShare),
		"via-service":   portion(others, viaServiceShare),
		"direct":        portion(others, directShare),
		"public":        portion(others, publicShare),
	}
	want["default"] = keys - awsManaged - want["console"] - want["cross-account"] - want["org"] - want["via-service"] - want["direct"] - want["public"]
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("key policy kinds (-want +got):\n%s", diff)
	}
	if got["default"]*2 < keys {
		t.Errorf("%d of %d keys have the default policy, want most", got["default"], keys)
	}
	wantStates := map[string]int{
		"PendingDeletion": portion(others, pendingDeletionShare),
		"Disabled":        portion(others, disabledShare),
		"asymmetric":      portion(others, asymmetricShare),
		"multi-Region":    portion(others, multiRegionShare),
	}
	wantStates["Enabled"] = customer - wantStates["PendingDeletion"] - wantStates["Disabled"]
	if diff := cmp.Diff(wantStates, states); diff != "" {
		t.Errorf("key states and shapes (-want +got):\n%s", diff)
	}
	if mean := float64(grants) / float64(customer); mean < 0.8*grantsPerKey || mean > 1.2*grantsPerKey {
		t.Errorf("%.1f grants per customer managed key, want about %d", mean, grantsPerKey)
	}

	if len(a.Users) != users+1 || len(a.Roles) != roles+FixedPrincipals-1 {
		t.Errorf("%d users and %d roles, want %d and %d", len(a.Users), len(a.Roles), users+1, roles+FixedPrincipals-1)
	}
	pool := map[string]bool{}
	for _, p := range a.Policies {
		if !p.AWSManaged && !strings.Contains(p.Name, "boundary") {
			pool[p.ARN] = true
		}
	}
	if len(pool) != sharedPolicies || len(poolTemplates) != sharedPolicies {
		t.Errorf("%d shared policies (%d templates), want %d", len(pool), len(poolTemplates), sharedPolicies)
	}
	var serviceLinked, bounded, inline int
	for _, r := range a.Roles {
		switch {
		case r.ServiceLinked:
			serviceLinked++
			continue
		case slices.Contains([]string{"KMSAdminRole", "OrganizationAccountAccessRole", "keywarden-reader"}, r.Name):
			continue
		}
		n := 0
		for _, p := range r.AttachedPolicies {
			if pool[p] {
				n++
			}
		}
		if n < minRolePolicies || n > maxRolePolicies {
			t.Errorf("role %s has %d shared policies, want %d to %d", r.Name, n, minRolePolicies, maxRolePolicies)
		}
		if r.PermissionsBoundary != "" {
			bounded++
		}
		if len(r.InlinePolicies) > 0 {
			inline++
		}
	}
	for _, u := range a.Users {
		if u.PermissionsBoundary != "" {
			bounded++
		}
	}
	if serviceLinked != linked {
		t.Errorf("%d service-linked roles, want %d", serviceLinked, linked)
	}
	if want := portion(roles-linked+users, boundaryShare); bounded != want {
		t.Errorf("%d principals with a boundary, want %d", bounded, want)
	}
	if lo := portion(roles-linked, roleInlineShare); inline < lo {
		t.Errorf("%d roles with inline policies, want at least %d", inline, lo)
	}
	o := a.Organization
	if o == nil || len(o.SCPs) != 3 || len(o.RCPs) != 3 || a.IsManagementAccount() {
		t.Errorf("organization = %+v, want a member account with three SCP and RCP levels", o)
	}
}

func TestDelegatingKeyNone(t *testing.T) {
	s := generate(t, FixedPrincipals, 1, 1)
	s.Accounts[0].Keys[0].Policy = doc(allow("", "kms:*", "*"))
	if _, err := DelegatingKey(s); err == nil {
		t.Error("DelegatingKey found a key in an account without one")
	}
	if _, err := DelegatingKey(&inventory.Snapshot{}); err == nil {
		t.Errorf("DelegatingKey(empty) = %v, want an error", err)
	}
}
