// Command secrets-emulator serves the secretstest emulator of the SingleStore Helios Management API
// secrets endpoints as a standalone process, for tests written in any language.
//
// Usage:
//
//	secrets-emulator [-addr 127.0.0.1:0] [-org NAME] [-api-key KEY] [-user EMAIL]... [-team NAME=EMAIL,EMAIL]...
//		[-profile spec|bare-lists,values-only-by-name,regex-lookups] [-rate PER_SECOND [-burst N]]
//
// -profile chooses how to answer where the service's official sources disagree (see
// secretstest.Profile): bare-lists answers GET /v1/secrets with a bare array, values-only-by-name
// leaves values out of unfiltered lists, regex-lookups matches /v1/users?email= and /v1/teams?name=
// as regular expressions; spec turns all three on, as the published OpenAPI document reads. By
// default none is on.
//
// -rate limits the server to that many requests per second (a token bucket holding -burst requests,
// by default the rate rounded up), answering 429 with Retry-After above it, as the service does (see
// secretstest.WithRateLimit).
//
// Once listening it prints exactly one JSON line on stdout:
//
//	{"baseURL":"http://127.0.0.1:41234","apiKey":"…","organizationID":"…",
//	 "users":[{"id":"…","email":"…","token":"…"}],"teams":[{"id":"…","name":"…"}]}
//
// and serves until SIGINT or SIGTERM, then shuts down gracefully and exits 0. Logs go to stderr.
// The API key is opaque; each user's token is shaped like the JWT Helios gives a user (sub = the
// user ID, exp far ahead), so tools that tell a JWT from an API key behave as on the service. -team
// adds a team with its members (added as users when -user did not name them), for example
// -team platform=grace@example.com, so that "secrets share NAME --owner team:platform" finds it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // a second signal during shutdown kills the process as usual
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
