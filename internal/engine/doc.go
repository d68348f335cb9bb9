// Package engine decides one AWS KMS request the way AWS does and says why.
//
// Given a Request (principal, action, resource, request context) and the
// Policies in force (key policy, the caller's identity policies, permissions
// boundary, session policy, SCP chain of the caller's account, RCP chain of
// the key's account, grants on the key), Decide returns a Result: Allow,
// ImplicitDeny or ExplicitDeny, the layer that decided, the rule that fired
// (direct key-policy grant, account delegation, grant, root user,
// cross-account gate, guardrail) and every statement that took part.
//
// The rules are those of shared/kms-authorization.md §2–§8: an explicit deny
// anywhere wins; every SCP level of the caller's account and every RCP level
// of the key's account must allow; the key policy must allow, either by
// naming the caller (user, role, session, "*") or by naming the caller's
// account, which hands the decision to the account's IAM policies;
// cross-account callers need both the key policy and their own IAM; grants
// allow without either. Where AWS documents nothing, the engine takes the
// reading that does not hide access and says so in Result.Notes
// (docs/semantics.md lists these choices).
//
// The request context may be closed (a key not given is absent, as in a
// scenario) or open (a key not given is unknown, as when who-can asks about
// every possible request). Conditions on unknown keys evaluate to unknown and
// make an Allow conditional: Result.Conditions lists what it depends on.
// A key policy that could not be read makes the answer Unknown, never a
// denial.
//
// The package is pure: no I/O, no globals that change. Policies are parsed
// once (package policy) and evaluated many times.
package engine
