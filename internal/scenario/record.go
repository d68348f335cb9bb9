package scenario

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"os"
)

// A Record is the text of one scenario as its file holds it: one line of a
// .jsonl file, or a whole .json file. Reading and parsing are apart so that
// a batch can be read in order by one goroutine and parsed by several.
//
// As with bufio.Scanner, the Data of a record from ReadRecords or ReadFile
// is valid only until the next step of the sequence: a caller that keeps a
// record (to parse it in another goroutine) keeps a copy of its Data.
type Record struct {
	File string
	// Line is the line of File where Data starts.
	Line int
	Data []byte
}

// Parse parses the record: the scenario, or its errors as policy.Errors,
// each naming the file, the file's line and column, and the JSON path.
func (r Record) Parse() (Scenario, error) { return parseOne(r.File, r.Data, r.Line) }

// ReadFile streams the records of one scenario file, as Load reads it: a
// .jsonl file line by line (see ReadRecords), any other file as one record.
// An error opening or reading the file is the last step.
func ReadFile(name string) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		if !isLines(name) {
			data, err := os.ReadFile(name)
			if err != nil {
				yield(Record{}, err)
				return
			}
			yield(Record{File: name, Line: 1, Data: data}, nil)
			return
		}
		f, err := os.Open(name)
		if err != nil {
			yield(Record{}, err)
			return
		}
		defer f.Close()
		for rec, err := range ReadRecords(name, f) {
			if !yield(rec, err) {
				return
			}
		}
	}
}

// chunkSize is how much ReadRecords reads at a time, into one buffer that
// serves the whole input; a line longer than that grows it.
const chunkSize = 256 << 10

// ReadRecords streams the records of r, one JSON object per line; name is
// the input's name in records and errors. Blank lines are skipped; a line's
// trailing carriage return is dropped. It reads into one buffer, reused
// from one line to the next (see Record), so an input of any size is read
// in constant memory and without allocating. An error reading r is the
// last step.
func ReadRecords(name string, r io.Reader) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		var (
			chunk = make([]byte, 0, chunkSize)
			start int // where the line being read starts in chunk
			scan  int // where to look for its line break
			line  = 1
		)
		// emit yields the line chunk[start:end] (without its line
		// break). Its capacity ends with it, so that an append to a
		// record's data cannot write over the next line.
		emit := func(end int) bool {
			data := bytes.TrimRight(chunk[start:end:end], "\r")
			if len(bytes.TrimSpace(data)) == 0 {
				return true
			}
			return yield(Record{File: name, Line: line, Data: data}, nil)
		}
		for {
			if len(chunk) == cap(chunk) {
				// The lines before start have been handed out and
				// are done with: the line in progress moves to the
				// front, to a larger buffer when it fills this one.
				rest := chunk[start:]
				if start > 0 {
					chunk = chunk[:copy(chunk, rest)]
				} else {
					chunk = append(make([]byte, 0, 2*cap(chunk)), rest...)
				}
				scan, start = scan-start, 0
			}
			n, err := r.Read(chunk[len(chunk):cap(chunk)])
			chunk = chunk[:len(chunk)+n]
			for {
				i := bytes.IndexByte(chunk[scan:], '\n')
				if i < 0 {
					scan = len(chunk)
					break
				}
				if !emit(scan + i) {
					return
				}
				start, scan = scan+i+1, scan+i+1
				line++
			}
			switch {
			case err == io.EOF:
				// A last line without its line break.
				emit(len(chunk))
				return
			case err != nil:
				yield(Record{}, fmt.Errorf("read %s: %w", name, err))
				return
			}
		}
	}
}
