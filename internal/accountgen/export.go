package accountgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/inventory"
)

// WriteExport writes the snapshot of one account as an AWS CLI export
// directory, in the layout of docs/awscli-export.md: each file is what the
// AWS CLI (v2, --output json) prints for its call, and the answers that
// are errors (a key that does not rotate, a bucket with no policy) are
// the .error files the export script leaves. dir must not exist or be
// empty, so that no key of an earlier export remains in it.
//
// Marks of what could not be read become .error files holding the mark's
// reason, for the items that have a file of their own (key metadata,
// policy, grants, rotation, tags; a region's key and alias lists; the
// organization and its chains; a bucket's region, policy and encryption).
// The IAM listing has no place for marks: a snapshot with a mark on it or
// on an IAM entity is an error.
func WriteExport(dir string, s *inventory.Snapshot) error {
	if len(s.Accounts) != 1 {
		return fmt.Errorf("an export holds one account; the snapshot has %d", len(s.Accounts))
	}
	a := s.Accounts[0]
	if err := iamMarks(a); err != nil {
		return err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("export directory %s is not empty", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	w := &exportWriter{dir: dir}
	w.json("sts-get-caller-identity.json", callerIdentity{
		UserID:  "AROAKEYWARDENREADER00:accountgen",
		Account: a.ID,
		Arn:     "arn:aws:sts::" + a.ID + ":assumed-role/keywarden-reader/accountgen",
	})
	w.json("account-authorization-details.json", authorizationDetails(a))
	w.organization(a)
	for _, r := range a.KMSRegions {
		w.region(a, r)
	}
	w.s3(a)
	return w.err
}

// iamMarks refuses the marks an export cannot carry.
func iamMarks(a *inventory.Account) error {
	if a.IAMIncomplete != nil {
		return errors.New("the IAM listing is marked incomplete; an export cannot say so")
	}
	for _, u := range a.Users {
		if u.Incomplete != nil {
			return fmt.Errorf("user %s is marked incomplete; an export cannot say so", u.ARN)
		}
	}
	for _, g := range a.Groups {
		if g.Incomplete != nil {
			return fmt.Errorf("group %s is marked incomplete; an export cannot say so", g.ARN)
		}
	}
	for _, r := range a.Roles {
		if r.Incomplete != nil {
			return fmt.Errorf("role %s is marked incomplete; an export cannot say so", r.ARN)
		}
	}
	for _, p := range a.Policies {
		if p.Incomplete != nil {
			return fmt.Errorf("managed policy %s is marked incomplete; an export cannot say so", p.ARN)
		}
	}
	return nil
}

// exportWriter writes the files of an export, keeping the first error.
type exportWriter struct {
	dir string
	err error
}

func (w *exportWriter) write(rel string, data []byte) {
	if w.err != nil {
		return
	}
	path := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		w.err = err
		return
	}
	w.err = os.WriteFile(path, data, 0o644)
}

// json writes v as the AWS CLI prints it: indented by four spaces, "<"
// and ">" unescaped.
func (w *exportWriter) json(rel string, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("%s: %w", rel, err)
		}
		return
	}
	w.write(rel, b.Bytes())
}

// failed writes the .error file of a call (NAME.error for NAME.json),
// holding msg as the AWS CLI prints an error.
func (w *exportWriter) failed(rel, msg string) {
	w.write(strings.TrimSuffix(rel, ".json")+".error", []byte("\n"+msg+"\n"))
}

// awsError is the AWS CLI's message for an error answer.
func awsError(code, operation, msg string) string {
	return "An error occurred (" + code + ") when calling the " + operation + " operation: " + msg
}

// cliTime is a time as AWS CLI v2 prints it; "" for the zero time.
func cliTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.999999999-07:00")
}

// raw is a policy document embedded as JSON, as the AWS CLI prints IAM's
// documents (decoded); nil for none.
func raw(d *inventory.Document) json.RawMessage {
	if d == nil {
		return nil
	}
	return json.RawMessage(d.JSON)
}

// text is a policy document as a JSON string, as KMS, S3 and
// Organizations return them: indented by two spaces, as KMS does.
func text(d *inventory.Document) string {
	var b bytes.Buffer
	if err := json.Indent(&b, d.JSON, "", "  "); err != nil {
		return string(d.JSON)
	}
	return b.String()
}

type callerIdentity struct {
	UserID  string `json:"UserId"`
	Account string `json:"Account"`
	Arn     string `json:"Arn"`
}

// The IAM listing (aws iam get-account-authorization-details).

type gaad struct {
	UserDetailList  []gaadUser   `json:"UserDetailList"`
	GroupDetailList []gaadGroup  `json:"GroupDetailList"`
	RoleDetailList  []gaadRole   `json:"RoleDetailList"`
	Policies        []gaadPolicy `json:"Policies"`
	IsTruncated     bool         `json:"IsTruncated"`
}

