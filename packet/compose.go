package packet

import (
	"encoding/binary"
	"fmt"

	"govs.dev/govs/flow"
	"govs.dev/govs/packet/header"
)

// Compose returns a packet whose Extract gives k (for the fields a packet
// can carry), byte for byte as OVS's flow_compose() builds it for
// `ovs-appctl netdev-dummy/receive PORT FLOW` (payloadLen 64) and
// `ofproto/trace -generate`: the same headers, zeroed fields, payload
// pattern (byte i is i), lengths and checksums. payloadLen is the L7 payload
// length for protocols that carry one (TCP without SYN/FIN/RST, UDP, ICMP
// and ICMPv6 echo); negative means 0.
func Compose(k *flow.Key, payloadLen int) []byte {
	return AppendCompose(nil, k, payloadLen)
}

// AppendCompose is Compose appending to b.
func AppendCompose(b []byte, k *flow.Key, payloadLen int) []byte {
	b, _, _ = appendCompose(b, k, max(payloadLen, 0))
	return b
}

// ComposeLen is OVS's flow_compose() without payload followed by
// packet_expand() to size bytes, as `netdev-dummy/receive PORT --len SIZE
// FLOW` does: zero padding with the IP and UDP lengths and checksums
// recomputed. Like OVS 3.1 it counts the padding twice in the UDP length.
// It fails if the packet without payload is already longer than size.
func ComposeLen(k *flow.Key, size int) ([]byte, error) {
	b, l3, l4 := appendCompose(nil, k, 0)
	if len(b) > size {
		return nil, fmt.Errorf("packet: compose: %d-byte packet does not fit in %d bytes", len(b), size)
	}
	if len(b) == size {
		return b, nil
	}
	extra := size - len(b)
	b = append(b, make([]byte, extra)...)
	switch k.DlType {
	case DlTypeNone:
		binary.BigEndian.PutUint16(b[12:], uint16(len(b)))
	case EthTypeIPv4, EthTypeIPv6:
		l4Len := len(b) - l4
		var pseudo uint32
		if k.DlType == EthTypeIPv4 {
			ip := header.IPv4(b[l3:])
			ip.SetTotalLength(uint16(l4 - l3 + l4Len))
			ip.SetChecksum(0)
			ip.SetChecksum(header.Checksum(ip[:20], 0))
			pseudo = header.PseudoHeaderSumIPv4(k.NwSrc, k.NwDst, k.NwProto, uint16(l4Len))
		} else {
			ip := header.IPv6(b[l3:])
			ip.SetPayloadLength(uint16(l4Len))
			pseudo = header.PseudoHeaderSumIPv6(&k.IPv6Src, &k.IPv6Dst, k.NwProto, uint32(uint16(l4Len)))
		}
		if composesL4(k) && k.NwProto == ProtoUDP {
			binary.BigEndian.PutUint16(b[l4+4:], uint16(l4Len+extra))
		}
		composeL4Csum(b, l4, k, pseudo)
	}
	return b, nil
}

func composesL4(k *flow.Key) bool {
	return k.NwFrag&flow.FragAny == 0 || k.NwFrag&flow.FragLater == 0
}

func appendPayload(b []byte, n int) []byte {
	for i := range n {
		b = append(b, byte(i))
	}
	return b
}

// appendCompose composes k onto b and returns the result with the offsets
// of its L3 and L4 headers (len(b) at the end when absent).
func appendCompose(b []byte, k *flow.Key, l7Len int) ([]byte, int, int) {
	start := len(b)
	b = append(b, k.DlDst[:]...)
	b = append(b, k.DlSrc[:]...)
	if k.DlType == DlTypeNone {
		b = binary.BigEndian.AppendUint16(b, uint16(len(b)-start+2))
		return b, len(b), len(b)
	}
	for _, v := range k.VLANs {
		if v.TCI&flow.VLANCFI != 0 {
			b = binary.BigEndian.AppendUint16(b, v.TPID)
			b = binary.BigEndian.AppendUint16(b, v.TCI&^flow.VLANCFI)
		}
	}
	b = binary.BigEndian.AppendUint16(b, k.DlType)
	l3 := len(b)
	l4 := len(b)
	switch k.DlType {
	case EthTypeIPv4:
		var ip [20]byte
		ip[0] = 0x45
		ip[1] = k.NwTOS
		if k.NwFrag&flow.FragAny != 0 {
			fo := uint16(0x2000)
			if k.NwFrag&flow.FragLater != 0 {
				fo |= 100
			}
			binary.BigEndian.PutUint16(ip[6:], fo)
		}
		ip[8] = k.NwTTL
		ip[9] = k.NwProto
		binary.BigEndian.PutUint32(ip[12:], k.NwSrc)
		binary.BigEndian.PutUint32(ip[16:], k.NwDst)
		b = append(b, ip[:]...)
		l4 = len(b)
		b = composeL4(b, k, l7Len)
		h := header.IPv4(b[l3:])
		h.SetTotalLength(uint16(len(b) - l3))
		h.SetChecksum(header.Checksum(h[:20], 0))
		pseudo := header.PseudoHeaderSumIPv4(k.NwSrc, k.NwDst, k.NwProto, uint16(len(b)-l4))
		composeL4Csum(b, l4, k, pseudo)
	case EthTypeIPv6:
		var ip [40]byte
		binary.BigEndian.PutUint32(ip[0:], 6<<28|uint32(k.NwTOS)<<20|k.IPv6Label)
		ip[6] = k.NwProto
		ip[7] = k.NwTTL
		copy(ip[8:24], k.IPv6Src[:])
		copy(ip[24:40], k.IPv6Dst[:])
		b = append(b, ip[:]...)
		l4 = len(b)
		b = composeL4(b, k, l7Len)
		header.IPv6(b[l3:]).SetPayloadLength(uint16(len(b) - l4))
		pseudo := header.PseudoHeaderSumIPv6(&k.IPv6Src, &k.IPv6Dst, k.NwProto, uint32(uint16(len(b)-l4)))
		composeL4Csum(b, l4, k, pseudo)
	case EthTypeARP, EthTypeRARP:
		var arp [28]byte
		binary.BigEndian.PutUint16(arp[0:], 1)
		binary.BigEndian.PutUint16(arp[2:], EthTypeIPv4)
		arp[4], arp[5] = 6, 4
		binary.BigEndian.PutUint16(arp[6:], uint16(k.NwProto))
		if k.NwProto == 1 || k.NwProto == 2 {
			copy(arp[8:14], k.ArpSHA[:])
			binary.BigEndian.PutUint32(arp[14:], k.NwSrc)
			copy(arp[18:24], k.ArpTHA[:])
			binary.BigEndian.PutUint32(arp[24:], k.NwDst)
		}
		b = append(b, arp[:]...)
		l4 = len(b)
	case EthTypeMPLS, EthTypeMPLSMC:
		n := 1
		for ; n < len(k.MPLS); n++ {
			if k.MPLS[n-1]&0x100 != 0 {
				break
			}
		}
		for i := range n {
			b = binary.BigEndian.AppendUint32(b, k.MPLS[i])
		}
		l3 = len(b)
		l4 = len(b)
	}
	return b, l3, l4
}

