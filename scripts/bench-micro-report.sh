#!/usr/bin/env bash
# Reads `go test -bench BenchmarkPipeline` output on stdin and prints one line
# per case: "<case> <ns> ns/pkt <allocs> allocs/pkt", then the raw output.
set -euo pipefail
raw=$(cat)
echo "$raw" | awk '
/^BenchmarkPipeline\// {
  name=$1; sub(/^BenchmarkPipeline\//, "", name); sub(/-[0-9]+$/, "", name)
  ns=""; al=""
  for (i=2; i<=NF; i++) {
    if ($(i) == "ns/pkt") ns=$(i-1)
    if ($(i) == "allocs/pkt") al=$(i-1)
  }
  if (ns != "") printf "%s %s ns/pkt %s allocs/pkt\n", name, ns, (al == "" ? "?" : al)
}'
echo
echo "$raw"
