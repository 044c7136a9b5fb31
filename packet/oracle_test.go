package packet

import (
	"bytes"
	"fmt"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"govs.dev/govs/flow"
)

// ovsParsePacket runs stock `ovs-ofctl parse-packet` (OVS's flow_extract
// followed by flow_format) on data and returns its flow text, without the
// trailing checksum note.
func ovsParsePacket(t testing.TB, data []byte) string {
	t.Helper()
	cmd := exec.Command("ovs-ofctl", "parse-packet")
	cmd.Stdin = bytes.NewReader(data)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("ovs-ofctl parse-packet: %v: %s", err, errb.String())
	}
	s := strings.TrimSpace(out.String())
	if i := strings.IndexByte(s, ' '); i >= 0 {
		s = s[:i]
	}
	return s
}

func needOVS(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ovs-ofctl"); err != nil {
		t.Skip("stock ovs-ofctl not installed (make deps installs it)")
	}
}

// protoShorthands maps the protocol words of OVS's match format to
// dl_type and nw_proto (-1: not implied).
var protoShorthands = map[string][2]int{
	"ip": {EthTypeIPv4, -1}, "ipv6": {EthTypeIPv6, -1},
	"icmp": {EthTypeIPv4, ProtoICMP}, "icmp6": {EthTypeIPv6, ProtoICMPv6},
	"tcp": {EthTypeIPv4, ProtoTCP}, "tcp6": {EthTypeIPv6, ProtoTCP},
	"udp": {EthTypeIPv4, ProtoUDP}, "udp6": {EthTypeIPv6, ProtoUDP},
	"sctp": {EthTypeIPv4, ProtoSCTP}, "sctp6": {EthTypeIPv6, ProtoSCTP},
	"igmp": {EthTypeIPv4, ProtoIGMP},
	"arp":  {EthTypeARP, -1}, "rarp": {EthTypeRARP, -1},
	"mpls": {EthTypeMPLS, -1}, "mplsm": {EthTypeMPLSMC, -1},
}

var tcpFlagNames = map[string]uint16{
	"fin": 0x1, "syn": 0x2, "rst": 0x4, "psh": 0x8, "ack": 0x10, "urg": 0x20,
	"ece": 0x40, "cwr": 0x80, "ns": 0x100,
}

