package awscli

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/posjson"
	"github.com/keywarden/keywarden/internal/safefile"
)

// kms reads kms/REGION/ for every region directory: the aliases, the
// optional key list, and a directory per key. A kms directory that exists
// but cannot be listed stops the import: without it the export would
// read as an account without keys.
func (im *importer) kms() error {
	regions, err := im.dir.ReadDir("kms")
	if errors.Is(err, fs.ErrNotExist) {
		im.warn(inventory.Location{File: im.display("kms")}, "no kms directory: the export holds no KMS keys")
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %s", im.display("kms"), reasonOf(err))
	}
	for _, r := range regions {
		switch {
		case r.IsDir():
			im.region(r.Name())
		case r.Type()&fs.ModeSymlink != 0:
			// A region directory that is a link: the region was
			// read by whoever made the export, and is not read here.
			f := im.refused(path.Join("kms", r.Name()), &safefile.Error{Path: path.Join("kms", r.Name()), Err: safefile.ErrSymlink})
			in := im.incomplete("KMS keys of "+r.Name(), f)
			im.acct.KMSRegions = append(im.acct.KMSRegions, &inventory.KMSRegion{Name: r.Name(), KeysIncomplete: in, AliasesIncomplete: in})
		}
	}
	return nil
}

// reasonOf says why a file or directory was not read, without its path.
func reasonOf(err error) string {
	var se *safefile.Error
	if errors.As(err, &se) {
		return se.Reason()
	}
	return err.Error()
}

func (im *importer) region(name string) {
	dir := path.Join("kms", name)
	reg := &inventory.KMSRegion{Name: name}
	im.acct.KMSRegions = append(im.acct.KMSRegions, reg)

	// Key directories, then the keys named by list-keys and list-aliases
	// that have none: those are kept, with nothing read.
	entries, err := im.dir.ReadDir(dir)
	if err != nil {
		reg.KeysIncomplete = im.incomplete("KMS keys of "+name, im.refused(dir, err))
		return
	}
	keys := map[string]*inventory.Key{}
	for _, e := range entries {
		switch {
		case e.IsDir():
			k := im.key(name, e.Name())
			keys[k.ID] = k
			im.acct.Keys = append(im.acct.Keys, k)
		case e.Type()&fs.ModeSymlink != 0:
			// A key directory that is a link: the key is there, and
			// nothing of it is read.
			rel := path.Join(dir, e.Name())
			k := &inventory.Key{ID: e.Name(), Region: name, Account: im.acct.ID, ARN: im.keyARN(name, im.acct.ID, e.Name())}
			in := im.incomplete("key "+k.ARN, im.refused(rel, &safefile.Error{Path: rel, Err: safefile.ErrSymlink}))
			k.MetadataIncomplete, k.PolicyIncomplete, k.GrantsIncomplete, k.RotationIncomplete, k.TagsIncomplete = in, in, in, in, in
			keys[k.ID] = k
			im.acct.Keys = append(im.acct.Keys, k)
		}
	}
	listed := map[string]string{} // key ID → the file that names it
	keyList := false              // list-keys.json was read in full

	if f, fail := im.read(path.Join(dir, listKeys)); fail == nil {
		s := &shape{f: f}
		if v, fail := f.single(); fail != nil {
			reg.KeysIncomplete = im.incomplete("KMS keys of "+name, fail)
		} else {
			objs, ps := s.objects(v, "Keys", "")
			for i, o := range objs {
				if id := s.required(o, "KeyId", ps[i]); id != "" {
					listed[id] = listKeys
				}
			}
			if s.boolean(v, "Truncated", "") {
				s.errorf(v, "Truncated", "the list is truncated")
			}
			if f := s.first(); f != nil {
				reg.KeysIncomplete = im.incomplete("KMS keys of "+name, f)
				im.shapeWarnings("KMS keys of "+name, s.errs[1:])
			} else {
				keyList = true
			}
		}
	} else if !fail.missing {
		// list-keys.json is optional; its failure is not.
		reg.KeysIncomplete = im.incomplete("KMS keys of "+name, fail)
	}

	aliases := map[string][]string{}
	var unlisted []string // alias targets a complete key list does not name
	if f, fail := im.read(path.Join(dir, listAliases)); fail != nil {
		reg.AliasesIncomplete = im.incomplete("KMS aliases of "+name, fail)
	} else if v, fail := f.single(); fail != nil {
		reg.AliasesIncomplete = im.incomplete("KMS aliases of "+name, fail)
	} else {
		s := &shape{f: f}
		objs, ps := s.objects(v, "Aliases", "")
		for i, o := range objs {
			alias := s.required(o, "AliasName", ps[i])
			// An alias without a target is one of the predefined
			// aws/ aliases whose key AWS has not created yet.
			target := s.str(o, "TargetKeyId", ps[i])
			switch _, ok := listed[target]; {
			case alias == "" || target == "":
			case ok || keys[target] != nil:
				aliases[target] = append(aliases[target], alias)
			case keyList:
				// The key list is complete and does not name the
				// key: the alias listing is not consistent with it
				// (moto lists aws/ aliases of keys ListKeys omits).
				unlisted = append(unlisted, alias+" → "+target)
			default:
				// Without a key list, the alias is the only sign
				// of a key the export does not hold.
				aliases[target] = append(aliases[target], alias)
				listed[target] = listAliases
			}
		}
		if s.boolean(v, "Truncated", "") {
			s.errorf(v, "Truncated", "the list is truncated")
		}
		if f := s.first(); f != nil {
			reg.AliasesIncomplete = im.incomplete("KMS aliases of "+name, f)
			im.shapeWarnings("KMS aliases of "+name, s.errs[1:])
		}
		if len(unlisted) > 0 {
			im.warn(f.loc(v, ""), "KMS aliases of %s: left out aliases of keys that %s does not list: %d (first: %s)",
				name, listKeys, len(unlisted), unlisted[0])
		}
	}

	ids := make([]string, 0, len(listed))
	for id := range listed {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if keys[id] != nil {
			continue
		}
		k := &inventory.Key{ID: id, Region: name, Account: im.acct.ID, ARN: im.keyARN(name, im.acct.ID, id)}
		f := &failure{
			Incomplete: inventory.Incomplete{
				Reason: fmt.Sprintf("%s names the key but the export has no directory %s", listed[id], path.Join(dir, id)),
				Source: im.display(path.Join(dir, listed[id])),
			},
			at: inventory.Location{File: im.display(path.Join(dir, listed[id]))},
		}
		in := im.incomplete("key "+k.ARN, f)
		k.MetadataIncomplete, k.PolicyIncomplete, k.GrantsIncomplete, k.RotationIncomplete, k.TagsIncomplete = in, in, in, in, in
		keys[id] = k
		im.acct.Keys = append(im.acct.Keys, k)
	}
	for id, k := range keys {
		k.Aliases = aliases[id]
	}
}

