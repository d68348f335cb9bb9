package accountgen

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/inventory"
)

// The accounts and organization of a generated snapshot.
const (
	// Account is the ID of the generated account, a member account of
	// organization orgID.
	Account = "111122223333"
	// otherAccount is another account of the organization (a snapshot
	// cannot say so: checks count it as outside unless told it is
	// trusted); partnerAccount is outside, excepted from the RCP
	// perimeter.
	otherAccount      = "444455556666"
	partnerAccount    = "777788889999"
	managementAccount = "999988887777"
	orgID             = "o-a1b2c3d4e5"
	orgRootID         = "r-ab12"
	orgOUID           = "ou-ab12-11111111"

	firstRegion  = "ap-northeast-1"
	secondRegion = "us-east-1"

	// Source is the Metadata.Source of generated snapshots.
	Source = "accountgen"
)

// generatedAt is the time of every generated snapshot: dates are drawn
// before it, so that a seed always gives the same snapshot.
var generatedAt = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// Options are the size and seed of a generated account.
type Options struct {
	// Principals is the number of IAM users and roles, at least
	// FixedPrincipals.
	Principals int
	// Keys is the number of KMS keys, AWS managed keys included, at
	// least 1.
	Keys int
	// Seed chooses the account: the same options give the same snapshot.
	Seed uint64
}

// Generate makes the snapshot of one account of the given size (the mix
// is in mix.go). It is normalized, every policy in it parses, and it
// holds no incomplete mark.
func Generate(o Options) (*inventory.Snapshot, error) {
	if o.Principals < FixedPrincipals {
		return nil, fmt.Errorf("principals must be at least %d (the fixed principals), not %d", FixedPrincipals, o.Principals)
	}
	if o.Keys < 1 {
		return nil, fmt.Errorf("keys must be at least 1, not %d", o.Keys)
	}
	g := &generator{
		// The second word is fixed so that seeds 0, 1, 2 ... differ
		// in the first.
		rng:  rand.New(rand.NewPCG(o.Seed, 0x6b657977617264)),
		acct: Account,
		a:    &inventory.Account{ID: Account},
	}
	g.planPrincipals(o.Principals)
	g.planKeys(o.Keys)
	g.managedPolicies()
	g.identities()
	g.keyPolicies()
	g.buckets()
	g.organization()
	g.countAttachments()

	s := &inventory.Snapshot{
		Version:  inventory.FormatVersion,
		Metadata: inventory.Metadata{GeneratedAt: generatedAt, Source: Source},
		Accounts: []*inventory.Account{g.a},
	}
	s.Normalize()
	return s, nil
}

// DelegatingKey returns an enabled customer managed key whose policy is
// the default one (it delegates to the account's IAM policies): the first
// in ARN order. Every generated account has one.
func DelegatingKey(s *inventory.Snapshot) (*inventory.Key, error) {
	for _, a := range s.Accounts {
		want := defaultKeyPolicy(a.ID)
		for _, k := range a.Keys {
			if k.Policy != nil && bytes.Equal(k.Policy.JSON, want.JSON) && !k.AWSManaged() &&
				k.Metadata != nil && k.Metadata.State == "Enabled" {
				return k, nil
			}
		}
	}
	return nil, errors.New("the snapshot has no enabled key with the default key policy")
}

// keyKind is the shape of a customer managed key's policy (mix.go).
type keyKind int

const (
	kindDefault keyKind = iota
	kindConsole
	kindCrossAccount
	kindOrg
	kindViaService
	kindDirect
	kindPublic
)

var kindShares = []struct {
	kind  keyKind
	share float64
}{
	{kindConsole, consoleShare},
	{kindCrossAccount, crossAccountShare},
	{kindOrg, orgShare},
	{kindViaService, viaServiceShare},
	{kindDirect, directShare},
	{kindPublic, publicShare},
}

// plannedKey is a key with what the generator decided about it.
type plannedKey struct {
	*inventory.Key
	kind       keyKind
	team       string
	asymmetric bool
	service    string // for an AWS managed key: s3, ebs, ...
}

