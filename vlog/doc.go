// Package vlog is govs's logging: Open vSwitch's module/level/destination
// model on top of formatted messages, with OVS's line formats, -v spec
// syntax, rate limiting and the vlog/* ovs-appctl commands.
//
// Each package declares its module once (var log = vlog.Module("bridge"))
// and logs through it; Logger.Slog adapts a module to log/slog for code that
// wants a *slog.Logger. Every module carries one level per destination
// (console, syslog, file). A message is formatted only when some
// destination wants it, so disabled debug logging costs an atomic load.
//
// State is process-wide, as in OVS: one set of modules, one log file, one
// message sequence. All functions and methods are safe for concurrent use.
//
// The package must not import any other govs package except unixctl.
package vlog
