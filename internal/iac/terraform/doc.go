// Package terraform reads a Terraform plan, the output of
// `terraform show -json PLANFILE`, into the change it makes to an account:
// an inventory.Change of KMS keys (and their policies, aliases, grants and
// replicas), IAM roles, users, groups, policies, attachments and
// memberships, S3 buckets with their encryption and policies, and SCPs and
// RCPs with their attachments. The plan is decoded and validated with
// hashicorp/terraform-json; resources of child modules are read as those
// of the root module; deletes and replacements in resource_changes are
// edits too (a destroyed key is scheduled for deletion, as KMS does).
//
// Values the plan holds as "known after apply" are never guessed. An
// identifier AWS generates (a key ID, a name from name_prefix) becomes a
// placeholder (inventory.PlannedTerraform):
// arn:aws:kms:us-east-1:111122223333:key/{{tf:aws_kms_key.payments}}. A
// reference to such an identifier (target_key_id = aws_kms_key.k.key_id)
// is followed through the plan's configuration. A policy whose JSON is
// unknown is rebuilt from the sources (--tf-dir) by evaluating its
// expression against the plan, or rendered from the one
// data.aws_iam_policy_document it names; otherwise it is marked
// incomplete.
//
// With the sources, every resource is located at its file and line
// (hashicorp/hcl/v2, hclsyntax).
//
// The package reads; it never evaluates access (it does not import the
// engine).
package terraform
