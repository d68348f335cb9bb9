package awscli

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/keywarden/keywarden/internal/safefile"
)

// The files of an export, relative to its root (docs/awscli-export.md).
const (
	gaadFile       = "account-authorization-details.json"
	callerFile     = "sts-get-caller-identity.json"
	orgFile        = "organizations/describe-organization.json"
	scpFile        = "organizations/scps.json"
	rcpFile        = "organizations/rcps.json"
	listAliases    = "list-aliases.json"
	listKeys       = "list-keys.json"
	describeKey    = "describe-key.json"
	getKeyPolicy   = "get-key-policy.json"
	listGrants     = "list-grants.json"
	rotationStatus = "get-key-rotation-status.json"
	listTags       = "list-resource-tags.json"
	listBuckets    = "s3/list-buckets.json"
	bucketLocation = "get-bucket-location.json"
	bucketEncrypt  = "get-bucket-encryption.json"
	bucketPolicy   = "get-bucket-policy.json"
)

// Options are the settings of an import.
type Options struct {
	// ToolVersion is recorded in the snapshot's metadata.
	ToolVersion string
	// GeneratedAt is recorded as the snapshot's time; zero means now.
	GeneratedAt time.Time
}

// A Warning is a problem of the export that did not stop the import: an
// item it made incomplete, an entry it could not read, a policy that does
// not parse. Location names the file and, when known, the line and the
// JSON path.
type Warning struct {
	inventory.Location
	Msg string
}

// String returns "file:line:col: path: message".
func (w Warning) String() string {
	if loc := w.Location.String(); loc != "" {
		return loc + ": " + w.Msg
	}
	return w.Msg
}

// Import reads the export in dir into a snapshot of one account. It
// returns the snapshot (normalized) with every warning, sorted by file and
// position. The error is reserved for what makes an import pointless: dir
// does not exist, or the IAM authorization details are missing or cannot
// be read; an error located in a file is a policy.Errors.
//
// Every file is read as package safefile reads an input directory: only
// regular files inside dir, reached without a symbolic link, each within
// the cap of its kind. A file refused makes its item incomplete like a
// file that is missing, with the reason; a refused IAM listing, or a kms
// directory that cannot be listed, stops the import.
func Import(dir string, opts Options) (*inventory.Snapshot, []Warning, error) {
	d, err := safefile.OpenDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("export directory %w", err)
	}
	defer d.Close()
	return importDir(d, filepath.ToSlash(dir), opts)
}

// importer holds the state of one import.
type importer struct {
	dir       *safefile.Dir
	root      string // shown before every file name
	warnings  []Warning
	acct      *inventory.Account
	partition string
}

// importFS imports the export held by fsys, with the checks of Import.
func importFS(fsys fs.FS, root string, opts Options) (*inventory.Snapshot, []Warning, error) {
	return importDir(safefile.NewDir(fsys), root, opts)
}

func importDir(dir *safefile.Dir, root string, opts Options) (*inventory.Snapshot, []Warning, error) {
	im := &importer{dir: dir, root: root, acct: &inventory.Account{}, partition: "aws"}
	g, err := im.gaad()
	if err != nil {
		return nil, nil, err
	}
	im.acct.ID = im.accountID(g)
	if im.acct.ID == "" {
		return nil, nil, fmt.Errorf("%s: cannot tell the account ID: neither %s nor an ARN of the export names it", im.root, callerFile)
	}
	im.checkAccount(g)
	im.organization()
	if err := im.kms(); err != nil {
		return nil, nil, err
	}
	im.s3()

	at := opts.GeneratedAt
	if at.IsZero() {
		at = time.Now().UTC().Truncate(time.Second)
	}
	s := &inventory.Snapshot{
		Metadata: inventory.Metadata{GeneratedAt: at, Source: inventory.SourceAWSCLI, ToolVersion: opts.ToolVersion},
		Accounts: []*inventory.Account{im.acct},
	}
	s.Normalize()
	im.lint(s)
	slices.SortStableFunc(im.warnings, func(a, b Warning) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Path, b.Path), cmp.Compare(a.Msg, b.Msg))
	})
	return s, im.warnings, nil
}

