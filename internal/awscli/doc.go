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
// imported. Only an export directory that does not exist, an IAM
// authorization-details file that cannot be read (without IAM nothing can
// be evaluated) or a kms directory that cannot be listed (the account
// would read as one without keys) stops the import.
//
// The export is someone else's data, read as such (docs/security.md): files
// are read through internal/safefile, so only regular files inside the
// export are read, no symbolic link is followed, and each file is read
// within the cap of its kind; a file refused is an item not read, with the
// reason. A file that is not JSON is never quoted: of an AWS CLI error
// message only the error code, the operation and the message (escaped, cut
// to 512 characters) are kept, of the CLI's own errors only their first
// words.
//
// The package reads; it never evaluates (it does not import the engine).
package awscli
