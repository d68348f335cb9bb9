package expect

import (
	"slices"
	"strings"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/policy"
)

// The operation groups a rule may name instead of actions. Groups of
// cryptographic operations keep only what the key's type can do (a
// signing key cannot encrypt: KMS refuses it for its key usage, not by
// authorization); actions named one by one are kept as written.
const (
	GroupUse          = "use"
	GroupDecrypt      = "decrypt"
	GroupEncrypt      = "encrypt"
	GroupAdminister   = "administer"
	GroupManageGrants = "manage-grants"
	GroupAny          = "any"
)

// Groups lists the group names in the order documentation gives them.
var Groups = []string{GroupUse, GroupDecrypt, GroupEncrypt, GroupAdminister, GroupManageGrants, GroupAny}

var (
	// decryptActions reveal data encrypted under the key: Decrypt, and
	// ReEncryptFrom, which decrypts under the key to re-encrypt under
	// another the caller may control.
	decryptActions = []string{"kms:Decrypt", "kms:ReEncryptFrom"}
	// encryptActions produce ciphertext (or data keys) under the key.
	encryptActions = []string{
		"kms:Encrypt", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
		"kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
	}
	// grantActions create, revoke and retire grants: each hands out or
	// takes back access to the key.
	grantActions = []string{"kms:CreateGrant", "kms:RevokeGrant", "kms:RetireGrant"}
)

// keyActions are every KMS action whose resource is a key (or an alias
// and its key), in the order of awsfacts.
var keyActions = func() []string {
	var out []string
	for _, a := range awsfacts.KMSActions {
		if a.Resource != awsfacts.NoResource {
			out = append(out, "kms:"+a.Name)
		}
	}
	return out
}()

// KeyActions returns every KMS action on a key, "kms:Name".
func KeyActions() []string { return slices.Clone(keyActions) }

// isGroup reports whether an operation is a group name.
func isGroup(op string) bool { return slices.Contains(Groups, op) }

// validAction resolves an action as written ("kms:Decrypt",
// "KMS:decrypt", "kms:GenerateDataKey*") to the actions on a key it
// stands for; nil when it stands for none.
func validAction(op string) []string {
	svc, name, ok := strings.Cut(op, ":")
	if !ok || !strings.EqualFold(svc, "kms") || name == "" {
		return nil
	}
	if !strings.ContainsAny(name, "*?") {
		if a := awsfacts.LookupKMS(op); a != nil && a.Resource != awsfacts.NoResource {
			return []string{"kms:" + a.Name}
		}
		return nil
	}
	var out []string
	for _, a := range keyActions {
		if policy.GlobFold(op, a) {
			out = append(out, a)
		}
	}
	return out
}

// Expand returns the actions that operations stand for on a key of the
// given usage (ENCRYPT_DECRYPT, SIGN_VERIFY, ...; "" when not known),
// each once, in the order of awsfacts. The operations must have been
// validated by Parse.
func Expand(ops []string, keyUsage string) []string {
	usable := awsfacts.KeyUseFor(keyUsage)
	crypto := func(list []string) []string {
		var out []string
		for _, a := range list {
			if slices.Contains(usable, a) {
				out = append(out, a)
			}
		}
		return out
	}
	set := map[string]bool{}
	for _, op := range ops {
		var add []string
		switch op {
		case GroupUse:
			add = usable
		case GroupDecrypt:
			add = crypto(decryptActions)
		case GroupEncrypt:
			add = crypto(encryptActions)
		case GroupAdminister:
			add = awsfacts.KeyAdmin
		case GroupManageGrants:
			add = grantActions
		case GroupAny:
			for _, a := range keyActions {
				if !slices.Contains(awsfacts.KeyUse, a) || slices.Contains(usable, a) {
					add = append(add, a)
				}
			}
		default:
			add = validAction(op)
		}
		for _, a := range add {
			set[a] = true
		}
	}
	out := make([]string, 0, len(set))
	for _, a := range keyActions {
		if set[a] {
			out = append(out, a)
		}
	}
	return out
}

// operationNames are what an operation may be, for "did you mean".
func operationNames() []string {
	return append(slices.Clone(Groups), keyActions...)
}