type generator struct {
	rng  *rand.Rand
	acct string
	a    *inventory.Account

	// Principals: users, roles that may be named in key policies and
	// grants (not service-linked), administrators (ARNs).
	users       []*inventory.User
	roles       []*inventory.Role
	named       []*inventory.Role
	admins      []string
	autoscaling string // the ARN of the Auto Scaling service-linked role, if any
	teams       map[string]string

	keys     []*plannedKey
	customer []*plannedKey

	pool        []*inventory.ManagedPolicy
	poolWeights []int
	boundaries  []*inventory.ManagedPolicy
	awsPolicies map[string]*inventory.ManagedPolicy
}

// Names, drawn from small lists so that the generated account reads like
// a real one.
var (
	teams      = []string{"payments", "checkout", "search", "identity", "ledger", "catalog", "analytics", "platform", "mobile", "risk", "billing", "media"}
	apps       = []string{"api", "worker", "batch", "etl", "web", "stream", "cron", "sync"}
	envs       = []string{"prod", "stg", "dev"}
	firstNames = []string{"akira", "yuki", "haruto", "sakura", "ren", "mei", "sota", "hina", "alex", "sam", "jordan", "casey"}
	lastNames  = []string{"tanaka", "suzuki", "sato", "ito", "kato", "mori", "smith", "garcia", "chen", "kim", "ng", "lopez"}
	// Roles of other accounts named in key policies and grants.
	foreignRoles = []string{"analytics-reader", "etl-runner", "partner-reader", "backup-copier"}
)

