// Package archtest holds no code, only a test that enforces keywarden's
// architecture: which internal packages each package may import, and which
// packages alone may import the CLI framework and the AWS SDK
// (house-style B1). Adding a package means adding its row to the table in
// deps_test.go, which is where its place in the flow is decided.
package archtest
