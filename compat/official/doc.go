// Package official checks the emulator (secretstest, under its spec profile) against the official
// Go client generated from the Management API's OpenAPI document,
// github.com/singlestore-labs/singlestore-go/management: every call this project relies on, through a
// client we did not write. It is its own module so that the library's go.mod stays lean; its tests
// run in scripts/test.sh with every other nested module.
package official