type gaadUser struct {
	Path                    string           `json:"Path"`
	UserName                string           `json:"UserName"`
	UserID                  string           `json:"UserId,omitempty"`
	Arn                     string           `json:"Arn"`
	CreateDate              string           `json:"CreateDate,omitempty"`
	UserPolicyList          []inlinePolicy   `json:"UserPolicyList"`
	GroupList               []string         `json:"GroupList"`
	AttachedManagedPolicies []attachedPolicy `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *boundary        `json:"PermissionsBoundary,omitempty"`
	Tags                    []iamTag         `json:"Tags"`
}

type gaadGroup struct {
	Path                    string           `json:"Path"`
	GroupName               string           `json:"GroupName"`
	GroupID                 string           `json:"GroupId,omitempty"`
	Arn                     string           `json:"Arn"`
	CreateDate              string           `json:"CreateDate,omitempty"`
	GroupPolicyList         []inlinePolicy   `json:"GroupPolicyList"`
	AttachedManagedPolicies []attachedPolicy `json:"AttachedManagedPolicies"`
}

type gaadRole struct {
	Path                     string           `json:"Path"`
	RoleName                 string           `json:"RoleName"`
	RoleID                   string           `json:"RoleId,omitempty"`
	Arn                      string           `json:"Arn"`
	CreateDate               string           `json:"CreateDate,omitempty"`
	AssumeRolePolicyDocument json.RawMessage  `json:"AssumeRolePolicyDocument,omitempty"`
	InstanceProfileList      []struct{}       `json:"InstanceProfileList"`
	RolePolicyList           []inlinePolicy   `json:"RolePolicyList"`
	AttachedManagedPolicies  []attachedPolicy `json:"AttachedManagedPolicies"`
	PermissionsBoundary      *boundary        `json:"PermissionsBoundary,omitempty"`
	Tags                     []iamTag         `json:"Tags"`
	RoleLastUsed             struct{}         `json:"RoleLastUsed"`
}

type gaadPolicy struct {
	PolicyName                    string          `json:"PolicyName"`
	PolicyID                      string          `json:"PolicyId,omitempty"`
	Arn                           string          `json:"Arn"`
	Path                          string          `json:"Path,omitempty"`
	DefaultVersionID              string          `json:"DefaultVersionId,omitempty"`
	AttachmentCount               int             `json:"AttachmentCount"`
	PermissionsBoundaryUsageCount int             `json:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool            `json:"IsAttachable"`
	CreateDate                    string          `json:"CreateDate,omitempty"`
	UpdateDate                    string          `json:"UpdateDate,omitempty"`
	PolicyVersionList             []policyVersion `json:"PolicyVersionList"`
}

type policyVersion struct {
	Document         json.RawMessage `json:"Document,omitempty"`
	VersionID        string          `json:"VersionId"`
	IsDefaultVersion bool            `json:"IsDefaultVersion"`
	CreateDate       string          `json:"CreateDate,omitempty"`
}

type inlinePolicy struct {
	PolicyName     string          `json:"PolicyName"`
	PolicyDocument json.RawMessage `json:"PolicyDocument,omitempty"`
}

type attachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

type boundary struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn"`
}

type iamTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func authorizationDetails(a *inventory.Account) gaad {
	out := gaad{UserDetailList: []gaadUser{}, GroupDetailList: []gaadGroup{}, RoleDetailList: []gaadRole{}, Policies: []gaadPolicy{}}
	for _, u := range a.Users {
		out.UserDetailList = append(out.UserDetailList, gaadUser{
			Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: u.ARN, CreateDate: cliTime(u.CreateDate),
			UserPolicyList: inlinePolicies(u.InlinePolicies), GroupList: orEmpty(u.Groups),
			AttachedManagedPolicies: attached(u.AttachedPolicies), PermissionsBoundary: boundaryOf(u.PermissionsBoundary),
			Tags: iamTags(u.Tags),
		})
	}
	for _, g := range a.Groups {
		out.GroupDetailList = append(out.GroupDetailList, gaadGroup{
			Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: g.ARN, CreateDate: cliTime(g.CreateDate),
			GroupPolicyList: inlinePolicies(g.InlinePolicies), AttachedManagedPolicies: attached(g.AttachedPolicies),
		})
	}
	for _, r := range a.Roles {
		out.RoleDetailList = append(out.RoleDetailList, gaadRole{
			Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: r.ARN, CreateDate: cliTime(r.CreateDate),
			AssumeRolePolicyDocument: raw(r.TrustPolicy), InstanceProfileList: []struct{}{},
			RolePolicyList: inlinePolicies(r.InlinePolicies), AttachedManagedPolicies: attached(r.AttachedPolicies),
			PermissionsBoundary: boundaryOf(r.PermissionsBoundary), Tags: iamTags(r.Tags),
		})
	}
	for _, p := range a.Policies {
		gp := gaadPolicy{
			PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersionID,
			AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
			IsAttachable: true, CreateDate: cliTime(p.CreateDate), UpdateDate: cliTime(p.UpdateDate),
			PolicyVersionList: []policyVersion{},
		}
		for _, v := range p.Versions {
			gp.PolicyVersionList = append(gp.PolicyVersionList, policyVersion{
				Document: raw(v.Document), VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersionID, CreateDate: cliTime(v.CreateDate),
			})
		}
		if len(p.Versions) == 0 && p.Document != nil {
			// The listing always holds the version in force.
			id := p.DefaultVersionID
			if id == "" {
				id = "v1"
				gp.DefaultVersionID = id
			}
			gp.PolicyVersionList = append(gp.PolicyVersionList, policyVersion{Document: raw(p.Document), VersionID: id, IsDefaultVersion: true})
		}
		out.Policies = append(out.Policies, gp)
	}
	return out
}

func inlinePolicies(ps []inventory.InlinePolicy) []inlinePolicy {
	out := []inlinePolicy{}
	for _, p := range ps {
		out = append(out, inlinePolicy{PolicyName: p.Name, PolicyDocument: raw(p.Document)})
	}
	return out
}

func attached(arns []string) []attachedPolicy {
	out := []attachedPolicy{}
	for _, arn := range arns {
		out = append(out, attachedPolicy{PolicyName: arn[strings.LastIndex(arn, "/")+1:], PolicyArn: arn})
	}
	return out
}

func boundaryOf(arn string) *boundary {
	if arn == "" {
		return nil
	}
	return &boundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn}
}

func iamTags(ts []inventory.Tag) []iamTag {
	out := []iamTag{}
	for _, t := range ts {
		out = append(out, iamTag(t))
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
