package flow

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// ErrRange reports an integer that does not fit its field.
var ErrRange = errors.New("value out of range")

// ParseValue parses s in the ovs-ofctl syntax for f's values and returns
// the value and mask in network byte order, f.Bytes long each: decimal or
// 0x-hex integers with an optional "/mask", MAC and IP addresses with
// masks or prefix lengths, port names ("LOCAL", "IN_PORT", ...), flag sets
// ("+syn-ack", "trk|new", "0x12/0xff"), fragment keywords ("later") and
// "(ns,type)" packet types. "*" wildcards the field. Errors are OVS's
// messages. Safe for concurrent use.
func (f *Field) ParseValue(s string) (v, mask []byte, err error) {
	v, mask = make([]byte, f.Bytes), make([]byte, f.Bytes)
	if s == "*" {
		return v, mask, nil
	}
	for i := range mask {
		mask[i] = 0xff
	}
	switch f.Format {
	case ValueDecimal, ValueHex:
		err = f.parseIntMasked(s, v, mask)
	case ValueEthernet:
		err = parseEthMasked(s, v, mask)
	case ValueIPv4:
		err = parseIPv4Masked(s, v, mask)
	case ValueIPv6:
		err = parseIPv6Masked(s, v, mask)
	case ValueOFPPort, ValueOFPPortOXM:
		p, ok := ParsePort(s)
		if !ok {
			if f.Format == ValueOFPPort {
				return nil, nil, fmt.Errorf("%s: invalid or unknown port for %s", s, f.Name)
			}
			return nil, nil, fmt.Errorf("%s: port value out of range for %s", s, f.Name)
		}
		if f.Format == ValueOFPPort {
			binary.BigEndian.PutUint16(v, p)
		} else {
			binary.BigEndian.PutUint32(v, PortToOF11(p))
		}
	case ValueFrag:
		err = parseFrag(s, v, mask)
	case ValueTunFlags:
		var fl, m uint32
		fl, m, err = parseFlags(s, tunFlagName, "tunnel", TunFlagOAM)
		binary.BigEndian.PutUint16(v, uint16(fl))
		binary.BigEndian.PutUint16(mask, uint16(m))
	case ValueTCPFlags:
		var fl, m uint32
		fl, m, err = parseFlags(s, tcpFlagName, "TCP", 0x0fff)
		binary.BigEndian.PutUint16(v, uint16(fl))
		binary.BigEndian.PutUint16(mask, uint16(m))
	case ValueCTState:
		var fl, m uint32
		fl, m, err = parseFlags(s, ctStateName, "ct_state", 0xff)
		binary.BigEndian.PutUint32(v, fl)
		binary.BigEndian.PutUint32(mask, m)
	case ValuePacketType:
		err = parsePacketType(s, v)
	}
	if err != nil {
		return nil, nil, err
	}
	if !f.Maskable && !allOnes(mask) && !allZeros(mask) {
		return nil, nil, fmt.Errorf("%s: invalid mask for field %s", s, f.Name)
	}
	return v, mask, nil
}

// ParseInt parses an integer as OVS's parse_int_string does into v (big
// endian, len(v) bytes): "0x" followed by any number of hex digits
// (leading zeros do not count against the width), or a C integer
// (decimal, 0-prefixed octal). It returns the unparsed rest of s.
func ParseInt(s string, v []byte) (rest string, err error) {
	clear(v)
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		s = s[2:]
		var digits []byte
		for {
			s = strings.TrimLeft(s, " \t\r\n")
			if s == "" {
				break
			}
			d, ok := hexDigit(s[0])
			if !ok {
				break
			}
			if d != 0 || len(digits) > 0 {
				if (len(digits)+2)/2 > len(v) {
					return s, ErrRange
				}
				digits = append(digits, d)
			}
			s = s[1:]
		}
		idx := len(v)
		for i := len(digits) - 1; i >= 0; i -= 2 {
			idx--
			v[idx] = digits[i]
			if i > 0 {
				v[idx] |= digits[i-1] << 4
			}
		}
		return s, nil
	}
	x, rest, err := parseCUint(s)
	if err != nil {
		return rest, err
	}
	for i := len(v) - 1; i >= 0; i-- {
		v[i] = byte(x)
		x >>= 8
	}
	if x != 0 {
		return rest, ErrRange
	}
	return rest, nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseCUint parses like C's strtoull(s, &tail, 0): leading white space,
