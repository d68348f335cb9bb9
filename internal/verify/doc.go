// Package verify holds an expectations file (internal/expect) against an
// account: for every rule it asks the access layer who can perform the
// rule's operations on the keys it selects, and reports each violation as
// a counterexample (a principal or a class of principals, a key, the
// operations) with the engine's explanation, naming the statements and
// grants that give or deny it, and the fix of a scan finding that covers
// it.
//
// Answers the engine could not decide (data that was not read) are
// reported apart, as unknown: they are never taken to hold, and never
// counted as violations. Allows that hold "unless an unread SCP denies
// it" count as allows, as everywhere in keywarden
// (shared/kms-authorization.md §14).
//
// Lock writes the rules that today's access satisfies: for every key, who
// can use it and who can administer it, in the exactly form, so that a
// team can commit the state and review every change to it.
package verify
