package collect

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keywarden/keywarden/internal/inventory"
)

func TestProgressWriter(t *testing.T) {
	var b strings.Builder
	p := NewProgressWriter(&b)
	p.interval = 0
	events := []Progress{
		{Account: "111122223333", Service: "iam"},
		{Account: "111122223333", Service: "kms", Region: "us-east-1", Total: 4},
		{Account: "111122223333", Service: "kms", Region: "eu-west-1", Total: 2},
		{Account: "111122223333", Service: "kms", Region: "us-east-1", Done: 4, Total: 4, Finished: true},
		{Account: "111122223333", Service: "s3", Done: 1, Total: 3},
		{Account: "111122223333", Service: "iam", Done: 12, Total: 12, Finished: true},
	}
	for _, ev := range events {
		p.Report(ev)
	}
	p.Done()
	lines := strings.Split(b.String(), "\r\x1b[K")
	want := "collecting 111122223333: iam 1/1 accounts (12 entities), kms 1/2 regions 4/6 keys, s3 1/3 buckets\n"
	if got := lines[len(lines)-1]; got != want {
		t.Errorf("last line = %q, want %q", got, want)
	}
	if len(lines) != len(events)+2 { // "" before the first, and Done's
		t.Errorf("%d lines drawn, want %d", len(lines)-1, len(events)+1)
	}

	var quiet strings.Builder
	NewProgressWriter(&quiet).Done()
	if quiet.Len() != 0 {
		t.Errorf("Done with no report wrote %q", quiet.String())
	}
}

func TestSummaryWriteText(t *testing.T) {
	tests := []struct {
		name string
		sum  Summary
		want string
	}{{
		name: "complete",
		sum: Summary{Accounts: []string{"111122223333"}, Duration: 1234 * time.Millisecond,
			Calls: []CallCount{{Service: "kms", Operation: "ListKeys", Calls: 2, Attempts: 3}}},
		want: "collected 1 account (111122223333) in 1.2s: 2 calls, 3 HTTP requests; 0 items not read\n",
	}, {
		name: "gaps and notes",
		sum: Summary{Accounts: []string{"111122223333", "444455556666"}, Duration: time.Second,
			NotRead: []*inventory.Gap{{Item: "key policy of arn:aws:kms:us-east-1:111122223333:key/k", Incomplete: inventory.Incomplete{Reason: "AccessDeniedException: no", Source: "kms:GetKeyPolicy"}}},
			Notes:   []string{"account 444455556666: regions guessed"}},
		want: "collected 2 accounts (111122223333, 444455556666) in 1s: 0 calls, 0 HTTP requests; 1 item not read\n" +
			"not read: key policy of arn:aws:kms:us-east-1:111122223333:key/k: not read: AccessDeniedException: no (kms:GetKeyPolicy)\n" +
			"note: account 444455556666: regions guessed\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := tt.sum.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("WriteText (-want +got):\n%s", diff)
			}
		})
	}
}