// serviceLinkedRoles are the service-linked roles the account may have,
// each with its AWS managed policy (abridged).
var serviceLinkedRoles = []struct {
	service, role, policy string
	actions               []string
}{
	{"autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy",
		[]string{"ec2:RunInstances", "ec2:TerminateInstances", "ec2:Describe*", "ec2:CreateTags", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*", "kms:DescribeKey"}},
	{"rds.amazonaws.com", "AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy",
		[]string{"ec2:Describe*", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "logs:CreateLogGroup"}},
	{"elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy",
		[]string{"ec2:Describe*", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"}},
	{"ecs.amazonaws.com", "AWSServiceRoleForECS", "AmazonECSServiceRolePolicy",
		[]string{"ec2:Describe*", "elasticloadbalancing:Describe*", "elasticloadbalancing:RegisterTargets"}},
	{"support.amazonaws.com", "AWSServiceRoleForSupport", "AWSSupportServiceRolePolicy",
		[]string{"iam:Get*", "iam:List*", "support:*"}},
}

// portion is the number of n items a share covers: rounded, and at least
// one when there are minForOne items or more.
func portion(n int, share float64) int {
	c := int(math.Round(float64(n) * share))
	if c == 0 && share > 0 && n >= minForOne {
		c = 1
	}
	return min(c, n)
}

// subset marks exactly portion(n, share) of n items, chosen at random.
func (g *generator) subset(n int, share float64) []bool {
	marked := make([]bool, n)
	for _, i := range g.rng.Perm(n)[:portion(n, share)] {
		marked[i] = true
	}
	return marked
}

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func pick[T any](g *generator, from []T) T { return from[g.rng.IntN(len(from))] }

// before returns a time up to maxDays before the snapshot, to the second.
func (g *generator) before(maxDays int) time.Time {
	return generatedAt.Add(-time.Duration(g.rng.IntN(maxDays*86400)+1) * time.Second)
}

// uniqueID makes an IAM unique ID (AROA..., AIDA..., ANPA...): 21
// characters, made unique by the counter n.
func (g *generator) uniqueID(prefix string, n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var b strings.Builder
	b.WriteString(prefix)
	for range 9 {
		b.WriteByte(chars[g.rng.IntN(len(chars))])
	}
	fmt.Fprintf(&b, "%08d", n)
	return b.String()
}

func (g *generator) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.rng.IntN(16)]
	}
	return string(b)
}

func rootARN(acct string) string { return "arn:aws:iam::" + acct + ":root" }

func (g *generator) roleARN(path, name string) string {
	return "arn:aws:iam::" + g.acct + ":role" + path + name
}

// planPrincipals makes the users and roles with their names, ARNs, tags
// and dates; their policies come later.
func (g *generator) planPrincipals(n int) {
	rest := n - FixedPrincipals
	nUsers := portion(rest, userShare)
	nRoles := rest - nUsers
	g.teams = map[string]string{}

	fixedRole := func(name string) *inventory.Role {
		r := &inventory.Role{ARN: g.roleARN("/", name), Name: name, Path: "/", ID: g.uniqueID("AROA", len(g.roles)), CreateDate: g.before(2000)}
		g.roles = append(g.roles, r)
		return r
	}
	g.admins = append(g.admins, fixedRole("KMSAdminRole").ARN)
	fixedRole("OrganizationAccountAccessRole")
	fixedRole("keywarden-reader")
	g.users = append(g.users, &inventory.User{ARN: "arn:aws:iam::" + g.acct + ":user/break-glass", Name: "break-glass", Path: "/",
		ID: g.uniqueID("AIDA", 0), CreateDate: g.before(2000)})

	nLinked := portion(nRoles, serviceLinkedShare)
	nAdmins := portion(nRoles-nLinked, adminRoleShare)
	for i := range nRoles - nLinked {
		team := pick(g, teams)
		name := fmt.Sprintf("%s-%s-%s-%05d", team, pick(g, apps), pick(g, envs), i)
		if i < nAdmins {
			team, name = "platform", fmt.Sprintf("platform-admin-%02d", i)
		}
		path := "/"
		if g.chance(0.1) {
			path = "/service-role/"
		}
		r := &inventory.Role{ARN: g.roleARN(path, name), Name: name, Path: path, ID: g.uniqueID("AROA", len(g.roles)), CreateDate: g.before(1800),
			Tags: []inventory.Tag{{Key: "team", Value: team}, {Key: "env", Value: pick(g, envs)}}}
		if i < nAdmins {
			g.admins = append(g.admins, r.ARN)
		}
		g.teams[r.ARN] = team
		g.roles = append(g.roles, r)
		g.named = append(g.named, r)
	}
	for i := range nLinked {
		slr := serviceLinkedRoles[i%len(serviceLinkedRoles)]
		name := slr.role
		if i >= len(serviceLinkedRoles) {
			name += fmt.Sprintf("_%d", i/len(serviceLinkedRoles))
		}
		path := "/aws-service-role/" + slr.service + "/"
		r := &inventory.Role{ARN: g.roleARN(path, name), Name: name, Path: path, ID: g.uniqueID("AROA", len(g.roles)),
			CreateDate: g.before(1800), ServiceLinked: true}
		if i == 0 {
			g.autoscaling = r.ARN
		}
		g.roles = append(g.roles, r)
	}
	for i := range nUsers {
		name := fmt.Sprintf("%s.%s.%04d", pick(g, firstNames), pick(g, lastNames), i)
		path := "/"
		if g.chance(0.3) {
			path = "/humans/"
		}
		team := pick(g, teams)
		u := &inventory.User{ARN: "arn:aws:iam::" + g.acct + ":user" + path + name, Name: name, Path: path,
			ID: g.uniqueID("AIDA", i+1), CreateDate: g.before(1800), Tags: []inventory.Tag{{Key: "team", Value: team}}}
		g.teams[u.ARN] = team
		g.users = append(g.users, u)
	}
}

// planKeys makes the keys with their metadata, rotation, aliases and
// tags, and chooses the shape of each; policies and grants come later.
func (g *generator) planKeys(n int) {
	nAWS := min(portion(n, awsManagedShare), len(awsManagedServices)*2)
	nCustomer := n - nAWS

	// The first customer key always has the default policy, in the
	// first region, enabled and symmetric; the kinds of the others are
	// shuffled.
	kinds := make([]keyKind, nCustomer)
	at := 1
	for _, ks := range kindShares {
		for range portion(max(nCustomer-1, 0), ks.share) {
			if at < nCustomer {
				kinds[at] = ks.kind
				at++
			}
		}
	}
	if nCustomer > 1 {
		g.rng.Shuffle(nCustomer-1, func(i, j int) { kinds[i+1], kinds[j+1] = kinds[j+1], kinds[i+1] })
	}
	// Pending deletion, disabled, asymmetric and multi-Region keys are
	// disjoint, drawn from the keys after the first.
	state := make([]string, nCustomer)
	asym := make([]bool, nCustomer)
	multi := make([]bool, nCustomer)
	if nCustomer > 1 {
		order := g.rng.Perm(nCustomer - 1)
		take := func(share float64, ok func(i int) bool, mark func(i int)) {
			want := portion(nCustomer-1, share)
			for len(order) > 0 && want > 0 {
				i := order[0] + 1
				order = order[1:]
				if ok(i) {
					mark(i)
					want--
				}
			}
		}
		always := func(int) bool { return true }
		take(pendingDeletionShare, always, func(i int) { state[i] = "PendingDeletion" })
		take(disabledShare, always, func(i int) { state[i] = "Disabled" })
		take(asymmetricShare, func(i int) bool { return kinds[i] == kindDefault || kinds[i] == kindConsole }, func(i int) { asym[i] = true })
		take(multiRegionShare, always, func(i int) { multi[i] = true })
	}
	second := g.subset(nCustomer, secondRegionShare)
	second[0] = false
	rotates := g.subset(nCustomer, rotationShare)
	aliased := g.subset(nCustomer, aliasShare)
	tagged := g.subset(nCustomer, taggedShare)

	for i := range nCustomer {
		region := firstRegion
		if second[i] && !multi[i] {
			region = secondRegion
		}
		id := fmt.Sprintf("%s-%s-4%s-%x%s-%s%06x", g.hex(8), g.hex(4), g.hex(3), 8+g.rng.IntN(4), g.hex(3), g.hex(6), i)
		if multi[i] {
			id = fmt.Sprintf("mrk-%s%06x", g.hex(26), i)
		}
		team, app, env := pick(g, teams), pick(g, apps), pick(g, envs)
		created := g.before(1500)
		k := &plannedKey{kind: kinds[i], team: team, asymmetric: asym[i], Key: &inventory.Key{
			ARN: "arn:aws:kms:" + region + ":" + g.acct + ":key/" + id, ID: id, Region: region, Account: g.acct,
			Metadata: &inventory.KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT",
				Origin: "AWS_KMS", Manager: inventory.KeyManagerCustomer, CreationDate: created,
				Description: fmt.Sprintf("%s %s data (%s)", team, app, env)},
		}}
		m := k.Metadata
		switch state[i] {
		case "PendingDeletion":
			m.State, m.Enabled = "PendingDeletion", false
			m.DeletionDate = generatedAt.Add(time.Duration(7+g.rng.IntN(24)) * 24 * time.Hour)
		case "Disabled":
			m.State, m.Enabled = "Disabled", false
		}
		if multi[i] {
			m.MultiRegion, m.MultiRegionKeyType = true, "PRIMARY"
		}
		if asym[i] {
			m.KeySpec, m.KeyUsage = "RSA_2048", "SIGN_VERIFY"
			m.Description = fmt.Sprintf("%s %s signing (%s)", team, app, env)
		} else {
			k.Rotation = g.rotation(created, rotates[i] && state[i] != "PendingDeletion")
		}
		if aliased[i] {
			k.Aliases = []string{fmt.Sprintf("alias/%s-%s-%s-%d", team, app, env, i)}
			if g.chance(secondAliasShare) {
				k.Aliases = append(k.Aliases, fmt.Sprintf("alias/legacy-%s-%d", team, i))
			}
		}
		if tagged[i] {
			k.Tags = []inventory.Tag{{Key: "team", Value: team}, {Key: "env", Value: env}}
			if g.chance(0.3) {
				k.Tags = append(k.Tags, inventory.Tag{Key: "data-classification", Value: pick(g, []string{"confidential", "internal"})})
			}
		}
		g.keys = append(g.keys, k)
		g.customer = append(g.customer, k)
	}
	for i := range nAWS {
		region := []string{firstRegion, secondRegion}[i/len(awsManagedServices)]
		service := awsManagedServices[i%len(awsManagedServices)]
		id := fmt.Sprintf("%s-%s-4%s-%x%s-%s%06x", g.hex(8), g.hex(4), g.hex(3), 8+g.rng.IntN(4), g.hex(3), g.hex(6), nCustomer+i)
		created := g.before(2500)
		k := &plannedKey{service: service, Key: &inventory.Key{
			ARN: "arn:aws:kms:" + region + ":" + g.acct + ":key/" + id, ID: id, Region: region, Account: g.acct,
			Metadata: &inventory.KeyMetadata{State: "Enabled", Enabled: true, KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT",
				Origin: "AWS_KMS", Manager: inventory.KeyManagerAWS, CreationDate: created,
				Description: "Default key that protects my " + serviceTitle[service] + " data when no other key is defined"},
			Aliases: []string{"alias/aws/" + service},
		}}
		// AWS rotates its managed keys every year.
		k.Rotation = g.rotationEvery(created, 365)
		g.keys = append(g.keys, k)
	}
	for _, r := range []string{firstRegion, secondRegion} {
		if slices.ContainsFunc(g.keys, func(k *plannedKey) bool { return k.Region == r }) {
			g.a.KMSRegions = append(g.a.KMSRegions, &inventory.KMSRegion{Name: r})
		}
	}
	for _, k := range g.keys {
		g.a.Keys = append(g.a.Keys, k.Key)
	}
}