func (im *importer) keyARN(region, account, id string) string {
	return "arn:" + im.partition + ":kms:" + region + ":" + account + ":key/" + id
}

// key reads kms/REGION/ID/: describe-key, get-key-policy, list-grants,
// get-key-rotation-status and list-resource-tags, each on its own.
func (im *importer) key(region, id string) *inventory.Key {
	dir := path.Join("kms", region, id)
	k := &inventory.Key{ID: id, Region: region, Account: im.acct.ID, ARN: im.keyARN(region, im.acct.ID, id)}

	if f, v, fail := im.object(path.Join(dir, describeKey)); fail != nil {
		k.MetadataIncomplete = im.incomplete("metadata of key "+k.ARN, fail)
	} else {
		k.Metadata, k.MetadataIncomplete = im.keyMetadata(f, v, k)
	}
	item := func(what string) string { return what + " of key " + k.ARN }

	if f, v, fail := im.object(path.Join(dir, getKeyPolicy)); fail != nil {
		k.PolicyIncomplete = im.incomplete("key policy of "+k.ARN, fail)
	} else {
		s := &shape{f: f}
		if member(v, "Policy") == nil {
			s.errorf(v, "", "Policy is missing")
		} else {
			k.Policy = s.document(v, "Policy", "")
		}
		if f := s.first(); f != nil {
			k.PolicyIncomplete = im.incomplete("key policy of "+k.ARN, f)
		}
	}

	if f, v, fail := im.object(path.Join(dir, listGrants)); fail != nil {
		k.GrantsIncomplete = im.incomplete(item("grants"), fail)
	} else {
		s := &shape{f: f}
		objs, ps := s.objects(v, "Grants", "")
		if member(v, "Grants") == nil {
			s.errorf(v, "", "Grants is missing")
		}
		for i, o := range objs {
			c := s.object(o, "Constraints", ps[i])
			g := inventory.Grant{
				ID:                s.required(o, "GrantId", ps[i]),
				Name:              s.str(o, "Name", ps[i]),
				GranteePrincipal:  s.str(o, "GranteePrincipal", ps[i]),
				RetiringPrincipal: s.str(o, "RetiringPrincipal", ps[i]),
				Operations:        s.strings(o, "Operations", ps[i]),
				IssuingAccount:    s.str(o, "IssuingAccount", ps[i]),
				CreationDate:      s.timestamp(o, "CreationDate", ps[i]),
			}
			if c != nil {
				g.EncryptionContextEquals = s.stringMap(c, "EncryptionContextEquals", join(ps[i], "Constraints"))
				g.EncryptionContextSubset = s.stringMap(c, "EncryptionContextSubset", join(ps[i], "Constraints"))
			}
			if g.ID != "" {
				k.Grants = append(k.Grants, g)
			}
		}
		if s.boolean(v, "Truncated", "") {
			s.errorf(v, "Truncated", "the list is truncated")
		}
		if f := s.first(); f != nil {
			k.GrantsIncomplete = im.incomplete(item("grants"), f)
			im.shapeWarnings(item("grants"), s.errs[1:])
		}
	}

	if f, v, fail := im.object(path.Join(dir, rotationStatus)); fail != nil {
		// KMS refuses the call for keys it cannot rotate automatically
		// (asymmetric, HMAC, custom key store): rotation does not apply.
		if fail.code != "UnsupportedOperationException" {
			k.RotationIncomplete = im.incomplete(item("rotation status"), fail)
		}
	} else {
		s := &shape{f: f}
		if member(v, "KeyRotationEnabled") == nil {
			s.errorf(v, "", "KeyRotationEnabled is missing")
		}
		k.Rotation = &inventory.Rotation{
			Enabled:          s.boolean(v, "KeyRotationEnabled", ""),
			PeriodDays:       s.integer(v, "RotationPeriodInDays", ""),
			NextRotationDate: s.timestamp(v, "NextRotationDate", ""),
		}
		if f := s.first(); f != nil {
			k.Rotation = nil
			k.RotationIncomplete = im.incomplete(item("rotation status"), f)
		}
	}

	if f, v, fail := im.object(path.Join(dir, listTags)); fail != nil {
		k.TagsIncomplete = im.incomplete(item("tags"), fail)
	} else {
		s := &shape{f: f}
		k.Tags = tags(s, v, "", "Tags", "TagKey", "TagValue")
		if s.boolean(v, "Truncated", "") {
			s.errorf(v, "Truncated", "the list is truncated")
		}
		if f := s.first(); f != nil {
			k.TagsIncomplete = im.incomplete(item("tags"), f)
			im.shapeWarnings(item("tags"), s.errs[1:])
		}
	}
	return k
}

