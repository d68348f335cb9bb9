package terraform

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/inventory"
)

// defaultDeletionWindow is how long KMS waits before deleting a key when
// the request does not say ([ScheduleKeyDeletion]).
//
// [ScheduleKeyDeletion]: https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
const defaultDeletionWindow = 30

// edits turns one managed resource instance into the edits it makes: for
// a delete, what goes; for a create, an update or a no-op, what is there
// after; for a replacement, both.
func (r *reader) edits(in *instance) []inventory.Edit {
	if in.actions.Read() {
		return nil
	}
	var out []inventory.Edit
	if in.before != nil && (in.deleted() || in.actions.Update() && isPart(in.typ)) {
		out = append(out, r.removal(in)...)
	}
	if in.deposed || in.actions.Delete() {
		return out
	}
	if in.actions.Forget() {
		// Removed from the state, not destroyed: the object stays.
		in.after, in.unk = in.before, nil
	}
	return append(out, r.put(in)...)
}

// isPart reports whether a resource type manages a part of an entity (an
// inline policy, an attachment, a membership) rather than an entity: its
// update is the removal of the old part and the addition of the new.
func isPart(typ string) bool {
	switch typ {
	case "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy",
		"aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment",
		"aws_iam_policy_attachment", "aws_iam_group_membership", "aws_iam_user_group_membership",
		"aws_kms_alias", "aws_kms_grant", "aws_organizations_policy_attachment":
		return true
	}
	return false
}

// beforeStr reads a string of the state before the change.
func beforeStr(in *instance, attr string) string {
	s, _ := in.before[attr].(string)
	return s
}

