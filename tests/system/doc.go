// Package system holds govs's system tests on the userspace datapath with
// real ports: veth pairs into network namespaces (AF_PACKET ports) and the
// bridges' internal ports (taps), driven by the stock OVS tools.
//
// Every test builds its own topology: a switch namespace in which the
// switch daemon runs (with its own rundir and stock ovsdb-server) and one
// endpoint namespace per port, with names unique per test run, all removed
// when the test ends, also on failure. Traffic (ping, iperf3, frames built
// by the test and sent with packet sockets) only flows between those
// namespaces and is bounded in time. veth offloads stay at the kernel's
// defaults (checksum offload and TSO on) unless a test is about turning
// them off.
//
// Some tests run against stock ovs-vswitchd too: TestDiffUserspace compares
// the two switches' normalised outputs on the same topology, and the
// offload tests show the pitfall on stock (P1 in PITFALLS.md) where that
// is cheap.
//
// The package imports only internal/testnet and the standard library (and
// x/sys for nothing more than the test helpers): it tests the switch
// through the operator's tools.
package system
