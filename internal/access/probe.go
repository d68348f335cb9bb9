package access

import "github.com/keywarden/keywarden/internal/engine"

// A Probe is a question about a symbolic caller: which principals it
// stands for and what its request is known to carry. The checks ask
// probes such as "anyone outside the account and organization, calling
// directly" (key-public) or "any principal of account 444455556666"
// (key-cross-account).
type Probe struct {
	Symbol engine.Symbol
	// Context holds request keys the caller cannot choose (any case).
	Context map[string]engine.Value
	// Absent lists keys (lower case, or prefixes ending in "/") a direct
	// call does not carry.
	Absent []string
}

// DecideProbe decides an action on a key for a symbolic caller. Its own
// IAM policies are its to choose; the key's policy, grants and the RCPs of
// its account apply, and data of the key that was not read makes the
// answer Unknown or qualifies it, as for any caller.
func (ix *Index) DecideProbe(p Probe, action string, key *Key) engine.Result {
	sym := p.Symbol
	return ix.askSymbol(&sym, nil, key, key.ARN, askOptions{given: p.Context, absent: p.Absent}).decide(action)
}
