// Command keywarden evaluates access to AWS KMS keys the way AWS does and
// explains every decision. The program lives in internal/cli; this command
// only hands it the process's arguments and streams.
package main
