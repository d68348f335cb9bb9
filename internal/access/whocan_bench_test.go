package access

import (
	"sync"
	"testing"

	"github.com/keywarden/keywarden/internal/accountgen"
	"github.com/keywarden/keywarden/internal/inventory"
)

// The generated account of issue 9's largest size, made once.
var (
	largeOnce sync.Once
	largeSnap *inventory.Snapshot
	largeErr  error
)

func largeAccount(b *testing.B) *inventory.Snapshot {
	largeOnce.Do(func() {
		largeSnap, largeErr = accountgen.Generate(accountgen.Options{Principals: 20004, Keys: 2000, Seed: 1})
	})
	if largeErr != nil {
		b.Fatal(largeErr)
	}
	return largeSnap
}

// BenchmarkWhoCanLarge is issue 9's who-can target: one key's answer over
// 20,004 principals (2,000 keys), on an index already built, as a scan or
// a long-lived process asks it. "first" is a key asked of a fresh index
// (its coverage's partitions are built on the way); "next" a key of a
// coverage an earlier key built. Index is building the index itself, the
// part of the command that reading the input pays once.
//
//	go test ./internal/access -run '^$' -bench WhoCanLarge -benchtime 5x
func BenchmarkWhoCanLarge(b *testing.B) {
	snap := largeAccount(b)
	// The keys that delegate to the account reach the most principals.
	delegating := func(ix *Index) []*Key {
		var out []*Key
		for _, k := range ix.Keys() {
			if k.facts.accounts[k.Inv.Account] && k.Inv.Metadata != nil && k.Inv.Metadata.Manager == "CUSTOMER" {
				out = append(out, k)
			}
		}
		return out
	}
	b.Run("index", func(b *testing.B) {
		for range b.N {
			if _, err := New(snap); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first", func(b *testing.B) {
		entries := 0
		for range b.N {
			b.StopTimer()
			ix, err := New(snap)
			if err != nil {
				b.Fatal(err)
			}
			k := delegating(ix)[0]
			b.StartTimer()
			res, err := ix.Access(k).WhoCan("kms:Decrypt")
			if err != nil {
				b.Fatal(err)
			}
			entries = len(res.Entries)
		}
		b.ReportMetric(float64(entries), "entries")
	})
	b.Run("next", func(b *testing.B) {
		ix, err := New(snap)
		if err != nil {
			b.Fatal(err)
		}
		keys := delegating(ix)
		if _, err := ix.Access(keys[0]).WhoCan("kms:Decrypt"); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := range b.N {
			if _, err := ix.Access(keys[1+i%(len(keys)-1)]).WhoCan("kms:Decrypt"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
