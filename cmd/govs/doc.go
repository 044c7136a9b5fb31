// Command govs is the govs binary. "govs vswitchd [DATABASE] [OPTIONS]" is
// the switch daemon, argument-compatible with ovs-vswitchd 3.1 (the binary
// also runs as the daemon when invoked under the name ovs-vswitchd);
// "govs version" prints the version.
//
// This package owns the daemon's process side: option parsing, the pidfile
// and its lock, --detach (by re-executing itself, since Go cannot fork),
// --monitor, signals, the control socket and the daemon-wide ovs-appctl
// commands (exit, memory/show, coverage/*, vlog/*, time/*). The switch
// itself is the engine it calls (package bridge). No package imports cmd/.
package main
