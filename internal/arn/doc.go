// Package arn holds the rules of AWS identifiers that every other package
// needs: what an account ID is, how an ARN splits into its fields, which
// account an ARN belongs to, how principal ARNs are formed (the root user,
// a role, a role session) and what a service principal looks like.
//
// It knows nothing of policies or decisions and imports only the standard
// library, so that every package can share one reading of an identifier.
//
// [Amazon Resource Names]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
// [IAM identifiers]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
package arn
