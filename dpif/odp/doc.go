// Package odp defines the datapath action model and the text format of
// datapath flow keys, masks and actions ("ODP" format: recirc_id(0),
// in_port(1),eth(src=...,dst=...),eth_type(0x0800),... actions:2), as printed
// by ovs-appctl dpctl/dump-flows, dpif/dump-flows and the "Datapath actions:"
// line of ofproto/trace, and as accepted by dpctl/add-flow,
// netdev-dummy/receive and ofproto/trace.
//
// It owns:
//   - the datapath action model (action.go: Action, SetMasked, Userspace);
//   - FormatKey/ParseKey: a flow.Key and its mask in ODP syntax, with OVS
//     3.1's rules for which attributes and fields print for a given mask;
//   - FormatActions/ParseActions: datapath actions;
//   - FormatStats, FormatUFID/ParseUFID, DumpHeader and FormatDumpedFlow:
//     the rest of a dpctl/dump-flows line.
//
// A datapath key is a flow.Key whose InPort is a datapath port number; its
// mask is another flow.Key. The text format is OVS's: stock Open vSwitch 3.1
// is the reference and the tests compare against it.
//
// Nothing here is on the per-packet path: formatting and parsing allocate
// freely and are meant for dumps, traces and unixctl commands. All functions
// are safe for concurrent use; they keep no state.
//
// It imports only flow from govs, and must not import dpif, ofproto or any
// package above it.
package odp
