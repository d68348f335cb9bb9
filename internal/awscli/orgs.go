package awscli

import (
	"strings"

	"github.com/keywarden/keywarden/internal/inventory"
)

// organization reads organizations/describe-organization.json and, for an
// account in an organization, the SCP and RCP chains of
// organizations/scps.json and rcps.json (shape in docs/awscli-export.md).
func (im *importer) organization() {
	f, v, fail := im.object(orgFile)
	if fail != nil {
		// DescribeOrganization answers this for an account in no
		// organization: no SCP or RCP applies.
		if fail.code != "AWSOrganizationsNotInUseException" {
			im.acct.OrganizationIncomplete = im.incomplete("organization", fail)
		}
		return
	}
	s := &shape{f: f}
	o := s.object(v, "Organization", "")
	if o == nil && len(s.errs) == 0 {
		s.errorf(v, "", "Organization is missing")
	}
	org := &inventory.Organization{}
	if o != nil {
		org.ID = s.required(o, "Id", "Organization")
		org.ManagementAccountID = s.str(o, "MasterAccountId", "Organization")
	}
	if f := s.first(); f != nil {
		im.acct.OrganizationIncomplete = im.incomplete("organization", f)
		im.shapeWarnings("organization", s.errs[1:])
		return
	}
	im.acct.Organization = org
	var levels []inventory.OrgLevel
	org.SCPs, org.SCPsIncomplete, levels = im.chain(scpFile, "SCPs", "SERVICE_CONTROL_POLICY")
	rcps, rcpsIncomplete, rlevels := im.chain(rcpFile, "RCPs", "RESOURCE_CONTROL_POLICY")
	org.RCPs, org.RCPsIncomplete = rcps, rcpsIncomplete
	if levels == nil {
		levels = rlevels
	}
	org.OUPath = ouPath(org.ID, levels)
}

// ouPath builds the aws:PrincipalOrgPaths form of the account's place,
// "o-id/r-root/ou-1/ou-2/", from the levels of a chain.
func ouPath(orgID string, levels []inventory.OrgLevel) string {
	if orgID == "" || len(levels) == 0 || !strings.HasPrefix(levels[0].TargetID, "r-") {
		return ""
	}
	var b strings.Builder
	b.WriteString(orgID + "/")
	for _, l := range levels {
		if strings.HasPrefix(l.TargetID, "r-") || strings.HasPrefix(l.TargetID, "ou-") {
			b.WriteString(l.TargetID + "/")
		}
	}
	return b.String()
}

// chain reads one policy chain file. It returns the levels kept, the mark
// when the chain could not be read in full, and the levels as read (for the
// OU path, also when a policy in them could not be read).
func (im *importer) chain(rel, what, typ string) ([]inventory.OrgLevel, *inventory.Incomplete, []inventory.OrgLevel) {
	f, v, fail := im.object(rel)
	if fail != nil {
		// The policy type is not enabled in the organization: no
		// policy of this type applies.
		if fail.code == "PolicyTypeNotEnabledException" {
			return nil, nil, nil
		}
		return nil, im.incomplete(what, fail), nil
	}
	s := &shape{f: f}
	objs, ps := s.objects(v, "Levels", "")
	if member(v, "Levels") == nil {
		s.errorf(v, "", "Levels is missing")
	}
	var levels []inventory.OrgLevel
	for i, o := range objs {
		l := inventory.OrgLevel{
			TargetID:   s.required(o, "TargetId", ps[i]),
			TargetName: s.str(o, "TargetName", ps[i]),
		}
		s.str(o, "TargetType", ps[i])
		pols, pps := s.objects(o, "Policies", ps[i])
		for j, po := range pols {
			// Each element is the unchanged output of
			// `aws organizations describe-policy`.
			pp := join(pps[j], "Policy")
			pv := s.object(po, "Policy", pps[j])
			if pv == nil {
				s.errorf(po, pps[j], "Policy is missing")
				continue
			}
			sum := s.object(pv, "PolicySummary", pp)
			var op inventory.OrgPolicy
			if sum == nil {
				s.errorf(pv, pp, "PolicySummary is missing")
			} else {
				sp := join(pp, "PolicySummary")
				op.ID = s.required(sum, "Id", sp)
				op.Name = s.str(sum, "Name", sp)
				op.ARN = s.str(sum, "Arn", sp)
				op.AWSManaged = s.boolean(sum, "AwsManaged", sp)
				if t := s.str(sum, "Type", sp); t != "" && t != typ {
					s.errorf(sum.Get("Type"), join(sp, "Type"), "a %s policy in the %s chain", t, what)
				}
			}
			if member(pv, "Content") == nil {
				s.errorf(pv, pp, "Content is missing")
			} else {
				op.Document = s.document(pv, "Content", pp)
			}
			if op.ID != "" {
				l.Policies = append(l.Policies, op)
			}
		}
		levels = append(levels, l)
	}
	acct := im.acct.ID
	if n := len(levels); n > 0 && levels[n-1].TargetID != acct && len(objs) > 0 {
		s.errorf(objs[n-1], ps[n-1], "the last level is %s, not the account %s", levels[n-1].TargetID, acct)
	}
	if f := s.first(); f != nil {
		im.shapeWarnings(what, s.errs[1:])
		return levels, im.incomplete(what, f), levels
	}
	return levels, nil, levels
}
