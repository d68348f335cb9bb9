package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/accountgen"
)

// benchSizesEnv names the sizes BenchmarkScale runs besides "small":
// "medium", "large", or PRINCIPALSxKEYS ("1004x100"), comma-separated.
// The larger sizes are not run by default: before issue 9, "large" does
// not finish.
const benchSizesEnv = "KEYWARDEN_BENCH_SIZES"

type scaleSize struct {
	name             string
	principals, keys int
}

// The sizes of issue 9.
var scaleSizes = []scaleSize{
	{"small", 204, 20},
	{"medium", 2004, 200},
	{"large", 20004, 2000},
}

// BenchmarkScale runs scan, who-can and access (the matrix) in-process
// through Main, on generated accounts (package accountgen, seed 1) read
// from a snapshot file written once per size; output is thrown away.
// Besides time and allocations, it reports peak-heap-MB: the largest heap
// seen (sampled every 5 ms) while the command ran. The whole process's
// peak is what `/usr/bin/time -v keywarden scan --snapshot FILE` reports
// as "Maximum resident set size".
//
//	go test ./internal/cli -run '^$' -bench Scale
//	KEYWARDEN_BENCH_SIZES=medium,large go test ./internal/cli -run '^$' -bench Scale -benchtime 1x -timeout 0
//	KEYWARDEN_BENCH_SIZES=1004x100 go test ./internal/cli -run '^$' -bench 'Scale/1004x100/scan' -benchtime 1x -cpuprofile cpu.out
func BenchmarkScale(b *testing.B) {
	for _, size := range benchSizes(b) {
		b.Run(size.name, func(b *testing.B) {
			snapshot, key := scaleSnapshot(b, size)
			b.Run("scan", func(b *testing.B) {
				benchMain(b, "scan", "--snapshot", snapshot, "--format", "json")
			})
			b.Run("who-can", func(b *testing.B) {
				benchMain(b, "who-can", "kms:Decrypt", key, "--snapshot", snapshot)
			})
			b.Run("access", func(b *testing.B) {
				benchMain(b, "access", "--snapshot", snapshot, "--format", "json")
			})
		})
	}
}

// benchSizes returns "small" and the sizes benchSizesEnv names.
func benchSizes(b *testing.B) []scaleSize {
	out := []scaleSize{scaleSizes[0]}
	for _, name := range strings.Split(os.Getenv(benchSizesEnv), ",") {
		name = strings.TrimSpace(name)
		if name == "" || name == "small" {
			continue
		}
		size, ok := scaleSize{}, false
		for _, s := range scaleSizes {
			if s.name == name {
				size, ok = s, true
			}
		}
		if !ok {
			p, k, found := strings.Cut(name, "x")
			principals, err1 := strconv.Atoi(p)
			keys, err2 := strconv.Atoi(k)
			if !found || err1 != nil || err2 != nil {
				b.Fatalf("%s: %q is not small, medium, large or PRINCIPALSxKEYS", benchSizesEnv, name)
			}
			size = scaleSize{name, principals, keys}
		}
		out = append(out, size)
	}
	return out
}

// scaleSnapshot writes the generated account of the given size to a
// snapshot file and returns its path and a key that delegates to the
// account.
func scaleSnapshot(b *testing.B, size scaleSize) (path, key string) {
	b.Helper()
	s, err := accountgen.Generate(accountgen.Options{Principals: size.principals, Keys: size.keys, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	k, err := accountgen.DelegatingKey(s)
	if err != nil {
		b.Fatal(err)
	}
	path = filepath.Join(b.TempDir(), "account.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Save(f); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, k.ARN
}

// benchMain runs "keywarden ARGS" b.N times and reports the heap's peak.
func benchMain(b *testing.B, args ...string) {
	b.ReportAllocs()
	var stderr bytes.Buffer
	peak := watchHeap()
	for b.Loop() {
		stderr.Reset()
		if code := Main(context.Background(), args, nil, io.Discard, &stderr); code != ExitOK {
			b.Fatalf("keywarden %s exited %d:\n%s", strings.Join(args, " "), code, stderr.String())
		}
	}
	b.ReportMetric(peak()/1e6, "peak-heap-MB")
}

// watchHeap samples the bytes of heap objects (live and not yet swept)
// every 5 ms until the function it returns is called; that function
// returns the largest sample. runtime/metrics reads without stopping the
// world, so sampling barely disturbs the timing.
func watchHeap() func() float64 {
	runtime.GC()
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	read := func() {
		metrics.Read(samples)
		peak = max(peak, samples[0].Value.Uint64())
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		<-finished
		read()
		return float64(peak)
	}
}
