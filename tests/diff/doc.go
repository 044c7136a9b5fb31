// Package diff is govs's differential test suite against stock Open vSwitch
// 3.1. It holds only tests (and this file).
//
// Each scenario is a testnet.Script — ovs-vsctl, ovs-ofctl and ovs-appctl
// commands, with packets injected through dummy ports
// ("ovs-appctl netdev-dummy/receive PORT FLOW") — that runs against two
// switches, each in its own private rundir with its own stock ovsdb-server.
// The normalised outputs of the steps marked for comparison must be equal;
// testnet.Diff reports the first step that differs, with both outputs.
//
// # GovsReady: how scenarios graduate
//
// Every scenario has a GovsReady flag:
//
//   - GovsReady == false (the state while govs's engine is being written):
//     the script runs against stock ovs-vswitchd twice, in two separate
//     Envs, and the two transcripts must be equal. This proves that the
//     script is deterministic and that the normalisers remove everything
//     that legitimately varies between runs (times, UFIDs, hash and flood
//     order, recirculation IDs, random MACs), so that a later Stock-vs-Govs
//     difference is a real one. Every step must also succeed (or fail, if
//     marked Fails) on stock.
//   - GovsReady == true: the script runs against stock and against
//     "govs vswitchd" (built from ./cmd/govs, or $GOVS_BIN) and the
//     transcripts must be equal, and the govs log must hold no WARN or ERR
//     line.
//
// The lead flips a flag to true when govs gains the scenario's features.
// Setting the environment variable GOVS_DIFF=all runs every scenario as if
// GovsReady were true, to see how far govs is.
//
// Besides the scripts, TestDaemonControl checks, for each implementation
// under test, that ovs-appctl finds the daemon through its pidfile, that
// "ovs-appctl exit --cleanup" stops it and removes its pidfile and control
// socket, and (govs only, as stock 3.1 has no such counter) that
// "coverage/read-counter dp_packet_batch_grow" prints 0.
//
// The package imports only internal/testnet and the standard library; it
// must not import govs's own packages, because it tests the switch only
// through the operator's tools.
package diff
