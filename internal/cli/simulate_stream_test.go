package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/scenario"
)

// streamScenario is a small valid scenario; %d names it apart, %s is its
// expectation ("Allow" holds, "ExplicitDeny" fails).
const streamScenario = `{"name":"s%d","request":{"principal":"arn:aws:iam::111122223333:role/app","action":"kms:Decrypt","resource":"arn:aws:kms:us-east-1:111122223333:key/k1"},"keyPolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"kms:Decrypt","Resource":"*"}]},"expect":"%s"}`

// streamBatch returns n scenarios on n lines; bad lines are invalid (an
// unknown field) and every seventh one fails its expectation.
func streamBatch(n int, bad ...int) string {
	var b strings.Builder
	for i := range n {
		expect := "Allow"
		if i%7 == 6 {
			expect = "ExplicitDeny"
		}
		line := fmt.Sprintf(streamScenario, i, expect)
		for _, x := range bad {
			if x == i {
				line = `{"name":"bad","oops":1}`
			}
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func records(data string) iter.Seq2[scenario.Record, error] {
	return scenario.ReadRecords("b.jsonl", strings.NewReader(data))
}

func TestDecideAllKeepsOrder(t *testing.T) {
	const n = 1000
	for _, workers := range []int{1, 2, 7} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			var out bytes.Buffer
			got, err := decideAll(context.Background(), records(streamBatch(n)), verdictFormat{json: true}, &out, workers)
			if err != nil {
				t.Fatal(err)
			}
			fails := n / 7
			if want := (tally{n: counts{passed: n - fails, failed: fails}, decided: n}); !cmp.Equal(want, got, cmp.AllowUnexported(tally{})) {
				t.Errorf("tally = %+v, want %+v", got, want)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != n {
				t.Fatalf("%d lines of output, want %d", len(lines), n)
			}
			for i, l := range lines {
				if want := fmt.Sprintf(`"name":"s%d","source":"b.jsonl:%d"`, i, i+1); !strings.Contains(l, want) {
					t.Fatalf("line %d is %.80s, want %s", i+1, l, want)
				}
			}
		})
	}
}

func TestDecideAllReportsEveryError(t *testing.T) {
	bad := []int{3, 400, 401, 998}
	got, err := decideAll(context.Background(), records(streamBatch(1000, bad...)), verdictFormat{}, &bytes.Buffer{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range got.errs {
		lines = append(lines, fmt.Sprintf("%s:%d %s", e.Source, e.Line, e.Path))
	}
	// Each bad line lacks "request" (at its start) and has "oops".
	want := []string{"b.jsonl:4 ", "b.jsonl:4 oops", "b.jsonl:401 ", "b.jsonl:401 oops", "b.jsonl:402 ", "b.jsonl:402 oops", "b.jsonl:999 ", "b.jsonl:999 oops"}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestDecideAllStops(t *testing.T) {
	t.Run("read error", func(t *testing.T) {
		seq := func(yield func(scenario.Record, error) bool) {
			for rec, err := range records(streamBatch(100)) {
				if !yield(rec, err) {
					return
				}
			}
			yield(scenario.Record{}, errors.New("read b.jsonl: disk on fire"))
		}
		_, err := decideAll(context.Background(), seq, verdictFormat{}, &bytes.Buffer{}, 2)
		var ie *InputError
		if !errors.As(err, &ie) || err.Error() != "read b.jsonl: disk on fire" {
			t.Errorf("decideAll error = %v (%T), want the read error as an InputError", err, err)
		}
	})
	t.Run("write error", func(t *testing.T) {
		_, err := decideAll(context.Background(), records(streamBatch(5000)), verdictFormat{}, &failingWriter{after: 10}, 2)
		if err == nil || err.Error() != "write results: pipe closed" {
			t.Errorf("decideAll error = %v, want the write error", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := decideAll(ctx, records(streamBatch(5000)), verdictFormat{}, &bytes.Buffer{}, 2)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("decideAll error = %v, want context.Canceled", err)
		}
	})
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after == 0 {
		return 0, errors.New("pipe closed")
	}
	w.after--
	return len(p), nil
}

func TestSimulateStdinErrors(t *testing.T) {
	// An invalid scenario anywhere means exit status 2, nothing on
	// standard output, and every error on standard error, the first
	// maxInputErrors of them printed.
	bad := make([]int, 0, maxInputErrors+5)
	for i := range cap(bad) {
		bad = append(bad, 10+20*i)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"simulate", "--format", "json", "-"}, strings.NewReader(streamBatch(2000, bad...)), &stdout, &stderr)
	if code != ExitError || stdout.Len() > 0 {
		t.Fatalf("simulate = %d with %d bytes on stdout, want %d and none", code, stdout.Len(), ExitError)
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	// Two errors per bad line.
	if want := fmt.Sprintf("keywarden: %d more errors not shown", 2*len(bad)-maxInputErrors); len(lines) != maxInputErrors+1 || lines[maxInputErrors] != want {
		t.Fatalf("stderr has %d lines ending %q, want %d ending %q", len(lines), lines[len(lines)-1], maxInputErrors+1, want)
	}
	for i, want := range []string{`<stdin>:11:1: missing field "request"`, `<stdin>:11:15: oops: unknown field "oops"`, `<stdin>:31:1: missing field "request"`} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("error %d is %q, want %s...", i, lines[i], want)
		}
	}
}
