// Package unixctl implements the control-socket server that ovs-appctl talks
// to: JSON-RPC 1.0 over a Unix domain socket, one request at a time per
// connection, with OVS's command registry semantics (argument-count checks,
// the built-in "list-commands" and "version" commands, and OVS's exact error
// texts).
//
// The package owns the socket, the command registry and the framing. It
// knows nothing about what the commands do: every other package registers
// its own commands on a *Server. It is a leaf package and must not import
// any other govs package.
package unixctl
