//go:build unix

package safefile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

// tree makes a directory holding one file of each kind keywarden must
// refuse, plus a secret outside it that must never be read.
func tree(t *testing.T) (dir, secret string) {
	t.Helper()
	top := t.TempDir()
	secret = filepath.Join(top, "secret")
	if err := os.WriteFile(secret, []byte(`{"AWS_SECRET_ACCESS_KEY":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(top, "export")
	for _, d := range []string{"export/kms/r", "outside"} {
		if err := os.MkdirAll(filepath.Join(top, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ok.json", `{"a":1}`)
	write("kms/r/ok.json", `{}`)
	link := func(target, name string) {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	link(secret, "abs-link.json")
	link("../secret", "rel-link.json")
	link("ok.json", "inside-link.json")
	link("/dev/zero", "zero.json")
	link("../outside", "linkdir")
	link("kms", "kmslink")
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A sparse file one byte over the cap used below: no disk used.
	f, err := os.Create(filepath.Join(dir, "big.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1<<20 + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return dir, secret
}

var small = Kind{Name: "test files", Max: 1 << 20}

func TestDirReadFile(t *testing.T) {
	dir, _ := tree(t)
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tests := []struct {
		name string
		want error  // nil: read
		text string // in the message
	}{
		{"ok.json", nil, ""},
		{"kms/r/ok.json", nil, ""},
		{"abs-link.json", ErrSymlink, "abs-link.json: a symbolic link"},
		{"rel-link.json", ErrSymlink, "a symbolic link"},
		{"inside-link.json", ErrSymlink, "a symbolic link"},
		{"zero.json", ErrSymlink, "a symbolic link"},
		{"linkdir/x.json", ErrSymlink, "linkdir: a symbolic link"},
		{"kmslink/r/ok.json", ErrSymlink, "kmslink: a symbolic link"},
		{"fifo.json", ErrNotRegular, "fifo.json: not a regular file (a named pipe)"},
		{"kms", ErrNotRegular, "kms: not a regular file (a directory)"},
		{"big.json", ErrTooLarge, "big.json: too large (1.0 MiB, over the 1 MiB cap for test files; KEYWARDEN_MAX_FILE_SIZE raises it)"},
		{"missing.json", fs.ErrNotExist, "missing.json: no such file or directory"},
		{"../secret", fs.ErrInvalid, "invalid argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := d.ReadFile(tt.name, small)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ReadFile(%s) = %v", tt.name, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("ReadFile(%s) = %q, %v; want %v", tt.name, data, err, tt.want)
			}
			if data != nil {
				t.Errorf("ReadFile(%s) returned data with its error", tt.name)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("ReadFile(%s) = %q, want it to say %q", tt.name, err, tt.text)
			}
		})
	}
}

func TestDirReadDir(t *testing.T) {
	dir, _ := tree(t)
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	es, err := d.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Name() == "linkdir" && e.IsDir() {
			t.Errorf("the link linkdir is listed as a directory")
		}
	}
	for _, name := range []string{"linkdir", "kmslink", "kmslink/r"} {
		if _, err := d.ReadDir(name); !errors.Is(err, ErrSymlink) {
			t.Errorf("ReadDir(%s) = %v, want %v", name, err, ErrSymlink)
		}
	}
	if _, err := d.ReadDir("kms/r"); err != nil {
		t.Errorf("ReadDir(kms/r) = %v", err)
	}
}

// TestDirDevice reads a device node made inside the directory (only root
// may make one).
func TestDirDevice(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mknod(filepath.Join(dir, "zero.json"), syscall.S_IFCHR|0o644, 1<<8|5); err != nil {
		t.Skipf("cannot make a device node here: %v", err)
	}
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.ReadFile("zero.json", small); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "a device") {
		t.Errorf("ReadFile(device) = %v, want %v (a device)", err, ErrNotRegular)
	}
}

// TestReadFileBounded reads a file that says it is empty but is not: the
// bounded reader stops at the cap.
func TestReadFileBounded(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	_, err := ReadFile("/proc/self/status", Kind{Name: "test files", Max: 16})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "over the 16 bytes cap") {
		t.Errorf("ReadFile(/proc/self/status) = %v, want %v", err, ErrTooLarge)
	}
	if _, err := ReadFile("/dev/zero", small); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile(/dev/zero) = %v, want %v", err, ErrNotRegular)
	}
}

func TestReadFile(t *testing.T) {
	dir, secret := tree(t)
	if data, err := ReadFile(filepath.Join(dir, "abs-link.json"), small); err != nil || string(data) == "" {
		t.Errorf("ReadFile of a link the user names = %q, %v; want its target", data, err)
	}
	if _, err := ReadFile(filepath.Join(dir, "fifo.json"), small); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile(fifo) = %v, want %v", err, ErrNotRegular)
	}
	if _, err := ReadFile(filepath.Join(dir, "big.json"), small); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile(big) = %v, want %v", err, ErrTooLarge)
	}
	if _, err := ReadFile(secret, Kind{Name: "x", Max: 5}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile over the cap = %v, want %v", err, ErrTooLarge)
	}
}

func TestMaxSizeEnv(t *testing.T) {
	dir, _ := tree(t)
	t.Setenv(EnvMaxSize, "2MiB")
	if _, err := ReadFile(filepath.Join(dir, "big.json"), small); err != nil {
		t.Errorf("with %s=2MiB: %v", EnvMaxSize, err)
	}
	t.Setenv(EnvMaxSize, "3")
	if _, err := ReadFile(filepath.Join(dir, "ok.json"), small); !errors.Is(err, ErrTooLarge) {
		t.Errorf("with %s=3: %v, want %v", EnvMaxSize, err, ErrTooLarge)
	}
	t.Setenv(EnvMaxSize, "lots")
	if _, err := ReadFile(filepath.Join(dir, "ok.json"), small); err == nil || !strings.Contains(err.Error(), "KEYWARDEN_MAX_FILE_SIZE=lots: not a size") {
		t.Errorf("with %s=lots: %v", EnvMaxSize, err)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{{"1", 1}, {"10KB", 10000}, {"64MiB", 64 << 20}, {"2 GiB", 2 << 30}, {"1TB", 1e12}, {"5B", 5}}
	for _, tt := range tests {
		if got, err := ParseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "0", "-1", "1.5GiB", "GiB", "1 PiB", "99999999999TiB"} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
}

// TestNewDir: the same checks over an fs.FS.
func TestNewDir(t *testing.T) {
	fsys := fstest.MapFS{
		"a/ok.json":   {Data: []byte("{}")},
		"a/link.json": {Data: []byte("../secret"), Mode: fs.ModeSymlink},
		"big.json":    {Data: make([]byte, 100)},
		"pipe":        {Mode: fs.ModeNamedPipe},
		"ldir":        {Data: []byte("a"), Mode: fs.ModeSymlink},
	}
	d := NewDir(fsys)
	if _, err := d.ReadFile("a/ok.json", small); err != nil {
		t.Errorf("ReadFile(a/ok.json) = %v", err)
	}
	for name, want := range map[string]error{"a/link.json": ErrSymlink, "pipe": ErrNotRegular, "ldir/ok.json": ErrSymlink} {
		if _, err := d.ReadFile(name, small); !errors.Is(err, want) {
			t.Errorf("ReadFile(%s) = %v, want %v", name, err, want)
		}
	}
	if _, err := d.ReadFile("big.json", Kind{Name: "x", Max: 99}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFile(big.json) = %v, want %v", err, ErrTooLarge)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report.sarif")
	if err := os.Symlink(victim, out); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(out, func(w io.Writer) error { _, err := io.WriteString(w, "report"); return err }); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(victim); string(data) != "keep" {
		t.Errorf("the link's target was written: %q", data)
	}
	fi, err := os.Lstat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != 0o600 {
		t.Errorf("mode %v, want -rw-------", fi.Mode())
	}
	if data, _ := os.ReadFile(out); string(data) != "report" {
		t.Errorf("wrote %q", data)
	}

	// A failed write leaves the file as it was and no temporary file.
	boom := errors.New("boom")
	err = WriteFile(out, func(w io.Writer) error { io.WriteString(w, "half"); return boom })
	if !errors.Is(err, boom) {
		t.Errorf("WriteFile = %v, want %v", err, boom)
	}
	if data, _ := os.ReadFile(out); string(data) != "report" {
		t.Errorf("a failed write changed the file: %q", data)
	}
	if es, _ := os.ReadDir(dir); len(es) != 2 {
		t.Errorf("left files behind: %v", es)
	}

	err = WriteFile(filepath.Join(dir, "no", "x.json"), func(io.Writer) error { return nil })
	if err == nil || strings.Count(err.Error(), "write") != 1 || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("WriteFile into a missing directory = %v", err)
	}
	if err := WriteFile(dir, func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("WriteFile(directory) = %v", err)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(filepath.Join(dir, "x.json")); err != nil {
		t.Errorf("CheckWritable = %v", err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Errorf("CheckWritable left %v", es)
	}
	for _, bad := range []string{filepath.Join(dir, "no", "x.json"), dir} {
		if err := CheckWritable(bad); err == nil {
			t.Errorf("CheckWritable(%s) = nil", bad)
		}
	}
	if err := CheckWritable(filepath.Join(dir, "a\x1bb", "x")); err == nil || strings.ContainsRune(err.Error(), 0x1b) {
		t.Errorf("CheckWritable = %q, want an error without ESC", err)
	}
}
