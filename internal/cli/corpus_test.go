package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keywarden/keywarden/internal/posjson"
)

var (
	corpusMB    = flag.Int("corpus.mb", 16, "size in MB of the JSON Lines corpus of BenchmarkSimulateCorpus and -corpus.write")
	corpusWrite = flag.String("corpus.write", "", "TestWriteCorpus writes the benchmark corpus (-corpus.mb) to this file")
)

// corpusDirs hold the scenarios a benchmark corpus is made of: the bundled
// examples and the engine's regression scenarios, every rule and shape of
// input the engine knows.
var corpusDirs = []string{"../../examples/scenarios", "../engine/testdata/scenarios"}

// corpusShapes returns every scenario of corpusDirs on one line, without
// its line break, and the offsets of its name's JSON string.
func corpusShapes(tb testing.TB) []corpusShape {
	tb.Helper()
	var shapes []corpusShape
	for _, dir := range corpusDirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var line bytes.Buffer
			if err := json.Compact(&line, data); err != nil {
				return err
			}
			v, err := posjson.Parse(line.Bytes())
			if err != nil {
				return err
			}
			name := v.Get("name")
			if name == nil || name.Kind != posjson.String {
				tb.Fatalf("%s: no name", path)
			}
			shapes = append(shapes, corpusShape{data: line.Bytes(), name: name.Str, start: name.Offset, end: name.End})
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if len(shapes) == 0 {
		tb.Fatal("no scenarios in", corpusDirs)
	}
	return shapes
}

type corpusShape struct {
	data       []byte
	name       string
	start, end int
}

// writeCorpus writes scenarios to w, one per line, until at least size
// bytes: the shapes in turn, each copy named apart ("key-policy/x #1234").
// It returns the number of scenarios and of bytes written.
func writeCorpus(w io.Writer, shapes []corpusShape, size int64) (n int, written int64, err error) {
	bw := bufio.NewWriter(w)
	for ; written < size; n++ {
		s := shapes[n%len(shapes)]
		name, _ := json.Marshal(s.name + " #" + strconv.Itoa(n))
		for _, part := range [][]byte{s.data[:s.start], name, s.data[s.end:], {'\n'}} {
			m, err := bw.Write(part)
			written += int64(m)
			if err != nil {
				return n, written, err
			}
		}
	}
	return n, written, bw.Flush()
}

// TestWriteCorpus writes the benchmark corpus to the file named by
// -corpus.write, for measuring a whole keywarden process on it:
//
//	go test ./internal/cli -run TestWriteCorpus -corpus.write=/tmp/c.jsonl -corpus.mb=40
func TestWriteCorpus(t *testing.T) {
	if *corpusWrite == "" {
		t.Skip("no -corpus.write file")
	}
	f, err := os.Create(*corpusWrite)
	if err != nil {
		t.Fatal(err)
	}
	n, size, err := writeCorpus(f, corpusShapes(t), int64(*corpusMB)<<20)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d scenarios, %d bytes", *corpusWrite, n, size)
}

// BenchmarkSimulateCorpus runs "keywarden simulate --format json" on a
// JSON Lines corpus of -corpus.mb MB (every example and engine regression
// scenario in turn, named apart): read, parse, decide, write. It reports
// the input read per second and the peak of the heap and of the memory the
// Go runtime holds from the system, which must not grow with the corpus:
//
//	go test ./internal/cli -run '^$' -bench SimulateCorpus -corpus.mb=40
func BenchmarkSimulateCorpus(b *testing.B) {
	path := filepath.Join(b.TempDir(), "corpus.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	n, size, err := writeCorpus(f, corpusShapes(b), int64(*corpusMB)<<20)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	peak := watchMemory()
	for b.Loop() {
		if code := Main(context.Background(), []string{"simulate", "--format", "json", path}, nil, io.Discard, io.Discard); code != ExitOK {
			b.Fatalf("simulate exited %d, want 0", code)
		}
	}
	heap, held := peak()
	b.ReportMetric(float64(n), "scenarios/op")
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(held)/(1<<20), "peak-held-MB")
}

// watchMemory samples the Go runtime's memory every millisecond until the
// function it returns is called, which reports the peaks: the heap's
// objects, live or not yet swept, and all the memory the runtime holds from
// the system (what the process's resident size follows).
func watchMemory() (peaks func() (heap, held uint64)) {
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	var (
		heap, held uint64
		stop       = make(chan struct{})
		wg         sync.WaitGroup
	)
	sample := func() {
		metrics.Read(samples)
		heap = max(heap, samples[0].Value.Uint64())
		held = max(held, samples[1].Value.Uint64()-samples[2].Value.Uint64())
	}
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				sample()
			}
		}
	})
	return func() (uint64, uint64) {
		close(stop)
		wg.Wait()
		sample()
		return heap, held
	}
}

// TestCorpusShapes keeps the benchmark honest: every shape must be a valid
// scenario that simulate decides, or the benchmark would measure the error
// path.
func TestCorpusShapes(t *testing.T) {
	var in bytes.Buffer
	shapes := corpusShapes(t)
	n, _, err := writeCorpus(&in, shapes, 1)
	if err != nil || n != 1 {
		t.Fatalf("writeCorpus(1 byte) = %d scenarios, %v; want 1", n, err)
	}
	in.Reset()
	if n, _, err = writeCorpus(&in, shapes, int64(len(shapes))*4096); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"simulate", "-q", "-"}, &in, &stdout, &stderr)
	if code != ExitOK || stderr.Len() > 0 {
		t.Fatalf("simulate on the corpus = %d, stderr:\n%s", code, stderr.String())
	}
	if want := strconv.Itoa(n) + " passed, 0 failed"; !strings.HasPrefix(stdout.String(), want) {
		t.Errorf("simulate -q on the corpus printed %q, want %q", stdout.String(), want)
	}
}
