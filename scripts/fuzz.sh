#!/usr/bin/env bash
# Runs every fuzz target for a fixed budget ($1) on top of its committed seed corpus. The budget is a count of
# executions (100000x), not a duration: with a duration, Go 1.26's fuzz coordinator can fail a clean run with
# "context deadline exceeded" when the time is up (go.dev/issue/75804, fixed in Go 1.27). New interesting inputs
# are minimized for at most 100 executions each, so a run's length follows the budget.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-100000x}
for pkg in $(go list ./... ); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "fuzz: $pkg $target for $fuzztime"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 100x "$pkg"
  done
done
