package cli

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/keywarden/keywarden/internal/awscli"
	"github.com/keywarden/keywarden/internal/escape"
	"github.com/keywarden/keywarden/internal/iac/cloudformation"
	"github.com/keywarden/keywarden/internal/iac/terraform"
	"github.com/keywarden/keywarden/internal/inventory"
	"github.com/keywarden/keywarden/internal/report"
	"github.com/spf13/cobra"
)

// iacFlags read an account as a Terraform plan or CloudFormation templates
// will leave it: the planned change alone, or laid over a base (a snapshot
// or an AWS CLI export). docs/iac.md describes them.
type iacFlags struct {
	Plan       string
	Templates  []string
	Base       string
	TFDir      string
	Account    string
	Parameters []string
}

func (f *iacFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.Plan, "plan", "", "read a Terraform plan (terraform show -json PLANFILE > plan.json)")
	fl.StringArrayVar(&f.Templates, "template", nil, "read a CloudFormation template, or a directory of templates (repeatable)")
	fl.StringVar(&f.Base, "base", "", "with --plan or --template: the account as it is, a snapshot file or an AWS CLI export directory, that the change is laid over")
	fl.StringVar(&f.TFDir, "tf-dir", "", "with --plan: the directory of the .tf files, for file and line and to rebuild values known after apply")
	fl.StringVar(&f.Account, "account", "", "with --plan or --template: the account ID the change is for (default: from the plan or the base)")
	fl.StringArrayVar(&f.Parameters, "parameter", nil, "with --template: a template parameter KEY=VALUE (repeatable)")
	// --region is the live collection's; with IaC input it names the
	// region the change is deployed to.
	if r := fl.Lookup("region"); r != nil {
		r.Usage += "; with --plan or --template, the one region the change is deployed to"
	}
}

// active reports whether the account is read from IaC input.
func (f *iacFlags) active() bool { return f.Plan != "" || len(f.Templates) > 0 }

var accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// check reports bad combinations of the IaC flags and the others.
func (f *accountFlags) checkIaC() error {
	i := &f.iac
	switch {
	case i.Plan != "" && len(i.Templates) > 0:
		return errors.New("--plan and --template exclude each other")
	case i.active() && (f.Input != "" || f.Snapshot != ""):
		return errors.New("--input and --snapshot read the account as it is; with --plan or --template, give it as --base")
	case !i.active() && i.Base != "":
		return errors.New("--base goes with --plan or --template")
	case !i.active() && i.Account != "":
		return errors.New("--account goes with --plan or --template")
	case i.TFDir != "" && i.Plan == "":
		return errors.New("--tf-dir goes with --plan")
	case len(i.Parameters) > 0 && len(i.Templates) == 0:
		return errors.New("--parameter goes with --template")
	case i.Account != "" && !accountIDRE.MatchString(i.Account):
		return fmt.Errorf("--account %q is not a 12-digit account ID", i.Account)
	case i.active() && len(f.live.Regions) > 1:
		return errors.New("--region takes one region with --plan or --template: the region the change is deployed to")
	}
	for _, p := range i.Parameters {
		if k, _, ok := strings.Cut(p, "="); !ok || k == "" {
			return fmt.Errorf("--parameter %q: want KEY=VALUE", p)
		}
	}
	return nil
}

// loadIaC reads the planned change and lays it over the base.
func (f *accountFlags) loadIaC(s streams) (*inventory.Snapshot, string, error) {
	base, err := f.readBase(s)
	if err != nil {
		return nil, "", err
	}
	return f.applyIaC(s, base)
}

// readBase reads --base, nil without one.
func (f *accountFlags) readBase(s streams) (*inventory.Snapshot, error) {
	i := &f.iac
	if i.Base == "" {
		return nil, nil
	}
	info, err := os.Stat(i.Base)
	switch {
	case err != nil:
		return nil, &InputError{Err: fmt.Errorf("--base: %w", err)}
	case info.IsDir():
		snap, warnings, err := awscli.Import(i.Base, awscli.Options{ToolVersion: Version()})
		if err != nil {
			return nil, &InputError{Err: err}
		}
		for _, w := range warnings {
			fmt.Fprintf(s.Err, "keywarden: warning: %s\n", escape.Text(w.String()))
		}
		return snap, nil
	}
	snap, err := inventory.Load(i.Base)
	if err != nil {
		return nil, &InputError{Err: err}
	}
	return snap, nil
}

// applyIaC reads the plan or the templates and lays the change over base
// (nil: an account that holds nothing else); base is not modified.
func (f *accountFlags) applyIaC(s streams, base *inventory.Snapshot) (*inventory.Snapshot, string, error) {
	i := &f.iac
	baseAccount, baseRegion := "", ""
	if base != nil && len(base.Accounts) == 1 {
		a := base.Accounts[0]
		baseAccount = a.ID
		if len(a.KMSRegions) == 1 {
			baseRegion = a.KMSRegions[0].Name
		}
	}
	region := ""
	if len(f.live.Regions) == 1 {
		region = f.live.Regions[0]
	}
	var (
		change   *inventory.Change
		warnings []string
		err      error
		src      string
	)
	if i.Plan != "" {
		src = i.Plan
		if region == "" {
			region = baseRegion
		}
		change, warnings, err = terraform.Read(i.Plan, terraform.Options{
			Account: i.Account, DefaultAccount: baseAccount, Region: region, SourceDir: i.TFDir,
		})
	} else {
		src = strings.Join(i.Templates, ", ")
		account := i.Account
		if account == "" {
			account = baseAccount
		}
		if region == "" {
			region = baseRegion
		}
		params := map[string]string{}
		for _, p := range i.Parameters {
			k, v, _ := strings.Cut(p, "=")
			params[k] = v
		}
		change, warnings, err = cloudformation.Read(i.Templates, cloudformation.Options{Account: account, Region: region, Parameters: params})
	}
	if err != nil {
		return nil, "", &InputError{Err: err}
	}
	snap, applied, err := inventory.Apply(base, change)
	if err != nil {
		return nil, "", &InputError{Err: fmt.Errorf("--base %s: %w", i.Base, err)}
	}
	for _, w := range append(warnings, applied...) {
		fmt.Fprintf(s.Err, "keywarden: warning: %s\n", escape.Text(w))
	}
	snap.Metadata.ToolVersion = Version()
	return snap, src, nil
}

// iacInput describes the IaC input for reports.
func (f *accountFlags) iacInput() (report.Input, bool) {
	i := &f.iac
	var d, path string
	switch {
	case i.Plan != "":
		d, path = "--plan "+i.Plan, i.Plan
		if i.TFDir != "" {
			path = i.TFDir
		}
	case len(i.Templates) > 0:
		d, path = "--template "+strings.Join(i.Templates, " --template "), i.Templates[0]
	default:
		return report.Input{}, false
	}
	if i.Base != "" {
		d += " --base " + i.Base
	}
	return report.Input{Description: d, Path: path}, true
}
