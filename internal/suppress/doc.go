// Package suppress reads suppression files and applies them to the findings
// of a scan.
//
// A suppression is a user's decision to accept the findings of one check
// (or of every check, "*") on the resources a glob pattern matches, for a
// stated reason and possibly until a date. From that date on it no longer
// suppresses anything: the findings come back and the suppression is
// reported as expired, so that it gets renewed or removed. The file format
// is JSON and is documented in docs/suppressions.md.
//
// The package knows nothing of how findings are produced or written; it
// only decides which findings a file accepts.
package suppress
