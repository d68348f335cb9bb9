package access

import (
	"strings"

	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
)

func one(v string) engine.Value    { return engine.Value{Strings: []string{v}} }
func list(v []string) engine.Value { return engine.Value{Strings: v, List: true} }
func unknown() engine.Value        { return engine.Value{Unknown: true} }

// principalContext fills the keys the inventory knows about a caller:
// aws:PrincipalArn (with the role's path), its organization, its tags.
func principalContext(m map[string]engine.Value, p *Principal) {
	if p == nil {
		return
	}
	m["aws:principalarn"] = one(p.ARN)
	if p.acct != nil {
		switch {
		case p.acct.orgID != "":
			m["aws:principalorgid"] = one(p.acct.orgID)
			if len(p.acct.paths) > 0 {
				m["aws:principalorgpaths"] = list(p.acct.paths)
			}
		case p.acct.inv.OrganizationIncomplete != nil:
			m["aws:principalorgid"] = unknown()
			m["aws:principalorgpaths"] = unknown()
		}
	}
	for _, t := range p.Tags {
		m["aws:principaltag/"+strings.ToLower(t.Key)] = one(t.Value)
	}
}

// keyContext fills the properties of the key that conditions can test.
func keyContext(m map[string]engine.Value, k *Key) {
	if k == nil {
		return
	}
	inv := k.Inv
	if md := inv.Metadata; md != nil {
		set := func(key, v string) {
			if v != "" {
				m[key] = one(v)
			}
		}
		set("kms:keyspec", md.KeySpec)
		set("kms:customermasterkeyspec", md.KeySpec)
		set("kms:keyusage", md.KeyUsage)
		set("kms:customermasterkeyusage", md.KeyUsage)
		set("kms:keyorigin", md.Origin)
		if md.MultiRegion {
			m["kms:multiregion"] = one("true")
			set("kms:multiregionkeytype", md.MultiRegionKeyType)
		} else {
			m["kms:multiregion"] = one("false")
		}
	}
	if inv.TagsIncomplete == nil {
		for _, t := range inv.Tags {
			m["aws:resourcetag/"+strings.ToLower(t.Key)] = one(t.Value)
		}
	}
	if len(inv.Aliases) > 0 {
		m["kms:resourcealiases"] = list(inv.Aliases)
	}
}

// merge adds the user's context (keys in any case); given values win.
func merge(m map[string]engine.Value, given map[string]engine.Value) {
	for k, v := range given {
		m[strings.ToLower(k)] = v
	}
}

// accountOfARN returns the account field of an ARN.
func accountOfARN(arn string) string {
	rest := arn
	for i := 0; i < 4; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return ""
		}
		rest = rest[j+1:]
	}
	j := strings.IndexByte(rest, ':')
	if j < 0 {
		return ""
	}
	return rest[:j]
}

var _ = inventory.KeyManagerAWS
