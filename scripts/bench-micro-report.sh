#!/usr/bin/env bash
# Reads `go test -bench BenchmarkPipeline -count N` output on stdin and prints
# one line per case: "<case> <ns> ns/pkt <allocs> allocs/pkt", where ns is
# the median of the N runs (this VM is shared: single runs swing by +-25%),
# then the spread and the raw output.
set -euo pipefail
raw=$(cat)
summary=$(echo "$raw" | awk '
/^BenchmarkPipeline\// {
  name=$1; sub(/^BenchmarkPipeline\//, "", name); sub(/-[0-9]+$/, "", name)
  ns=""; al=""
  for (i=2; i<=NF; i++) {
    if ($(i) == "ns/pkt") ns=$(i-1)
    if ($(i) == "allocs/pkt") al=$(i-1)
  }
  if (ns == "") next
  if (!(name in n)) order[++cases]=name
  v[name, ++n[name]]=ns+0
  if (al == "") al="?"
  if (!(name in allocs) || al+0 > allocs[name]+0) allocs[name]=al
}
END {
  for (c=1; c<=cases; c++) {
    name=order[c]; k=n[name]
    for (i=1; i<=k; i++) s[i]=v[name, i]
    for (i=2; i<=k; i++) for (j=i; j>1 && s[j-1]>s[j]; j--) { t=s[j]; s[j]=s[j-1]; s[j-1]=t }
    med=(k%2) ? s[(k+1)/2] : (s[k/2]+s[k/2+1])/2
    printf "%s %.1f ns/pkt %s allocs/pkt\n", name, med, allocs[name]
    spread=spread sprintf("# %s: %d runs, min %.1f, median %.1f, max %.1f ns/pkt\n", name, k, s[1], med, s[k])
  }
  printf "\n%s", spread
}')
echo "$summary"
echo
echo "$raw"
