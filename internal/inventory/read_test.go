package inventory

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keywarden/keywarden/internal/policy"
	"github.com/rogpeppe/go-internal/txtar"
)

// TestReadErrors runs testdata/errors/*.txtar: each archive holds a
// snapshot.json and an "error" file with the exact message Read must give,
// one error per line (-update rewrites it).
func TestReadErrors(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/errors/*.txtar")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if len(ar.Files) != 2 || ar.Files[1].Name != "error" {
				t.Fatalf("%s: want two files, the snapshot and \"error\"", file)
			}
			in := ar.Files[0]
			s, err := Read(in.Name, bytes.NewReader(in.Data))
			if err == nil {
				t.Fatalf("Read(%s) succeeded, want an error", in.Name)
			}
			if s != nil {
				t.Errorf("Read(%s) returned a snapshot with its error", in.Name)
			}
			var pe policy.Errors
			if !errors.As(err, &pe) {
				t.Errorf("Read(%s) error is %T, want policy.Errors", in.Name, err)
			}
			got := err.Error() + "\n"
			if *update {
				ar.Files[1].Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(ar.Files[1].Data), got); diff != "" {
				t.Errorf("Read(%s) error mismatch (-want +got):\n%s", in.Name, diff)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/no-such-snapshot.json")
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "testdata/no-such-snapshot.json") {
		t.Errorf("Load(missing) error = %v, want one naming the file and matching os.ErrNotExist", err)
	}
}

// TestReadMinimal: the smallest valid snapshot, and the same with an
// account that has nothing read (every list absent).
func TestReadMinimal(t *testing.T) {
	tests := []struct {
		name, in string
		accounts int
	}{
		{"no accounts", `{"version":1,"metadata":{"generatedAt":"2026-01-01T00:00:00Z","source":"collector"}}`, 0},
		{"empty account", `{"version":1,"metadata":{"generatedAt":"2026-01-01T00:00:00+09:00","source":"x"},"accounts":[{"id":"111122223333","users":null}]}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Read("in.json", strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(s.Accounts) != tt.accounts {
				t.Errorf("Read gave %d accounts, want %d", len(s.Accounts), tt.accounts)
			}
		})
	}
}

func TestDecodeDocument(t *testing.T) {
	const plain = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a+b/*"}]}`
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "plain", in: plain, want: plain},
		{name: "indented", in: "\n  {\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}\n", want: `{"Version":"2012-10-17","Statement":[]}`},
		{
			// A "+" is a plus sign in RFC 3986 encoding, not a space.
			name: "url-encoded",
			in:   "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%2F%2A%22%7D%5D%7D",
			want: plain,
		},
		{name: "url-encoded with spaces", in: "%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22%2C%0A%20%20%22Statement%22%3A%20%5B%5D%0A%7D", want: `{"Version":"2012-10-17","Statement":[]}`},
		{name: "member order kept", in: `{"Statement":[],"Version":"2012-10-17"}`, want: `{"Statement":[],"Version":"2012-10-17"}`},
		{name: "empty", in: "  ", wantErr: "policy document is empty"},
		{name: "bad escape", in: "%7B%ZZ", wantErr: `policy document is neither JSON nor URL-encoded JSON: invalid URL escape "%ZZ"`},
		{name: "bad json", in: `{"Version": }`, wantErr: "policy document is not valid JSON: 1:13: unexpected '}', expected a JSON value"},
		{name: "bad encoded json", in: "%7B%22Version%22", wantErr: "policy document is not valid JSON: 1:11: unexpected end of input after object key, expected ':'"},
		{name: "not an object", in: `%5B%5D`, wantErr: "policy document must be a JSON object, not array"},
		{name: "string", in: `"{}"`, wantErr: "policy document must be a JSON object, not string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := Location{File: "f.json", Path: "Policy", Line: 2, Col: 3}
			d, err := DecodeDocument([]byte(tt.in), src)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("DecodeDocument(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				if d != nil {
					t.Errorf("DecodeDocument(%q) returned a document with its error", tt.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeDocument(%q): %v", tt.in, err)
			}
			if string(d.JSON) != tt.want || d.Source != src {
				t.Errorf("DecodeDocument(%q) = %s at %v, want %s at %v", tt.in, d.JSON, d.Source, tt.want, src)
			}
		})
	}
}

// TestParseErrorLocation: a policy error in a stored document names the
// export file, the line of the document and the full JSON path.
func TestParseErrorLocation(t *testing.T) {
	tests := []struct {
		name string
		src  Location
		want string
	}{
		{
			name: "located",
			src:  Location{File: "export/kms/r/k/get-key-policy.json", Path: "Policy", Line: 2, Col: 13},
			want: `export/kms/r/k/get-key-policy.json:2:13: Policy.Statement[0]: statement in a resource policy must have a Principal or NotPrincipal`,
		},
		{
			name: "no source",
			want: `key policy of k: Statement[0]: statement in a resource policy must have a Principal or NotPrincipal`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := DecodeDocument([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`), tt.src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.Parse("key policy of k", policy.Resource)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse error = %v, want %q", err, tt.want)
			}
			// The same document is a valid identity policy: the cache
			// is per kind.
			if _, err := d.Parse("key policy of k", policy.Identity); err != nil {
				t.Errorf("Parse as identity policy: %v", err)
			}
		})
	}
}

func TestLocationString(t *testing.T) {
	tests := []struct {
		l    Location
		want string
	}{
		{Location{File: "a.json", Path: "Policy", Line: 3, Col: 4}, "a.json:3:4: Policy"},
		{Location{File: "a.json", Path: "Policy"}, "a.json: Policy"},
		{Location{File: "a.json", Line: 1, Col: 1}, "a.json:1:1"},
		{Location{Path: "Policy"}, "Policy"},
		{Location{}, ""},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.l, got, tt.want)
		}
	}
}
