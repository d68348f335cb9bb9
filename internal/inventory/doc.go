// Package inventory is keywarden's model of AWS accounts as far as KMS
// access is concerned, and its versioned JSON snapshot format.
//
// A Snapshot holds, per account: the organization it belongs to with the
// SCP and RCP chains (root → OUs → account); the IAM users, groups, roles
// and managed policies; the KMS keys of every region read, with key policy,
// grants, rotation, aliases and tags; and the S3 buckets with their policy
// and default encryption. Every input package (the AWS CLI export reader,
// the live collector, the IaC readers) produces a Snapshot; the access layer
// and the checks read one. Nothing here evaluates anything.
//
// What could not be read is marked, never dropped: every item that may fail
// to be read (a key policy, a grant list, a bucket's encryption, an IAM
// entity, the organization) has an Incomplete mark beside it, with the
// reason and where the failure was seen. A nil mark means the item was read
// completely. Gaps lists every mark; the helpers that parse policies report
// an unread policy as a *Gap error, which matches ErrIncomplete.
//
// Policy documents are kept as their JSON (decoded from the URL encoding
// IAM uses, see DecodeDocument) with the place they were read from, so a
// policy error found later names the export file and the JSON path. The
// helpers (Key.ParsePolicy, Principal.IdentityPolicies, ...) parse them with
// package policy, name them for explanations (`inline policy "kms-use" of
// role app`, `managed policy arn:...:policy/X (v3)`, `key policy of
// arn:aws:kms:...`) and cache the result.
//
// The IaC inputs describe an account before deployment. Values not known
// until then are placeholders ("{{tf:aws_kms_key.payments}}",
// "{{cfn:AppRole}}"; see PlannedTerraform, IsPlanned and DescribePlanned),
// and entities record where the input declares them (Source). A planned
// change is a Change, a list of edits that Apply lays over a base snapshot
// (or over an empty account).
//
// Save writes every list in a fixed order and Read rejects what it does not
// know: a newer format version, an unknown field, a value of the wrong type,
// each with its JSON path and line. docs/snapshot.md describes the format.
package inventory
