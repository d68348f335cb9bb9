package diff

import (
	"sort"

	"github.com/keywarden/keywarden/internal/access"
	"github.com/keywarden/keywarden/internal/engine"
)

// An S3Change is an S3 object operation through SSE-KMS whose answer
// changed for a principal: the experiment's upload that S3 denies when
// the role loses kms:GenerateDataKey on the bucket's key.
type S3Change struct {
	Principal string
	// Operation is s3:PutObject (needs kms:GenerateDataKey) or
	// s3:GetObject (needs kms:Decrypt).
	Operation string
	Bucket    string
	// Object is the object asked about: any object of the bucket
	// ("arn:aws:s3:::BUCKET/*").
	Object      string
	Key         string
	KeyName     string
	Old, New    S3Answer
	Description string
}

// An S3Answer is the answer to an S3 operation in one input.
type S3Answer struct {
	Decision    engine.Decision `json:"decision"`
	Conditional bool            `json:"conditional,omitempty"`
	Summary     string          `json:"summary"`
}

// s3Ops are the object operations asked when the KMS action behind them
// changed.
var s3Ops = []struct{ kms, op string }{
	{"kms:GenerateDataKey", "s3:PutObject"},
	{"kms:Decrypt", "s3:GetObject"},
}

// s3Changes asks, for every principal whose access to a bucket's default
// key changed, whether uploading to and downloading from the bucket
// changed too: both S3 and KMS must allow (access.Index.Can). A class of
// principals cannot be asked about.
func s3Changes(old, cur *access.Index, changes []Change) []S3Change {
	buckets := bucketsByKey(old)
	for k, bs := range bucketsByKey(cur) {
		for _, b := range bs {
			if !contains(buckets[k], b) {
				buckets[k] = append(buckets[k], b)
			}
		}
	}
	type question struct{ principal, op, bucket string }
	asked := map[question]bool{}
	var out []S3Change
	for i := range changes {
		c := &changes[i]
		if c.Principal == "" || c.PrincipalOf == access.KindService || len(buckets[c.Key]) == 0 {
			continue
		}
		for _, o := range s3Ops {
			if !contains(c.Actions, o.kms) {
				continue
			}
			for _, b := range buckets[c.Key] {
				q := question{c.Principal, o.op, b}
				if asked[q] {
					continue
				}
				asked[q] = true
				object := "arn:aws:s3:::" + b + "/*"
				a, n := s3Answer(old, c.Principal, o.op, object), s3Answer(cur, c.Principal, o.op, object)
				if a.Decision == n.Decision && a.Conditional == n.Conditional {
					continue
				}
				out = append(out, S3Change{Principal: c.Principal, Operation: o.op, Bucket: b, Object: object,
					Key: c.Key, KeyName: c.KeyName, Old: a, New: n, Description: c.Description})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Bucket != b.Bucket {
			return a.Bucket < b.Bucket
		}
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		return a.Operation > b.Operation // PutObject before GetObject
	})
	return out
}

// bucketsByKey maps the key ARN of each bucket's SSE-KMS default
// encryption to the buckets.
func bucketsByKey(ix *access.Index) map[string][]string {
	out := map[string][]string{}
	for _, a := range ix.Snapshot.Accounts {
		for _, b := range a.Buckets {
			if b.Encryption == nil || !b.Encryption.UsesKMS() {
				continue
			}
			k, err := ix.Snapshot.BucketKey(b.Name)
			if err != nil || k == nil {
				continue
			}
			out[k.ARN] = append(out[k.ARN], b.Name)
		}
	}
	return out
}

func s3Answer(ix *access.Index, principal, op, object string) S3Answer {
	ans, err := ix.Can(access.Question{Principal: principal, Action: op, Resource: object})
	if err != nil {
		return S3Answer{Decision: engine.ImplicitDeny, Summary: err.Error()}
	}
	return S3Answer{Decision: ans.Decision, Conditional: ans.Conditional, Summary: ans.Summary}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
