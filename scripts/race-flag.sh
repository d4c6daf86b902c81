#!/usr/bin/env bash
# Prints "-race" when the race detector can run here (it needs cgo: CGO_ENABLED=1 and a C compiler);
# otherwise prints nothing, and says why in one line on stderr. scripts/test.sh uses it.
set -euo pipefail

cgo=$(go env CGO_ENABLED)
cc=$(go env CC)
cc=${cc%% *} # CC may carry flags ("gcc -m64")
if [ "$cgo" != 1 ]; then
  echo "note: CGO_ENABLED=${cgo:-0}: running the tests without the race detector, which needs cgo" >&2
elif ! command -v "${cc:-gcc}" >/dev/null 2>&1; then
  echo "note: no C compiler (${cc:-gcc}) found: running the tests without the race detector, which needs cgo" >&2
else
  echo "-race"
fi
