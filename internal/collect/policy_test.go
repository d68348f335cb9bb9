package collect

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
)

const policyFile = "../../docs/iam-policy-for-keywarden.json"

// apiInterfaces maps each narrow SDK interface to the IAM prefix of its
// service. A new interface must be added here, or TestEveryClientIsListed
// fails.
var apiInterfaces = map[reflect.Type]string{
	reflect.TypeFor[stsAPI]():           "sts",
	reflect.TypeFor[iamAPI]():           "iam",
	reflect.TypeFor[kmsAPI]():           "kms",
	reflect.TypeFor[s3API]():            "s3",
	reflect.TypeFor[organizationsAPI](): "organizations",
	reflect.TypeFor[accountAPI]():       "account",
}

// actionOf maps an operation to the IAM action that authorizes it. Most
// have the same name; these do not.
//
// [Actions, resources, and condition keys for Amazon S3]: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
var actionOf = map[string]string{
	"s3:ListBuckets":         "s3:ListAllMyBuckets",
	"s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
}

func action(service, op string) string {
	name := service + ":" + op
	if a, ok := actionOf[name]; ok {
		return a
	}
	return name
}

// credentialOperations are the calls made to get credentials, not to read
// the account: they are granted to the caller, not to the audit role, and
// docs/collect.md must say so.
var credentialOperations = []string{"sts:AssumeRole"}

// policyActions reads the actions of the shipped policy, checking that it
// is a valid identity policy allowing them on every resource.
func policyActions(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(policyFile)
	if err != nil {
		t.Fatal(err)
	}
	d, err := inventory.DecodeDocument(data, inventory.Location{File: policyFile})
	if err != nil {
		t.Fatalf("%s: %v", policyFile, err)
	}
	if _, err := d.Parse("keywarden's IAM policy", policy.Identity); err != nil {
		t.Fatalf("%s: %v", policyFile, err)
	}
	var p struct {
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatalf("%s: %v", policyFile, err)
	}
	var out []string
	for _, s := range p.Statement {
		if s.Effect != "Allow" || s.Resource != "*" {
			t.Errorf("%s: statement %+v: want Allow on Resource \"*\"", policyFile, s)
		}
		out = append(out, s.Action...)
	}
	slices.Sort(out)
	return out
}

// TestPolicyMatchesInterfaces checks that the operations the collector can
// call (the methods of its SDK interfaces) are exactly the actions of
// docs/iam-policy-for-keywarden.json, and that all of them read.
func TestPolicyMatchesInterfaces(t *testing.T) {
	var callable []string
	for typ, svc := range apiInterfaces {
		for m := range typ.Methods() {
			if !readOnly(m.Name) {
				t.Errorf("%s.%s: not a List, Get or Describe operation", typ.Name(), m.Name)
			}
			callable = append(callable, action(svc, m.Name))
		}
	}
	slices.Sort(callable)
	if diff := cmp.Diff(policyActions(t), callable); diff != "" {
		t.Errorf("%s against the collector's SDK interfaces (-policy +interfaces):\n%s", policyFile, diff)
	}
}

// TestEveryClientIsListed checks that every SDK interface the session
// holds is in apiInterfaces, so that none escapes the policy test.
func TestEveryClientIsListed(t *testing.T) {
	for f := range reflect.TypeFor[session]().Fields() {
		typ := f.Type
		if typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Interface || !strings.HasSuffix(typ.Name(), "API") {
			continue
		}
		if _, ok := apiInterfaces[typ]; !ok {
			t.Errorf("session.%s has type %s, which apiInterfaces does not list", f.Name, typ.Name())
		}
	}
}

// TestCredentialOperationsDocumented checks that the calls made for
// credentials are explained in docs/collect.md.
func TestCredentialOperationsDocumented(t *testing.T) {
	data, err := os.ReadFile("../../docs/collect.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range credentialOperations {
		if !strings.Contains(string(data), op) {
			t.Errorf("docs/collect.md does not mention %s", op)
		}
	}
}

func readOnly(op string) bool {
	for _, p := range []string{"List", "Get", "Describe"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// An operationRecorder records, through a middleware added to every client,
// each operation a collection calls.
type operationRecorder struct {
	mu  sync.Mutex
	ops map[string]bool // "kms:ListKeys"
}

func newOperationRecorder() *operationRecorder { return &operationRecorder{ops: map[string]bool{}} }

func (r *operationRecorder) options() []func(*middleware.Stack) error {
	return []func(*middleware.Stack) error{func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("keywardenRecordOperation",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				r.mu.Lock()
				r.ops[strings.ToLower(awsmiddleware.GetServiceID(ctx))+":"+awsmiddleware.GetOperationName(ctx)] = true
				r.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}}
}

func (r *operationRecorder) recorded() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for op := range r.ops {
		out = append(out, op)
	}
	slices.Sort(out)
	return out
}

// check fails the test for every recorded operation the shipped policy
// does not allow, or that does not read.
func (r *operationRecorder) check(t *testing.T) {
	t.Helper()
	ops := r.recorded()
	if len(ops) == 0 {
		t.Fatal("no operation recorded: is the recorder installed?")
	}
	for _, v := range policyViolations(ops, policyActions(t)) {
		t.Error(v)
	}
}

// policyViolations lists the operations (service:Operation) that the
// policy's actions do not allow or that are not reads.
func policyViolations(ops, actions []string) []string {
	var out []string
	for _, op := range ops {
		if slices.Contains(credentialOperations, op) {
			continue
		}
		svc, name, _ := strings.Cut(op, ":")
		if !readOnly(name) {
			out = append(out, op+": not a List, Get or Describe operation")
		}
		if a := action(svc, name); !slices.Contains(actions, a) {
			out = append(out, op+": needs "+a+", which "+policyFile+" does not allow")
		}
	}
	return out
}

func TestPolicyViolations(t *testing.T) {
	actions := []string{"kms:ListKeys", "s3:ListAllMyBuckets", "s3:PutBucketPolicy"}
	tests := []struct {
		name string
		ops  []string
		want []string
	}{
		{"allowed", []string{"kms:ListKeys", "s3:ListBuckets", "sts:AssumeRole"}, nil},
		{"not in policy", []string{"kms:GetKeyPolicy"}, []string{"kms:GetKeyPolicy: needs kms:GetKeyPolicy, which " + policyFile + " does not allow"}},
		{"mapped name not in policy", []string{"s3:GetBucketEncryption"}, []string{"s3:GetBucketEncryption: needs s3:GetEncryptionConfiguration, which " + policyFile + " does not allow"}},
		{"writes", []string{"s3:PutBucketPolicy"}, []string{"s3:PutBucketPolicy: not a List, Get or Describe operation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, policyViolations(tt.ops, actions)); diff != "" {
				t.Errorf("policyViolations(%v) (-want +got):\n%s", tt.ops, diff)
			}
		})
	}
}
