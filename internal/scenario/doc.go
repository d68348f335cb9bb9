// Package scenario reads authorization scenarios: self-contained questions
// about one AWS KMS request (the request, the key policy, the caller's
// identity policies, boundaries, session policies, SCP and RCP chains,
// grants) with an optional expected decision. It is the input of
// "keywarden simulate" and the format of the shared example corpus
// (shared/scenario-format.md, version 1).
//
// A .json file holds one scenario object; a .jsonl file holds one object per
// line (blank lines are skipped); a directory is walked for both, in lexical
// order. Load reads them all at once. A batch of any size is read with Files
// and ReadFile (or ReadRecords), which yield each scenario's text as a
// Record without parsing it, so that records can be parsed and decided in
// parallel and dropped one by one.
//
// Input is parsed with package posjson, so every error, including those
// inside the embedded policies, names the file, the line of the file, the
// column and the JSON path (keyPolicy.Statement[0].Effect). Every error is
// a *policy.Error; a scenario's errors come together as policy.Errors.
//
// The package only reads: deciding is package engine's job.
package scenario
