package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/keywarden/keywarden/internal/escape"
)

// A Kind is a kind of input file and the largest size keywarden reads of
// it. The caps are set far above what AWS allows (a key policy is at most
// 32 KB, an IAM account holds at most 5,000 roles and 5,000 users); they
// only stop a file that no real export holds from exhausting memory.
type Kind struct {
	// Name says what the files are, in messages ("the cap for NAME").
	Name string
	// Max is the cap in bytes.
	Max int64
}

// The kinds of input file and their caps (docs/security.md).
var (
	// IAMDetails is aws iam get-account-authorization-details: every
	// user, group, role and customer managed policy of an account, and
	// the AWS managed policies attached, with all their versions.
	IAMDetails = Kind{"IAM authorization details", 1 << 30}
	// Listing is a listing of an account or a region: list-keys,
	// list-aliases, list-grants (up to 50,000 grants per key),
	// list-buckets.
	Listing = Kind{"AWS CLI listings", 256 << 20}
	// Document is the output of one call about one resource:
	// describe-key, get-key-policy, get-bucket-policy, the SCP chain...
	Document = Kind{"AWS CLI output", 16 << 20}
	// ErrorOutput is a failed call's error output (NAME.error).
	ErrorOutput = Kind{"AWS CLI error output", 64 << 10}
	// Snapshot is a snapshot file (keywarden collect), of any number of
	// accounts.
	Snapshot = Kind{"snapshots", 4 << 30}
	// Suppressions is a suppression file.
	Suppressions = Kind{"suppression files", 16 << 20}
	// Scenarios is a scenario file (.json or .jsonl).
	Scenarios = Kind{"scenario files", 256 << 20}
)

// EnvMaxSize is the environment variable that replaces every cap: a
// number of bytes, optionally followed by KB, MB, GB, TB (powers of 1000)
// or KiB, MiB, GiB, TiB (powers of 1024).
const EnvMaxSize = "KEYWARDEN_MAX_FILE_SIZE"

// Why a file was refused.
var (
	ErrSymlink    = errors.New("a symbolic link: keywarden follows no symbolic link inside an input directory")
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = errors.New("too large")
)

// An Error is a file that could not be read or was refused. Path is as
// given: relative to the directory for a Dir.
type Error struct {
	Path string
	// Err is ErrSymlink, ErrNotRegular, ErrTooLarge, or the error of the
	// operating system (fs.ErrNotExist, fs.ErrPermission...).
	Err error
	// detail completes Err: "a named pipe", "over the 16 MiB cap of AWS CLI output".
	detail string
}

func (e *Error) Error() string { return escape.Name(e.Path) + ": " + e.Reason() }

// Reason is the error without the path, for a message that names the
// file already.
func (e *Error) Reason() string {
	var pe *fs.PathError
	msg := e.Err.Error()
	if errors.As(e.Err, &pe) {
		// The operating system's words without its path, which is
		// e.Path or a longer form of it.
		msg = pe.Err.Error()
	}
	if e.detail != "" {
		msg += " (" + e.detail + ")"
	}
	return escape.Text(msg)
}

func (e *Error) Unwrap() error { return e.Err }

// MaxSize returns the cap of kind: EnvMaxSize when set, else kind.Max.
func MaxSize(kind Kind) (int64, error) {
	v := strings.TrimSpace(os.Getenv(EnvMaxSize))
	if v == "" {
		return kind.Max, nil
	}
	n, err := ParseSize(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%s: %w", EnvMaxSize, escape.Text(v), err)
	}
	return n, nil
}

var units = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

// ParseSize reads a size: "1048576", "64MiB", "2 GB".
func ParseSize(s string) (int64, error) {
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 1 || n > (1<<62)/mult {
		return 0, errors.New("not a size: want a positive number of bytes, optionally followed by KB, MB, GB, KiB, MiB or GiB")
	}
	return n * mult, nil
}

// FormatSize writes a byte count for people: "16 MiB", "1.5 GiB", "912 bytes".
func FormatSize(n int64) string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult {
			if n%u.mult == 0 {
				return strconv.FormatInt(n/u.mult, 10) + " " + u.name
			}
			return strconv.FormatFloat(float64(n)/float64(u.mult), 'f', 1, 64) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// ReadFile reads the file at name, a path the user gave: symbolic links
// in it are followed, since the user named it, but what it leads to must
// be a regular file no larger than the cap of kind.
func ReadFile(name string, kind Kind) ([]byte, error) {
	max, err := MaxSize(kind)
	if err != nil {
		return nil, err
	}
	// Stat first, so that a device is never opened (opening some has
	// effects); the open below does not block on a named pipe either,
	// and the file opened is checked again.
	if fi, err := os.Stat(name); err != nil {
		return nil, &Error{Path: name, Err: err}
	} else if err := check(name, fi, kind, max); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, &Error{Path: name, Err: err}
	}
	defer f.Close()
	return readOpen(name, f, kind, max)
}

