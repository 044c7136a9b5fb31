// Package bench holds govs's system benchmark: bench/run.sh (run by
// `make bench`) puts the Linux bridge, stock Open vSwitch 3.1 (userspace
// datapath, with and without userspace TSO) and govs between two network
// namespaces in turn and measures TCP throughput, 64-byte UDP forwarding,
// CPU time per packet, TCP request/response rate and the megaflow setup
// rate. The commands under bench/cmd are its helpers: tcprr (TCP
// request/response) and benchreport (summary table and chart).
//
// The package itself has only the smoke test that `make test` runs: one
// short round of run.sh, checking that every configuration delivered
// packets and that govs's own port counters moved. It needs root; it
// creates its own namespaces and state directory and removes them.
//
// bench must not be imported, and imports no govs package except
// internal/testnet (to build the govs binary); it drives the switches only
// through their command-line tools, as an operator would.
package bench
