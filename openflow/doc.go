// Package openflow is the OpenFlow 1.0-1.5 wire codec with the Nicira (NX)
// extensions: message framing, every message govs speaks, OXM/NXM match TLVs,
// actions and instructions (in the version-independent model of action.go),
// and typed errors. It does no I/O beyond splitting a stream (Reader) and
// keeps no state between calls.
//
// # What it owns
//
//   - Framing: Header, ParseHeader, Reader (bounded message length).
//   - Messages: one struct per message kind (Hello, ErrorMsg, FlowMod,
//     PacketIn, StatsRequest/StatsReply, BundleAdd, ...), each carrying the
//     Header (version and xid). Decode turns one whole message into a
//     Message; Encode/AppendEncode serialise it in Header.Version. Wire
//     variants of one kind share a struct with a selector field: FlowMod.NX
//     for NXT_FLOW_MOD, PacketIn.Format for NXT_PACKET_IN[2], StatsRequest.NX
//     for NXST_FLOW/NXST_AGGREGATE, BundleControl.ONF for the OF1.3 ONF
//     bundle extension, RoleMsg.NX for NXT_ROLE_*.
//   - Matches: Match is an ordered list of MatchField (NXM/OXM TLVs) whose
//     meaning is left to the flow registry; the codec only checks structure
//     (lengths, masks, 1-bits outside masks, duplicates). OpenFlow 1.0's
//     ofp_match converts to and from the same form (Match10.ToFields,
//     Match10FromFields), with OVS's prerequisite normalisation.
//   - Actions: DecodeActions/EncodeActions and DecodeInstructions/
//     EncodeInstructions between the wire and action.go's model, choosing the
//     wire action per version as OVS does (set_field in OF1.0 becomes
//     NXAST_REG_LOAD/REG_LOAD2, copy_field is NXAST_REG_MOVE before OF1.5,
//     meter is an instruction in OF1.3-1.4 and an action in OF1.5). The
//     Nicira actions are modelled too (learn, ct, nat, multipath, bundle,
//     sample, ...), except encap, decap, dec_nsh_ttl, delete_field and the
//     debug actions: those decode (with OVS's length checks) to Unknown
//     carrying their raw bytes, so ofproto can refuse them and the codec can
//     re-encode them. Field semantics (is this header a known field, is the
//     field writable, does the match meet the action's prerequisites) are
//     the flow registry's and ofproto's to check.
//   - Stats: EncodeStatsReplies splits long dumps into multipart messages.
//   - Errors: one named Error per error Open vSwitch 3.1 knows
//     (errors_table.go, generated from stock `ovs-ofctl print-error` by
//     gen_errors.sh), their numbering in every version including NX vendor
//     and ONF experimenter errors, and Name() returning OVS's spelling.
//
// Decoding never panics or loops on malformed input: every failure wraps an
// Error (see AsError) with the (type, code) stock OVS reports for the same
// input; the tests check this against ovs-ofctl. Decoded messages own copies
// of their variable-length data. Encoding a message built by Decode gives the
// original bytes back for everything stock ovs-ofctl sends.
//
// Values are plain data: a Message or Action list may be shared read-only
// between goroutines once built; nothing here synchronises.
//
// This package is a leaf: it must not import anything else from govs (in
// particular not flow/, whose field registry interprets MatchField headers).
package openflow