// object reads a file holding one JSON object.
func (im *importer) object(rel string) (*file, *posjson.Value, *failure) {
	f, fail := im.read(rel)
	if fail != nil {
		return nil, nil, fail
	}
	v, fail := f.single()
	if fail != nil {
		return nil, nil, fail
	}
	return f, v, nil
}

func (im *importer) keyMetadata(f *file, top *posjson.Value, k *inventory.Key) (*inventory.KeyMetadata, *inventory.Incomplete) {
	s := &shape{f: f}
	v := s.object(top, "KeyMetadata", "")
	if v == nil {
		if len(s.errs) == 0 {
			s.errorf(top, "", "KeyMetadata is missing")
		}
		return nil, im.incomplete("metadata of key "+k.ARN, s.first())
	}
	const p = "KeyMetadata"
	id := s.required(v, "KeyId", p)
	arn := s.str(v, "Arn", p)
	acct := s.str(v, "AWSAccountId", p)
	m := &inventory.KeyMetadata{
		State:        s.required(v, "KeyState", p),
		Enabled:      s.boolean(v, "Enabled", p),
		KeySpec:      s.str(v, "KeySpec", p),
		KeyUsage:     s.str(v, "KeyUsage", p),
		Origin:       s.str(v, "Origin", p),
		Manager:      s.str(v, "KeyManager", p),
		MultiRegion:  s.boolean(v, "MultiRegion", p),
		CreationDate: s.timestamp(v, "CreationDate", p),
		DeletionDate: s.timestamp(v, "DeletionDate", p),
		Description:  s.str(v, "Description", p),
	}
	if m.KeySpec == "" {
		// Older CLIs print only the deprecated name.
		m.KeySpec = s.str(v, "CustomerMasterKeySpec", p)
	}
	if mr := s.object(v, "MultiRegionConfiguration", p); mr != nil {
		m.MultiRegionKeyType = s.str(mr, "MultiRegionKeyType", p+".MultiRegionConfiguration")
	}
	if id != "" && id != k.ID {
		s.errorf(v.Get("KeyId"), p+".KeyId", "the key ID %s is not the directory's (%s)", id, k.ID)
	}
	if arn != "" && arnField(arn, 3) == k.Region && arnField(arn, 5) == "key/"+k.ID {
		k.ARN = arn
		k.Account = arnField(arn, 4)
	} else if arn != "" {
		s.errorf(v.Get("Arn"), p+".Arn", "the ARN %s is not that of key %s in %s", arn, k.ID, k.Region)
	}
	if acct != "" && acct != k.Account {
		s.errorf(v.Get("AWSAccountId"), p+".AWSAccountId", "the account %s is not the export's (%s)", acct, k.Account)
	}
	if f := s.first(); f != nil {
		im.shapeWarnings("metadata of key "+k.ARN, s.errs[1:])
		return m, im.incomplete("metadata of key "+k.ARN, f)
	}
	return m, nil
}

// keyAccount finds the account in the metadata of the first key, for an
// export whose IAM listing names no ARN of the account.
func (im *importer) keyAccount() string {
	regions, _ := im.dir.ReadDir("kms")
	for _, r := range regions {
		if !r.IsDir() {
			continue
		}
		keys, _ := im.dir.ReadDir(path.Join("kms", r.Name()))
		for _, k := range keys {
			if !k.IsDir() {
				continue
			}
			f, v, fail := im.object(path.Join("kms", r.Name(), k.Name(), describeKey))
			if fail != nil {
				continue
			}
			s := &shape{f: f}
			if km := s.object(v, "KeyMetadata", ""); km != nil {
				if id := s.str(km, "AWSAccountId", "KeyMetadata"); validAccount(id) {
					return id
				}
			}
		}
	}
	return ""
}