// check refuses what is not a regular file, and a file whose size is
// already over the cap.
func check(name string, fi fs.FileInfo, kind Kind, max int64) error {
	m := fi.Mode()
	switch {
	case m&fs.ModeSymlink != 0:
		return &Error{Path: name, Err: ErrSymlink}
	case m.IsDir():
		return &Error{Path: name, Err: ErrNotRegular, detail: "a directory"}
	case m&fs.ModeNamedPipe != 0:
		return &Error{Path: name, Err: ErrNotRegular, detail: "a named pipe"}
	case m&fs.ModeSocket != 0:
		return &Error{Path: name, Err: ErrNotRegular, detail: "a socket"}
	case m&fs.ModeDevice != 0:
		return &Error{Path: name, Err: ErrNotRegular, detail: "a device"}
	case !m.IsRegular():
		return &Error{Path: name, Err: ErrNotRegular, detail: "of mode " + m.Type().String()}
	case fi.Size() > max:
		return tooLarge(name, kind, max, fi.Size())
	}
	return nil
}

func tooLarge(name string, kind Kind, max, size int64) error {
	detail := fmt.Sprintf("over the %s cap for %s; %s raises it", FormatSize(max), kind.Name, EnvMaxSize)
	if size >= 0 {
		detail = FormatSize(size) + ", " + detail
	}
	return &Error{Path: name, Err: ErrTooLarge, detail: detail}
}

// readOpen checks the open file and reads it through a bounded reader: a
// file may grow after its size was seen, and /proc files report none.
func readOpen(name string, f fs.File, kind Kind, max int64) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, &Error{Path: name, Err: err}
	}
	if err := check(name, fi, kind, max); err != nil {
		return nil, err
	}
	// One byte more than the cap tells a file at the cap from a larger
	// one; the buffer never grows past that.
	buf := make([]byte, 0, min(fi.Size(), max)+1)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > max {
				return nil, tooLarge(name, kind, max, -1)
			}
			grown := make([]byte, len(buf), min(2*int64(cap(buf))+512, max+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if int64(len(buf)) > max {
				return nil, tooLarge(name, kind, max, -1)
			}
			return buf, nil
		}
		if err != nil {
			return nil, &Error{Path: name, Err: err}
		}
	}
}

// A Dir is an input directory: every file read is inside it, a regular
// file, read within its cap, and reached without a symbolic link.
type Dir struct {
	fsys fs.FS
	root *os.Root // nil for a Dir made by NewDir

	mu   sync.Mutex
	seen map[string]error // directories checked, and what was found
}

// OpenDir opens the directory at name (symbolic links in name itself are
// followed: the user named it).
func OpenDir(name string) (*Dir, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, &Error{Path: name, Err: err}
	}
	if !fi.IsDir() {
		return nil, &Error{Path: name, Err: errors.New("not a directory")}
	}
	root, err := os.OpenRoot(name)
	if err != nil {
		return nil, &Error{Path: name, Err: err}
	}
	return &Dir{fsys: root.FS(), root: root, seen: map[string]error{}}, nil
}

// NewDir makes a Dir of a file system, with the same checks (symbolic
// links are seen when fsys implements fs.ReadLinkFS).
func NewDir(fsys fs.FS) *Dir { return &Dir{fsys: fsys, seen: map[string]error{}} }

// Close releases the directory.
func (d *Dir) Close() error {
	if d.root != nil {
		return d.root.Close()
	}
	return nil
}

// parents checks that every directory leading to name (slash-separated,
// relative to d) is a directory and not a symbolic link.
func (d *Dir) parents(name string) error {
	dir := path.Dir(name)
	if dir == "." {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.isDir(dir)
}

// isDir checks dir and its parents; d.mu is held.
func (d *Dir) isDir(dir string) error {
	if dir == "." {
		return nil
	}
	if err, ok := d.seen[dir]; ok {
		return err
	}
	err := d.isDir(path.Dir(dir))
	if err == nil {
		var fi fs.FileInfo
		fi, err = fs.Lstat(d.fsys, dir)
		switch {
		case err != nil:
			err = &Error{Path: dir, Err: err}
		case fi.Mode()&fs.ModeSymlink != 0:
			err = &Error{Path: dir, Err: ErrSymlink}
		case !fi.IsDir():
			err = &Error{Path: dir, Err: errors.New("not a directory")}
		}
	}
	d.seen[dir] = err
	return err
}

// ReadFile reads the file name (slash-separated, relative to d).
func (d *Dir) ReadFile(name string, kind Kind) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &Error{Path: name, Err: fs.ErrInvalid}
	}
	max, err := MaxSize(kind)
	if err != nil {
		return nil, err
	}
	if err := d.parents(name); err != nil {
		return nil, err
	}
	fi, err := fs.Lstat(d.fsys, name)
	if err != nil {
		return nil, &Error{Path: name, Err: err}
	}
	if err := check(name, fi, kind, max); err != nil {
		return nil, err
	}
	var f fs.File
	if d.root != nil {
		f, err = d.root.OpenFile(name, os.O_RDONLY|openFlags, 0)
	} else {
		f, err = d.fsys.Open(name)
	}
	if err != nil {
		return nil, &Error{Path: name, Err: err}
	}
	defer f.Close()
	return readOpen(name, f, kind, max)
}

// ReadDir lists the directory name (slash-separated, relative to d; "."
// is d itself). Entries are as the directory holds them: a symbolic link
// is listed as one, and not followed.
func (d *Dir) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &Error{Path: name, Err: fs.ErrInvalid}
	}
	d.mu.Lock()
	err := d.isDir(name)
	d.mu.Unlock()
	if err != nil {
		return nil, err
	}
	es, err := fs.ReadDir(d.fsys, name)
	if err != nil {
		return nil, &Error{Path: name, Err: err}
	}
	return es, nil
}
