#!/usr/bin/env bash
# Runs the benchmarks of BENCHMARKS.md: the SDK beside a hand-written net/http client on the same
# loopback server (impl=sdk vs impl=nethttp), the cache, and the emulator; then prints the ratios with
# benchstat. Usage: scripts/bench.sh [count] (default 6). Output also goes to bench.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-6}"
export PATH="$(go env GOPATH)/bin:$PATH"
command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

go test -run '^$' -bench . -benchmem -count "$count" -timeout 30m ./benchmarks | tee bench.txt
echo
echo "== side by side (benchstat -col /impl): the delta column is the SDK against the baseline"
benchstat -col /impl -filter '/impl:(nethttp OR sdk)' bench.txt
echo
echo "== the rest"
benchstat -filter '-/impl:(nethttp OR sdk)' bench.txt