// an optional sign, then decimal, 0-prefixed octal or 0x-prefixed hex.
func parseCUint(s string) (uint64, string, error) {
	t := strings.TrimLeft(s, " \t\r\n\v\f")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	base := 10
	switch {
	case len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X'):
		if _, ok := hexDigit(t[2]); ok {
			base, t = 16, t[2:]
		}
	case len(t) > 1 && t[0] == '0':
		base = 8
	}
	n := 0
	for n < len(t) {
		d, ok := hexDigit(t[n])
		if !ok || int(d) >= base {
			break
		}
		n++
	}
	if n == 0 {
		return 0, s, fmt.Errorf("%q: %w", s, strconv.ErrSyntax)
	}
	x, err := strconv.ParseUint(t[:n], base, 64)
	if err != nil {
		return 0, t[n:], ErrRange
	}
	if neg {
		x = -x
	}
	return x, t[n:], nil
}

func (f *Field) parseIntMasked(s string, v, mask []byte) error {
	what := "value"
	rest, err := ParseInt(s, v)
	if err == nil && rest != "" && rest[0] != '/' {
		err = strconv.ErrSyntax
	}
	if err == nil && rest != "" {
		what = "mask"
		rest, err = ParseInt(rest[1:], mask)
		if err == nil && rest != "" {
			err = strconv.ErrSyntax
		}
	}
	if err != nil {
		if errors.Is(err, ErrRange) {
			return fmt.Errorf("%s: %s too large for %d-byte field %s", s, what, f.Bytes, f.Name)
		}
		return fmt.Errorf("%s: bad syntax for %s %s", s, f.Name, what)
	}
	return nil
}

// ParseMAC parses "xx:xx:xx:xx:xx:xx" (1 or 2 hex digits per byte).
func ParseMAC(s string) (mac [6]byte, ok bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return mac, false
	}
	for i, p := range parts {
		if len(p) < 1 || len(p) > 2 {
			return mac, false
		}
		x, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return mac, false
		}
		mac[i] = byte(x)
	}
	return mac, true
}

func parseEthMasked(s string, v, mask []byte) error {
	a, m, hasMask := strings.Cut(s, "/")
	mac, ok := ParseMAC(a)
	if ok && hasMask {
		var mm [6]byte
		mm, ok = ParseMAC(m)
		copy(mask, mm[:])
	}
	if !ok {
		return fmt.Errorf("%s: invalid Ethernet address", s)
	}
	copy(v, mac[:])
	return nil
}

// parseDotted parses a dotted-quad IPv4 address.
func parseDotted(s string) ([4]byte, bool) {
	var a [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return a, false
	}
	for i, p := range parts {
		if p == "" || len(p) > 3 {
			return a, false
		}
		x, err := strconv.ParseUint(p, 10, 8)
		if err != nil {
			return a, false
		}
		a[i] = byte(x)
	}
	return a, true
}

// ParseIPv4Masked parses "a.b.c.d", "a.b.c.d/n" or "a.b.c.d/m.m.m.m" with
// OVS's error messages; addresses are returned in network order.
func ParseIPv4Masked(s string) (ip, mask [4]byte, err error) {
	a, m, hasMask := strings.Cut(s, "/")
	ip, ok := parseDotted(a)
	if !ok {
		return ip, mask, fmt.Errorf("%s: invalid IP address", s)
	}
	mask = [4]byte{0xff, 0xff, 0xff, 0xff}
	if hasMask {
		if mm, ok := parseDotted(m); ok {
			return ip, mm, nil
		}
		n, err := strconv.Atoi(m)
		if err != nil {
			return ip, mask, fmt.Errorf("%s: invalid IP address", s)
		}
		if n < 0 || n > 32 {
			return ip, mask, fmt.Errorf("%s: IPv4 network prefix bits not between 0 and 32, inclusive", s)
		}
		binary.BigEndian.PutUint32(mask[:], prefixMask32(n))
	}
	return ip, mask, nil
}

func prefixMask32(n int) uint32 {
	if n == 0 {
		return 0
	}
	return ^uint32(0) << (32 - n)
}

func parseIPv4Masked(s string, v, mask []byte) error {
	ip, m, err := ParseIPv4Masked(s)
	copy(v, ip[:])
	copy(mask, m[:])
	return err
}

