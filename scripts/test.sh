#!/usr/bin/env bash
# Runs every test of the repository, with the race detector where cgo works (else without it, saying
# so): the library module (which holds the emulator, the commands and the quickstart) and each nested
# module (examples/s3, examples/database, compat/official: scripts/modules.sh finds them).
# Extra arguments go to every `go test`, e.g. scripts/test.sh -run TestCache -v
set -euo pipefail
cd "$(dirname "$0")/.."

# The root module, then every nested one. Not read from <(...), whose failure set -e would not see:
# a partial list would pass with modules untested.
list=$(scripts/modules.sh)
mapfile -t modules <<<"$list"

race=$(scripts/race-flag.sh)

for mod in "${modules[@]}"; do
  echo "== go test ${race:+$race }${mod}/..."
  (cd "$mod" && go test ${race} -count=1 "$@" ./...)
done

# The live suite against the real service (live_test.go) builds only with -tags live; vet it so that
# it cannot rot. Its code runs on every test run against the emulator (TestLiveSuiteOnEmulator).
echo "== go vet -tags live ."
go vet -tags live .
