// Package awscli turns a directory of AWS CLI output into an inventory
// snapshot. Each file of the export is the unchanged JSON output of one
// read-only AWS CLI call (get-account-authorization-details, kms
// describe-key, get-key-policy, list-grants, ...), laid out as
// docs/awscli-export.md describes and as scripts/export-aws-cli.sh writes
// it. A call that failed is recorded as NAME.error holding its stderr.
//
// The import is forgiving and honest: a file that is missing, malformed,
// of the wrong shape or that holds an AWS CLI error makes the item it
// describes incomplete (inventory.Incomplete, with the reason) and adds a
// Warning naming the file, the JSON path and the line; the rest is still
// imported. Only an export directory that does not exist or an IAM
// authorization-details file that cannot be read stops the import, since
// without IAM nothing can be evaluated.
//
// The package reads; it never evaluates (it does not import the engine).
package awscli
