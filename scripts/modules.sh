#!/usr/bin/env bash
# Prints the directory of every Go module of the repository (or of the tree given as $1), one per line,
# relative to it: "." first, then each nested module (examples/s3, compat/official, ...) in order.
# Modules under testdata/ (test fixtures), .git/ and node_modules/ are not ours to test.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
echo .
find . \( -name testdata -o -name .git -o -name node_modules \) -prune -o -name go.mod -not -path ./go.mod -print |
  sed -e 's|^\./||' -e 's|/go\.mod$||' | sort
