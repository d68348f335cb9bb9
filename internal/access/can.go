package access

import (
	"errors"
	"fmt"
	"strings"

	"github.com/keywarden/keywarden/internal/arn"
	"github.com/keywarden/keywarden/internal/awsfacts"
	"github.com/keywarden/keywarden/internal/engine"
	"github.com/keywarden/keywarden/internal/inventory"
)

// A Question asks whether a principal may perform an action on a resource.
type Question struct {
	// Principal is an ARN (user, role, assumed-role session, root), an
	// account ID (its root user) or a user or role name unique in the
	// inventory. A principal outside the inventory may be given by ARN; its
	// own IAM policies are then unknown.
	Principal string
	// Action is a KMS action ("kms:Decrypt") or an S3 object operation
	// ("s3:PutObject", "s3:GetObject", "s3:CopyObject",
	// "s3:MultipartUpload", "s3:UploadPart", "s3:CreateMultipartUpload").
	Action string
	// Resource is a key (ARN, ID, alias name or alias ARN), "*" for
	// actions without a resource, or an S3 object ARN.
	Resource string
	// Source is the source object ARN of s3:CopyObject.
	Source string
	// Context holds request context keys given by the user; they win.
	Context map[string]engine.Value
	// Closed makes keys that are not given absent (a direct call with
	// nothing more), instead of unknown.
	Closed bool
}

// A Step is one authorization AWS performs for the question: the S3 side
// and each KMS call S3 makes, or the single KMS decision.
type Step struct {
	// Side is "S3" or "KMS".
	Side     string        `json:"side"`
	Action   string        `json:"action"`
	Resource string        `json:"resource"`
	Result   engine.Result `json:"result"`
}

// An Answer is the decision on a question with every step that led to it.
type Answer struct {
	Principal   string          `json:"principal"`
	Action      string          `json:"action"`
	Resource    string          `json:"resource"`
	Decision    engine.Decision `json:"decision"`
	Conditional bool            `json:"conditional,omitempty"`
	// Summary names the side that decided.
	Summary string   `json:"summary"`
	Notes   []string `json:"notes,omitempty"`
	Steps   []Step   `json:"steps"`
}

// Can answers a question.
func (ix *Index) Can(q Question) (*Answer, error) {
	caller, p, err := ix.caller(q.Principal)
	if err != nil {
		return nil, err
	}
	if op := awsfacts.LookupS3Operation(q.Action); op != nil {
		return ix.canS3(q, caller, p, op)
	}
	if awsfacts.LookupKMS(q.Action) == nil {
		return nil, fmt.Errorf("%q is neither a KMS action nor an S3 object operation keywarden evaluates (%s)", q.Action, s3OperationNames())
	}
	ans := &Answer{Principal: caller, Action: q.Action, Resource: q.Resource}
	var key *Key
	resource := q.Resource
	if info := awsfacts.LookupKMS(q.Action); info.Resource == awsfacts.NoResource {
		resource = "*"
	} else if !strings.Contains(q.Resource, ":alias/") || info.Resource != awsfacts.AliasAndKey {
		key, err = ix.Key(q.Resource)
		if err != nil {
			return nil, err
		}
		resource = key.ARN
	}
	ans.Resource = resource
	r := ix.ask(caller, p, key, resource, askOptions{given: q.Context, closed: q.Closed}).decide(q.Action)
	ans.Steps = []Step{{Side: "KMS", Action: q.Action, Resource: resource, Result: r}}
	ans.combine()
	return ans, nil
}

// caller resolves a question's principal. A principal outside the
// inventory is allowed when given by ARN (or as a service principal): its
// IAM policies are its own.
func (ix *Index) caller(ref string) (string, *Principal, error) {
	p, err := ix.Principal(ref)
	if err == nil {
		if strings.Contains(ref, ":assumed-role/") {
			// A session stands for its role, keeping the session ARN so
			// statements naming the session match.
			return ref, p, nil
		}
		return p.ARN, p, nil
	}
	if strings.HasPrefix(ref, "arn:") || arn.IsServicePrincipal(ref) {
		return ref, nil, nil
	}
	return "", nil, err
}

// ask prepares questions of a caller of the inventory (p set) or outside
// it.
func (ix *Index) ask(caller string, p *Principal, key *Key, resource string, o askOptions) *asker {
	if p != nil {
		return ix.askPrincipal(caller, p, key, resource, o)
	}
	return ix.askExternal(caller, key, resource, o)
}

func s3OperationNames() string {
	names := make([]string, len(awsfacts.S3Operations))
	for i, o := range awsfacts.S3Operations {
		names[i] = "s3:" + o.Name
	}
	return strings.Join(names, ", ")
}

