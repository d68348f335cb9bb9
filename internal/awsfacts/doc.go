// Package awsfacts holds hand-collected facts about AWS as data: the KMS
// actions with the resource each acts on, where it may be granted, whether
// it works across accounts and whether a grant can allow it; the KMS and
// global condition keys that are multivalued; service principals. The
// engine and the checks read these tables instead of testing strings.
//
// Sources: the Service Authorization Reference for AWS KMS and the KMS API
// reference ("Cross-account use" lines), summarized in
// shared/kms-authorization.md §6–§8.
package awsfacts