// rotation is the rotation status of a symmetric customer managed key.
func (g *generator) rotation(created time.Time, enabled bool) *inventory.Rotation {
	if !enabled {
		return &inventory.Rotation{}
	}
	return g.rotationEvery(created, pick(g, []int{365, 365, 365, 365, 180, 90}))
}

// rotationEvery: rotation every period days since creation; the next
// date is the first after the snapshot.
func (g *generator) rotationEvery(created time.Time, period int) *inventory.Rotation {
	step := time.Duration(period) * 24 * time.Hour
	next := created.Add(step)
	for !next.After(generatedAt) {
		next = next.Add(step)
	}
	return &inventory.Rotation{Enabled: true, PeriodDays: period, NextRotationDate: next}
}

// managedPolicies makes the shared pool, the boundaries and the AWS
// managed policies the account uses.
func (g *generator) managedPolicies() {
	customer := func(t poolTemplate) *inventory.ManagedPolicy {
		created := g.before(1500)
		d := t.make(g)
		p := &inventory.ManagedPolicy{ARN: "arn:aws:iam::" + g.acct + ":policy/" + t.name, Name: t.name, Path: "/",
			ID: g.uniqueID("ANPA", len(g.a.Policies)), DefaultVersionID: "v1", Document: d, CreateDate: created, UpdateDate: created,
			Versions: []inventory.PolicyVersion{{ID: "v1", Default: true, CreateDate: created, Document: d}}}
		g.a.Policies = append(g.a.Policies, p)
		return p
	}
	for _, t := range poolTemplates {
		g.pool = append(g.pool, customer(t))
		g.poolWeights = append(g.poolWeights, t.weight)
	}
	for _, t := range boundaryTemplates {
		g.boundaries = append(g.boundaries, customer(t))
	}
	g.awsPolicies = map[string]*inventory.ManagedPolicy{}
	for _, t := range awsPolicyTemplates {
		g.awsPolicy(t.name, t.make(g))
	}
}

