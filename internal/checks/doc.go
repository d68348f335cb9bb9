// Package checks is keywarden's catalogue of KMS misconfiguration checks.
//
// Each check is data (ID, severity, Security Hub control, title,
// description, risk and references in English and Japanese) plus one
// function that takes the inventory and the access layer and returns
// findings. Checks decide with the engine, never by matching policy text.
// A registry lists them; adding a check means adding one file and its
// testdata, nothing else.
//
// A Finding is the result of one check on one resource: Fail, Pass or
// Unknown (data needed to decide could not be read; never counted as a
// pass). A failing finding carries a fix (Remediation) that the check
// plans with the remedy package, states what the finding is about (the
// access changes it accepts, how to tell it no longer holds), and has the
// engine prove before it is shown; findings that one fix resolves share
// it. Every sentence a check writes comes from the message catalogue
// (messages_en.go, messages_ja.go).
package checks
