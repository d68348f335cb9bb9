// Package posjson parses JSON into a tree that remembers where every value
// starts, so that errors about a policy, a scenario or an AWS CLI export can
// name the line, the column and the JSON path of the offending element.
//
// It accepts exactly RFC 8259 JSON (as encoding/json does), keeps object
// members in document order, reports duplicate keys to the caller rather
// than silently keeping one, and keeps numbers as their literal text.
package posjson
