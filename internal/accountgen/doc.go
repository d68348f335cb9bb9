// Package accountgen generates realistic AWS accounts for benchmarks and
// tests: Generate makes, from a size (principals, keys) and a seed, the
// inventory snapshot of one member account of an organization, always the
// same for the same options; WriteExport writes a snapshot as the AWS CLI
// export directory that package awscli reads (docs/awscli-export.md).
//
// The mix is that of issue 9, with its proportions as named constants in
// mix.go: most keys delegate to the account (the default key policy);
// others have the console's policy with administrators and users named by
// role ARN, name another account, allow "*" under aws:PrincipalOrgID,
// allow "*" through a service, name no account at all, or are public.
// Keys carry about ten grants each (roles of the account and of other
// accounts, accounts, EC2 infrastructure sessions, service principals; with
// and without encryption context constraints), aliases, tags and
// rotation; a few are pending deletion, disabled, asymmetric or
// multi-Region, a few are AWS managed. Roles share customer managed
// policies from a pool of thirty (from pinned key ARNs to kms:* on "*",
// NotAction and tag conditions), some have inline policies and permissions
// boundaries; users belong to groups; SCPs and RCPs apply.
//
// Nothing here evaluates anything, and every policy written parses: a
// generated account is an input, not an answer.
package accountgen
