package engine

// Decide evaluates one request against the policies in force.
func Decide(req Request, p *Policies) Result {
	return Result{Decision: Unknown, Rule: RuleMissingInput, Summary: "engine not implemented yet"}
}
