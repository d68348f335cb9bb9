package policy

import (
	"bytes"
	"fmt"
	"testing"
)

// largePolicy is a key policy of n statements, one statement per few
// lines as the AWS CLI and editors print them: far beyond what AWS allows
// in one policy (32 KB for a key policy), which is the point.
func largePolicy(n int) []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n")
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "    {\n      \"Sid\": \"s%d\",\n      \"Effect\": \"Allow\",\n      \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/r%d\"},\n      \"Action\": [\"kms:Decrypt\", \"kms:Encrypt\"],\n      \"Resource\": \"*\"\n    }", i, i)
	}
	b.WriteString("\n  ]\n}\n")
	return b.Bytes()
}

// BenchmarkParseStatements parses a policy of 20,000 statements. Each
// statement records its line; locating them must not rescan the text
// from its start each time (which made this case take minutes).
func BenchmarkParseStatements(b *testing.B) {
	data := largePolicy(20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("policy.json", data, Resource); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLongSid parses a policy whose one Sid is 200 MB long: time
// and memory must stay proportional to the input.
func BenchmarkParseLongSid(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"")
	buf.Write(bytes.Repeat([]byte("A"), 200<<20))
	buf.WriteString("\", \"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}")
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("policy.json", data, Resource); err != nil {
			b.Fatal(err)
		}
	}
}
