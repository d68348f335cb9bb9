package report

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keywarden/keywarden/internal/checks"
)

func TestSummary(t *testing.T) {
	tests := []struct {
		name string
		r    *Report
		want Summary
	}{
		{
			name: "empty",
			r:    &Report{},
			want: Summary{BySeverity: map[checks.Severity]Counts{}},
		},
		{
			name: "full",
			r:    testReport(),
			want: Summary{
				Checks: 7,
				Total:  Counts{Fail: 6, Unknown: 2, Pass: 2},
				BySeverity: map[checks.Severity]Counts{
					checks.Critical: {Fail: 1, Pass: 1},
					checks.High:     {Fail: 2, Unknown: 1, Pass: 1},
					checks.Medium:   {Fail: 1, Unknown: 1},
					checks.Low:      {Fail: 1},
					checks.Info:     {Fail: 1},
				},
				Suppressed:          2,
				ExpiredSuppressions: 1,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.r.Summary()); diff != "" {
				t.Errorf("Summary() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindingOrder(t *testing.T) {
	f := func(sev checks.Severity, check, resource, principal, policy string, stmt *checks.Statement) checks.Finding {
		return checks.Finding{Severity: sev, Check: check, Resource: resource, Principal: principal, Policy: policy, Statement: stmt}
	}
	// want is in the order the writers print.
	want := []checks.Finding{
		f(checks.Critical, "z-check", "r", "", "", nil),
		f(checks.High, "a-check", "r1", "", "", nil),
		f(checks.High, "a-check", "r2", "", "", nil),
		f(checks.High, "a-check", "r2", "p1", "", nil),
		f(checks.High, "a-check", "r2", "p1", "policy-a", nil),
		f(checks.High, "a-check", "r2", "p1", "policy-a", &checks.Statement{Index: 0, Sid: "B"}),
		f(checks.High, "a-check", "r2", "p1", "policy-a", &checks.Statement{Index: 1, Sid: "A"}),
		f(checks.High, "a-check", "r2", "p1", "policy-b", nil),
		f(checks.High, "b-check", "r0", "", "", nil),
		f(checks.Info, "a-check", "r0", "", "", nil),
	}
	for _, perm := range [][]int{{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, {4, 0, 8, 2, 6, 1, 9, 3, 7, 5}} {
		r := &Report{}
		for _, i := range perm {
			r.Findings = append(r.Findings, want[i])
		}
		got := r.sorted().Findings
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sorted order from permutation %v (-want +got):\n%s", perm, diff)
		}
	}
}

func TestSortedDefaults(t *testing.T) {
	r := (&Report{}).sorted()
	if r.Lang != checks.English || r.Tool.Name != "keywarden" || r.Tool.InformationURI == "" {
		t.Errorf("sorted() defaults = lang %q, tool %+v; want en and keywarden with its URI", r.Lang, r.Tool)
	}
	r = (&Report{Lang: checks.Japanese, Tool: Tool{Name: "kw", InformationURI: "https://example.com"}}).sorted()
	if r.Lang != checks.Japanese || r.Tool.Name != "kw" || r.Tool.InformationURI != "https://example.com" {
		t.Errorf("sorted() overrode the caller's values: lang %q, tool %+v", r.Lang, r.Tool)
	}
}

// TestCatalogue checks that every label is written in every language.
func TestCatalogue(t *testing.T) {
	langs := []checks.Lang{checks.English, checks.Japanese}
	if len(catalogue) != len(langs) {
		t.Errorf("catalogue has %d languages, want %d", len(catalogue), len(langs))
	}
	for _, lang := range langs {
		l, ok := catalogue[lang]
		if !ok {
			t.Errorf("catalogue has no %s", lang)
			continue
		}
		for _, empty := range emptyFields(reflect.ValueOf(*l), "") {
			t.Errorf("catalogue[%s].%s is empty", lang, empty)
		}
	}
	// The check can fail.
	if got := emptyFields(reflect.ValueOf(labels{Summary: "x"}), ""); !slices.Contains(got, "Findings") {
		t.Errorf("emptyFields missed the empty Findings: %v", got)
	}
}

func emptyFields(v reflect.Value, name string) []string {
	var out []string
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			out = append(out, emptyFields(v.Field(i), v.Type().Field(i).Name)...)
		}
	case reflect.Array:
		for i := range v.Len() {
			out = append(out, emptyFields(v.Index(i), name+"["+string(rune('0'+i))+"]")...)
		}
	case reflect.String:
		if v.String() == "" {
			out = append(out, name)
		}
	}
	return out
}

func TestFormatExpiry(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"2027-03-31T00:00:00Z", "2027-03-31"},
		{"2027-03-31T09:00:00+09:00", "2027-03-31"},
		{"2027-03-31T12:30:00Z", "2027-03-31T12:30:00Z"},
	}
	for _, tt := range tests {
		in, err := time.Parse(time.RFC3339, tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := formatExpiry(in); got != tt.want {
			t.Errorf("formatExpiry(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
