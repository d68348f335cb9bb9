package suppress

import (
	"time"

	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/report"
)

// Matches reports whether the suppression names the finding's check and
// its pattern matches the finding's resource. Expiry is not considered.
func (s *Suppression) Matches(f *checks.Finding) bool {
	return (s.Check == AnyCheck || s.Check == f.Check) && match(s.Resource, f.Resource)
}

// Report converts the suppression to the form reports show.
func (s *Suppression) Report() report.Suppression {
	return report.Suppression{Check: s.Check, Resource: s.Resource, Reason: s.Reason, Expires: s.Expires}
}

// A Result is what a suppression file does to a scan's findings.
type Result struct {
	// Findings are the findings no suppression accepted, in their input
	// order. Passed findings are always here: there is nothing to accept.
	Findings []checks.Finding
	// Suppressed are the failed and undecided findings a suppression
	// accepted, each with the first suppression of the file that did.
	Suppressed []report.SuppressedFinding
	// Expired are the suppressions whose date has passed, in file order.
	// They accept nothing; the findings they would match are in Findings.
	Expired []report.Suppression
	// Unused are the suppressions in force that matched no finding, in
	// file order: candidates for removal, or a misspelt resource.
	Unused []Suppression
}

// Apply decides which findings the file accepts at time now. A nil file
// accepts nothing.
func Apply(f *File, findings []checks.Finding, now time.Time) Result {
	var res Result
	var active []*Suppression
	used := map[*Suppression]bool{}
	if f != nil {
		for i := range f.Suppressions {
			s := &f.Suppressions[i]
			if s.Expired(now) {
				res.Expired = append(res.Expired, s.Report())
				continue
			}
			active = append(active, s)
		}
	}
	for _, fd := range findings {
		var by *Suppression
		if fd.Status != checks.Pass {
			for _, s := range active {
				if s.Matches(&fd) {
					by = s
					break
				}
			}
		}
		if by == nil {
			res.Findings = append(res.Findings, fd)
			continue
		}
		used[by] = true
		res.Suppressed = append(res.Suppressed, report.SuppressedFinding{Finding: fd, Suppression: by.Report()})
	}
	for _, s := range active {
		if !used[s] {
			res.Unused = append(res.Unused, *s)
		}
	}
	return res
}

// match reports whether name matches the glob pattern: "*" matches any
// run of characters, "?" any one character, and every other character
// itself. It runs in O(len(pattern)·len(name)) at worst: on a mismatch it
// only moves the last "*" on, which is enough because an earlier "*" can
// never need to take more once a later one has matched.
func match(pattern, name string) bool {
	p, n := []rune(pattern), []rune(name)
	pi, ni := 0, 0
	star, starN := -1, 0
	for ni < len(n) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, starN = pi, ni
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == n[ni]):
			pi++
			ni++
		case star >= 0:
			starN++
			pi, ni = star+1, starN
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
