package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// spoolMemory is how much output a spool keeps in memory before it moves
// it to a temporary file.
const spoolMemory = 4 << 20

// A spool holds a command's output until the command knows that it may
// print it. simulate writes each verdict as soon as it is decided, but an
// invalid scenario anywhere in the input means that nothing at all goes to
// standard output (exit status 2, docs/simulate-json.md), and the input may
// be larger than memory. The output therefore stays in memory up to limit
// bytes, then goes to a temporary file, which is removed at once where the
// system allows it, so that a killed process leaves nothing behind.
type spool struct {
	limit int
	// mem holds the output while it is under limit, in blocks that are
	// filled in turn: a growing slice would copy it again at each growth.
	mem  [][]byte
	size int
	file *os.File
	buf  *bufio.Writer
	// removed records that the file was unlinked when created.
	removed bool
}

func newSpool() *spool { return &spool{limit: spoolMemory} }

// spoolBlock is the size of the blocks of a spool's memory.
const spoolBlock = 64 << 10

// Write holds p.
func (s *spool) Write(p []byte) (int, error) {
	if s.file == nil && s.size+len(p) > s.limit {
		if err := s.spill(); err != nil {
			return 0, err
		}
	}
	if s.file != nil {
		return s.buf.Write(p)
	}
	s.size += len(p)
	for rest := p; len(rest) > 0; {
		if n := len(s.mem); n == 0 || len(s.mem[n-1]) == cap(s.mem[n-1]) {
			s.mem = append(s.mem, make([]byte, 0, max(spoolBlock, len(rest))))
		}
		last := &s.mem[len(s.mem)-1]
		k := min(len(rest), cap(*last)-len(*last))
		*last = append(*last, rest[:k]...)
		rest = rest[k:]
	}
	return len(p), nil
}

// spill moves what is held in memory to a temporary file, where every
// later write goes.
func (s *spool) spill() error {
	f, err := os.CreateTemp("", "keywarden-output-*")
	if err != nil {
		return fmt.Errorf("hold output in a temporary file: %w", err)
	}
	s.file = f
	s.removed = os.Remove(f.Name()) == nil
	s.buf = bufio.NewWriterSize(f, spoolBlock)
	for _, b := range s.mem {
		if _, err := s.buf.Write(b); err != nil {
			return err
		}
	}
	s.mem, s.size = nil, 0
	return nil
}

// copyTo writes everything held, in order, to w.
func (s *spool) copyTo(w io.Writer) error {
	if s.file == nil {
		for _, b := range s.mem {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	if err := s.buf.Flush(); err != nil {
		return err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.file)
	return err
}

// Close drops what is held.
func (s *spool) Close() error {
	s.mem, s.size = nil, 0
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	if !s.removed {
		if rerr := os.Remove(s.file.Name()); err == nil {
			err = rerr
		}
	}
	s.file = nil
	return err
}