// composeL4 appends the L4 header and payload of k (flow_compose_l4).
func composeL4(b []byte, k *flow.Key, l7Len int) []byte {
	if !composesL4(k) {
		return b
	}
	switch k.NwProto {
	case ProtoTCP:
		var h [20]byte
		binary.BigEndian.PutUint16(h[0:], k.TpSrc)
		binary.BigEndian.PutUint16(h[2:], k.TpDst)
		binary.BigEndian.PutUint16(h[12:], 5<<12|k.TCPFlags)
		b = append(b, h[:]...)
		if k.TCPFlags&(header.TCPFlagSyn|header.TCPFlagFin|header.TCPFlagRst) == 0 {
			b = appendPayload(b, l7Len)
		}
	case ProtoUDP:
		var h [8]byte
		binary.BigEndian.PutUint16(h[0:], k.TpSrc)
		binary.BigEndian.PutUint16(h[2:], k.TpDst)
		binary.BigEndian.PutUint16(h[4:], uint16(8+l7Len))
		b = append(b, h[:]...)
		b = appendPayload(b, l7Len)
	case ProtoSCTP:
		var h [12]byte
		binary.BigEndian.PutUint16(h[0:], k.TpSrc)
		binary.BigEndian.PutUint16(h[2:], k.TpDst)
		b = append(b, h[:]...)
	case ProtoICMP:
		var h [8]byte
		h[0], h[1] = uint8(k.TpSrc), uint8(k.TpDst)
		b = append(b, h[:]...)
		if (h[0] == 8 || h[0] == 0) && h[1] == 0 {
			b = appendPayload(b, l7Len)
		}
	case ProtoIGMP:
		var h [8]byte
		h[0], h[1] = uint8(k.TpSrc), uint8(k.TpDst)
		binary.BigEndian.PutUint32(h[4:], k.NDReserved)
		b = append(b, h[:]...)
	case ProtoICMPv6:
		var h [8]byte
		h[0], h[1] = uint8(k.TpSrc), uint8(k.TpDst)
		binary.BigEndian.PutUint32(h[4:], k.NDReserved)
		b = append(b, h[:]...)
		switch {
		case h[1] == 0 && (h[0] == icmp6NeighborSolicit || h[0] == icmp6NeighborAdvert):
			b = append(b, k.NDTarget[:]...)
			if !isZeroMAC(k.ArpSHA[:]) {
				b = append(b, ndOptSourceLLA, 1)
				b = append(b, k.ArpSHA[:]...)
			}
			if !isZeroMAC(k.ArpTHA[:]) {
				b = append(b, ndOptTargetLLA, 1)
				b = append(b, k.ArpTHA[:]...)
			}
		case h[1] == 0 && (h[0] == 128 || h[0] == 129):
			b = appendPayload(b, l7Len)
		}
	}
	return b
}

// composeL4Csum fills the L4 checksum at b[l4:] (flow_compose_l4_csum).
func composeL4Csum(b []byte, l4 int, k *flow.Key, pseudo uint32) {
	if !composesL4(k) {
		return
	}
	seg := b[l4:]
	var at int
	switch k.NwProto {
	case ProtoTCP:
		at = 16
	case ProtoUDP:
		at = 6
	case ProtoICMP, ProtoIGMP:
		at, pseudo = 2, 0
	case ProtoICMPv6:
		at = 2
	default:
		return
	}
	if len(seg) < at+2 {
		return
	}
	binary.BigEndian.PutUint16(seg[at:], 0)
	c := header.Checksum(seg, pseudo)
	if c == 0 && k.NwProto == ProtoUDP {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(seg[at:], c)
}
