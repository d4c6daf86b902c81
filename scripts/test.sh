#!/usr/bin/env bash
# Runs every test of the repository, with the race detector where cgo works (else without it, saying
# so): the library module (which holds the emulator, the commands and the quickstart) and each nested
# example module.
# Extra arguments go to every `go test`, e.g. scripts/test.sh -run TestCache -v
set -euo pipefail
cd "$(dirname "$0")/.."

modules=(.)
while IFS= read -r mod; do
  modules+=("$(dirname "$mod")")
done < <(find examples -mindepth 2 -name go.mod -not -path '*/testdata/*' | sort)

race=$(scripts/race-flag.sh)

for mod in "${modules[@]}"; do
  echo "== go test ${race:+$race }${mod}/..."
  (cd "$mod" && go test ${race} -count=1 "$@" ./...)
done
