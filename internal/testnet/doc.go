// Package testnet is the test harness that runs Open vSwitch daemons — stock
// ovs-vswitchd 3.1 (the oracle) or govs — in private run directories, drives
// them with the stock client tools, and normalises their output so that the
// two implementations can be compared line by line.
//
// It owns:
//   - Env: one private directory used as OVS_RUNDIR, OVS_DBDIR, OVS_LOGDIR and
//     OVS_SYSCONFDIR, a stock ovsdb-server and one switch daemon, the
//     ovs-vsctl/ovs-ofctl/ovs-appctl runners (always with that environment and
//     a timeout), and the cleanup that stops exactly the daemons it started,
//     by PID, and dumps their logs when the test failed;
//   - the normalisers (pure functions on command output) that remove what is
//     timing- or allocation-dependent;
//   - Script, Transcript and Diff, the differential test driver;
//   - network namespaces and veth pairs for system tests.
//
// testnet is used only from tests. It must not import any govs package: it
// talks to the switch under test only through its command-line tools and
// files, exactly as an operator would, so that the same code drives stock
// OVS and govs. It never touches the system run directory
// (/var/run/openvswitch) and never signals a process it did not start.
package testnet