// awsPolicy adds the AWS managed policy name (with its path, as in
// "aws-service-role/X") to the account's listing.
func (g *generator) awsPolicy(name string, d *inventory.Document) *inventory.ManagedPolicy {
	if p := g.awsPolicies[name]; p != nil {
		return p
	}
	path, short := "/", name
	if i := strings.LastIndex(name, "/"); i >= 0 {
		path, short = "/"+name[:i+1], name[i+1:]
	}
	created := time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)
	p := &inventory.ManagedPolicy{ARN: "arn:aws:iam::aws:policy/" + name, Name: short, Path: path, AWSManaged: true,
		ID: g.uniqueID("ANPA", 900000+len(g.awsPolicies)), DefaultVersionID: "v1", Document: d, CreateDate: created, UpdateDate: created,
		Versions: []inventory.PolicyVersion{{ID: "v1", Default: true, CreateDate: created, Document: d}}}
	g.awsPolicies[name] = p
	g.a.Policies = append(g.a.Policies, p)
	return p
}

// poolPicks chooses between lo and hi distinct policies of the pool, by
// weight.
func (g *generator) poolPicks(lo, hi int) []string {
	total := 0
	for _, w := range g.poolWeights {
		total += w
	}
	n := lo + g.rng.IntN(hi-lo+1)
	var out []string
	for len(out) < n {
		r := g.rng.IntN(total)
		for i, w := range g.poolWeights {
			if r < w {
				if arn := g.pool[i].ARN; !slices.Contains(out, arn) {
					out = append(out, arn)
				}
				break
			}
			r -= w
		}
	}
	return out
}