func macString(m [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

func ip4String(a uint32) string { return flow.IPv4Addr(a).String() }

func ip6String(a [16]byte) string { return netip.AddrFrom16(a).String() }

func parseNum(t testing.TB, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		t.Fatalf("bad number %q in OVS output", s)
	}
	return v
}

func parseTCPFlags(t testing.TB, s string) uint16 {
	var f uint16
	for _, part := range strings.Split(s, "|") {
		if v, ok := tcpFlagNames[part]; ok {
			f |= v
		} else if strings.HasPrefix(part, "[") {
			f |= uint16(parseNum(t, "0x"+strings.Trim(part, "[]")))
		} else {
			f |= uint16(parseNum(t, part))
		}
	}
	return f
}

// compareWithOVS checks every field that OVS prints for data against k.
func compareWithOVS(t testing.TB, data []byte, k *flow.Key) {
	t.Helper()
	text := ovsParsePacket(t, data)
	var errs []string
	bad := func(name, ovs string, got any) {
		errs = append(errs, fmt.Sprintf("%s: ovs %s, govs %v", name, ovs, got))
	}
	wantProto := -1
	sawDlType := false
	for _, f := range strings.Split(text, ",") {
		name, val, hasVal := strings.Cut(f, "=")
		if !hasVal {
			p, ok := protoShorthands[name]
			if !ok {
				t.Fatalf("unknown OVS protocol word %q in %s", name, text)
			}
			sawDlType = true
			if int(k.DlType) != p[0] {
				bad("dl_type", name, fmt.Sprintf("0x%04x", k.DlType))
			}
			wantProto = p[1]
			continue
		}
		eqNum := func(got uint64) {
			if parseNum(t, val) != got {
				bad(name, val, got)
			}
		}
		eqStr := func(got string) {
			if val != got {
				bad(name, val, got)
			}
		}
		eqIP6 := func(got [16]byte) {
			// OVS prints with inet_ntop, whose IPv4-compatible form differs
			// from Go's: compare addresses, not strings.
			a, err := netip.ParseAddr(val)
			if err != nil || a.As16() != got {
				bad(name, val, ip6String(got))
			}
		}
		switch name {
		case "dl_src":
			eqStr(macString(k.DlSrc))
		case "dl_dst":
			eqStr(macString(k.DlDst))
		case "dl_type":
			sawDlType = true
			eqNum(uint64(k.DlType))
		case "vlan_tci":
			eqNum(uint64(k.VLANs[0].TCI))
		case "vlan_tci1":
			eqNum(uint64(k.VLANs[1].TCI))
		case "dl_vlan", "dl_vlan1", "dl_vlan_pcp", "dl_vlan_pcp1":
			i := 0
			if strings.HasSuffix(name, "1") {
				i = 1
			}
			tci := k.VLANs[i].TCI
			if tci&flow.VLANCFI == 0 {
				bad(name, val, "no tag")
			} else if strings.Contains(name, "pcp") {
				eqNum(uint64(tci >> 13))
			} else {
				eqNum(uint64(tci & 0xfff))
			}
		case "nw_src", "arp_spa":
			eqStr(ip4String(k.NwSrc))
		case "nw_dst", "arp_tpa":
			eqStr(ip4String(k.NwDst))
		case "ipv6_src":
			eqIP6(k.IPv6Src)
		case "ipv6_dst":
			eqIP6(k.IPv6Dst)
		case "nd_target":
			eqIP6(k.NDTarget)
		case "ipv6_label":
			eqNum(uint64(k.IPv6Label))
		case "nw_proto", "arp_op":
			eqNum(uint64(k.NwProto))
		case "arp_sha", "nd_sll":
			eqStr(macString(k.ArpSHA))
		case "arp_tha", "nd_tll":
			eqStr(macString(k.ArpTHA))
		case "nw_tos":
			eqNum(uint64(k.NwTOS & 0xfc))
		case "nw_ecn":
			eqNum(uint64(k.NwTOS & 3))
		case "nw_ttl":
			eqNum(uint64(k.NwTTL))
		case "nw_frag":
			got := map[uint8]string{0: "no", flow.FragAny: "first", flow.FragAny | flow.FragLater: "later"}[k.NwFrag]
			eqStr(got)
		case "mpls_label":
			eqNum(uint64(k.MPLS[0] >> 12))
		case "mpls_tc":
			eqNum(uint64(k.MPLS[0] >> 9 & 7))
		case "mpls_ttl":
			eqNum(uint64(k.MPLS[0] & 0xff))
		case "mpls_bos":
			eqNum(uint64(k.MPLS[0] >> 8 & 1))
		case "mpls_lse1":
			eqNum(uint64(k.MPLS[1]))
		case "mpls_lse2":
			eqNum(uint64(k.MPLS[2]))
		case "tp_src", "icmp_type":
			eqNum(uint64(k.TpSrc))
		case "tp_dst", "icmp_code":
			eqNum(uint64(k.TpDst))
		case "tcp_flags":
			if f := parseTCPFlags(t, val); f != k.TCPFlags {
				bad(name, val, fmt.Sprintf("0x%03x", k.TCPFlags))
			}
		case "nd_reserved":
			eqNum(uint64(k.NDReserved))
		case "nd_options_type":
			eqNum(uint64(k.TCPFlags))
		default:
			t.Fatalf("OVS printed field %q that the test does not know: %s", name, text)
		}
	}
	if !sawDlType && k.DlType != 0 {
		bad("dl_type", "(none)", k.DlType)
	}
	if wantProto >= 0 && int(k.NwProto) != wantProto {
		bad("nw_proto", strconv.Itoa(wantProto), k.NwProto)
	}
	if len(errs) > 0 {
		t.Errorf("packet %x\nOVS: %s\n%s", data, text, strings.Join(errs, "\n"))
	}
}