// ParseIPv6Masked parses an IPv6 address with an optional "/n" or "/mask".
func ParseIPv6Masked(s string) (ip, mask [16]byte, err error) {
	a, m, hasMask := strings.Cut(s, "/")
	addr, perr := netip.ParseAddr(a)
	if perr != nil || !addr.Is6() || addr.Zone() != "" {
		return ip, mask, fmt.Errorf("%s: invalid IPv6 address", s)
	}
	ip = addr.As16()
	for i := range mask {
		mask[i] = 0xff
	}
	if hasMask {
		if n, err := strconv.Atoi(m); err == nil {
			if n < 0 || n > 128 {
				return ip, mask, fmt.Errorf("%s: IPv6 network prefix bits not between 0 and 128, inclusive", s)
			}
			mask = prefixMask128(n)
			return ip, mask, nil
		}
		ma, err := netip.ParseAddr(m)
		if err != nil || !ma.Is6() {
			return ip, mask, fmt.Errorf("%s: Invalid IPv6 mask", s)
		}
		mask = ma.As16()
	}
	return ip, mask, nil
}

func prefixMask128(n int) (m [16]byte) {
	for i := 0; i < 16; i++ {
		switch {
		case n >= 8:
			m[i] = 0xff
			n -= 8
		case n > 0:
			m[i] = byte(0xff << (8 - n))
			n = 0
		}
	}
	return m
}

func parseIPv6Masked(s string, v, mask []byte) error {
	ip, m, err := ParseIPv6Masked(s)
	copy(v, ip[:])
	copy(mask, m[:])
	return err
}

// reservedPorts are the names of the reserved OpenFlow ports, in OVS's order.
var reservedPorts = []struct {
	name string
	port uint16
}{
	{"IN_PORT", 0xfff8}, {"TABLE", 0xfff9}, {"NORMAL", 0xfffa}, {"FLOOD", 0xfffb},
	{"ALL", 0xfffc}, {"CONTROLLER", 0xfffd}, {"LOCAL", 0xfffe}, {"ANY", 0xffff},
}

// ParsePort parses an OpenFlow port as ovs-ofctl does: a decimal number
// (16-bit, or an OpenFlow 1.1+ reserved number 0xffffff00 and above), or a
// reserved port name in any case ("LOCAL", "in_port", "NONE"). The result
// is in the 16-bit numbering.
func ParsePort(s string) (uint16, bool) {
	if s == "" || s[0] == '-' {
		return 0, false
	}
	if x, err := strconv.ParseUint(s, 10, 32); err == nil {
		switch {
		case x <= 0xffff:
			return uint16(x), true
		case x < 0xffffff00:
			return 0, false
		default:
			return uint16(x - 0xffff0000), true
		}
	}
	for _, r := range reservedPorts {
		if strings.EqualFold(s, r.name) {
			return r.port, true
		}
	}
	if strings.EqualFold(s, "NONE") {
		return 0xffff, true
	}
	return 0, false
}

// FormatPort writes an OpenFlow port as ovs-ofctl does: the reserved name
// or the decimal number.
func FormatPort(p uint16) string {
	for _, r := range reservedPorts {
		if r.port == p {
			return r.name
		}
	}
	return strconv.Itoa(int(p))
}

var fragNames = []struct {
	name        string
	mask, value uint8
}{
	{"no", FragMask, 0}, {"first", FragMask, FragAny}, {"later", FragMask, FragMask},
	{"no", FragAny, 0}, {"yes", FragAny, FragAny},
	{"not_later", FragLater, 0}, {"later", FragLater, FragLater},
}

func parseFrag(s string, v, mask []byte) error {
	for _, h := range fragNames {
		if strings.EqualFold(s, h.name) {
			v[0] = h.value
			mask[0] = h.mask | ^uint8(FragMask)
			return nil
		}
	}
	return fmt.Errorf("%s: unknown fragment type (valid types are \"no\", \"yes\", \"first\", \"later\", \"not_later\"", s)
}

// FormatFrag writes a fragment match ("no", "first", "later", "yes",
// "not_later"), or "<error>" for a combination with no name.
func FormatFrag(value, mask uint8) string {
	mask &= FragMask
	value &= mask
	for _, h := range fragNames {
		if h.value == value && h.mask == mask {
			return h.name
		}
	}
	return "<error>"
}

