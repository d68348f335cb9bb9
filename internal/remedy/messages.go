package remedy

import "github.com/keywarden/keywarden/internal/msg"

// catalog holds every sentence this package writes, in every language
// (messages_en.go, messages_ja.go).
var catalog = msg.NewCatalog(english, japanese)

// Catalog is the package's catalogue, for its tests and the checks'.
func Catalog() *msg.Catalog { return catalog }

// T builds a text of this package's catalogue; the checks use it for the
// sentences that describe fixes.
func T(id string, args ...any) msg.Text { return catalog.T(id, args...) }

// Message IDs. The proof's claims:
const (
	mDocInvalid            = "proof.doc-invalid"
	mEffective             = "proof.effective"
	mNotEffective          = "proof.not-effective"
	mNotMinimalOther       = "proof.not-minimal-other"
	mNotMinimalIdle        = "proof.not-minimal-idle"
	mNotMinimalOtherAction = "proof.not-minimal-other-action"
	mMinimalNone           = "proof.minimal-none"
	mMinimal               = "proof.minimal"
	mMinimalOtherActions   = "proof.minimal-other-actions"
	mUnsafeGain            = "proof.unsafe-gain"
	mUnsafeLockout         = "proof.unsafe-lockout"
	mSafe                  = "proof.safe"
	mValid                 = "proof.valid"
	mValidCalls            = "proof.valid-calls"
	mKeyPolicyEmpty        = "proof.key-policy-empty"
	mPolicyEmpty           = "proof.policy-empty"
	mBadPolicyName         = "proof.bad-policy-name"
	mSizeKeyPolicy         = "proof.size-key-policy"
	mSizeManaged           = "proof.size-managed"
	mSizeInline            = "proof.size-inline"
	mTooLarge              = "proof.too-large"
	mInlineTooLarge        = "proof.inline-too-large"
	mDuplicateSid          = "proof.duplicate-sid"
	mBadSid                = "proof.bad-sid"
	mBadCharacters         = "proof.bad-characters"
	mNoCaller              = "proof.no-caller"
)

// Edits and console steps:
const (
	mEditKeyPolicy           = "edit.key-policy"
	mEditDetach              = "edit.detach"
	mEditAttach              = "edit.attach"
	mEditDeletePolicy        = "edit.delete-policy"
	mEditDeleteVersion       = "edit.delete-version"
	mEditPolicyVersion       = "edit.policy-version"
	mEditDeleteInline        = "edit.delete-inline"
	mEditInline              = "edit.inline"
	mEditNewInline           = "edit.new-inline"
	mEditCreatePolicy        = "edit.create-policy"
	mEditRevoke              = "edit.revoke"
	mEditCreateGrant         = "edit.create-grant"
	mEditCancel              = "edit.cancel"
	mEditRotation            = "edit.rotation"
	mConsoleOpenKey          = "console.open-key"
	mConsoleKeyPolicyEdit    = "console.key-policy-edit"
	mConsoleKeyPolicyReplace = "console.key-policy-replace"
	mConsoleKeyPolicySave    = "console.key-policy-save"
	mConsoleDetach           = "console.detach"
	mConsoleDeletePolicy     = "console.delete-policy"
	mConsoleOpenPolicy       = "console.open-policy"
	mConsoleEditJSON         = "console.edit-json"
	mConsoleReplaceJSON      = "console.replace-json"
	mConsoleSaveVersion      = "console.save-version"
	mConsoleOpenOwner        = "console.open-owner"
	mConsoleRemoveInline     = "console.remove-inline"
	mConsoleEditInline       = "console.edit-inline"
	mConsoleCreateInline     = "console.create-inline"
	mConsoleSaveInline       = "console.save-inline"
	mConsoleCreatePolicy     = "console.create-policy"
	mConsoleAttachDetach     = "console.attach-detach"
	mConsoleGrants           = "console.grants"
	mConsoleCancel           = "console.cancel"
	mConsoleRotation         = "console.rotation"
	mKindUser                = "kind.user"
	mKindGroup               = "kind.group"
	mKindRole                = "kind.role"
	mKindUsers               = "kind.users"
	mKindGroups              = "kind.groups"
	mKindRoles               = "kind.roles"
)
