package awscli

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/posjson"
	"github.com/keywarden/keywarden/internal/safefile"
)

// s3 reads s3/BUCKET/ for every bucket directory, and the optional bucket
// list: a listed bucket without a directory is kept, with nothing read.
func (im *importer) s3() {
	entries, err := im.dir.ReadDir("s3")
	if errors.Is(err, fs.ErrNotExist) {
		im.acct.BucketsIncomplete = im.incomplete("S3 buckets", &failure{
			Incomplete: inventory.Incomplete{Reason: "the export has no s3 directory", Source: im.display("s3")},
			at:         inventory.Location{File: im.display("s3")},
		})
		return
	}
	if err != nil {
		im.acct.BucketsIncomplete = im.incomplete("S3 buckets", im.refused("s3", err))
		return
	}
	have := map[string]bool{}
	for _, e := range entries {
		switch {
		case e.IsDir():
			im.acct.Buckets = append(im.acct.Buckets, im.bucket(e.Name()))
			have[e.Name()] = true
		case e.Type()&fs.ModeSymlink != 0:
			// A bucket directory that is a link: the bucket is
			// there, and nothing of it is read.
			rel := path.Join("s3", e.Name())
			in := im.incomplete("bucket "+e.Name(), im.refused(rel, &safefile.Error{Path: rel, Err: safefile.ErrSymlink}))
			im.acct.Buckets = append(im.acct.Buckets, &inventory.Bucket{Name: e.Name(), RegionIncomplete: in, PolicyIncomplete: in, EncryptionIncomplete: in})
			have[e.Name()] = true
		}
	}
	f, v, fail := im.object(listBuckets)
	if fail != nil {
		if !fail.missing {
			im.acct.BucketsIncomplete = im.incomplete("S3 buckets", fail)
		}
		return
	}
	s := &shape{f: f}
	objs, ps := s.objects(v, "Buckets", "")
	for i, o := range objs {
		name := s.required(o, "Name", ps[i])
		if name == "" || have[name] {
			continue
		}
		have[name] = true
		in := im.incomplete("bucket "+name, f.fail(o, ps[i], fmt.Sprintf("the bucket is listed but the export has no directory s3/%s", name)))
		im.acct.Buckets = append(im.acct.Buckets, &inventory.Bucket{Name: name, RegionIncomplete: in, PolicyIncomplete: in, EncryptionIncomplete: in})
	}
	if f := s.first(); f != nil {
		im.acct.BucketsIncomplete = im.incomplete("S3 buckets", f)
		im.shapeWarnings("S3 buckets", s.errs[1:])
	}
}

func (im *importer) bucket(name string) *inventory.Bucket {
	dir := path.Join("s3", name)
	b := &inventory.Bucket{Name: name}

	if f, v, fail := im.object(path.Join(dir, bucketLocation)); fail != nil {
		b.RegionIncomplete = im.incomplete("region of bucket "+name, fail)
	} else {
		s := &shape{f: f}
		b.Region = inventory.BucketRegion(s.str(v, "LocationConstraint", ""))
		if f := s.first(); f != nil {
			b.Region = ""
			b.RegionIncomplete = im.incomplete("region of bucket "+name, f)
		}
	}

	if f, v, fail := im.object(path.Join(dir, bucketPolicy)); fail != nil {
		if fail.code != "NoSuchBucketPolicy" {
			b.PolicyIncomplete = im.incomplete("bucket policy of "+name, fail)
		}
	} else {
		s := &shape{f: f}
		if member(v, "Policy") == nil {
			s.errorf(v, "", "Policy is missing")
		} else {
			b.Policy = s.document(v, "Policy", "")
		}
		if f := s.first(); f != nil {
			b.PolicyIncomplete = im.incomplete("bucket policy of "+name, f)
		}
	}

	if f, v, fail := im.object(path.Join(dir, bucketEncrypt)); fail != nil {
		// Buckets created before 2023 may have no default encryption;
		// S3 then answers with this error code.
		if fail.code != "ServerSideEncryptionConfigurationNotFoundError" {
			b.EncryptionIncomplete = im.incomplete("default encryption of bucket "+name, fail)
		}
	} else {
		s := &shape{f: f}
		b.Encryption = bucketEncryption(s, v)
		if f := s.first(); f != nil {
			b.Encryption = nil
			b.EncryptionIncomplete = im.incomplete("default encryption of bucket "+name, f)
			im.shapeWarnings("default encryption of bucket "+name, s.errs[1:])
		}
	}
	return b
}

func bucketEncryption(s *shape, v *posjson.Value) *inventory.BucketEncryption {
	const cp = "ServerSideEncryptionConfiguration"
	c := s.object(v, cp, "")
	if c == nil {
		if len(s.errs) == 0 {
			s.errorf(v, "", "%s is missing", cp)
		}
		return nil
	}
	rules, ps := s.objects(c, "Rules", cp)
	if len(rules) == 0 {
		if len(s.errs) == 0 {
			s.errorf(c, cp, "Rules has no rule")
		}
		return nil
	}
	// S3 allows one rule per bucket.
	r := rules[0]
	d := s.object(r, "ApplyServerSideEncryptionByDefault", ps[0])
	if d == nil {
		if len(s.errs) == 0 {
			s.errorf(r, ps[0], "ApplyServerSideEncryptionByDefault is missing")
		}
		return nil
	}
	dp := join(ps[0], "ApplyServerSideEncryptionByDefault")
	return &inventory.BucketEncryption{
		Algorithm:        s.required(d, "SSEAlgorithm", dp),
		KMSKeyID:         s.str(d, "KMSMasterKeyID", dp),
		BucketKeyEnabled: s.boolean(r, "BucketKeyEnabled", ps[0]),
	}
}
