package safefile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/keywarden/keywarden/internal/escape"
)

// WriteFile writes the file at name with what write writes, mode 0600: a
// report or a snapshot names every principal, key and policy of an
// account, so only its owner may read it. The data goes to a new
// temporary file beside name, which is renamed over name once complete: a
// reader never sees half a file, a failed write leaves name as it was, an
// existing file's looser mode is not kept, and a symbolic link at name is
// replaced, never followed (rename acts on the link itself). The error
// names the file once.
func WriteFile(name string, write func(io.Writer) error) (err error) {
	fail := func(err error) error { return fmt.Errorf("write %s: %w", escape.Name(name), err) }
	if fi, err := os.Lstat(name); err == nil && fi.IsDir() {
		return fail(errors.New("is a directory"))
	}
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	// CreateTemp opens with O_CREATE|O_EXCL and mode 0600: it never
	// opens an existing file or follows a link planted under its name.
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fail(reason(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// Said explicitly, for systems where CreateTemp's mode differs.
	if err := f.Chmod(0o600); err != nil {
		return fail(reason(err))
	}
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		return fail(err)
	}
	if err := w.Flush(); err != nil {
		return fail(reason(err))
	}
	if err := f.Sync(); err != nil {
		return fail(reason(err))
	}
	if err := f.Close(); err != nil {
		return fail(reason(err))
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return fail(reason(err))
	}
	return nil
}

// CheckWritable checks, before any work, that WriteFile can write name:
// its directory exists and a file can be created in it, and name is not a
// directory. It creates and removes a temporary file.
func CheckWritable(name string) error {
	fail := func(err error) error { return fmt.Errorf("cannot write %s: %w", escape.Name(name), err) }
	if fi, err := os.Lstat(name); err == nil && fi.IsDir() {
		return fail(errors.New("is a directory"))
	}
	dir := filepath.Dir(name)
	fi, err := os.Stat(dir)
	if err != nil {
		return fail(fmt.Errorf("directory %s: %w", escape.Name(dir), reason(err)))
	}
	if !fi.IsDir() {
		return fail(fmt.Errorf("%s is not a directory", escape.Name(dir)))
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".probe*")
	if err != nil {
		return fail(fmt.Errorf("directory %s: %w", escape.Name(dir), reason(err)))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// reason drops the path of an operating system error, which names a
// temporary file or repeats the path the message names already.
func reason(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