func (im *importer) warn(at inventory.Location, format string, args ...any) {
	im.warnings = append(im.warnings, Warning{Location: at, Msg: fmt.Sprintf(format, args...)})
}

// incomplete records that item could not be read: a warning at the place
// of the failure, and the mark to put beside the item.
func (im *importer) incomplete(item string, f *failure) *inventory.Incomplete {
	// The mark's reason names the JSON path, since its source is only
	// file:line:col; the warning has the path already.
	im.warn(f.at, "%s: not read: %s", item, strings.TrimPrefix(f.Reason, f.at.Path+": "))
	in := f.Incomplete
	return &in
}

// shapeWarnings turns every shape error into a warning about item.
func (im *importer) shapeWarnings(item string, errs []*failure) {
	for _, f := range errs {
		im.warn(f.at, "%s: %s", item, strings.TrimPrefix(f.Reason, f.at.Path+": "))
	}
}

// accountID finds the account: from sts get-caller-identity, else from
// the ARNs of the IAM listing, else from the keys' metadata.
func (im *importer) accountID(g *gaadResult) string {
	if f, fail := im.read(callerFile); fail == nil {
		if v, fail := f.single(); fail == nil {
			s := &shape{f: f}
			id := s.str(v, "Account", "")
			if arn := s.str(v, "Arn", ""); arn != "" {
				if p := arnField(arn, 1); p != "" {
					im.partition = p
				}
			}
			im.shapeWarnings("caller identity", s.errs)
			if validAccount(id) {
				return id
			}
			if id != "" {
				im.warn(f.loc(v.Get("Account"), "Account"), "caller identity: %q is not an account ID", id)
			}
		} else {
			im.warn(fail.at, "caller identity: %s", fail.Reason)
		}
	} else if !fail.missing {
		im.warn(fail.at, "caller identity: not read: %s", fail.Reason)
	}
	if g.firstARN != "" {
		im.partition = arnField(g.firstARN, 1)
		return arnField(g.firstARN, 4)
	}
	return im.keyAccount()
}

// checkAccount warns about IAM entities of another account: an export
// whose parts come from different accounts.
func (im *importer) checkAccount(g *gaadResult) {
	for _, e := range g.foreign(im.acct.ID) {
		im.warn(e.at, "%s belongs to account %s, not %s", e.what, arnField(e.arn, 4), im.acct.ID)
	}
}

func validAccount(id string) bool {
	if len(id) != 12 {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// arnField returns field i of an ARN (1 partition, 2 service, 3 region,
// 4 account, 5 resource), or "".
func arnField(arn string, i int) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return ""
	}
	return f[i]
}

// lint parses every policy in force and warns about those that do not
// parse, at their place in the export. The snapshot keeps them: the error
// comes back, with the same location, wherever they are used.
func (im *importer) lint(s *inventory.Snapshot) {
	report := func(err error) {
		var pe policy.Errors
		if errors.As(err, &pe) {
			for _, e := range pe {
				im.warn(inventory.Location{File: e.Source, Path: e.Path, Line: e.Line, Col: e.Col}, "%s", e.Msg)
			}
		}
	}
	for _, a := range s.Accounts {
		for _, u := range a.Users {
			_, err := u.ParseInlinePolicies()
			report(err)
		}
		for _, g := range a.Groups {
			_, err := g.ParseInlinePolicies()
			report(err)
		}
		for _, r := range a.Roles {
			_, err := r.ParseInlinePolicies()
			report(err)
			if r.TrustPolicy != nil {
				_, err := r.ParseTrustPolicy()
				report(err)
			}
		}
		for _, p := range a.Policies {
			if p.Document != nil {
				_, err := p.ParseDocument()
				report(err)
			}
		}
		if o := a.Organization; o != nil {
			_, err := o.ParseSCPs()
			report(err)
			_, err = o.ParseRCPs()
			report(err)
		}
		for _, k := range a.Keys {
			if k.Policy != nil {
				_, err := k.ParsePolicy()
				report(err)
			}
		}
		for _, b := range a.Buckets {
			_, err := b.ParsePolicy()
			report(err)
		}
	}
}
