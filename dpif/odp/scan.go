package odp

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ErrSyntax is wrapped by every parse error of this package.
var ErrSyntax = errors.New("odp: syntax error")

// delimiters separate attributes and actions, as in OVS.
const delimiters = ", \t\r\n"

// maxNesting bounds encap()/clone() recursion so hostile input cannot
// exhaust the stack.
const maxNesting = 32

// scanner is a cursor over ODP text. Every method either consumes what it
// recognises or leaves the position unchanged.
type scanner struct {
	s string
	i int
}

func (p *scanner) rest() string { return p.s[p.i:] }

func (p *scanner) errorf(format string, args ...any) error {
	rest := p.rest()
	if len(rest) > 40 {
		rest = rest[:40] + "..."
	}
	return fmt.Errorf("%w at %q: %s", ErrSyntax, rest, fmt.Sprintf(format, args...))
}

func (p *scanner) eof() bool { return p.i >= len(p.s) }

func (p *scanner) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.i]
}

// lit consumes prefix if the input starts with it.
func (p *scanner) lit(prefix string) bool {
	if strings.HasPrefix(p.s[p.i:], prefix) {
		p.i += len(prefix)
		return true
	}
	return false
}

func (p *scanner) expect(prefix string) error {
	if !p.lit(prefix) {
		return p.errorf("expected %q", prefix)
	}
	return nil
}

func (p *scanner) skipDelims() {
	for !p.eof() && strings.IndexByte(delimiters, p.s[p.i]) >= 0 {
		p.i++
	}
}

// word returns the run of bytes up to the first byte in stop.
func (p *scanner) word(stop string) string {
	j := p.i
	for j < len(p.s) && strings.IndexByte(stop, p.s[j]) < 0 {
		j++
	}
	w := p.s[p.i:j]
	p.i = j
	return w
}

// uint scans an unsigned integer the way C's "%i" does (0x hex, leading 0
// octal, else decimal) that fits in bits.
func (p *scanner) uint(bits int) (uint64, error) {
	j := p.i
	base := 10
	if strings.HasPrefix(p.s[j:], "0x") || strings.HasPrefix(p.s[j:], "0X") {
		base = 16
		j += 2
	} else if j < len(p.s) && p.s[j] == '0' && j+1 < len(p.s) && p.s[j+1] >= '0' && p.s[j+1] <= '7' {
		base = 8
		j++
	}
	k := j
	for k < len(p.s) && digitVal(p.s[k]) < base {
		k++
	}
	if k == j {
		return 0, p.errorf("expected a number")
	}
	v, err := strconv.ParseUint(p.s[j:k], base, bits)
	if err != nil {
		return 0, p.errorf("number out of range for %d bits", bits)
	}
	p.i = k
	return v, nil
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return 99
}

// uintMasked scans "v" or "v/m"; without a mask the mask is all ones.
func (p *scanner) uintMasked(bits int) (v, m uint64, err error) {
	if v, err = p.uint(bits); err != nil {
		return 0, 0, err
	}
	m = 1<<uint(bits) - 1
	if p.lit("/") {
		if m, err = p.uint(bits); err != nil {
			return 0, 0, err
		}
	}
	return v, m, nil
}

func (p *scanner) mac() ([6]byte, error) {
	var a [6]byte
	start := p.i
	for i := range a {
		if i > 0 && !p.lit(":") {
			p.i = start
			return a, p.errorf("expected an Ethernet address")
		}
		j := p.i
		for p.i < len(p.s) && p.i-j < 2 && digitVal(p.s[p.i]) < 16 {
			p.i++
		}
		if p.i == j {
			p.i = start
			return a, p.errorf("expected an Ethernet address")
		}
		x, _ := strconv.ParseUint(p.s[j:p.i], 16, 8)
		a[i] = byte(x)
	}
	return a, nil
}

func (p *scanner) macMasked() (v, m [6]byte, err error) {
	if v, err = p.mac(); err != nil {
		return
	}
	m = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if p.lit("/") {
		m, err = p.mac()
	}
	return
}

