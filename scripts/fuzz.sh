#!/usr/bin/env bash
# Fuzzes every fuzz target of the module beyond its seed corpus, one after the other.
# (`go test` and scripts/test.sh run only the seeds: testdata/fuzz/FuzzXxx and the f.Add calls.)
#
#   scripts/fuzz.sh                 every target for 60s
#   scripts/fuzz.sh 5m              every target for 5 minutes
#   scripts/fuzz.sh 3s              every target briefly: a check that each one still runs
#   scripts/fuzz.sh 30s Redact      the targets whose name matches the regexp, for 30s
#   KEEP=1 scripts/fuzz.sh          also copy the new interesting inputs into testdata/fuzz as seeds
#
# A failing input is written by go test to <package>/testdata/fuzz/FuzzXxx/<hash>: fix the bug and
# commit that file, so that every later `go test` runs it. The script stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime=${1:-60s}
filter=${2:-.}
cache=$(go env GOCACHE)/fuzz

for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  grep -qs '^func Fuzz' "$dir"/*_test.go || continue
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' | grep -E -- "$filter" || true); do
    echo "== $pkg $target ($fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
    if [ "${KEEP:-}" = 1 ] && [ -d "$cache/$pkg/$target" ]; then
      mkdir -p "$dir/testdata/fuzz/$target"
      cp -n "$cache/$pkg/$target"/* "$dir/testdata/fuzz/$target/" 2>/dev/null || true
      echo "   seeds now: $(ls "$dir/testdata/fuzz/$target" | wc -l)"
    fi
  done
done
