#!/usr/bin/env bash
# Runs every fuzz target in the module for FUZZTIME each (default 60s).
# The seed corpora in testdata/fuzz/ already run as ordinary tests.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-60s}
go list -f '{{.ImportPath}} {{.Dir}}' ./... | while read -r pkg dir; do
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "== $pkg $f ($t)"
    go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" "$pkg"
  done
done