func (p *scanner) ipv4() (uint32, error) {
	var a uint32
	start := p.i
	for i := 0; i < 4; i++ {
		if i > 0 && !p.lit(".") {
			p.i = start
			return 0, p.errorf("expected an IPv4 address")
		}
		j := p.i
		for p.i < len(p.s) && p.i-j < 3 && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		x, err := strconv.ParseUint(p.s[j:p.i], 10, 8)
		if err != nil {
			p.i = start
			return 0, p.errorf("expected an IPv4 address")
		}
		a = a<<8 | uint32(x)
	}
	return a, nil
}

func (p *scanner) ipv4Masked() (v, m uint32, err error) {
	if v, err = p.ipv4(); err != nil {
		return
	}
	m = 0xffffffff
	if p.lit("/") {
		m, err = p.ipv4()
	}
	return
}

func (p *scanner) ipv6() ([16]byte, error) {
	w := p.word(",/)( \t")
	a, err := netip.ParseAddr(w)
	if err != nil || !a.Is6() || a.Zone() != "" {
		p.i -= len(w)
		return [16]byte{}, p.errorf("expected an IPv6 address")
	}
	return a.As16(), nil
}

func (p *scanner) ipv6Masked() (v, m [16]byte, err error) {
	if v, err = p.ipv6(); err != nil {
		return
	}
	for i := range m {
		m[i] = 0xff
	}
	if p.lit("/") {
		m, err = p.ipv6()
	}
	return
}

// flags scans OVS flag syntax up to ')': a number or "n1/n2", "+a-b" (masked)
// or "a|b" (all bits exact, mask all ones). allowed limits the bits.
func (p *scanner) flags(names []string, allowed uint32) (v, m uint32, err error) {
	start := p.i
	if c := p.peek(); c >= '0' && c <= '9' {
		x, err1 := p.uint(32)
		if err1 == nil && p.lit("/") {
			y, err2 := p.uint(32)
			if err2 == nil {
				if (uint32(x)|uint32(y))&^allowed != 0 {
					return 0, 0, p.errorf("unknown flag bits")
				}
				return uint32(x), uint32(y), nil
			}
		}
		p.i = start
	}
	if c := p.peek(); c == '+' || c == '-' {
		for p.peek() != ')' {
			set := p.peek() == '+'
			if !p.lit("+") && !p.lit("-") {
				return 0, 0, p.errorf("flag must be preceded by '+' or '-'")
			}
			bit, ok := p.flagName(names, "+-)")
			if !ok || bit&allowed == 0 {
				return 0, 0, p.errorf("unknown flag")
			}
			if m&bit != 0 {
				return 0, 0, p.errorf("flag given twice")
			}
			m |= bit
			if set {
				v |= bit
			}
		}
		return v, m, nil
	}
	for p.peek() != ')' {
		if c := p.peek(); c >= '0' && c <= '9' {
			x, err := p.uint(32)
			if err != nil {
				return 0, 0, err
			}
			if uint32(x)&^allowed != 0 {
				return 0, 0, p.errorf("unknown flag bits")
			}
			v |= uint32(x)
			p.lit("|")
			continue
		}
		bit, ok := p.flagName(names, "|)")
		if !ok || bit&allowed == 0 {
			return 0, 0, p.errorf("unknown flag")
		}
		v |= bit
		p.lit("|")
	}
	return v, 0xffffffff, nil
}

// flagName consumes a flag name followed by one of the bytes in next (which
// it does not consume) and returns its bit.
func (p *scanner) flagName(names []string, next string) (uint32, bool) {
	for i, n := range names {
		if n == "" || !strings.HasPrefix(p.rest(), n) {
			continue
		}
		j := p.i + len(n)
		if j < len(p.s) && strings.IndexByte(next, p.s[j]) >= 0 {
			p.i = j
			return 1 << uint(i), true
		}
	}
	return 0, false
}
