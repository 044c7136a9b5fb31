package ofctl

import (
	"fmt"
	"strconv"
	"strings"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// kvScanner splits "k1=v1, k2:v2 k3(v3) k4" into key/value pairs as OVS's
// ofputil_parse_key_value does: a value after '=' or ':' runs to the next
// comma or white space outside parentheses; a value after '(' runs to the
// matching ')' (and, for "(x)->y", on to the next delimiter).
type kvScanner struct{ s string }

func (sc *kvScanner) next() (key, value string, ok bool) {
	sc.s = strings.TrimLeft(sc.s, ", \t\r\n")
	if sc.s == "" {
		return "", "", false
	}
	n := strings.IndexAny(sc.s, ":=(, \t\r\n")
	if n < 0 {
		key, sc.s = sc.s, ""
		return key, "", true
	}
	key = sc.s[:n]
	delim := sc.s[n]
	sc.s = sc.s[n+1:]
	var delims string
	switch delim {
	case ':', '=':
		delims = ", \t\r\n"
	case '(':
		delims = ")"
	default:
		return key, "", true
	}
	l := valueLen(sc.s, delims)
	if delim == '(' && l < len(sc.s) && sc.s[l] == ')' && strings.HasPrefix(sc.s[l+1:], "->") {
		l += valueLen(sc.s[l:], ", \t\r\n")
	}
	value = sc.s[:l]
	if l < len(sc.s) {
		l++
	}
	sc.s = sc.s[l:]
	return key, value, true
}

// valueLen returns the length of the value at the start of s that ends at
// one of delims, skipping over balanced parentheses.
func valueLen(s, delims string) int {
	n := 0
	for n < len(s) && !strings.ContainsRune(delims, rune(s[n])) {
		if s[n] == '(' {
			level := 0
			for {
				if n >= len(s) {
					return n
				}
				switch s[n] {
				case '(':
					level++
				case ')':
					level--
				}
				n++
				if level <= 0 {
					break
				}
			}
		} else {
			n++
		}
	}
	return n
}

// parseSubfield parses "NAME", "NAME[]", "NAME[bit]" or "NAME[start..end]"
// at the start of s (the name ends at '[' or '-'), returning the rest.
func parseSubfield(s string) (*flow.Field, openflow.FieldRef, string, error) {
	orig := s
	n := strings.IndexAny(s, "[-")
	if n < 0 {
		n = len(s)
	}
	name := s[:n]
	f := flow.LookupRefName(strings.TrimSuffix(name, "_W"))
	if f == nil {
		return nil, openflow.FieldRef{}, "", fmt.Errorf("%s: unknown field `%s'", orig, name)
	}
	s = s[n:]
	start, end := 0, f.Bits-1
	if strings.HasPrefix(s, "[") {
		close := strings.IndexByte(s, ']')
		if close < 0 {
			return f, openflow.FieldRef{}, "", fmt.Errorf("%s: syntax error expecting [] or [<bit>] or [<start>..<end>]", orig)
		}
		inner := s[1:close]
		var err1, err2 error
		switch {
		case inner == "":
		case strings.Contains(inner, ".."):
			a, b, _ := strings.Cut(inner, "..")
			start, err1 = strconv.Atoi(strings.TrimSpace(a))
			end, err2 = strconv.Atoi(strings.TrimSpace(b))
		default:
			start, err1 = strconv.Atoi(strings.TrimSpace(inner))
			end = start
		}
		if err1 != nil || err2 != nil {
			return f, openflow.FieldRef{}, "", fmt.Errorf("%s: syntax error expecting [] or [<bit>] or [<start>..<end>]", orig)
		}
		s = s[close+1:]
	}
	switch {
	case start > end:
		return f, openflow.FieldRef{}, "", fmt.Errorf("%s: starting bit %d is after ending bit %d", orig, start, end)
	case start < 0 || start >= f.Bits:
		return f, openflow.FieldRef{}, "", fmt.Errorf("%s: starting bit %d is not valid because field is only %d bits wide", orig, start, f.Bits)
	case end >= f.Bits:
		return f, openflow.FieldRef{}, "", fmt.Errorf("%s: ending bit %d is not valid because field is only %d bits wide", orig, end, f.Bits)
	}
	return f, openflow.FieldRef{Header: fieldHeader(f), Ofs: start, Bits: end - start + 1}, s, nil
}

// ParseSubfield parses a whole field reference such as "NXM_NX_REG0[0..15]"
// or "reg0".
func ParseSubfield(s string) (openflow.FieldRef, error) {
	_, r, rest, err := parseSubfield(s)
	if err == nil && rest != "" {
		err = fmt.Errorf("%s: unexpected input following field syntax", s)
	}
	return r, err
}

// fieldHeader is the header govs uses in the action model for f: its NXM
// header if it has one, else its OXM header.
func fieldHeader(f *flow.Field) uint64 {
	if f.NXMHeader != 0 {
		return f.NXMHeader
	}
	return f.OXMHeader
}

// FormatSubfield writes a field reference as ovs-ofctl does:
// "NXM_NX_REG0[]", "NXM_NX_REG0[3]", "NXM_NX_REG0[0..15]".
func FormatSubfield(r openflow.FieldRef) string {
	f := flow.LookupHeader(r.Header)
	if f == nil {
		return fmt.Sprintf("<unknown %#x>", r.Header)
	}
	bits := r.Bits
	if bits == 0 {
		bits = f.Bits
	}
	switch {
	case r.Ofs == 0 && bits == f.Bits:
		return f.RefName + "[]"
	case bits == 1:
		return fmt.Sprintf("%s[%d]", f.RefName, r.Ofs)
	}
	return fmt.Sprintf("%s[%d..%d]", f.RefName, r.Ofs, r.Ofs+bits-1)
}

// strToInt parses like OVS's str_to_int (strtol, base 0, whole string).
func strToInt(s string) (int64, bool) {
	t := strings.TrimLeft(s, " \t\r\n\v\f")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if t == "" || t[0] == '+' || t[0] == '-' {
		return 0, false
	}
	x, err := strconv.ParseInt(t, 0, 64)
	if err != nil {
		// ParseInt accepts "0b", "0o" and "_" that C does not; and C
		// accepts leading zeros as octal, which base 0 does too.
		return 0, false
	}
	if strings.ContainsAny(t, "_oObB") && !strings.HasPrefix(strings.ToLower(t), "0x") {
		return 0, false
	}
	if neg {
		x = -x
	}
	if x > 1<<31-1 || x < -1<<31 {
		return 0, false
	}
	return x, true
}

func strToU16(s, name string) (uint16, error) {
	x, ok := strToInt(s)
	if !ok || x < 0 || x > 65535 {
		return 0, fmt.Errorf("invalid %s \"%s\"", name, s)
	}
	return uint16(x), nil
}

func strToU8(s, name string) (uint8, error) {
	x, ok := strToInt(s)
	if !ok || x < 0 || x > 255 {
		return 0, fmt.Errorf("invalid %s \"%s\"", name, s)
	}
	return uint8(x), nil
}

// strToU64 parses like OVS's str_to_u64 (strtoull, base 0, whole string).
func strToU64(s string) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("missing required numeric argument")
	}
	x, rest, err := parseCUint(s)
	if err != nil || rest != "" {
		return 0, fmt.Errorf("invalid numeric format %s", s)
	}
	return x, nil
}

