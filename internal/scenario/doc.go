// Package scenario reads authorization scenarios: self-contained questions
// about one AWS KMS request (the request, the key policy, the caller's
// identity policies, boundaries, session policies, SCP and RCP chains,
// grants) with an optional expected decision. It is the input of
// "keywarden simulate" and the format of the shared example corpus
// (shared/scenario-format.md, version 1).
//
// A .json file holds one scenario object; a .jsonl file holds one object per
// line (blank lines are skipped) and can be streamed with ReadLines; a
// directory is walked for both, in lexical order. Input is parsed with package posjson, so every error, including
// those inside the embedded policies, names the file, the line, the column
// and the JSON path (keyPolicy.Statement[0].Effect). Every error is a
// *policy.Error; a scenario's errors come together as policy.Errors.
//
// The package only reads: deciding is package engine's job.
package scenario
