// Package openflow is the OpenFlow 1.0-1.5 wire codec with the Nicira (NX)
// extensions: message framing, every message govs speaks, OXM/NXM match TLVs,
// actions and instructions (in the version-independent model of action.go),
// and typed errors. It does no I/O and keeps no state between calls.
//
// Decoding never panics on malformed input: every failure is an Error with the
// OpenFlow (type, code) a switch would send back. The decoder is fuzzed.
//
// This package is a leaf: it imports nothing else from govs.
package openflow
