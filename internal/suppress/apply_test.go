package suppress

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/checks"
	"github.com/keywarden/keywarden/internal/report"
)

func TestApply(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	const (
		keyA = "arn:aws:kms:ap-northeast-1:111122223333:key/aaaa"
		keyB = "arn:aws:kms:ap-northeast-1:111122223333:key/bbbb"
		role = "arn:aws:iam::111122223333:role/app"
	)
	fail := func(check, res string) checks.Finding {
		return checks.Finding{Check: check, Status: checks.Fail, Resource: res}
	}
	unknown := func(check, res string) checks.Finding {
		return checks.Finding{Check: check, Status: checks.Unknown, Resource: res}
	}
	pass := func(check, res string) checks.Finding {
		return checks.Finding{Check: check, Status: checks.Pass, Resource: res}
	}
	sup := func(check, res, reason string, expires time.Time) Suppression {
		return Suppression{Check: check, Resource: res, Reason: reason, Expires: expires}
	}
	rep := func(s Suppression) report.Suppression { return s.Report() }

	rotation := sup("key-rotation-disabled", "arn:aws:kms:*:111122223333:key/*", "rotated by hand", time.Time{})
	anyOnA := sup("*", keyA, "key A is a test key", now.Add(24*time.Hour))
	expired := sup("key-public", keyB, "was temporary", now) // expires exactly now: no longer applies
	unused := sup("grant-broad", "arn:aws:kms:*:999999999999:key/*", "other account", time.Time{})

	tests := []struct {
		name     string
		file     *File
		findings []checks.Finding
		want     Result
	}{
		{
			name:     "no file keeps everything",
			file:     nil,
			findings: []checks.Finding{fail("key-public", keyA), pass("key-public", keyB)},
			want:     Result{Findings: []checks.Finding{fail("key-public", keyA), pass("key-public", keyB)}},
		},
		{
			name: "check and resource pattern must both match",
			file: &File{Suppressions: []Suppression{rotation}},
			findings: []checks.Finding{
				fail("key-rotation-disabled", keyA),
				fail("key-public", keyA),
				fail("key-rotation-disabled", "arn:aws:kms:ap-northeast-1:444455556666:key/cccc"),
			},
			want: Result{
				Findings: []checks.Finding{
					fail("key-public", keyA),
					fail("key-rotation-disabled", "arn:aws:kms:ap-northeast-1:444455556666:key/cccc"),
				},
				Suppressed: []report.SuppressedFinding{{Finding: fail("key-rotation-disabled", keyA), Suppression: rep(rotation)}},
			},
		},
		{
			name:     "unknown findings can be accepted, passed ones are left alone",
			file:     &File{Suppressions: []Suppression{anyOnA}},
			findings: []checks.Finding{unknown("key-public", keyA), pass("grant-broad", keyA), fail("grant-broad", keyB)},
			want: Result{
				Findings:   []checks.Finding{pass("grant-broad", keyA), fail("grant-broad", keyB)},
				Suppressed: []report.SuppressedFinding{{Finding: unknown("key-public", keyA), Suppression: rep(anyOnA)}},
			},
		},
		{
			name:     "the first suppression of the file that matches is the one reported",
			file:     &File{Suppressions: []Suppression{anyOnA, rotation}},
			findings: []checks.Finding{fail("key-rotation-disabled", keyA)},
			want: Result{
				Suppressed: []report.SuppressedFinding{{Finding: fail("key-rotation-disabled", keyA), Suppression: rep(anyOnA)}},
				Unused:     []Suppression{rotation},
			},
		},
		{
			name:     "an expired suppression accepts nothing and is reported",
			file:     &File{Suppressions: []Suppression{expired}},
			findings: []checks.Finding{fail("key-public", keyB)},
			want: Result{
				Findings: []checks.Finding{fail("key-public", keyB)},
				Expired:  []report.Suppression{rep(expired)},
			},
		},
		{
			name:     "a suppression that matches nothing is unused",
			file:     &File{Suppressions: []Suppression{unused, rotation}},
			findings: []checks.Finding{fail("grant-broad", keyA), pass("key-rotation-disabled", keyA)},
			want: Result{
				Findings: []checks.Finding{fail("grant-broad", keyA), pass("key-rotation-disabled", keyA)},
				Unused:   []Suppression{unused, rotation},
			},
		},
		{
			name:     "IAM findings are matched by their ARN too",
			file:     &File{Suppressions: []Suppression{sup("iam-inline-policy-decrypt-all-keys", "arn:aws:iam::111122223333:role/*", "r", time.Time{})}},
			findings: []checks.Finding{fail("iam-inline-policy-decrypt-all-keys", role)},
			want: Result{
				Suppressed: []report.SuppressedFinding{{
					Finding:     fail("iam-inline-policy-decrypt-all-keys", role),
					Suppression: report.Suppression{Check: "iam-inline-policy-decrypt-all-keys", Resource: "arn:aws:iam::111122223333:role/*", Reason: "r"},
				}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Apply(tt.file, tt.findings, now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Apply (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpired(t *testing.T) {
	t.Parallel()
	day := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		expires time.Time
		now     time.Time
		want    bool
	}{
		{"never", time.Time{}, day.AddDate(100, 0, 0), false},
		{"the day before", day, day.Add(-time.Second), false},
		{"from 00:00 UTC on the date", day, day, true},
		{"after", day, day.AddDate(0, 0, 1), true},
		{"an instant in another zone", day, day.In(time.FixedZone("JST", 9*3600)), true},
	}
	for _, tt := range tests {
		s := Suppression{Expires: tt.expires}
		if got := s.Expired(tt.now); got != tt.want {
			t.Errorf("%s: Expired(%v) with expires %v = %v, want %v", tt.name, tt.now, tt.expires, got, tt.want)
		}
	}
}
