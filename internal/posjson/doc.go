// Package posjson parses JSON into a tree that remembers where every value
// starts, so that errors about a policy, a scenario or an AWS CLI export can
// name the line, the column and the JSON path of the offending element.
//
// It accepts exactly RFC 8259 JSON (as encoding/json does), keeps object
// members in document order, reports duplicate keys to the caller rather
// than silently keeping one, and keeps numbers as their literal text.
//
// Positions cost nothing until an error needs them: a Value records byte
// offsets, LineCol turns one into a line and a column, and a Path is joined
// into text only when printed. A Parser reuses the memory of one tree for
// the next, for batches of documents that are each read and dropped.
package posjson
