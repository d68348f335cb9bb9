package checks

import "github.com/keywarden/keywarden/internal/inventory"

// Env is what a check runs over.
type Env struct {
	Snapshot *inventory.Snapshot
	// TrustedAccounts are accounts outside the organization that are not
	// reported by key-cross-account (--trusted-accounts).
	TrustedAccounts map[string]bool
}