func tunFlagName(bit uint32) string {
	switch bit {
	case TunFlagDontFrag:
		return "df"
	case TunFlagCsum:
		return "csum"
	case TunFlagKey:
		return "key"
	case TunFlagOAM:
		return "oam"
	}
	return ""
}

func tcpFlagName(bit uint32) string {
	switch bit {
	case 0x001:
		return "fin"
	case 0x002:
		return "syn"
	case 0x004:
		return "rst"
	case 0x008:
		return "psh"
	case 0x010:
		return "ack"
	case 0x020:
		return "urg"
	case 0x040:
		return "ece"
	case 0x080:
		return "cwr"
	case 0x100:
		return "ns"
	case 0x200:
		return "[200]"
	case 0x400:
		return "[400]"
	case 0x800:
		return "[800]"
	}
	return ""
}

func ctStateName(bit uint32) string {
	switch bit {
	case CtNew:
		return "new"
	case CtEstablished:
		return "est"
	case CtRelated:
		return "rel"
	case CtReplyDir:
		return "rpl"
	case CtInvalid:
		return "inv"
	case CtTracked:
		return "trk"
	case CtSrcNAT:
		return "snat"
	case CtDstNAT:
		return "dnat"
	}
	return ""
}

// scanCInt parses a C "%i" integer at the start of s.
func scanCInt(s string) (uint32, int, bool) {
	x, rest, err := parseCUint(s)
	if err != nil {
		return 0, 0, false
	}
	return uint32(x), len(s) - len(rest), true
}

// parseFlags parses a flag set the way OVS's parse_flags does.
func parseFlags(s string, name func(uint32) string, field string, allowed uint32) (flags, mask uint32, err error) {
	unknown := fmt.Errorf("%s: unknown %s flag(s)", s, field)
	if a, m, ok := strings.Cut(s, "/"); ok {
		if fl, n, ok1 := scanCInt(a); ok1 && n == len(a) {
			if mk, n2, ok2 := scanCInt(m); ok2 && n2 == len(m) {
				if fl&^allowed != 0 || mk&^allowed != 0 {
					return 0, 0, unknown
				}
				return fl, mk, nil
			}
		}
	}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		for s != "" {
			set := s[0] == '+'
			if s[0] != '+' && s[0] != '-' {
				return 0, 0, fmt.Errorf("%s: %s must be preceded by '+' (for SET) or '-' (NOT SET)", s, field)
			}
			s = s[1:]
			var bit uint32
			var l int
			for bit = 1; bit != 0; bit <<= 1 {
				n := name(bit)
				if n == "" || !strings.HasPrefix(s, n) {
					continue
				}
				if len(s) > len(n) && s[len(n)] != '+' && s[len(n)] != '-' {
					continue
				}
				l = len(n)
				break
			}
			if bit == 0 {
				return 0, 0, fmt.Errorf("%s: unknown %s flag(s)", s, field)
			}
			if mask&bit != 0 {
				return 0, 0, fmt.Errorf("%s: Each %s flag can be specified only once", s, field)
			}
			if bit&allowed == 0 {
				return 0, 0, fmt.Errorf("%s: unknown %s flag(s)", s, field)
			}
			if set {
				flags |= bit
			}
			mask |= bit
			s = s[l:]
		}
		return flags, mask, nil
	}
	for s != "" {
		if x, n, ok := scanCInt(s); ok {
			if x&^allowed != 0 {
				return 0, 0, unknown
			}
			flags |= x
			s = s[n:]
			s = strings.TrimPrefix(s, "|")
			continue
		}
		var bit uint32
		for bit = 1; bit != 0; bit <<= 1 {
			n := name(bit)
			if n == "" || !strings.HasPrefix(s, n) || (len(s) > len(n) && s[len(n)] != '|') {
				continue
			}
			if bit&allowed == 0 {
				return 0, 0, unknown
			}
			flags |= bit
			s = strings.TrimPrefix(s[len(n):], "|")
			break
		}
		if bit == 0 {
			return 0, 0, unknown
		}
	}
	return flags, 0xffffffff, nil
}

// formatFlags writes flags as "a|b|0x..." (OVS's format_flags).
func formatFlags(b *strings.Builder, name func(uint32) string, flags uint32, del byte) {
	if flags == 0 {
		b.WriteByte('0')
		return
	}
	var bad uint32
	first := true
	for flags != 0 {
		bit := flags & -flags
		if n := name(bit); n != "" {
			if !first {
				b.WriteByte(del)
			}
			b.WriteString(n)
			first = false
		} else {
			bad |= bit
		}
		flags &^= bit
	}
	if bad != 0 {
		if !first {
			b.WriteByte(del)
		}
		fmt.Fprintf(b, "0x%x", bad)
	}
}

