package scenario

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkParseJSONL parses a batch of 3,000 scenarios, each with every
// kind of policy and grants (testdata/full.json on one line).
func BenchmarkParseJSONL(b *testing.B) {
	data, err := os.ReadFile("testdata/full.json")
	if err != nil {
		b.Fatal(err)
	}
	var line bytes.Buffer
	if err := json.Compact(&line, data); err != nil {
		b.Fatal(err)
	}
	line.WriteByte('\n')
	batch := bytes.Repeat(line.Bytes(), 3000)
	b.SetBytes(int64(len(batch)))
	for b.Loop() {
		ss, err := Parse("batch.jsonl", batch)
		if err != nil || len(ss) != 3000 {
			b.Fatalf("Parse = %d scenarios, %v; want 3000", len(ss), err)
		}
	}
}
