//go:build !unix

package safefile

// openFlags are none where O_NONBLOCK does not exist; the check before the
// open refuses what is not a regular file.
const openFlags = 0