func strToU32(s string) (uint32, error) {
	if s == "" {
		return 0, fmt.Errorf("missing required numeric argument")
	}
	x, rest, err := parseCUint(s)
	if err != nil || rest != "" || (x > 0xffffffff && x < 0xffffffff80000000) {
		return 0, fmt.Errorf("invalid numeric format %s", s)
	}
	return uint32(x), nil
}

// parseCUint is C's strtoull with base 0 (hex of any length that fits).
func parseCUint(s string) (uint64, string, error) {
	var b [8]byte
	rest, err := flow.ParseInt(s, b[:])
	if err != nil {
		return 0, rest, err
	}
	if rest == s || (strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X")) && rest == s[2:] {
		return 0, rest, fmt.Errorf("%s: no digits", s)
	}
	return beUint(b[:]), rest, nil
}

func beUint(v []byte) uint64 {
	var x uint64
	for _, b := range v {
		x = x<<8 | uint64(b)
	}
	return x
}

// parseTable parses a table number (0..255).
func parseTable(s string) (uint8, bool) {
	x, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return 0, false
	}
	return uint8(x), true
}

// parsePort parses an OpenFlow port into the action model's numbering.
func parsePort(s string) (openflow.Port, bool) {
	p, ok := flow.ParsePort(s)
	return openflow.Port(p), ok
}

// FormatPort writes a port as ovs-ofctl does ("LOCAL", "ANY", "3").
func FormatPort(p openflow.Port) string { return flow.FormatPort(uint16(p)) }

// parseHex parses hex byte pairs separated by optional dots or white space
// (OVS's ofpbuf_put_hex); ok is false if anything else is left.
func parseHex(s string) ([]byte, bool) {
	var out []byte
	for {
		s = strings.TrimLeft(s, " .\t\r\n")
		if len(s) < 2 {
			return out, s == ""
		}
		hi, ok1 := hexVal(s[0])
		lo, ok2 := hexVal(s[1])
		if !ok1 || !ok2 {
			return out, false
		}
		out = append(out, hi<<4|lo)
		s = s[2:]
	}
}

func hexVal(c byte) (byte, bool) {
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

func formatHexArg(b *strings.Builder, data []byte) {
	for i, x := range data {
		if i > 0 {
			b.WriteByte('.')
		}
		fmt.Fprintf(b, "%02x", x)
	}
}
