package remedy

import (
	"encoding/json"

	"github.com/keywarden/keywarden/internal/msg"
)

// A Fix is the fix for one or more findings: a plan of edits to documents,
// from which the console steps, the AWS CLI commands and the Terraform
// snippet are all rendered, and which the engine proves before it is
// shown (Proof). checks.Remediation is this type.
type Fix struct {
	// ID identifies the fix. Findings that one fix resolves share it, and
	// reports list each fix once.
	ID string `json:"id,omitempty"`
	// Summary says what to change, in one or two sentences, and what the
	// fix does when it is not verified.
	Summary msg.Text `json:"summary"`
	// Edits are the changes, in the order to make them.
	Edits []Edit `json:"edits,omitempty"`
	// Console lists the steps in the AWS Management Console, naming the
	// real principal, policy and statement.
	Console []msg.Text `json:"console,omitempty"`
	// CLI is the AWS CLI commands that apply the fix; every value in them
	// is shell-quoted.
	CLI string `json:"cli,omitempty"`
	// Terraform is a snippet that expresses the fixed configuration.
	Terraform string `json:"terraform,omitempty"`
	// Diff is the access the fix changes, computed by the engine over the
	// whole account: principal × key × action, before and after. Only the
	// first changes are listed when there are many; DiffTotal then says
	// how many there are.
	Diff      []AccessChange `json:"diff,omitempty"`
	DiffTotal int            `json:"diffTotal,omitempty"`
	// Proof says whether the fix is valid, effective, minimal and safe.
	Proof *Proof `json:"proof,omitempty"`
	// Placeholders are values only the user knows (which keys a role
	// really uses), named in the edits and the commands.
	Placeholders []Placeholder `json:"placeholders,omitempty"`
	// Alternatives are other fixes.
	Alternatives []Fix `json:"alternatives,omitempty"`
	// Verified says the engine proved the fix: Proof holds in full.
	Verified bool `json:"verified"`
}

// An Edit is one change to one document: a key policy, an IAM policy (a
// version of a managed policy, an inline policy), a grant, a key's state.
type Edit struct {
	// Action says what the edit does, as the AWS API names it:
	// PutKeyPolicy, CreatePolicyVersion, PutRolePolicy, DeleteRolePolicy,
	// DetachRolePolicy, RevokeGrant, CancelKeyDeletion, EnableKeyRotation…
	Action string `json:"action"`
	// Target is the ARN of what the edit changes (a key, a policy, a
	// role); Name names an inline policy or a grant.
	Target string `json:"target"`
	Name   string `json:"name,omitempty"`
	// Document is the complete new document, when the edit writes one.
	Document json.RawMessage `json:"document,omitempty"`
	// Statements are the indexes of the statements of the old document
	// the edit changes or removes.
	Statements []int `json:"statements,omitempty"`
	// Description says what changes, in words.
	Description msg.Text `json:"description"`
}

// An AccessChange is access that a fix takes away (or gives).
type AccessChange struct {
	// Principal is an ARN, or the description of a symbolic principal.
	Principal string `json:"principal"`
	Key       string `json:"key"`
	Action    string `json:"action"`
	// Before and After are the decisions ("Allow", "Allow (conditional)",
	// "ImplicitDeny", ...).
	Before string `json:"before"`
	After  string `json:"after"`
}

// A Proof is what the engine showed of a fix before it was offered.
type Proof struct {
	// Valid: every document the fix writes is one AWS accepts (statement
	// list neither empty nor null, within AWS's size limits, no duplicate
	// Sids), and someone may make each call.
	Valid Claim `json:"valid"`
	// Effective: with the fix, the finding no longer holds.
	Effective Claim `json:"effective"`
	// Minimal: the access that changes is exactly the access the finding
	// is about.
	Minimal Claim `json:"minimal"`
	// Safe: someone can still manage every key, and no principal gains
	// access.
	Safe Claim `json:"safe"`
}

// Holds reports whether every claim holds.
func (p *Proof) Holds() bool {
	return p != nil && p.Valid.Holds && p.Effective.Holds && p.Minimal.Holds && p.Safe.Holds
}

// A Claim is one property of a fix, and why it holds or does not.
type Claim struct {
	Holds bool     `json:"holds"`
	Why   msg.Text `json:"why"`
}

// A Placeholder is a value the user must choose, with the candidates
// keywarden can see.
type Placeholder struct {
	// Name is how the edits and commands write it: <KEYS_ROLE_app_USES>.
	Name       string   `json:"name"`
	Candidates []string `json:"candidates,omitempty"`
	Note       msg.Text `json:"note"`
}