func beforeStrs(in *instance, attr string) []string {
	var out []string
	l, _ := in.before[attr].([]any)
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// removal is what a delete (or the first half of a replacement) takes
// away, read from the state before.
func (r *reader) removal(in *instance) []inventory.Edit {
	at := r.location(in, "")
	reg := in.region
	switch in.typ {
	case "aws_kms_key", "aws_kms_replica_key":
		k := r.key(in, in.before, nil, beforeStr(in, "arn"), beforeStr(in, "key_id"))
		if k == nil {
			return nil
		}
		k.Source = r.sourceOf(in)
		days := defaultDeletionWindow
		if d, ok := in.before["deletion_window_in_days"].(float64); ok && d > 0 {
			days = int(d)
		}
		when := r.at
		if when.IsZero() {
			when = time.Now().UTC().Truncate(time.Second)
		}
		return []inventory.Edit{
			&inventory.PutKey{Source: at, Key: k},
			&inventory.ScheduleKeyDeletion{Source: at, Key: k.ARN, Date: when.AddDate(0, 0, days)},
		}
	case "aws_kms_key_policy":
		if b, _ := in.before["bypass_policy_lockout_safety_check"].(bool); b {
			return nil
		}
		// Destroying the resource puts the default key policy back.
		return []inventory.Edit{&inventory.PutKeyPolicy{Source: at, Key: beforeStr(in, "key_id"), Region: reg, Policy: r.defaultKeyPolicy(at)}}
	case "aws_kms_alias":
		return []inventory.Edit{&inventory.DeleteAlias{Source: at, Name: beforeStr(in, "name"), Region: reg}}
	case "aws_kms_grant":
		return []inventory.Edit{&inventory.DeleteGrant{Source: at, Key: beforeStr(in, "key_id"), Region: reg, ID: beforeStr(in, "grant_id")}}
	case "aws_iam_role", "aws_iam_user", "aws_iam_group":
		return []inventory.Edit{&inventory.DeleteEntity{Source: at, Owner: inventory.Owner{Kind: strings.TrimPrefix(in.typ, "aws_iam_"), Name: beforeStr(in, "name")}}}
	case "aws_iam_policy":
		return []inventory.Edit{&inventory.DeleteManagedPolicy{Source: at, ARN: beforeStr(in, "arn")}}
	case "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy":
		kind := ownerKind(in.typ)
		return []inventory.Edit{&inventory.DeleteInlinePolicy{Source: at, Owner: inventory.Owner{Kind: kind, Name: beforeStr(in, kind)}, Name: beforeStr(in, "name")}}
	case "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment":
		kind := ownerKind(in.typ)
		return []inventory.Edit{&inventory.DetachPolicy{Source: at, Owner: inventory.Owner{Kind: kind, Name: beforeStr(in, kind)}, PolicyARN: beforeStr(in, "policy_arn")}}
	case "aws_iam_policy_attachment":
		var out []inventory.Edit
		for _, o := range owners(beforeStrs(in, "users"), beforeStrs(in, "roles"), beforeStrs(in, "groups")) {
			out = append(out, &inventory.DetachPolicy{Source: at, Owner: o, PolicyARN: beforeStr(in, "policy_arn")})
		}
		return out
	case "aws_iam_group_membership":
		var out []inventory.Edit
		for _, u := range beforeStrs(in, "users") {
			out = append(out, &inventory.RemoveUserFromGroup{Source: at, User: u, Group: beforeStr(in, "group")})
		}
		return out
	case "aws_iam_user_group_membership":
		var out []inventory.Edit
		for _, g := range beforeStrs(in, "groups") {
			out = append(out, &inventory.RemoveUserFromGroup{Source: at, User: beforeStr(in, "user"), Group: g})
		}
		return out
	case "aws_s3_bucket":
		return []inventory.Edit{&inventory.DeleteBucket{Source: at, Name: beforeStr(in, "bucket")}}
	case "aws_s3_bucket_server_side_encryption_configuration":
		// Deleting a bucket's encryption configuration leaves S3's
		// default, SSE-S3.
		return []inventory.Edit{&inventory.PutBucketEncryption{Source: at, Bucket: beforeStr(in, "bucket"), Encryption: &inventory.BucketEncryption{Algorithm: inventory.SSES3}}}
	case "aws_s3_bucket_policy":
		return []inventory.Edit{&inventory.PutBucketPolicy{Source: at, Bucket: beforeStr(in, "bucket")}}
	case "aws_organizations_policy":
		return []inventory.Edit{&inventory.DeleteOrgPolicy{Source: at, Type: orgType(beforeStr(in, "type")), ID: beforeStr(in, "id")}}
	case "aws_organizations_policy_attachment":
		return []inventory.Edit{&inventory.DetachOrgPolicy{Source: at, PolicyID: beforeStr(in, "policy_id"), Target: beforeStr(in, "target_id")}}
	}
	return nil
}

func ownerKind(typ string) string {
	switch {
	case strings.HasPrefix(typ, "aws_iam_role_"):
		return inventory.OwnerRole
	case strings.HasPrefix(typ, "aws_iam_user_"):
		return inventory.OwnerUser
	}
	return inventory.OwnerGroup
}

func owners(users, roles, groups []string) []inventory.Owner {
	var out []inventory.Owner
	for _, g := range groups {
		out = append(out, inventory.Owner{Kind: inventory.OwnerGroup, Name: g})
	}
	for _, ro := range roles {
		out = append(out, inventory.Owner{Kind: inventory.OwnerRole, Name: ro})
	}
	for _, u := range users {
		out = append(out, inventory.Owner{Kind: inventory.OwnerUser, Name: u})
	}
	return out
}

func orgType(t string) string {
	switch t {
	case "", inventory.SCP:
		return inventory.SCP
	case inventory.RCP:
		return inventory.RCP
	}
	return ""
}

// need reads a string argument the edit cannot do without; a missing one
// is a warning and leaves the edit out.
func (r *reader) need(in *instance, attr string) (string, bool) {
	v, ok := r.str(in, attr)
	if !ok || v == "" {
		r.warn(in, "%s is not known before apply: the resource is left out (give --tf-dir to rebuild it from the sources)", attr)
		return "", false
	}
	return v, true
}

// put is what an instance leaves in the account.
func (r *reader) put(in *instance) []inventory.Edit {
	at := r.location(in, "")
	src := r.sourceOf(in)
	obj, _ := in.state()
	reg := in.region
	switch in.typ {
	case "aws_kms_key", "aws_kms_replica_key":
		id := r.identityOf(in)
		k := r.key(in, obj, in.unk, id.arn, id.keyID)
		if k == nil {
			return nil
		}
		k.Source = src
		return []inventory.Edit{&inventory.PutKey{Source: at, Key: k}}
	case "aws_kms_key_policy":
		key, ok := r.need(in, "key_id")
		if !ok {
			return nil
		}
		doc, mark := r.document(in, "policy")
		return []inventory.Edit{&inventory.PutKeyPolicy{Source: at, Key: key, Region: reg, Policy: doc, Incomplete: mark}}
	case "aws_kms_alias":
		key, ok := r.need(in, "target_key_id")
		if !ok {
			return nil
		}
		return []inventory.Edit{&inventory.PutAlias{Source: at, Name: r.identityOf(in).name, Key: key, Region: reg}}
	case "aws_kms_grant":
		key, ok := r.need(in, "key_id")
		if !ok {
			return nil
		}
		g := inventory.Grant{ID: r.identityOf(in).attrs["grant_id"], IssuingAccount: "arn:" + r.partition + ":iam::" + r.account + ":root", Source: src}
		g.Name, _ = obj["name"].(string)
		if v, ok := r.str(in, "grantee_principal"); ok {
			g.GranteePrincipal = v
		} else {
			r.warn(in, "grantee_principal is not known before apply: the grant is left out")
			return nil
		}
		g.RetiringPrincipal, _ = r.str(in, "retiring_principal")
		g.Operations, _ = r.strs(in, "operations")
		for _, c := range blocks(obj, "constraints") {
			g.EncryptionContextEquals = stringMap(c["encryption_context_equals"])
			g.EncryptionContextSubset = stringMap(c["encryption_context_subset"])
		}
		return []inventory.Edit{&inventory.PutGrant{Source: at, Key: key, Region: reg, Grant: g}}
	case "aws_iam_role", "aws_iam_user", "aws_iam_group":
		return r.putPrincipal(in, at, src)
	case "aws_iam_policy":
		id := r.identityOf(in)
		p := &inventory.ManagedPolicy{ARN: id.arn, Name: id.name, Path: id.path, Source: src}
		if in.actions.Create() {
			p.DefaultVersionID = "v1"
		}
		p.Document, p.Incomplete = r.document(in, "policy")
		if s, ok := obj["policy_id"].(string); ok {
			p.ID = s
		}
		return []inventory.Edit{&inventory.PutManagedPolicy{Source: at, Policy: p}}
	case "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy":
		kind := ownerKind(in.typ)
		owner, ok := r.need(in, kind)
		if !ok {
			return nil
		}
		name, ok := r.str(in, "name")
		if !ok {
			name = inventory.PlannedTerraform(in.addr)
		}
		doc, mark := r.document(in, "policy")
		return []inventory.Edit{&inventory.PutInlinePolicy{Source: at, Owner: inventory.Owner{Kind: kind, Name: owner}, Policy: inventory.InlinePolicy{Name: name, Document: doc}, Incomplete: mark}}
	case "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment":
		kind := ownerKind(in.typ)
		owner, ok := r.need(in, kind)
		if !ok {
			return nil
		}
		arn, ok := r.need(in, "policy_arn")
		if !ok {
			return nil
		}
		return []inventory.Edit{&inventory.AttachPolicy{Source: at, Owner: inventory.Owner{Kind: kind, Name: owner}, PolicyARN: arn}}
	case "aws_iam_policy_attachment":
		arn, ok := r.need(in, "policy_arn")
		if !ok {
			return nil
		}
		users, ok1 := r.strs(in, "users")
		roles, ok2 := r.strs(in, "roles")
		groups, ok3 := r.strs(in, "groups")
		if !ok1 || !ok2 || !ok3 {
			r.warn(in, "a user, role or group is not known before apply: only the known ones are attached")
		}
		return []inventory.Edit{&inventory.SetPolicyAttachments{Source: at, PolicyARN: arn, Owners: owners(users, roles, groups)}}
	case "aws_iam_group_membership":
		group, ok := r.need(in, "group")
		if !ok {
			return nil
		}
		users, ok := r.strs(in, "users")
		if !ok {
			r.warn(in, "a user is not known before apply: only the known ones are members")
		}
		return []inventory.Edit{&inventory.SetGroupMembers{Source: at, Group: group, Users: users}}
	case "aws_iam_user_group_membership":
		user, ok := r.need(in, "user")
		if !ok {
			return nil
		}
		groups, ok := r.strs(in, "groups")
		if !ok {
			r.warn(in, "a group is not known before apply: only the known ones are joined")
		}
		var out []inventory.Edit
		for _, g := range groups {
			out = append(out, &inventory.AddUserToGroup{Source: at, User: user, Group: g})
		}
		return out
	case "aws_s3_bucket":
		b := &inventory.Bucket{Name: r.identityOf(in).name, Region: reg, Source: src}
		if e := legacyEncryption(obj); e != nil {
			b.Encryption = e
		} else if in.actions.Create() {
			// S3 encrypts every new bucket with SSE-S3 unless told
			// otherwise (since January 2023).
			b.Encryption = &inventory.BucketEncryption{Algorithm: inventory.SSES3}
		}
		return []inventory.Edit{&inventory.PutBucket{Source: at, Bucket: b}}
	case "aws_s3_bucket_server_side_encryption_configuration":
		bucket, ok := r.need(in, "bucket")
		if !ok {
			return nil
		}
		e, mark := r.encryptionRule(in, obj)
		return []inventory.Edit{&inventory.PutBucketEncryption{Source: at, Bucket: bucket, Encryption: e, Incomplete: mark}}
	case "aws_s3_bucket_policy":
		bucket, ok := r.need(in, "bucket")
		if !ok {
			return nil
		}
		doc, mark := r.document(in, "policy")
		return []inventory.Edit{&inventory.PutBucketPolicy{Source: at, Bucket: bucket, Policy: doc, Incomplete: mark}}
	case "aws_organizations_policy":
		typ, _ := obj["type"].(string)
		t := orgType(typ)
		if t == "" {
			return nil // tag, backup and AI opt-out policies: not about access
		}
		p := inventory.OrgPolicy{ID: r.identityOf(in).attrs["id"], Source: src}
		p.Name, _ = obj["name"].(string)
		p.ARN, _ = r.str(in, "arn")
		p.Document, _ = r.document(in, "content")
		return []inventory.Edit{&inventory.PutOrgPolicy{Source: at, Type: t, Policy: p}}
	case "aws_organizations_policy_attachment":
		pid, ok := r.need(in, "policy_id")
		if !ok {
			return nil
		}
		target, ok := r.need(in, "target_id")
		if !ok {
			return nil
		}
		return []inventory.Edit{&inventory.AttachOrgPolicy{Source: at, PolicyID: pid, Target: target}}
	}
	return nil
}

// key builds a key from a state (before or after).
func (r *reader) key(in *instance, obj, unk map[string]any, arn, keyID string) *inventory.Key {
	if arn == "" || keyID == "" {
		r.warn(in, "the key's ID is not in the plan: left out")
		return nil
	}
	str := func(attr, def string) string {
		if s, ok := obj[attr].(string); ok && s != "" && !isUnknown(unk, attr) {
			return s
		}
		return def
	}
	boolean := func(attr string, def bool) bool {
		if b, ok := obj[attr].(bool); ok && !isUnknown(unk, attr) {
			return b
		}
		return def
	}
	k := &inventory.Key{ARN: arn, ID: keyID, Region: in.region, Account: r.account}
	if f := strings.SplitN(arn, ":", 6); len(f) == 6 && f[3] != "" {
		k.Region = f[3]
	}
	if k.Region == "" {
		r.errorf(in, "", "the key's region is not known: give --region")
		return nil
	}
	enabled := boolean("is_enabled", true) && boolean("enabled", true)
	m := &inventory.KeyMetadata{State: "Enabled", Enabled: enabled, Manager: inventory.KeyManagerCustomer, Description: str("description", "")}
	if !enabled {
		m.State = "Disabled"
	}
	policyAttr := "policy"
	if in.typ == "aws_kms_key" {
		m.KeySpec = str("customer_master_key_spec", "SYMMETRIC_DEFAULT")
		m.KeyUsage = str("key_usage", "ENCRYPT_DECRYPT")
		m.Origin = "AWS_KMS"
		if str("custom_key_store_id", "") != "" {
			m.Origin = "AWS_CLOUDHSM"
		}
		m.MultiRegion = boolean("multi_region", false)
		if m.MultiRegion {
			m.MultiRegionKeyType = "PRIMARY"
		}
		if m.KeySpec == "SYMMETRIC_DEFAULT" && m.Origin == "AWS_KMS" {
			// Automatic rotation applies to symmetric keys with key
			// material from KMS; off unless asked, 365 days.
			k.Rotation = &inventory.Rotation{Enabled: boolean("enable_key_rotation", false)}
			if k.Rotation.Enabled {
				k.Rotation.PeriodDays = 365
				if d, ok := obj["rotation_period_in_days"].(float64); ok && d > 0 {
					k.Rotation.PeriodDays = int(d)
				}
			}
		}
	} else {
		m.MultiRegion, m.MultiRegionKeyType = true, "REPLICA"
		k.RotationIncomplete = &inventory.Incomplete{Reason: "a replica key rotates with its primary key", Source: in.addr}
		if p := r.primaryOf(in); p != nil {
			if pk := r.key(p, p.after, p.unk, r.identityOf(p).arn, r.identityOf(p).keyID); pk != nil {
				k.Rotation, k.RotationIncomplete = pk.Rotation, nil
				m.KeySpec, m.KeyUsage, m.Origin = pk.Metadata.KeySpec, pk.Metadata.KeyUsage, pk.Metadata.Origin
			}
		}
	}
	k.Metadata = m
	k.Tags = tags(obj)
	switch {
	case obj[policyAttr] == nil && !isUnknown(unk, policyAttr) || in.expression(policyAttr) == nil && isUnknown(unk, policyAttr):
		// No policy given: KMS gives the key its default policy.
		k.Policy = r.defaultKeyPolicy(r.location(in, policyAttr))
	default:
		k.Policy, k.PolicyIncomplete = r.documentFrom(in, obj, unk, policyAttr)
	}
	return k
}

// primaryOf finds the planned primary key of a replica.
func (r *reader) primaryOf(in *instance) *instance {
	arn, ok := r.str(in, "primary_key_arn")
	if !ok {
		return nil
	}
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 {
		return nil
	}
	p := r.keyByRef(arn, f[3])
	if p == nil || p.typ != "aws_kms_key" {
		return nil
	}
	return p
}

// defaultKeyPolicy is the policy KMS gives a key created without one, and
// the one the AWS provider puts back when an aws_kms_key_policy is
// destroyed (kms-authorization.md §4.1).
func (r *reader) defaultKeyPolicy(loc inventory.Location) *inventory.Document {
	text := fmt.Sprintf(`{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:%s:iam::%s:root"},"Action":"kms:*","Resource":"*"}]}`, r.partition, r.account)
	d, err := inventory.DecodeDocument([]byte(text), loc)
	if err != nil {
		panic(err)
	}
	return d
}

// putPrincipal builds a role, user or group.
func (r *reader) putPrincipal(in *instance, at inventory.Location, src *inventory.Location) []inventory.Edit {
	id := r.identityOf(in)
	obj, unk := in.state()
	kind := strings.TrimPrefix(in.typ, "aws_iam_")
	var mark *inventory.Incomplete
	boundary := ""
	if kind != "group" {
		if v, ok := r.str(in, "permissions_boundary"); ok {
			boundary = v
		} else if isUnknown(unk, "permissions_boundary") {
			mark = &inventory.Incomplete{Reason: "the permissions boundary is known after apply (" + in.addr + ".permissions_boundary)", Source: r.location(in, "permissions_boundary").String()}
		}
	}
	inlineExact := in.expression("inline_policy") != nil
	attachedExact := in.expression("managed_policy_arns") != nil
	var inline []inventory.InlinePolicy
	if inlineExact {
		inline = r.inlineBlocks(in, &mark)
	}
	var attached []string
	if attachedExact {
		var ok bool
		if attached, ok = r.strs(in, "managed_policy_arns"); !ok && mark == nil {
			mark = &inventory.Incomplete{Reason: "a managed policy ARN is known after apply (" + in.addr + ".managed_policy_arns)", Source: r.location(in, "managed_policy_arns").String()}
		}
	}
	switch kind {
	case "role":
		role := &inventory.Role{ARN: id.arn, Name: id.name, Path: id.path, Source: src, Tags: tags(obj), PermissionsBoundary: boundary,
			InlinePolicies: inline, AttachedPolicies: attached, ServiceLinked: inventory.IsServiceLinkedPath(id.path)}
		if s, ok := obj["unique_id"].(string); ok && !isUnknown(unk, "unique_id") {
			role.ID = s
		}
		var tmark *inventory.Incomplete
		role.TrustPolicy, tmark = r.document(in, "assume_role_policy")
		role.Incomplete = cmpOr(mark, tmark)
		return []inventory.Edit{&inventory.PutRole{Source: at, Role: role, InlineExact: inlineExact, AttachedExact: attachedExact}}
	case "user":
		u := &inventory.User{ARN: id.arn, Name: id.name, Path: id.path, Source: src, Tags: tags(obj), PermissionsBoundary: boundary, Incomplete: mark}
		if s, ok := obj["unique_id"].(string); ok && !isUnknown(unk, "unique_id") {
			u.ID = s
		}
		return []inventory.Edit{&inventory.PutUser{Source: at, User: u}}
	}
	g := &inventory.Group{ARN: id.arn, Name: id.name, Path: id.path, Source: src, Incomplete: mark}
	if s, ok := obj["unique_id"].(string); ok && !isUnknown(unk, "unique_id") {
		g.ID = s
	}
	return []inventory.Edit{&inventory.PutGroup{Source: at, Group: g}}
}

func cmpOr(a, b *inventory.Incomplete) *inventory.Incomplete {
	if a != nil {
		return a
	}
	return b
}

// inlineBlocks reads the inline_policy blocks of a role.
func (r *reader) inlineBlocks(in *instance, mark **inventory.Incomplete) []inventory.InlinePolicy {
	obj, unk := in.state()
	list, _ := obj["inline_policy"].([]any)
	unkList := []any{}
	if unk != nil {
		if isUnknown(unk, "inline_policy") {
			*mark = cmpOr(*mark, &inventory.Incomplete{Reason: "the inline policies are known after apply (" + in.addr + ".inline_policy)", Source: r.location(in, "inline_policy").String()})
			return nil
		}
		unkList, _ = unk["inline_policy"].([]any)
	}
	var out []inventory.InlinePolicy
	for i, e := range list {
		b, _ := e.(map[string]any)
		var bu map[string]any
		if i < len(unkList) {
			bu, _ = unkList[i].(map[string]any)
		}
		name, _ := b["name"].(string)
		if name == "" && !isUnknown(bu, "name") {
			continue // inline_policy {} with nothing: no policy
		}
		attr := fmt.Sprintf("inline_policy[%d].policy", i)
		loc := r.location(in, attr)
		ip := inventory.InlinePolicy{Name: name}
		policyText, _ := b["policy"].(string)
		switch {
		case !isUnknown(bu, "policy") && policyText != "":
			d, err := inventory.DecodeDocument([]byte(policyText), loc)
			if err != nil {
				r.errorf(in, attr, "%v", err)
			}
			ip.Document = d
		case r.src != nil && name != "":
			if text, ok := r.src.evalInlinePolicy(in, name); ok {
				d, err := inventory.DecodeDocument([]byte(text), loc)
				if err != nil {
					r.errorf(in, attr, "%v", err)
				}
				ip.Document = d
			}
		}
		if ip.Document == nil {
			*mark = cmpOr(*mark, &inventory.Incomplete{Reason: "known after apply (" + in.addr + "." + attr + ")" + r.hint(), Source: loc.String()})
		}
		if ip.Name == "" {
			ip.Name = inventory.PlannedTerraform(in.addr + "." + fmt.Sprintf("inline_policy[%d]", i))
		}
		out = append(out, ip)
	}
	return out
}

func (r *reader) hint() string {
	if r.src == nil {
		return "; give --tf-dir to rebuild it from the sources"
	}
	return ""
}

// legacyEncryption reads the server_side_encryption_configuration block of
// aws_s3_bucket (provider 3, computed since 4).
func legacyEncryption(obj map[string]any) *inventory.BucketEncryption {
	for _, c := range blocks(obj, "server_side_encryption_configuration") {
		for _, rule := range blocks(c, "rule") {
			return encryptionOf(rule)
		}
	}
	return nil
}

// encryptionOf reads a rule's default encryption: the first (and only)
// apply_server_side_encryption_by_default block.
func encryptionOf(rule map[string]any) *inventory.BucketEncryption {
	ds := blocks(rule, "apply_server_side_encryption_by_default")
	if len(ds) == 0 {
		return nil
	}
	alg, _ := ds[0]["sse_algorithm"].(string)
	if alg == "" {
		return nil
	}
	e := &inventory.BucketEncryption{Algorithm: alg}
	e.KMSKeyID, _ = ds[0]["kms_master_key_id"].(string)
	e.BucketKeyEnabled, _ = rule["bucket_key_enabled"].(bool)
	return e
}

// encryptionRule reads aws_s3_bucket_server_side_encryption_configuration;
// a key ID known after apply (a key the plan creates) is rebuilt.
func (r *reader) encryptionRule(in *instance, obj map[string]any) (*inventory.BucketEncryption, *inventory.Incomplete) {
	rules := blocks(obj, "rule")
	if len(rules) == 0 {
		return nil, &inventory.Incomplete{Reason: "no rule", Source: r.location(in, "rule").String()}
	}
	e := encryptionOf(rules[0])
	if e == nil {
		return nil, &inventory.Incomplete{Reason: "the rule has no default encryption", Source: r.location(in, "rule").String()}
	}
	path := []any{"rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id"}
	if unknownAt(in.unk, path) {
		v, ok := r.nestedString(in, path)
		if !ok {
			return nil, &inventory.Incomplete{Reason: "the key is known after apply (" + in.addr + ".rule[0].apply_server_side_encryption_by_default[0].kms_master_key_id)" + r.hint(), Source: r.location(in, "rule").String()}
		}
		e.KMSKeyID = v
	}
	return e, nil
}

// blocks returns the nested blocks of an attribute, as maps.
func blocks(obj map[string]any, attr string) []map[string]any {
	l, _ := obj[attr].([]any)
	var out []map[string]any
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	if len(m) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, e := range m {
		if s, ok := e.(string); ok {
			out[k] = s
		}
	}
	return out
}

// tags reads tags_all (the provider's tags merged with default_tags), or
// tags.
func tags(obj map[string]any) []inventory.Tag {
	m, _ := obj["tags_all"].(map[string]any)
	if m == nil {
		m, _ = obj["tags"].(map[string]any)
	}
	var out []inventory.Tag
	for k, v := range m {
		if s, ok := v.(string); ok {
			out = append(out, inventory.Tag{Key: k, Value: s})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// unknownAt reports whether the value at a path of after_unknown is
// unknown (the path or one of its prefixes is true).
func unknownAt(unk any, path []any) bool {
	cur := unk
	for _, p := range path {
		if b, ok := cur.(bool); ok {
			return b
		}
		switch k := p.(type) {
		case string:
			m, _ := cur.(map[string]any)
			cur = m[k]
		case int:
			l, _ := cur.([]any)
			if k >= len(l) {
				return false
			}
			cur = l[k]
		}
	}
	b, _ := cur.(bool)
	return b
}

// nestedString rebuilds an unknown value inside nested blocks, as
// inferString does for top-level attributes.
func (r *reader) nestedString(in *instance, path []any) (string, bool) {
	if r.src != nil {
		if v, ok := r.src.evalNested(in, path); ok {
			return v, true
		}
	}
	if in.cfg == nil {
		return "", false
	}
	exprs := in.cfg.Expressions
	var e *expressionRef
	for i := 0; i < len(path); i++ {
		name, _ := path[i].(string)
		ex := exprs[name]
		if ex == nil || ex.ExpressionData == nil {
			return "", false
		}
		if i == len(path)-1 {
			e = &expressionRef{refs: ex.References, constant: ex.ConstantValue}
			break
		}
		idx, _ := path[i+1].(int)
		if idx >= len(ex.NestedBlocks) {
			return "", false
		}
		exprs = ex.NestedBlocks[idx]
		i++
	}
	if e == nil {
		return "", false
	}
	if s, ok := e.constant.(string); ok {
		return s, true
	}
	refs := identifierRefs(e.refs)
	if len(refs) != 1 {
		return "", false
	}
	return r.refValue(in.module, in.cfgModule, in.index, refs[0], 0)
}

type expressionRef struct {
	refs     []string
	constant any
}

// awsManagedPolicy turns a data.aws_iam_policy read while planning into the
// managed policy it describes, so that attachments of AWS managed
// policies have their document.
func (r *reader) awsManagedPolicy(in *instance) []inventory.Edit {
	arn, _ := in.after["arn"].(string)
	text, _ := in.after["policy"].(string)
	if arn == "" || text == "" {
		return nil
	}
	doc, err := inventory.DecodeDocument([]byte(text), r.location(in, "policy"))
	if err != nil {
		r.errorf(in, "policy", "%v", err)
		return nil
	}
	p := &inventory.ManagedPolicy{ARN: arn, Document: doc, Source: r.sourceOf(in)}
	p.Name, _ = in.after["name"].(string)
	p.Path, _ = in.after["path"].(string)
	p.ID, _ = in.after["policy_id"].(string)
	f := strings.SplitN(arn, ":", 6)
	p.AWSManaged = len(f) == 6 && f[4] == "aws"
	if !p.AWSManaged && (len(f) != 6 || f[4] != r.account) {
		return nil // another account's policy: it cannot be attached here
	}
	return []inventory.Edit{&inventory.PutManagedPolicy{Source: r.location(in, ""), Policy: p}}
}