// formatFlagsMasked writes flags under mask (OVS's format_flags_masked).
func formatFlagsMasked(b *strings.Builder, name func(uint32) string, flags, mask, maxMask uint32) {
	if mask == maxMask {
		formatFlags(b, name, flags, '|')
		return
	}
	if mask == 0 {
		b.WriteString("0/0")
		return
	}
	for mask != 0 {
		bit := mask & -mask
		if flags&bit != 0 {
			b.WriteByte('+')
		} else {
			b.WriteByte('-')
		}
		if n := name(bit); n != "" {
			b.WriteString(n)
		} else {
			b.WriteString("[Unknown]")
		}
		mask &^= bit
	}
}

// FormatCTState writes a ct_state match as in a flow dump: "trk|new" when
// every state bit is matched, "+trk-new" otherwise.
func FormatCTState(state, mask uint32) string {
	var b strings.Builder
	if mask&0xff == 0xff {
		formatFlags(&b, ctStateName, state, '|')
	} else {
		formatFlagsMasked(&b, ctStateName, state, mask, 0xff)
	}
	return b.String()
}

// FormatTCPFlags writes a tcp_flags match as in a flow dump.
func FormatTCPFlags(flags, mask uint16) string {
	var b strings.Builder
	formatFlagsMasked(&b, tcpFlagName, uint32(flags), uint32(mask&0x0fff), 0x0fff)
	return b.String()
}

// FormatTunFlags writes a tun_flags match as in a flow dump.
func FormatTunFlags(flags, mask uint16) string {
	var b strings.Builder
	formatFlagsMasked(&b, tunFlagName, uint32(flags), uint32(mask&TunFlagOAM), TunFlagOAM)
	return b.String()
}

func parsePacketType(s string, v []byte) error {
	bad := func(at, what string) error {
		return fmt.Errorf("%s: bad syntax for packet type %s", at, what)
	}
	if !strings.HasPrefix(s, "(") {
		return bad(s, "missing '('")
	}
	s = s[1:]
	rest, err := ParseInt(s, v[:2])
	if err != nil || rest == s {
		return bad(s, "ns")
	}
	if !strings.HasPrefix(rest, ",") {
		return bad(s, "missing ','")
	}
	s = rest[1:]
	rest, err = ParseInt(s, v[2:4])
	if err != nil || rest == s {
		return bad(s, "ns_type")
	}
	if !strings.HasPrefix(rest, ")") {
		return bad(s, "missing ')'")
	}
	return nil
}

// FormatPacketType writes a packet_type match: "(ns,type)" with the type in
// hex, "*" for a wildcarded part.
func FormatPacketType(pt, mask uint32) string {
	var b strings.Builder
	b.WriteString("packet_type=(")
	put := func(v, m uint16) {
		switch {
		case m == 0:
			b.WriteByte('*')
		case v > 9:
			fmt.Fprintf(&b, "0x%x", v)
		default:
			fmt.Fprintf(&b, "%d", v)
		}
		if m != 0 && m != 0xffff {
			fmt.Fprintf(&b, "/0x%x", m)
		}
	}
	put(uint16(pt>>16), uint16(mask>>16))
	b.WriteByte(',')
	put(uint16(pt), uint16(mask))
	b.WriteByte(')')
	return b.String()[len("packet_type="):]
}

// FormatHexBytes writes b as OVS's ds_put_hex does: "0x" and the value
// without leading zeros, or "0".
func FormatHexBytes(b []byte) string {
	var sb strings.Builder
	printed := false
	for _, x := range b {
		if x != 0 || printed {
			if !printed {
				fmt.Fprintf(&sb, "0x%x", x)
			} else {
				fmt.Fprintf(&sb, "%02x", x)
			}
			printed = true
		}
	}
	if !printed {
		return "0"
	}
	return sb.String()
}

// FormatMAC writes a MAC address with an optional mask (nil: exact).
func FormatMAC(mac []byte, mask []byte) string {
	s := fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5])
	if mask != nil && !allOnes(mask[:6]) {
		s += "/" + FormatMAC(mask, nil)
	}
	return s
}

