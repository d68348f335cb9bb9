// Package expect reads and writes expectations files: the access a team
// states it wants ("only the payments role may decrypt the payments key",
// "nothing outside the organization may use any key", "key administrators
// never use keys"), as YAML in a documented, versioned format
// (docs/expectations.md, docs/expectations.schema.json).
//
// A file is a list of rules. Each rule selects keys (by alias, ARN, tag,
// region, account, or every customer managed key), names KMS operations
// (actions or groups such as use and administer) and says who may or must
// perform them in one of five forms: only, never, must, exactly and
// separate. The package parses a file into rules, with every error located
// (file, line, column and YAML path, and a "did you mean" for misspelt
// fields, selectors and actions), matches selectors against keys and
// principals, and writes rules back as YAML (the access lock of
// "keywarden verify --init").
//
// It decides nothing: internal/verify asks the access layer who can do
// what and holds each rule against the answers.
package expect