// boundary picks a permissions boundary, by weight.
func (g *generator) boundary() string {
	if g.rng.IntN(boundaryTemplates[0].weight+boundaryTemplates[1].weight) < boundaryTemplates[0].weight {
		return g.boundaries[0].ARN
	}
	return g.boundaries[1].ARN
}

// inlinePolicy is a role's or user's own policy: KMS use pinned to one to
// three keys, or S3.
func (g *generator) inlinePolicy(owner string) inventory.InlinePolicy {
	if g.chance(0.6) {
		return inventory.InlinePolicy{Name: "kms-use", Document: g.pinnedPolicy(dataKeyActions, 1, 3)}
	}
	return inventory.InlinePolicy{Name: "s3-own-bucket", Document: doc(allow("OwnBucket", []string{"s3:GetObject", "s3:PutObject"},
		"arn:aws:s3:::"+strings.ToLower(strings.ReplaceAll(owner, ".", "-"))+"/*"))}
}

// identities gives every principal its trust policy, policies, groups and
// boundary.
func (g *generator) identities() {
	// The fixed principals.
	admin := g.roles[0]
	admin.TrustPolicy = g.trustAccount()
	admin.InlinePolicies = []inventory.InlinePolicy{{Name: "kms-admin", Document: doc(allow("", keyAdminActions, "arn:aws:kms:*:"+g.acct+":key/*"))}}
	orgAccess := g.roles[1]
	orgAccess.TrustPolicy = doc(statement{Effect: "Allow", Principal: aws(rootARN(managementAccount)), Action: "sts:AssumeRole"})
	orgAccess.AttachedPolicies = []string{g.awsPolicies["AdministratorAccess"].ARN}
	reader := g.roles[2]
	reader.TrustPolicy = g.trustAccount()
	reader.AttachedPolicies = []string{g.awsPolicies["ReadOnlyAccess"].ARN}

	// Roles.
	bounded := g.subset(len(g.named)+len(g.users)-1, boundaryShare)
	inline := g.subset(len(g.named), roleInlineShare)
	decryptAll := g.subset(len(g.named), inlineDecryptAllShare)
	for i, r := range g.named {
		r.TrustPolicy = g.trust()
		r.AttachedPolicies = g.poolPicks(minRolePolicies, maxRolePolicies)
		if inline[i] {
			r.InlinePolicies = append(r.InlinePolicies, g.inlinePolicy(r.Name))
		}
		if decryptAll[i] {
			r.InlinePolicies = append(r.InlinePolicies, inventory.InlinePolicy{Name: "decrypt-anything", Document: doc(allow("", "kms:Decrypt", "*"))})
		}
		if bounded[i] {
			r.PermissionsBoundary = g.boundary()
		}
	}
	for _, r := range g.roles {
		if !r.ServiceLinked {
			continue
		}
		service := strings.TrimSuffix(strings.TrimPrefix(r.Path, "/aws-service-role/"), "/")
		for _, slr := range serviceLinkedRoles {
			if slr.service == service {
				p := g.awsPolicy("aws-service-role/"+slr.policy, doc(allow("", slr.actions, "*")))
				r.AttachedPolicies = []string{p.ARN}
			}
		}
		r.TrustPolicy = doc(statement{Effect: "Allow", Principal: map[string]any{"Service": service}, Action: "sts:AssumeRole"})
	}

	// Groups and users.
	admins := &inventory.Group{ARN: "arn:aws:iam::" + g.acct + ":group/admins", Name: "admins", Path: "/", ID: g.uniqueID("AGPA", 0),
		CreateDate: g.before(2000), AttachedPolicies: []string{g.awsPolicies["AdministratorAccess"].ARN}}
	g.a.Groups = append(g.a.Groups, admins)
	g.users[0].Groups = []string{admins.Name}
	others := g.users[1:]
	var groups []*inventory.Group
	for i := range max(2, (len(others)+usersPerGroup-1)/usersPerGroup) {
		name := fmt.Sprintf("%s-%s-%02d", pick(g, teams), pick(g, []string{"developers", "oncall", "readonly", "data"}), i)
		gr := &inventory.Group{ARN: "arn:aws:iam::" + g.acct + ":group/" + name, Name: name, Path: "/", ID: g.uniqueID("AGPA", i+1),
			CreateDate: g.before(1800), AttachedPolicies: g.poolPicks(1, 2)}
		groups = append(groups, gr)
	}
	for i, in := range g.subset(len(groups), groupInlineShare) {
		if in {
			groups[i].InlinePolicies = []inventory.InlinePolicy{g.inlinePolicy(groups[i].Name)}
		}
	}
	g.a.Groups = append(g.a.Groups, groups...)
	attached := g.subset(len(others), userAttachedShare)
	userInline := g.subset(len(others), userInlineShare)
	for i, u := range others {
		first := pick(g, groups)
		u.Groups = []string{first.Name}
		if second := pick(g, groups); second != first && g.chance(0.4) {
			u.Groups = append(u.Groups, second.Name)
		}
		if attached[i] {
			u.AttachedPolicies = g.poolPicks(1, 1)
		}
		if userInline[i] {
			u.InlinePolicies = []inventory.InlinePolicy{g.inlinePolicy(u.Name)}
		}
		if bounded[len(g.named)+i] {
			u.PermissionsBoundary = g.boundary()
		}
	}
	g.a.Users = g.users
	g.a.Roles = g.roles
}

