package collect

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkCollect collects an account of 200 keys from the fake, whose
// KMS calls each take 5 ms as a stand-in for a network round trip: the
// per-region pool, not the fake, sets the pace (read serially, the 1000
// per-key calls alone would take 5 s).
func BenchmarkCollect(b *testing.B) {
	f := newFakeAWSForBench(b)
	ids := make([]string, 200)
	for i := range ids {
		ids[i] = fmt.Sprintf("k%03d", i)
	}
	f.fakeKeys(fakeAccount, ids...)
	for op, h := range f.handlers {
		if op[:4] == "kms:" {
			f.handlers[op] = func(r fakeRequest) fakeResponse { time.Sleep(5 * time.Millisecond); return h(r) }
		}
	}
	var sum *Summary
	for b.Loop() {
		var err error
		_, sum, err = Collect(context.Background(), Options{EndpointURL: f.URL, Regions: []string{"us-east-1"}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(sum.TotalCalls()), "calls/op")
}