// combine sets the answer's decision from its steps: an explicit deny
// anywhere wins, then Unknown, then an implicit deny; Allow needs every
// step to allow.
func (a *Answer) combine() {
	a.Decision = engine.Allow
	var decider *Step
	rank := func(d engine.Decision) int {
		switch d {
		case engine.ExplicitDeny:
			return 3
		case engine.Unknown:
			return 2
		case engine.ImplicitDeny:
			return 1
		}
		return 0
	}
	for i := range a.Steps {
		s := &a.Steps[i]
		if rank(s.Result.Decision) > rank(a.Decision) {
			a.Decision = s.Result.Decision
			decider = s
		}
		if s.Result.Conditional {
			a.Conditional = true
		}
	}
	switch {
	case decider == nil && len(a.Steps) == 1:
		a.Summary = a.Steps[0].Result.Summary
	case decider == nil:
		a.Summary = "allowed: every step allows (" + stepList(a.Steps) + ")"
	case len(a.Steps) == 1:
		a.Summary = decider.Result.Summary
	default:
		a.Summary = fmt.Sprintf("%s: the %s side decides: %s on %s: %s", strings.ToLower(decisionWord(a.Decision)), decider.Side, decider.Action, decider.Resource, decider.Result.Summary)
	}
	if a.Conditional && a.Decision == engine.Allow {
		a.Summary += " (conditional: see the conditions of each step)"
	}
}

func decisionWord(d engine.Decision) string {
	switch d {
	case engine.ExplicitDeny:
		return "Explicitly denied"
	case engine.ImplicitDeny:
		return "Denied"
	case engine.Unknown:
		return "Unknown"
	}
	return "Allowed"
}

func stepList(steps []Step) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = s.Side + " " + s.Action
	}
	return strings.Join(parts, ", ")
}

// canS3 evaluates an S3 object operation on a bucket with SSE-KMS: the S3
// side (identity and bucket policy) and the KMS side (the KMS calls S3
// makes with the caller's identity, through kms:ViaService).
func (ix *Index) canS3(q Question, caller string, p *Principal, op *awsfacts.S3Operation) (*Answer, error) {
	ans := &Answer{Principal: caller, Action: "s3:" + op.Name, Resource: q.Resource}
	if op.Note != "" {
		ans.Notes = append(ans.Notes, op.Note)
	}
	if err := ix.s3Steps(ans, q, caller, p, op.IAMAction, op.KMS, q.Resource); err != nil {
		return nil, err
	}
	if op.SourceIAM != "" {
		if q.Source == "" {
			return nil, errors.New("s3:CopyObject needs the source object (--source arn:aws:s3:::BUCKET/KEY)")
		}
		if err := ix.s3Steps(ans, q, caller, p, op.SourceIAM, op.SourceKMS, q.Source); err != nil {
			return nil, err
		}
	}
	ans.combine()
	return ans, nil
}

