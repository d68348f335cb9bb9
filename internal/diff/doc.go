// Package diff compares the KMS access of two inputs (two snapshots, two
// exports, an account before and after a change): which principal gained
// or lost which operation on which key, principals outside the input
// included as the classes the access layer stands for ("any principal of
// account 444455556666", "anyone outside organization o-…"), each change
// with the statements or grants that cause it; which S3 object
// operations through SSE-KMS changed with them; and which scan findings
// are new, resolved or unchanged.
//
// The comparison is linear and streamed: the access matrices of both
// inputs are computed key by key, in key order, and merged as they come
// (access.Index.EachCell); memory holds the keys in flight and the
// changes, never a matrix. When the inputs hold the same accounts, a plan
// first compares their data (keys, principals, policies) and computes
// only what can differ: the keys whose own data changed, and on the other
// keys the principals whose data changed. The result is the same as
// comparing the whole matrices (Options.Full; a test holds them equal);
// the time is that of the change, not of the account.
package diff
