package odp

import (
	"strconv"
	"strings"

	"govs.dev/govs/flow"
)

// This file holds the small value printers shared by the key and action
// formatters. Each field printer appends "name=value[/mask]", separated by
// commas, which is how OVS lays out the fields inside one attribute. A field
// whose mask is zero is left out unless the output is verbose; a field whose
// mask is all ones prints no mask.

// hexCAlt writes v as C's "%#x" does: "0" for zero, "0x..." otherwise.
func hexCAlt(b *strings.Builder, v uint64) {
	if v == 0 {
		b.WriteByte('0')
		return
	}
	b.WriteString("0x")
	b.WriteString(strconv.FormatUint(v, 16))
}

// hexPlain writes v as "0x%x" (always with the prefix).
func hexPlain(b *strings.Builder, v uint64) {
	b.WriteString("0x")
	b.WriteString(strconv.FormatUint(v, 16))
}

func dec(b *strings.Builder, v uint64) { b.WriteString(strconv.FormatUint(v, 10)) }

func writeMAC(b *strings.Builder, m [6]byte) { b.WriteString(flow.FormatMAC(m[:], nil)) }

func writeIPv4(b *strings.Builder, a uint32) {
	dec(b, uint64(a>>24))
	b.WriteByte('.')
	dec(b, uint64(a>>16&0xff))
	b.WriteByte('.')
	dec(b, uint64(a>>8&0xff))
	b.WriteByte('.')
	dec(b, uint64(a&0xff))
}

// writeIPv6 writes a as glibc's inet_ntop does (flow.FormatIPv6).
func writeIPv6(b *strings.Builder, a [16]byte) { b.WriteString(flow.FormatIPv6(a)) }

func isZero(bs []byte) bool {
	for _, x := range bs {
		if x != 0 {
			return false
		}
	}
	return true
}

func isOnes(bs []byte) bool {
	for _, x := range bs {
		if x != 0xff {
			return false
		}
	}
	return true
}

// fieldFmt appends the comma-separated named fields of one attribute.
type fieldFmt struct {
	b       *strings.Builder
	verbose bool
	any     bool // a field has been written: the next one needs a comma
}

// sep starts a field.
func (f *fieldFmt) sep() {
	if f.any {
		f.b.WriteByte(',')
	}
	f.any = true
}

func (f *fieldFmt) name(n string) {
	f.sep()
	f.b.WriteString(n)
	f.b.WriteByte('=')
}

// uintField prints an integer field. full is the all-ones mask of the
// field; hexValue selects "%#x" over "%u" for the value.
func (f *fieldFmt) uintField(n string, v, m, full uint64, hexValue bool) {
	if !f.verbose && m == 0 {
		return
	}
	f.name(n)
	if hexValue {
		hexCAlt(f.b, v)
	} else {
		dec(f.b, v)
	}
	if m != full {
		f.b.WriteByte('/')
		hexCAlt(f.b, m)
	}
}

func (f *fieldFmt) macField(n string, v, m [6]byte) {
	if !f.verbose && isZero(m[:]) {
		return
	}
	f.name(n)
	writeMAC(f.b, v)
	if !isOnes(m[:]) {
		f.b.WriteByte('/')
		writeMAC(f.b, m)
	}
}

func (f *fieldFmt) ipv4Field(n string, v, m uint32) {
	if !f.verbose && m == 0 {
		return
	}
	f.name(n)
	writeIPv4(f.b, v)
	if m != 0xffffffff {
		f.b.WriteByte('/')
		writeIPv4(f.b, m)
	}
}

func (f *fieldFmt) ipv6Field(n string, v, m [16]byte) {
	if !f.verbose && isZero(m[:]) {
		return
	}
	f.name(n)
	writeIPv6(f.b, v)
	if !isOnes(m[:]) {
		f.b.WriteByte('/')
		writeIPv6(f.b, m)
	}
}

// fragField prints an ODP frag value (0 no, 1 first, 2 later); ODP masks
// are all or nothing.
func (f *fieldFmt) fragField(v, m uint8) {
	switch m {
	case 0:
		return
	case 0xff:
		f.name("frag")
		f.b.WriteString(fragName(v))
	default:
		f.sep()
		f.b.WriteString("error: partial mask not supported for frag (")
		hexCAlt(f.b, uint64(m))
		f.b.WriteString(")")
	}
}

func fragName(v uint8) string {
	switch v {
	case odpFragNone:
		return "no"
	case odpFragFirst:
		return "first"
	case odpFragLater:
		return "later"
	}
	return "<error>"
}

// ODP frag enumeration (enum ovs_frag_type).
const (
	odpFragNone  = 0
	odpFragFirst = 1
	odpFragLater = 2
)

// flag names, indexed by bit number.
var ctStateNames = [8]string{"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"}

var tcpFlagNames = [12]string{"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns", "[200]", "[400]", "[800]"}

func bitName(names []string, bit uint32) string {
	for i := range names {
		if bit == 1<<uint(i) {
			return names[i]
		}
	}
	return ""
}

// writeFlags prints flags as "a|b|c" (or with sep), unknown bits as a hex
// number, and "0" for none, like OVS's format_flags.
func writeFlags(b *strings.Builder, names []string, flags uint32, sep byte) {
	if flags == 0 {
		b.WriteByte('0')
		return
	}
	var bad uint32
	first := true
	for flags != 0 {
		bit := flags & -flags
		flags &^= bit
		if n := bitName(names, bit); n != "" {
			if !first {
				b.WriteByte(sep)
			}
			b.WriteString(n)
			first = false
		} else {
			bad |= bit
		}
	}
	if bad != 0 {
		if !first {
			b.WriteByte(sep)
		}
		b.WriteString("0x")
		b.WriteString(strconv.FormatUint(uint64(bad), 16))
	}
}

// writeFlagsMasked prints flags under mask like OVS's format_flags_masked:
// plain flags when the mask is max, "0/0" for an empty mask, otherwise
// "+set-clear" for every masked bit.
func writeFlagsMasked(b *strings.Builder, names []string, flags, mask, max uint32) {
	if mask == max {
		writeFlags(b, names, flags, '|')
		return
	}
	if mask == 0 {
		b.WriteString("0/0")
		return
	}
	for mask != 0 {
		bit := mask & -mask
		mask &^= bit
		if flags&bit != 0 {
			b.WriteByte('+')
		} else {
			b.WriteByte('-')
		}
		if n := bitName(names, bit); n != "" {
			b.WriteString(n)
		} else {
			b.WriteString("[Unknown]")
		}
	}
}