// s3Steps adds the S3 decision on one object and the KMS decisions on the
// bucket's default key.
func (ix *Index) s3Steps(ans *Answer, q Question, caller string, p *Principal, iamAction string, kmsActions []string, object string) error {
	bucketName, _, ok := strings.Cut(strings.TrimPrefix(object, "arn:aws:s3:::"), "/")
	if !strings.HasPrefix(object, "arn:aws:s3:::") || !ok || bucketName == "" {
		return fmt.Errorf("%q is not an S3 object ARN (arn:aws:s3:::BUCKET/KEY)", object)
	}
	bucket, err := ix.Snapshot.Bucket(bucketName)
	if err != nil {
		return err
	}
	bacct := ix.bucketAccount(bucketName)

	// The S3 side.
	pol := &engine.Policies{ResourceAccount: bacct.inv.ID, RCPs: bacct.rcps}
	pol.Unread.RCPs = bacct.rcpGap
	var missing []string
	if bucket.PolicyIncomplete != nil {
		missing = append(missing, "bucket policy of "+bucket.Name+": "+bucket.PolicyIncomplete.Reason)
	} else if bucket.Policy != nil {
		bp, err := bucket.ParsePolicy()
		if err != nil {
			missing = append(missing, "bucket policy of "+bucket.Name+": "+firstLine(err))
		}
		pol.ResourcePolicy = bp
	}
	m := map[string]engine.Value{}
	var absent []string
	if p != nil {
		pol.Identity, pol.Boundary, pol.SCPs = p.Identity, p.Boundary, p.acct.scps
		pol.Unread.Identity, pol.Unread.Boundary, pol.Unread.SCPs = p.IdentityGap, p.BoundaryGap, p.acct.scpGap
		m["aws:principalarn"] = one(p.ARN)
		orgContext(m, &absent, p.acct)
		for _, t := range p.Tags {
			m["aws:principaltag/"+strings.ToLower(t.Key)] = one(t.Value)
		}
		absent = append(absent, "aws:principaltag/")
	} else {
		pol.IdentityOpen = true
	}
	for k, v := range q.Context {
		m[strings.ToLower(k)] = v
	}
	r := engine.Decide(engine.Request{Principal: caller, Action: iamAction, Resource: object, Context: m, Open: !q.Closed, Absent: absent}, pol)
	if len(missing) > 0 && r.Decision != engine.ExplicitDeny {
		// A bucket policy that was not read could allow or deny.
		r = unknownResult(r, missing)
	}
	ans.Steps = append(ans.Steps, Step{Side: "S3", Action: iamAction, Resource: object, Result: r})

	// The KMS side.
	enc := bucket.Encryption
	switch {
	case bucket.EncryptionIncomplete != nil:
		ans.Steps = append(ans.Steps, Step{Side: "KMS", Action: strings.Join(kmsActions, ", "), Resource: "default encryption key of bucket " + bucket.Name,
			Result: engine.Result{Decision: engine.Unknown, Rule: engine.RuleMissingInput, Summary: "unknown: the bucket's default encryption was not read: " + bucket.EncryptionIncomplete.Reason, Missing: []string{"default encryption of bucket " + bucket.Name}}})
		return nil
	case enc == nil || !enc.UsesKMS():
		ans.Notes = append(ans.Notes, "bucket "+bucket.Name+" does not use SSE-KMS by default: S3 needs no KMS permission (a request that asks for SSE-KMS explicitly would)")
		return nil
	}
	region := bucket.Region
	key, keyErr := ix.bucketKey(bucket, bacct)
	ctx := map[string]engine.Value{
		"kms:viaservice":            one(awsfacts.S3ViaService(region)),
		"aws:viaawsservice":         one("true"),
		"kms:encryptioncontextkeys": list([]string{"aws:s3:arn"}),
	}
	ecValue := object
	if enc.BucketKeyEnabled {
		// With an S3 Bucket Key the encryption context is the bucket ARN.
		ecValue = "arn:aws:s3:::" + bucket.Name
		ans.Notes = append(ans.Notes, "S3 Bucket Key is enabled: the encryption context S3 sends is the bucket ARN, not the object ARN")
	}
	ctx["kms:encryptioncontext:aws:s3:arn"] = one(ecValue)
	for k, v := range q.Context {
		ctx[strings.ToLower(k)] = v
	}
	for _, a := range kmsActions {
		if keyErr != nil {
			ans.Steps = append(ans.Steps, Step{Side: "KMS", Action: a, Resource: enc.KMSKeyID,
				Result: engine.Result{Decision: engine.Unknown, Rule: engine.RuleMissingInput, Summary: "unknown: " + keyErr.Error(), Missing: []string{"KMS key " + enc.KMSKeyID}}})
			continue
		}
		r := ix.ask(caller, p, key, key.ARN, askOptions{given: ctx, closed: q.Closed}).decide(a)
		ans.Steps = append(ans.Steps, Step{Side: "KMS", Action: a, Resource: key.ARN, Result: r})
	}
	return nil
}

// bucketAccount finds the account that holds a bucket.
func (ix *Index) bucketAccount(name string) *account {
	for _, a := range ix.Snapshot.Accounts {
		for _, b := range a.Buckets {
			if b.Name == name {
				return ix.accounts[a.ID]
			}
		}
	}
	return nil
}

// bucketKey resolves the key of a bucket's default encryption: a key ARN,
// ID or alias; none means the AWS managed key aws/s3 of the bucket's
// region.
func (ix *Index) bucketKey(b *inventory.Bucket, acct *account) (*Key, error) {
	ref := b.Encryption.KMSKeyID
	if ref == "" {
		ref = "arn:aws:kms:" + b.Region + ":" + acct.inv.ID + ":alias/aws/s3"
	} else if !strings.HasPrefix(ref, "arn:") {
		if strings.HasPrefix(ref, "alias/") {
			ref = "arn:aws:kms:" + b.Region + ":" + acct.inv.ID + ":" + ref
		} else {
			ref = "arn:aws:kms:" + b.Region + ":" + acct.inv.ID + ":key/" + ref
		}
	}
	k, err := ix.Key(ref)
	if err != nil {
		return nil, fmt.Errorf("the default encryption key of bucket %s (%s) is not in the inventory", b.Name, ref)
	}
	return k, nil
}

// unknownResult turns a decision that unread data could change into
// Unknown, keeping what the engine would have answered as a note.
func unknownResult(r engine.Result, missing []string) engine.Result {
	r.Notes = append(r.Notes, "without the missing data the engine would answer "+r.Decision.String())
	r.Decision, r.Conditional, r.Conditions = engine.Unknown, false, nil
	r.Rule = engine.RuleMissingInput
	r.Missing = append(r.Missing, missing...)
	r.Summary = "unknown: " + strings.Join(missing, "; ")
	return r
}
