package accountgen

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/inventory"
)

// keyPolicies writes every key's policy and grants.
func (g *generator) keyPolicies() {
	public := 0
	for _, k := range g.keys {
		switch {
		case k.service != "":
			k.Policy = awsManagedKeyPolicy(g.acct, k.service, k.Region)
		case k.kind == kindPublic:
			k.Policy = g.publicPolicy(public)
			public++
		default:
			k.Policy = g.customerPolicy(k)
		}
		g.grants(k)
	}
}

func (g *generator) customerPolicy(k *plannedKey) *inventory.Document {
	use := keyUseActions
	if k.asymmetric {
		use = keySignActions
	}
	switch k.kind {
	case kindConsole:
		users := g.someRoles(1, 4)
		if g.autoscaling != "" && g.chance(0.1) {
			users = append(users, g.autoscaling)
		}
		sts := []statement{accountStatement(g.acct), g.adminStatement(g.keyAdmins()), g.useStatement(use, users...), g.persistentStatement(users...)}
		if g.chance(consoleDenyShare) {
			d := deny("DenyOutsideOrg", "kms:*", "*")
			d.Principal = "*"
			d.Condition = conditions{"StringNotEquals": {"aws:PrincipalOrgID": orgID}, "Bool": {"aws:PrincipalIsAWSService": "false"}}
			sts = append(sts, d)
		}
		return docWithID("key-consolepolicy-3", sts...)
	case kindCrossAccount:
		other := pick(g, []string{otherAccount, partnerAccount})
		who := rootARN(other)
		if g.chance(0.5) {
			who = "arn:aws:iam::" + other + ":role/" + pick(g, foreignRoles)
		}
		u := g.useStatement(use, who)
		u.Sid = "Allow use of the key by account " + other
		sts := []statement{accountStatement(g.acct), u}
		if g.chance(0.5) {
			sts = append(sts, g.persistentStatement(who))
		}
		return docWithID("key-consolepolicy-3", sts...)
	case kindOrg:
		s := allow("AllowOrganization", []string{"kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"}, "*")
		s.Principal = pick(g, []any{"*", aws("*")})
		s.Condition = conditions{"StringEquals": {"aws:PrincipalOrgID": orgID}}
		if g.chance(0.3) {
			s.Condition = conditions{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": orgID + "/" + orgRootID + "/" + orgOUID + "/*"}}
		}
		return doc(accountStatement(g.acct), s)
	case kindViaService:
		s := allow("AllowThroughService", keyUseActions, "*")
		s.Principal = aws("*")
		service := pick(g, []string{"s3", "rds", "dynamodb", "secretsmanager"})
		s.Condition = conditions{"StringEquals": {"kms:CallerAccount": g.acct, "kms:ViaService": service + "." + k.Region + ".amazonaws.com"}}
		return doc(accountStatement(g.acct), s)
	case kindDirect:
		admins := g.keyAdmins()
		if g.chance(0.2) {
			// The administrator was deleted: KMS shows the principal
			// by its unique ID, and nobody can manage the key.
			admins = []string{g.uniqueID("AROA", 99000000+g.rng.IntN(999999))}
		}
		a := g.adminStatement(admins)
		a.Action = append(slices.Clone(keyAdminActions), "kms:PutKeyPolicy")
		return docWithID("key-direct-1", a, g.useStatement(use, g.someRoles(1, 3)...))
	}
	return defaultKeyPolicy(g.acct)
}

// publicPolicy is the policy of the n-th public key: "*" may decrypt
// with no condition, only through a service, or only from an endpoint.
func (g *generator) publicPolicy(n int) *inventory.Document {
	s := allow("PublicDecrypt", []string{"kms:Decrypt", "kms:DescribeKey"}, "*")
	s.Principal = "*"
	switch n % 3 {
	case 1:
		s.Condition = conditions{"StringEquals": {"kms:ViaService": "s3." + firstRegion + ".amazonaws.com"}}
	case 2:
		s.Principal = aws("*")
		s.Condition = conditions{"StringEquals": {"aws:SourceVpce": "vpce-" + g.hex(17)}}
	}
	return doc(accountStatement(g.acct), s)
}

func (g *generator) keyAdmins() []string {
	admins := []string{g.admins[0]}
	if len(g.admins) > 1 && g.chance(0.5) {
		admins = append(admins, pick(g, g.admins[1:]))
	}
	return admins
}

func (g *generator) adminStatement(admins []string) statement {
	s := allow("Allow access for Key Administrators", keyAdminActions, "*")
	s.Principal = aws(admins...)
	return s
}

func (g *generator) useStatement(actions []string, users ...string) statement {
	s := allow("Allow use of the key", actions, "*")
	s.Principal = aws(users...)
	return s
}

func (g *generator) persistentStatement(users ...string) statement {
	s := allow("Allow attachment of persistent resources", keyGrantActions, "*")
	s.Principal = aws(users...)
	s.Condition = conditions{"Bool": {"kms:GrantIsForAWSResource": "true"}}
	return s
}

// someRoles picks between lo and hi distinct roles that may be named
// (the fixed KMSAdminRole when there is no other).
func (g *generator) someRoles(lo, hi int) []string {
	if len(g.named) == 0 {
		return []string{g.admins[0]}
	}
	n := min(lo+g.rng.IntN(hi-lo+1), len(g.named))
	var out []string
	for len(out) < n {
		if arn := pick(g, g.named).ARN; !slices.Contains(out, arn) {
			out = append(out, arn)
		}
	}
	return out
}

// The operations of grants, as services and people create them.
var (
	grantOperations = [][]string{
		{"Decrypt"},
		{"Decrypt", "Encrypt", "GenerateDataKey"},
		{"CreateGrant", "Decrypt", "DescribeKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo"},
		{"Encrypt", "GenerateDataKey"},
		{"Decrypt", "RetireGrant"},
	}
	signOperations = [][]string{
		{"DescribeKey", "GetPublicKey", "Sign", "Verify"},
		{"GetPublicKey", "Verify"},
	}
)

// grants gives a key its grants: a customer managed key between 0 and
// 2 × grantsPerKey, aws/ebs a few EBS sessions, aws/rds a few RDS grants.
func (g *generator) grants(k *plannedKey) {
	n := 0
	switch k.service {
	case "":
		n = g.rng.IntN(2*grantsPerKey + 1)
	case "ebs":
		n = g.rng.IntN(5)
	case "rds":
		n = g.rng.IntN(3)
	}
	for i := range n {
		gr := inventory.Grant{
			ID:             g.hex(58) + fmt.Sprintf("%06x", i),
			IssuingAccount: rootARN(g.acct),
			CreationDate:   k.Metadata.CreationDate.Add(time.Duration(g.rng.IntN(int(generatedAt.Sub(k.Metadata.CreationDate)/time.Second))) * time.Second),
		}
		switch k.service {
		case "ebs":
			g.ec2Grant(&gr)
		case "rds":
			g.serviceGrant(&gr, "rds", k.Region)
		default:
			g.customerGrant(&gr, k)
		}
		if gr.Name == "" && g.chance(0.4) {
			gr.Name = fmt.Sprintf("%s-grant-%d", k.team, i)
		}
		k.Grants = append(k.Grants, gr)
	}
}

func (g *generator) customerGrant(gr *inventory.Grant, k *plannedKey) {
	r := g.rng.Float64()
	switch {
	case k.asymmetric:
		// Signing keys: roles only, no encryption context.
		gr.GranteePrincipal = pick(g, g.someRoles(1, 1))
		gr.Operations = slices.Clone(pick(g, signOperations))
		return
	case r < granteeRoleShare:
		gr.GranteePrincipal = pick(g, g.someRoles(1, 1))
	case r < granteeRoleShare+granteeOtherAccountRoleShare:
		gr.GranteePrincipal = "arn:aws:iam::" + pick(g, []string{otherAccount, partnerAccount}) + ":role/" + pick(g, foreignRoles)
	case r < granteeRoleShare+granteeOtherAccountRoleShare+granteeRootShare:
		gr.GranteePrincipal = rootARN(pick(g, []string{g.acct, otherAccount, partnerAccount}))
	case r < granteeRoleShare+granteeOtherAccountRoleShare+granteeRootShare+granteeEC2Share:
		g.ec2Grant(gr)
		return
	default:
		g.serviceGrant(gr, pick(g, []string{"dynamodb", "secretsmanager", "rds"}), k.Region)
		return
	}
	gr.Operations = slices.Clone(pick(g, grantOperations))
	if g.chance(0.3) {
		gr.RetiringPrincipal = gr.GranteePrincipal
	}
	if g.chance(grantConstraintShare) {
		ec := pick(g, []map[string]string{
			{"aws:s3:arn": "arn:aws:s3:::" + k.team + "-data-" + g.acct},
			{"Department": k.team},
			{"aws:rds:db-id": "db-" + strings.ToUpper(g.hex(26))},
			{"app": k.team, "purpose": "backup"},
		})
		if g.chance(0.8) {
			gr.EncryptionContextSubset = ec
		} else {
			gr.EncryptionContextEquals = ec
		}
	}
}

// ec2Grant is what EBS creates for an instance: Decrypt for the
// aws:ec2-infrastructure session of the instance, for one volume.
func (g *generator) ec2Grant(gr *inventory.Grant) {
	gr.GranteePrincipal = "arn:aws:sts::" + g.acct + ":assumed-role/aws:ec2-infrastructure/i-" + g.hex(17)
	gr.Operations = []string{"Decrypt"}
	gr.EncryptionContextEquals = map[string]string{"aws:ebs:id": "vol-" + g.hex(17)}
}

// serviceGrant is a grant to a service principal, which the service
// retires itself.
func (g *generator) serviceGrant(gr *inventory.Grant, service, region string) {
	gr.GranteePrincipal = service + "." + region + ".amazonaws.com"
	gr.RetiringPrincipal = gr.GranteePrincipal
	gr.Operations = []string{"Decrypt", "DescribeKey", "Encrypt", "GenerateDataKey", "RetireGrant"}
	gr.Name = service + "-" + g.hex(8)
}

// buckets makes one bucket per 1/bucketsPerKey keys: most encrypt with a
// customer managed key of their region, some with aws/s3 or SSE-S3; half
// have a bucket policy.
func (g *generator) buckets() {
	n := max(1, portion(len(g.keys), bucketsPerKey))
	for i := range n {
		region := firstRegion
		if g.chance(secondRegionShare) {
			region = secondRegion
		}
		team := pick(g, teams)
		b := &inventory.Bucket{Name: fmt.Sprintf("%s-%s-%s-%04d", team, pick(g, apps), g.acct, i), Region: region}
		var usable []*plannedKey
		awsS3 := false
		for _, k := range g.keys {
			if k.Region != region || k.Metadata.State != "Enabled" {
				continue
			}
			if k.service == "s3" {
				awsS3 = true
			}
			if k.service == "" && !k.asymmetric {
				usable = append(usable, k)
			}
		}
		switch r := g.rng.Float64(); {
		case r < 0.6 && len(usable) > 0:
			k := pick(g, usable)
			id := k.ARN
			if len(k.Aliases) > 0 && g.chance(0.2) {
				id = k.Aliases[0]
			}
			b.Encryption = &inventory.BucketEncryption{Algorithm: inventory.SSEKMS, KMSKeyID: id, BucketKeyEnabled: g.chance(0.7)}
		case r < 0.7 && awsS3:
			b.Encryption = &inventory.BucketEncryption{Algorithm: inventory.SSEKMS}
		default:
			b.Encryption = &inventory.BucketEncryption{Algorithm: inventory.SSES3}
		}
		if g.chance(0.5) {
			arn := "arn:aws:s3:::" + b.Name
			s := deny("DenyInsecureTransport", "s3:*", []string{arn, arn + "/*"})
			s.Principal = "*"
			s.Condition = conditions{"Bool": {"aws:SecureTransport": "false"}}
			sts := []statement{s}
			if e := b.Encryption; e.UsesKMS() && e.KMSKeyID != "" && g.chance(0.5) {
				d := deny("DenyOtherKeys", "s3:PutObject", arn+"/*")
				d.Principal = "*"
				d.Condition = conditions{"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": e.KMSKeyID}}
				sts = append(sts, d)
			}
			b.Policy = doc(sts...)
		}
		g.a.Buckets = append(g.a.Buckets, b)
	}
}

// organization makes the account a member of orgID, under the root and
// one OU. The SCPs: FullAWSAccess at every level, DenyLeaveOrganization at
// the root, and at the OU a Deny of key deletion for everyone but
// KMSAdminRole. The RCPs: RCPFullAWSAccess at every level and at the OU
// an identity perimeter for the keys tagged data-classification
// confidential (nobody outside the organization but partnerAccount may
// use them; the other keys, the public ones among them, stay open).
func (g *generator) organization() {
	full := inventory.OrgPolicy{ID: "p-FullAWSAccess", Name: "FullAWSAccess", AWSManaged: true,
		ARN:      "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
		Document: doc(statement{Effect: "Allow", Action: "*", Resource: "*"})}
	scp := func(id, name string, d *inventory.Document) inventory.OrgPolicy {
		return inventory.OrgPolicy{ID: id, Name: name, Document: d,
			ARN: "arn:aws:organizations::" + managementAccount + ":policy/" + orgID + "/service_control_policy/" + id}
	}
	leave := scp("p-a1b2c3d4", "DenyLeaveOrganization", doc(deny("DenyLeave", "organizations:LeaveOrganization", "*")))
	deletion := deny("DenyKeyDeletion", []string{"kms:ScheduleKeyDeletion", "kms:DeleteImportedKeyMaterial"}, "*")
	deletion.Condition = conditions{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/KMSAdminRole"}}
	noDeletion := scp("p-k3yd3l3t", "DenyKeyDeletion", doc(deletion))

	rcpFull := inventory.OrgPolicy{ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess", AWSManaged: true,
		ARN:      "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
		Document: doc(statement{Effect: "Allow", Principal: "*", Action: "*", Resource: "*"})}
	perimeter := deny("EnforceIdentityPerimeter", "kms:*", "*")
	perimeter.Principal = "*"
	perimeter.Condition = conditions{
		"StringEquals":            {"aws:ResourceTag/data-classification": "confidential"},
		"StringNotEqualsIfExists": {"aws:PrincipalOrgID": orgID, "aws:PrincipalAccount": []string{partnerAccount}},
		"BoolIfExists":            {"aws:PrincipalIsAWSService": "false"},
	}
	rcp := inventory.OrgPolicy{ID: "p-p3r1m3t3", Name: "KMSIdentityPerimeter", Document: doc(perimeter),
		ARN: "arn:aws:organizations::" + managementAccount + ":policy/" + orgID + "/resource_control_policy/p-p3r1m3t3"}

	level := func(id, name string, ps ...inventory.OrgPolicy) inventory.OrgLevel {
		return inventory.OrgLevel{TargetID: id, TargetName: name, Policies: ps}
	}
	g.a.Organization = &inventory.Organization{
		ID: orgID, ManagementAccountID: managementAccount,
		OUPath: orgID + "/" + orgRootID + "/" + orgOUID + "/",
		SCPs: []inventory.OrgLevel{
			level(orgRootID, "Root", full, leave),
			level(orgOUID, "Workloads", full, noDeletion),
			level(g.acct, "workload-prod", full),
		},
		RCPs: []inventory.OrgLevel{
			level(orgRootID, "Root", rcpFull),
			level(orgOUID, "Workloads", rcpFull, rcp),
			level(g.acct, "workload-prod", rcpFull),
		},
	}
}
