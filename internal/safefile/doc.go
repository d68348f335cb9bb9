// Package safefile reads the files keywarden is given and writes the files
// it makes, on the assumption that someone else prepared the former and
// that the latter describe an account's security.
//
// Reading: an input file must be a regular file (a named pipe would block
// the read forever, a device such as /dev/zero would never end), and no
// larger than the cap of its Kind, read through a bounded reader so that a
// file that grows, or a /proc file that reports no size, cannot exhaust
// memory. The caps are far above what real AWS data reaches; the
// environment variable KEYWARDEN_MAX_FILE_SIZE replaces all of them. Inside
// an input directory (Dir), files are opened through os.Root, so nothing
// outside the directory is ever read, and no symbolic link is followed at
// all: an export made by the AWS CLI holds none.
//
// Writing: WriteFile writes a temporary file in the target's directory,
// mode 0600, and renames it over the target, so a reader never sees half
// a file, an existing file's looser mode is not kept, and a symbolic link
// at the target is replaced, never followed.
//
// Errors name files as escape.Name shows them. The package is a leaf: it
// imports only the standard library and internal/escape.
package safefile