// trust is the trust policy of a role that is not service-linked.
func (g *generator) trust() *inventory.Document {
	switch r := g.rng.Float64(); {
	case r < trustServiceShare:
		service := pick(g, []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"})
		return doc(statement{Effect: "Allow", Principal: map[string]any{"Service": service}, Action: "sts:AssumeRole"})
	case r < trustServiceShare+trustAccountShare:
		return g.trustAccount()
	case r < trustServiceShare+trustAccountShare+trustOtherAccountShare:
		if g.chance(0.5) {
			return doc(statement{Effect: "Allow", Principal: aws(rootARN(otherAccount)), Action: "sts:AssumeRole"})
		}
		s := statement{Effect: "Allow", Principal: aws(rootARN(partnerAccount)), Action: "sts:AssumeRole",
			Condition: conditions{"StringEquals": {"sts:ExternalId": "partner-" + g.hex(8)}}}
		return doc(s)
	}
	s := statement{Effect: "Allow", Principal: map[string]any{"Federated": "arn:aws:iam::" + g.acct + ":saml-provider/corp-idp"},
		Action: "sts:AssumeRoleWithSAML", Condition: conditions{"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}
	return doc(s)
}

// trustAccount lets the account's principals assume the role with MFA.
func (g *generator) trustAccount() *inventory.Document {
	return doc(statement{Effect: "Allow", Principal: aws(rootARN(g.acct)), Action: "sts:AssumeRole",
		Condition: conditions{"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
}

// countAttachments sets the attachment and boundary counts of the managed
// policies.
func (g *generator) countAttachments() {
	byARN := map[string]*inventory.ManagedPolicy{}
	for _, p := range g.a.Policies {
		byARN[p.ARN] = p
	}
	attach := func(arns []string) {
		for _, a := range arns {
			byARN[a].AttachmentCount++
		}
	}
	bound := func(arn string) {
		if arn != "" {
			byARN[arn].PermissionsBoundaryUsageCount++
		}
	}
	for _, u := range g.a.Users {
		attach(u.AttachedPolicies)
		bound(u.PermissionsBoundary)
	}
	for _, gr := range g.a.Groups {
		attach(gr.AttachedPolicies)
	}
	for _, r := range g.a.Roles {
		attach(r.AttachedPolicies)
		bound(r.PermissionsBoundary)
	}
}
