// Package access answers questions about an inventory of AWS accounts with
// the engine: can this principal do this (on a KMS key, or on an S3 object
// encrypted with SSE-KMS, where both S3 and KMS must allow), who can do
// this with this key (the account's users and roles, the root user, and the
// principals outside the inventory that the key policy and grants name:
// other accounts, "*", services, grantees), and the access matrix of
// principals × keys.
//
// Questions are asked with an open request context: what depends on the
// request (kms:ViaService, the encryption context, the source IP, ...)
// stays unknown unless given, and an answer that depends on it is reported
// as conditional, never silently allowed or denied. What is known about the
// principal and the key (its ARN, account, organization, tags, the key's
// spec and aliases) is filled in from the inventory. Data the inventory
// could not read makes the answer Unknown.
//
// The Index built once over a snapshot holds the parsed policies; it is
// safe for concurrent use by many questions.
package access
