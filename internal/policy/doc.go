// Package policy implements the AWS IAM policy language as keywarden needs it:
// parsing every form AWS accepts (one statement or a list, string-or-list
// values, Principal/NotPrincipal, Action/NotAction, Resource/NotResource,
// conditions with every operator family, IfExists, ForAnyValue/ForAllValues
// and policy variables), validating documents for the place they are used
// (key policy, identity policy, SCP...), and matching statements against a
// request: actions case-insensitively with * and ?, ARNs segment by segment,
// conditions three-valued (true, false, or unknown when the request context
// does not say).
//
// Parse errors carry the source name, the JSON path (Statement[2].Condition)
// and the line and column, so that every input error can point at its place.
//
// The package knows nothing of accounts, KMS or how policy types combine;
// that is the engine's job.
package policy
