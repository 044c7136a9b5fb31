package odp

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"govs.dev/govs/flow"
)

// FormatStats appends the statistics part of a dpctl/dump-flows line, with
// its leading separator, as OVS's dpif_flow_stats_format prints it:
//
//	, packets:1, bytes:60, used:0.001s, flags:SFPRU.ECN
//
// used is when the flow last matched a packet; the zero Time prints
// "used:never". The age is now-used in whole milliseconds printed in
// seconds with three decimals. flags (the OR of the TCP flags seen) is left
// out when zero. FormatStats has no side effects beyond b.
func FormatStats(b *strings.Builder, packets, bytes uint64, used, now time.Time, tcpFlags uint16) {
	b.WriteString(", packets:")
	dec(b, packets)
	b.WriteString(", bytes:")
	dec(b, bytes)
	b.WriteString(", used:")
	if used.IsZero() {
		b.WriteString("never")
	} else {
		ms := now.Sub(used).Milliseconds()
		b.WriteString(strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64))
		b.WriteByte('s')
	}
	if tcpFlags != 0 {
		b.WriteString(", flags:")
		FormatTCPFlagsShort(b, tcpFlags)
	}
}

// FormatTCPFlagsShort appends TCP flags in OVS's one-letter form
// (packet_format_tcp_flags): S F P R U . E C N for SYN FIN PSH RST URG ACK
// ECE CWR NS, then [200] [400] [800] for the reserved bits, "none" for 0.
func FormatTCPFlagsShort(b *strings.Builder, f uint16) {
	if f == 0 {
		b.WriteString("none")
		return
	}
	for _, x := range [...]struct {
		bit uint16
		s   string
	}{{0x002, "S"}, {0x001, "F"}, {0x008, "P"}, {0x004, "R"}, {0x020, "U"}, {0x010, "."},
		{0x040, "E"}, {0x080, "C"}, {0x100, "N"}, {0x200, "[200]"}, {0x400, "[400]"}, {0x800, "[800]"}} {
		if f&x.bit != 0 {
			b.WriteString(x.s)
		}
	}
}

// UFID is a datapath flow's unique identifier, 128 bits in the order OVS
// prints them as a UUID: UFID[0] holds the first 8 hex digits.
type UFID [4]uint32

// FormatUFID appends "ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" as
// dpctl/dump-flows -m prints it before the key (followed there by ", ").
func FormatUFID(b *strings.Builder, u UFID) {
	fmt.Fprintf(b, "ufid:%08x-%04x-%04x-%04x-%04x%08x",
		u[0], u[1]>>16, u[1]&0xffff, u[2]>>16, u[2]&0xffff, u[3])
}

// ParseUFID parses the "ufid:UUID" form FormatUFID prints.
func ParseUFID(s string) (UFID, error) {
	var u UFID
	rest, ok := strings.CutPrefix(s, "ufid:")
	if !ok || len(rest) != 36 {
		return u, fmt.Errorf("%w: bad ufid %q", ErrSyntax, s)
	}
	hex := strings.ReplaceAll(rest, "-", "")
	if len(hex) != 32 || rest[8] != '-' || rest[13] != '-' || rest[18] != '-' || rest[23] != '-' {
		return u, fmt.Errorf("%w: bad ufid %q", ErrSyntax, s)
	}
	for i := range u {
		v, err := strconv.ParseUint(hex[8*i:8*i+8], 16, 32)
		if err != nil {
			return u, fmt.Errorf("%w: bad ufid %q", ErrSyntax, s)
		}
		u[i] = uint32(v)
	}
	return u, nil
}

// DumpHeader returns the line dpctl/dump-flows prints before the flows of
// one forwarding thread: pmd < 0 is the main (non-PMD) thread, otherwise
// the CPU core of a PMD thread. Nothing is printed when there are no flows.
func DumpHeader(pmd int) string {
	if pmd < 0 {
		return "flow-dump from the main thread:"
	}
	return "flow-dump from pmd on cpu core: " + strconv.Itoa(pmd)
}

// DumpedFlow is one datapath flow as dpctl/dump-flows shows it. The caller
// owns it; FormatDumpedFlow only reads it.
type DumpedFlow struct {
	UFID      UFID
	Key, Mask flow.Key // Key as installed (OVS prints it unmasked)
	Packets   uint64
	Bytes     uint64
	Used      time.Time // zero: never used
	TCPFlags  uint16    // OR of the TCP flags of the packets seen
	Actions   []Action
	// ExtraInfo is printed after the actions with -m as
	// ", dp-extra-info:ExtraInfo" (stock: "miniflow_bits(4,3)"); empty
	// omits it.
	ExtraInfo string
}

// DumpOptions says how FormatDumpedFlow prints a flow.
type DumpOptions struct {
	// Verbose is -m: the ufid first, every key attribute with its mask.
	Verbose bool
	// PortName names in_port and output ports; nil prints numbers. Stock
	// uses names by default with -m and numbers without (--names and
	// --no-names override).
	PortName func(uint32) string
	// Dpif selects the "ovs-appctl dpif/dump-flows BRIDGE" layout: the
	// ufid is followed by a space instead of ", ", and there is no
	// ", dp:ovs" nor dp-extra-info.
	Dpif bool
}

// FormatDumpedFlow appends one dpctl/dump-flows (or dpif/dump-flows) line
// without its newline:
//
//	KEY, packets:N, bytes:N, used:..., actions:ACTIONS
//
// With o.Verbose (-m), dpctl/dump-flows prints "ufid:UUID, " first, the
// verbose key, ", dp:ovs" after the statistics and ", dp-extra-info:..." at
// the end. now is the time "used" is measured against.
func FormatDumpedFlow(b *strings.Builder, f *DumpedFlow, now time.Time, o DumpOptions) {
	if o.Verbose {
		FormatUFID(b, f.UFID)
		if o.Dpif {
			b.WriteByte(' ')
		} else {
			b.WriteString(", ")
		}
	}
	FormatKey(b, &f.Key, &f.Mask, o.PortName, o.Verbose)
	FormatStats(b, f.Packets, f.Bytes, f.Used, now, f.TCPFlags)
	if o.Verbose && !o.Dpif {
		b.WriteString(", dp:ovs")
	}
	b.WriteString(", actions:")
	FormatActions(b, f.Actions, o.PortName)
	if o.Verbose && !o.Dpif && f.ExtraInfo != "" {
		b.WriteString(", dp-extra-info:")
		b.WriteString(f.ExtraInfo)
	}
}
