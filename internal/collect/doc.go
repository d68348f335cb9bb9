// Package collect reads AWS accounts through the AWS SDK for Go v2 and
// builds an inventory.Snapshot of what matters to KMS access: the caller's
// organization with its SCP and RCP chains, the IAM users, groups, roles and
// managed policies (one GetAccountAuthorizationDetails listing), the KMS keys
// of every region with key policy, grants, rotation, aliases and tags, and
// the S3 buckets with their policy and default encryption.
//
// It is the only package of keywarden that imports the AWS SDK, and it is
// read-only by construction: every client is reached through a narrow
// interface per service (kmsAPI, iamAPI, ...) that holds exactly the List,
// Get and Describe operations called, and those operations are the minimal
// IAM policy shipped as docs/iam-policy-for-keywarden.json (a test keeps the
// two equal). It evaluates nothing.
//
// Collection is honest about what it could not read: an AccessDenied, a
// throttle that outlasts the SDK's retries or any other failure of one call
// marks that item Incomplete in the snapshot, with the error text and the
// API call, and the rest goes on. Only problems that leave nothing to read
// (no credentials, STS GetCallerIdentity failing, a role that cannot be
// assumed when it is the only account) are errors. The Summary counts the
// gaps and the calls made per operation.
//
// Calls run concurrently in bounded pools (per region for KMS, per account
// for IAM, S3 and Organizations) with the SDK's adaptive retry mode, and
// every paginated listing is capped so that a service that keeps returning
// a next-page token cannot loop forever. docs/collect.md is the user's
// guide: credentials, the IAM policy, multi-account use, regions, emulators.
package collect
