//go:build unix

package safefile

import "syscall"

// openFlags make opening a named pipe return at once rather than wait
// for a writer; the file is then refused as not regular.
const openFlags = syscall.O_NONBLOCK