// FormatIPv4Masked writes an IPv4 address (network order) with its mask as
// a prefix length when it is a CIDR mask, dotted otherwise.
func FormatIPv4Masked(ip, mask uint32) string {
	s := IPv4Addr(ip).String()
	if mask != 0xffffffff {
		if n := bits.LeadingZeros32(^mask); mask == prefixMask32(n) {
			s += "/" + strconv.Itoa(n)
		} else {
			s += "/" + IPv4Addr(mask).String()
		}
	}
	return s
}

// FormatIPv6 writes an IPv6 address as glibc's inet_ntop does.
func FormatIPv6(a [16]byte) string {
	// glibc writes IPv4-compatible addresses (::a.b.c.d) in dotted form;
	// netip prints them in hex.
	if allZeros(a[:12]) && (a[12] != 0 || a[13] != 0) {
		return "::" + netip.AddrFrom4([4]byte(a[12:])).String()
	}
	return netip.AddrFrom16(a).String()
}

// FormatIPv6Masked writes an IPv6 address with an optional mask (nil:
// exact), as a prefix length when the mask is a CIDR mask.
func FormatIPv6Masked(a [16]byte, mask []byte) string {
	s := FormatIPv6(a)
	if mask != nil && !allOnes(mask) {
		m := [16]byte(mask)
		n := 0
		for _, x := range m {
			n += bits.OnesCount8(x)
		}
		if prefixMask128(n) == m {
			s += "/" + strconv.Itoa(n)
		} else {
			s += "/" + FormatIPv6(m)
		}
	}
	return s
}

// FormatValue writes an exact value of f (network byte order, f.Bytes
// long) in the ovs-ofctl syntax, as set_field and flow dumps print it.
func (f *Field) FormatValue(v []byte) string { return f.FormatValueMasked(v, nil) }

// FormatValueMasked writes v under mask (nil or all ones: exact; all
// zeros: "ANY") as OVS's mf_format does.
func (f *Field) FormatValueMasked(v, mask []byte) string {
	if len(v) < f.Bytes || (mask != nil && len(mask) < f.Bytes) {
		return "<bad length>"
	}
	v = v[:f.Bytes]
	if mask != nil {
		mask = mask[:f.Bytes]
		if allZeros(mask) {
			return "ANY"
		}
		if allOnes(mask) {
			mask = nil
		}
	}
	switch f.Format {
	case ValueOFPPortOXM:
		if mask == nil {
			p, _ := PortFromOF11(binary.BigEndian.Uint32(v))
			return FormatPort(p)
		}
	case ValueOFPPort:
		if mask == nil {
			return FormatPort(binary.BigEndian.Uint16(v))
		}
	case ValueCTState:
		m := uint32(0xffffffff)
		if mask != nil {
			m = binary.BigEndian.Uint32(mask)
		}
		return FormatCTState(binary.BigEndian.Uint32(v), m)
	case ValueEthernet:
		return FormatMAC(v, mask)
	case ValueIPv4:
		m := uint32(0xffffffff)
		if mask != nil {
			m = binary.BigEndian.Uint32(mask)
		}
		return FormatIPv4Masked(binary.BigEndian.Uint32(v), m)
	case ValueIPv6:
		return FormatIPv6Masked([16]byte(v), mask)
	case ValueFrag:
		m := uint8(0xff)
		if mask != nil {
			m = mask[0]
		}
		return FormatFrag(v[0], m)
	case ValueTunFlags:
		m := uint16(0xffff)
		if mask != nil {
			m = binary.BigEndian.Uint16(mask)
		}
		return FormatTunFlags(binary.BigEndian.Uint16(v), m)
	case ValueTCPFlags:
		m := uint16(0xffff)
		if mask != nil {
			m = binary.BigEndian.Uint16(mask)
		}
		return FormatTCPFlags(binary.BigEndian.Uint16(v), m)
	case ValuePacketType:
		m := uint32(0xffffffff)
		if mask != nil {
			m = binary.BigEndian.Uint32(mask)
		}
		return FormatPacketType(binary.BigEndian.Uint32(v), m)
	}
	var s string
	if f.Format == ValueHex {
		s = FormatHexBytes(v)
	} else {
		s = strconv.FormatUint(beUint(v), 10)
	}
	if mask != nil {
		s += "/" + FormatHexBytes(mask)
	}
	return s
}
