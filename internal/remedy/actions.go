package remedy

import (
	"strings"
	"unicode"

	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/policy"
)

// This file is the algebra of action lists: what a statement's Action or
// NotAction allows among KMS actions, and the list that allows the same
// minus some actions, without ever allowing one it did not.

// kmsNames are the KMS actions, "kms:Name", sorted.
var kmsNames = awsfacts.KMSActionNames()

// matchKMS lists the KMS actions a pattern matches.
func matchKMS(pattern string) []string {
	var out []string
	for _, a := range kmsNames {
		if policy.MatchAction(pattern, a) {
			out = append(out, a)
		}
	}
	return out
}

// Allowed lists the KMS actions an Action or NotAction element allows.
func Allowed(action, notAction []string) []string {
	var out []string
	for _, a := range kmsNames {
		if allows(action, notAction, a) {
			out = append(out, a)
		}
	}
	return out
}

func allows(action, notAction []string, a string) bool {
	if notAction != nil {
		for _, p := range notAction {
			if policy.MatchAction(p, a) {
				return false
			}
		}
		return true
	}
	for _, p := range action {
		if policy.MatchAction(p, a) {
			return true
		}
	}
	return false
}

// Without returns the Action and NotAction elements of a statement that
// allows what action/notAction allow minus the KMS actions drop reports.
// Patterns that lose nothing stay as written; a pattern that loses part
// of what it matched is replaced by patterns for what it keeps (a
// CamelCase prefix such as kms:Describe* where every KMS action it matches
// is kept, else the action's name); "*" and NotAction get the dropped
// actions excluded. Both results nil means nothing is left: the
// statement must go.
func Without(action, notAction []string, drop func(string) bool) (newAction, newNotAction []string) {
	var dropped []string
	for _, a := range kmsNames {
		if drop(a) && allows(action, notAction, a) {
			dropped = append(dropped, a)
		}
	}
	if len(dropped) == 0 {
		return clone(action), clone(notAction)
	}
	if notAction != nil {
		return nil, append(clone(notAction), dropped...)
	}
	for _, p := range action {
		if p == "*" {
			return nil, dropped
		}
	}
	allowed := Allowed(action, nil)
	keep := map[string]bool{}
	for _, a := range allowed {
		if !drop(a) {
			keep[a] = true
		}
	}
	covered := map[string]bool{}
	var out []string
	for _, p := range action {
		m := matchKMS(p)
		lost := false
		for _, a := range m {
			if !keep[a] {
				lost = true
				break
			}
		}
		if lost {
			continue
		}
		out = append(out, p)
		for _, a := range m {
			covered[a] = true
		}
	}
	var rest []string
	for _, a := range allowed {
		if keep[a] && !covered[a] {
			rest = append(rest, a)
		}
	}
	seen := map[string]bool{}
	for _, a := range rest {
		if covered[a] {
			continue
		}
		p := coverPattern(a, keep)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
		for _, b := range matchKMS(p) {
			covered[b] = true
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// coverPattern is the shortest CamelCase-prefix pattern of action a
// ("kms:Generate*") that matches two KMS actions or more, all of them in
// keep; a itself when there is none.
func coverPattern(a string, keep map[string]bool) string {
	name := strings.TrimPrefix(a, "kms:")
	for i := 1; i < len(name); i++ {
		if !unicode.IsUpper(rune(name[i])) {
			continue
		}
		p := "kms:" + name[:i] + "*"
		m := matchKMS(p)
		if len(m) < 2 {
			continue
		}
		ok := true
		for _, b := range m {
			if !keep[b] {
				ok = false
				break
			}
		}
		if ok {
			return p
		}
	}
	return a
}

// Names returns actions without their "kms:" prefix, for messages.
func Names(actions []string) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = strings.TrimPrefix(a, "kms:")
	}
	return out
}
