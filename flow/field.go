package flow

import (
	"encoding/binary"
	"unsafe"
)

// FieldID names one field of the registry. The zero value is not a field.
type FieldID int

// Prereq is what a packet must be for a field to be meaningful (OVS's
// "prerequisites"): a match on tp_dst, for example, needs ip or ipv6 and
// nw_proto=6, 17 or 132.
type Prereq uint8

// Prerequisites, as in OVS's meta-flow.
const (
	PrereqNone      Prereq = iota
	PrereqEthernet         // packet_type is Ethernet
	PrereqARP              // dl_type is ARP or RARP
	PrereqIPv4             // dl_type 0x0800
	PrereqIPv6             // dl_type 0x86dd
	PrereqIP               // IPv4 or IPv6
	PrereqVLANVID          // a VLAN tag is present (CFI bit set)
	PrereqMPLS             // dl_type 0x8847 or 0x8848
	PrereqTCP              // IP and nw_proto 6, not a later fragment
	PrereqUDP              // IP and nw_proto 17, not a later fragment
	PrereqSCTP             // IP and nw_proto 132, not a later fragment
	PrereqICMPv4           // IPv4 and nw_proto 1
	PrereqICMPv6           // IPv6 and nw_proto 58
	PrereqND               // ICMPv6 type 135 or 136, code 0
	PrereqNDSolicit        // ICMPv6 type 135, code 0
	PrereqNDAdvert         // ICMPv6 type 136, code 0
	PrereqCT               // a valid conntrack entry (ct_state)
)

// ValueFormat is how a field's value is written in the ovs-ofctl syntax.
type ValueFormat uint8

// Value formats, as in OVS's meta-flow ("Formatting:").
const (
	ValueDecimal    ValueFormat = iota
	ValueHex                    // 0x..., masks allowed
	ValueEthernet               // 00:11:22:33:44:55[/ff:ff:ff:00:00:00]
	ValueIPv4                   // 10.0.0.1, 10.0.0.0/8, 10.0.0.0/255.0.0.0
	ValueIPv6                   // 2001:db8::1[/64]
	ValueOFPPort                // 16-bit OpenFlow port: number or LOCAL, IN_PORT, ...
	ValueOFPPortOXM             // 32-bit OpenFlow 1.1+ port, written like ValueOFPPort
	ValueFrag                   // no, yes, first, later, not_later
	ValueTunFlags               // +oam / oam
	ValueTCPFlags               // +syn-ack / syn|ack / 0x002/0x012
	ValueCTState                // +trk+new / trk|new
	ValuePacketType             // (ns,ns_type)
)

// Assignment is one NXM or OXM code point of a field. Version is the
// OpenFlow wire version (0x01 = 1.0 ... 0x06 = 1.5) from which OVS uses it,
// 0 for NXM and extension code points usable with any version.
type Assignment struct {
	Name    string
	Header  uint64 // as Field.NXMHeader
	Version uint8
}

// Field describes one matchable or settable field. Fields are immutable
// and shared: the registry hands out pointers into one static table that
// any goroutine may read.
type Field struct {
	ID        FieldID
	Name      string // ovs-ofctl name, e.g. "nw_src"
	ExtraName string // alias, e.g. "ip_src"; "" if none
	// NXMName/NXMHeader are the field's NXM (class 0x0000/0x0001) code point,
	// OXMName/OXMHeader its OXM one (the standard OpenFlow class when there
	// is one, else an extension/experimenter class). Headers are without the
	// has-mask bit and with the length of the unmasked field; experimenter
	// OXMs are in the 64-bit form (header << 32 | experimenter ID). 0: none.
	NXMName, OXMName     string
	NXMHeader, OXMHeader uint64
	// RefName is the name ovs-ofctl prints for the field in subfield
	// references such as "load:1->NXM_NX_REG0[]".
	RefName string
	// Assignments lists every code point of the field, as OVS does.
	Assignments []Assignment
	Bytes       int  // size of a value in bytes (network byte order)
	Bits        int  // significant bits
	Maskable    bool // arbitrary bitwise masks allowed
	Writable    bool // set_field/load/move may write it
	Prereq      Prereq
	Format      ValueFormat

	loc fieldLoc
}

// locKind says how a field's value maps onto Key storage.
type locKind uint8

const (
	locInt   locKind = iota // host-order integer of w bytes; value = (x & mask) >> shift
	locBytes                // network-order bytes, Field.Bytes long
	locRegs                 // w consecutive 32-bit registers, most significant first
	locTun4                 // IPv4 address inside an IPv4-mapped IPv6 address
	locTun6                 // IPv6 tunnel address (not IPv4-mapped)
	locPort                 // OpenFlow 1.1+ 32-bit port number over a 16-bit-numbered port
)

type fieldLoc struct {
	kind  locKind
	w     uint8
	shift uint8
	off   uintptr
	mask  uint64
}

func li(off uintptr, w uint8, shift uint8, mask uint64) fieldLoc {
	return fieldLoc{kind: locInt, w: w, shift: shift, off: off, mask: mask}
}
func lb(off uintptr) fieldLoc                   { return fieldLoc{kind: locBytes, off: off} }
func lr(off uintptr, n uint8) fieldLoc          { return fieldLoc{kind: locRegs, off: off, w: n} }
func lt4(off uintptr) fieldLoc                  { return fieldLoc{kind: locTun4, off: off} }
func lt6(off uintptr) fieldLoc                  { return fieldLoc{kind: locTun6, off: off} }
func lp(off uintptr) fieldLoc                   { return fieldLoc{kind: locPort, off: off, w: 4, mask: 0xffffffff} }
func keyPtr(k *Key, off uintptr) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(k), off) }

func loadInt(k *Key, off uintptr, w uint8) uint64 {
	p := keyPtr(k, off)
	switch w {
	case 1:
		return uint64(*(*uint8)(p))
	case 2:
		return uint64(*(*uint16)(p))
	case 4:
		return uint64(*(*uint32)(p))
	default:
		return *(*uint64)(p)
	}
}

func storeInt(k *Key, off uintptr, w uint8, x uint64) {
	p := keyPtr(k, off)
	switch w {
	case 1:
		*(*uint8)(p) = uint8(x)
	case 2:
		*(*uint16)(p) = uint16(x)
	case 4:
		*(*uint32)(p) = uint32(x)
	default:
		*(*uint64)(p) = x
	}
}

func keyBytes(k *Key, off uintptr, n int) []byte {
	return unsafe.Slice((*byte)(keyPtr(k, off)), n)
}

// beUint reads a big-endian unsigned integer of up to 8 bytes.
func beUint(v []byte) uint64 {
	var x uint64
	for _, b := range v {
		x = x<<8 | uint64(b)
	}
	return x
}

// putBeUint writes x big-endian into all of v.
func putBeUint(v []byte, x uint64) {
	for i := len(v) - 1; i >= 0; i-- {
		v[i] = byte(x)
		x >>= 8
	}
}

// Fields returns every field of the registry in OVS's order. The slice is
// shared and must not be modified.
func Fields() []*Field { return fieldPtrs }

var (
	fieldPtrs    []*Field
	fieldsByName = map[string]*Field{}
	fieldsByHdr  = map[uint64]*Field{}
)

func init() {
	for i := range fieldTable {
		f := &fieldTable[i]
		if f.ID != FieldID(i+1) {
			panic("flow: field table out of order at " + f.Name)
		}
		fieldPtrs = append(fieldPtrs, f)
		fieldsByName[f.Name] = f
		if f.ExtraName != "" {
			fieldsByName[f.ExtraName] = f
		}
		for _, a := range f.Assignments {
			fieldsByHdr[headerKey(a.Header)] = f
		}
	}
}

// FieldByID returns the field with identifier id, or nil.
func FieldByID(id FieldID) *Field {
	if id <= fieldInvalid || id >= numFields {
		return nil
	}
	return &fieldTable[id-1]
}

// LookupName returns the field called name (its ovs-ofctl name or alias),
// or nil. As in OVS, names are case-sensitive.
func LookupName(name string) *Field { return fieldsByName[name] }

// LookupRefName returns the field whose NXM/OXM name (e.g. "NXM_NX_REG0",
// "OXM_OF_METADATA") or ovs-ofctl name is name, as subfield references
// accept both. Returns nil if there is none.
func LookupRefName(name string) *Field {
	if f := fieldsByName[name]; f != nil {
		return f
	}
	return fieldsByNXMName[name]
}

var fieldsByNXMName = func() map[string]*Field {
	m := map[string]*Field{}
	for i := range fieldTable {
		for _, a := range fieldTable[i].Assignments {
			m[a.Name] = &fieldTable[i]
		}
	}
	return m
}()

// headerKey strips the has-mask bit and the length from a header.
func headerKey(h uint64) uint64 {
	if h>>32 != 0 {
		return h &^ (0x1ff << 32) // experimenter: hasmask and length in bits 32..40
	}
	return h &^ 0x1ff
}

// LookupHeader returns the field with NXM or OXM header h, with or without
// the has-mask bit, or nil. The length in h must be the field's length, or
// twice it when the has-mask bit is set (experimenter OXMs: plus 4 for the
// experimenter ID).
func LookupHeader(h uint64) *Field {
	f := fieldsByHdr[headerKey(h)]
	if f == nil {
		return nil
	}
	var length, hasMask int
	exp := h>>32 != 0
	if exp {
		length, hasMask = int(h>>32)&0xff, int(h>>40)&1
		length -= 4
	} else {
		length, hasMask = int(h)&0xff, int(h>>8)&1
	}
	if length != f.Bytes*(1+hasMask) {
		return nil
	}
	return f
}

// Get stores f's value in k into v, in network byte order; len(v) must be
// f.Bytes. Hot path: no allocation. Safe for concurrent use with other
// readers of k.
func (f *Field) Get(k *Key, v []byte) {
	if len(v) < f.Bytes {
		return
	}
	v = v[:f.Bytes]
	l := &f.loc
	switch l.kind {
	case locInt:
		putBeUint(v, (loadInt(k, l.off, l.w)&l.mask)>>l.shift)
	case locBytes:
		copy(v, keyBytes(k, l.off, f.Bytes))
	case locRegs:
		for i := 0; i < int(l.w); i++ {
			binary.BigEndian.PutUint32(v[4*i:], uint32(loadInt(k, l.off+uintptr(4*i), 4)))
		}
	case locTun4:
		a := keyBytes(k, l.off, 16)
		if isV4Mapped(a) {
			copy(v, a[12:])
		} else {
			clear(v)
		}
	case locTun6:
		a := keyBytes(k, l.off, 16)
		if isV4Mapped(a) {
			clear(v)
		} else {
			copy(v, a)
		}
	case locPort:
		binary.BigEndian.PutUint32(v, PortToOF11(uint16(loadInt(k, l.off, 4))))
	}
}

func isV4Mapped(a []byte) bool {
	for _, b := range a[:10] {
		if b != 0 {
			return false
		}
	}
	return a[10] == 0xff && a[11] == 0xff
}

// PortToOF11 maps a 16-bit OpenFlow port (OVS's internal numbering) to the
// OpenFlow 1.1+ 32-bit number: reserved ports 0xff00.. become 0xffffff00...
func PortToOF11(p uint16) uint32 {
	if p < 0xff00 {
		return uint32(p)
	}
	return uint32(p) + 0xffff0000
}

// PortFromOF11 maps an OpenFlow 1.1+ port number to the 16-bit numbering;
// ok is false for numbers outside 0..0xfeff and 0xffffff00..0xffffffff.
func PortFromOF11(p uint32) (port uint16, ok bool) {
	switch {
	case p < 0xff00:
		return uint16(p), true
	case p >= 0xffffff00:
		return uint16(p - 0xffff0000), true
	}
	return 0xffff, false
}

// Set writes v (network byte order, len(v) == f.Bytes) into k, as a
// set_field action would: VLAN PCP/VID writes mark the tag present, a
// dl_vlan of 0xffff removes it. Hot path: no allocation.
func (f *Field) Set(k *Key, v []byte) {
	if len(v) < f.Bytes {
		return
	}
	v = v[:f.Bytes]
	l := &f.loc
	switch l.kind {
	case locInt:
		x := beUint(v)
		switch f.ID {
		case FieldDlVLAN:
			if x == 0xffff {
				k.VLANs[0].TCI = 0
				return
			}
			k.VLANs[0].TCI = k.VLANs[0].TCI&^0x0fff | uint16(x)&0x0fff | VLANCFI
			return
		case FieldDlVLANPCP, FieldVLANPCP:
			k.VLANs[0].TCI = k.VLANs[0].TCI&^0xe000 | uint16(x&7)<<13 | VLANCFI
			return
		}
		old := loadInt(k, l.off, l.w)
		storeInt(k, l.off, l.w, old&^l.mask|(x<<l.shift)&l.mask)
	case locBytes:
		copy(keyBytes(k, l.off, f.Bytes), v)
	case locRegs:
		for i := 0; i < int(l.w); i++ {
			storeInt(k, l.off+uintptr(4*i), 4, uint64(binary.BigEndian.Uint32(v[4*i:])))
		}
	case locTun4:
		a := keyBytes(k, l.off, 16)
		clear(a[:10])
		a[10], a[11] = 0xff, 0xff
		copy(a[12:], v)
	case locTun6:
		copy(keyBytes(k, l.off, 16), v)
	case locPort:
		p, _ := PortFromOF11(binary.BigEndian.Uint32(v))
		storeInt(k, l.off, 4, uint64(p))
	}
}

func allOnes(b []byte) bool {
	for _, x := range b {
		if x != 0xff {
			return false
		}
	}
	return true
}

func allZeros(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// SetMasked makes m match value v under mask (both network byte order,
// f.Bytes long), keeping m.Key & m.Mask == m.Key. An all-zero mask
// wildcards the field, an all-ones mask matches it exactly. As in OVS, a
// match on dl_vlan, dl_vlan_pcp or vlan_pcp also requires a VLAN tag, and
// wildcarding the VID keeps a PCP match (and vice versa). Fields that are
// not Maskable treat any non-zero mask as exact.
func (f *Field) SetMasked(m *Match, v, mask []byte) {
	if len(v) < f.Bytes || len(mask) < f.Bytes {
		return
	}
	v, mask = v[:f.Bytes], mask[:f.Bytes]
	wild := allZeros(mask)
	exact := allOnes(mask) || (!f.Maskable && !wild)
	l := &f.loc
	switch l.kind {
	case locInt:
		x, xm := beUint(v), beUint(mask)
		if exact {
			xm = l.mask >> l.shift
		}
		tci, tciMask := &m.Key.VLANs[0].TCI, &m.Mask.VLANs[0].TCI
		switch f.ID {
		case FieldDlVLAN, FieldVLANVID:
			if wild {
				if *tciMask&0xe000 != 0 {
					*tciMask &^= 0x0fff
					*tci &^= 0x0fff
				} else {
					*tci, *tciMask = 0, 0
				}
				return
			}
			if f.ID == FieldDlVLAN {
				if x == 0xffff {
					*tci, *tciMask = 0, 0xffff
					return
				}
				*tciMask |= 0x1fff
				*tci = *tci&^0x0fff | uint16(x)&0x0fff | VLANCFI
				return
			}
		case FieldDlVLANPCP, FieldVLANPCP:
			if wild {
				if *tciMask&0x0fff != 0 {
					*tciMask &^= 0xe000
					*tci &^= 0xe000
				} else {
					*tci, *tciMask = 0, 0
				}
				return
			}
			*tciMask |= 0xf000
			*tci = *tci&^0xe000 | uint16(x&7)<<13 | VLANCFI
			return
		case FieldInPort:
			if !wild {
				xm = 0xffffffff
			}
		}
		km := (xm << l.shift) & l.mask
		kv := (x << l.shift) & km
		storeInt(&m.Mask, l.off, l.w, loadInt(&m.Mask, l.off, l.w)&^l.mask|km)
		storeInt(&m.Key, l.off, l.w, loadInt(&m.Key, l.off, l.w)&^l.mask|kv)
	case locBytes, locTun6, locRegs:
		var kv, km []byte
		if l.kind == locRegs {
			// Registers are host-order words: go through Get/Set.
			var tv, tm [16]byte
			for i := 0; i < f.Bytes; i++ {
				tm[i] = mask[i]
				if exact {
					tm[i] = 0xff
				}
				tv[i] = v[i] & tm[i]
			}
			f.Set(&m.Key, tv[:f.Bytes])
			f.Set(&m.Mask, tm[:f.Bytes])
			return
		}
		kv, km = keyBytes(&m.Key, l.off, f.Bytes), keyBytes(&m.Mask, l.off, f.Bytes)
		for i := range kv {
			km[i] = mask[i]
			if exact {
				km[i] = 0xff
			}
			kv[i] = v[i] & km[i]
		}
	case locTun4:
		kv, km := keyBytes(&m.Key, l.off, 16), keyBytes(&m.Mask, l.off, 16)
		if wild {
			clear(kv)
			clear(km)
			return
		}
		clear(kv[:10])
		kv[10], kv[11] = 0xff, 0xff
		for i := range 12 {
			km[i] = 0xff
		}
		for i := range 4 {
			km[12+i] = mask[i]
			if exact {
				km[12+i] = 0xff
			}
			kv[12+i] = v[i] & km[12+i]
		}
	case locPort:
		if wild {
			storeInt(&m.Key, l.off, 4, 0)
			storeInt(&m.Mask, l.off, 4, 0)
			return
		}
		p, _ := PortFromOF11(binary.BigEndian.Uint32(v))
		storeInt(&m.Key, l.off, 4, uint64(p))
		storeInt(&m.Mask, l.off, 4, 0xffffffff)
	}
}

// GetMasked stores f's value and mask in m into v and mask (network byte
// order, f.Bytes long each). A mask covering every bit the field has is
// returned as all ones, so that callers can tell exact matches apart.
// Hot path: no allocation.
func (f *Field) GetMasked(m *Match, v, mask []byte) {
	if len(v) < f.Bytes || len(mask) < f.Bytes {
		return
	}
	v, mask = v[:f.Bytes], mask[:f.Bytes]
	f.Get(&m.Key, v)
	l := &f.loc
	switch l.kind {
	case locInt:
		xm := loadInt(&m.Mask, l.off, l.w) & l.mask
		switch {
		case xm == l.mask || (f.ID == FieldInPort && xm != 0):
			for i := range mask {
				mask[i] = 0xff
			}
		default:
			putBeUint(mask, xm>>l.shift)
		}
	case locTun4:
		copy(mask, keyBytes(&m.Mask, l.off+12, 4))
	case locPort:
		if loadInt(&m.Mask, l.off, 4) != 0 {
			putBeUint(mask, 0xffffffff)
		} else {
			clear(mask)
		}
	case locTun6:
		if isV4Mapped(keyBytes(&m.Key, l.off, 16)) {
			clear(mask)
			return
		}
		copy(mask, keyBytes(&m.Mask, l.off, 16))
	default:
		f.Get(&m.Mask, mask)
	}
}

// SetMaskAll sets in mask every bit of k that f covers (unwildcards the
// whole field). Hot path: no allocation.
func (f *Field) SetMaskAll(mask *Key) {
	l := &f.loc
	switch l.kind {
	case locInt, locPort:
		storeInt(mask, l.off, l.w, loadInt(mask, l.off, l.w)|l.mask)
	case locBytes:
		b := keyBytes(mask, l.off, f.Bytes)
		for i := range b {
			b[i] = 0xff
		}
	case locRegs:
		for i := 0; i < int(l.w); i++ {
			storeInt(mask, l.off+uintptr(4*i), 4, 0xffffffff)
		}
	case locTun4, locTun6:
		b := keyBytes(mask, l.off, 16)
		for i := range b {
			b[i] = 0xff
		}
	}
}

// IsWild reports whether m ignores f entirely.
func (f *Field) IsWild(m *Match) bool {
	var mask [16]byte
	var v [16]byte
	f.GetMasked(m, v[:f.Bytes], mask[:f.Bytes])
	return allZeros(mask[:f.Bytes])
}

// Ethernet types and IP protocols used by prerequisites.
const (
	EthTypeIPv4      = 0x0800
	EthTypeARP       = 0x0806
	EthTypeRARP      = 0x8035
	EthTypeIPv6      = 0x86dd
	EthTypeMPLS      = 0x8847
	EthTypeMPLSMcast = 0x8848
	IPProtoICMP      = 1
	IPProtoTCP       = 6
	IPProtoUDP       = 17
	IPProtoICMPv6    = 58
	IPProtoSCTP      = 132
)

// PrereqsOK reports whether packet key k meets f's prerequisites. Hot path.
func (f *Field) PrereqsOK(k *Key) bool { return prereqsOK(f.Prereq, k, nil, nil) }

// MatchPrereqsOK reports whether match m meets f's prerequisites, as OVS
// checks a flow's match before encoding it (conntrack fields need a
// ct_state match that implies a valid connection).
func (f *Field) MatchPrereqsOK(m *Match) bool {
	return prereqsOK(f.Prereq, &m.Key, &m.Mask, nil)
}

// UnwildcardPrereqs sets in wc the bits of k that checking f's
// prerequisites looks at, for megaflow masks. Hot path: no allocation.
func (f *Field) UnwildcardPrereqs(k *Key, wc *Key) { prereqsOK(f.Prereq, k, nil, wc) }

func prereqsOK(p Prereq, k, mask, wc *Key) bool {
	dl := func() uint16 {
		if wc != nil {
			wc.DlType = 0xffff
		}
		return k.DlType
	}
	proto := func(want uint8) bool {
		if wc != nil {
			wc.NwProto = 0xff
		}
		return k.NwProto == want
	}
	isIP := func() bool { t := dl(); return t == EthTypeIPv4 || t == EthTypeIPv6 }
	nd := func() bool {
		if !(dl() == EthTypeIPv6 && proto(IPProtoICMPv6)) {
			return false
		}
		if wc != nil {
			wc.TpSrc, wc.TpDst = 0xffff, 0xffff
		}
		return k.TpDst == 0 && (k.TpSrc == 135 || k.TpSrc == 136)
	}
	switch p {
	case PrereqNone:
		return true
	case PrereqEthernet:
		if wc != nil {
			wc.PacketType = 0xffffffff
		}
		return k.PacketType == 0
	case PrereqARP:
		t := dl()
		return t == EthTypeARP || t == EthTypeRARP
	case PrereqIPv4:
		return dl() == EthTypeIPv4
	case PrereqIPv6:
		return dl() == EthTypeIPv6
	case PrereqIP:
		return isIP()
	case PrereqVLANVID:
		if wc != nil {
			wc.VLANs[0].TCI |= VLANCFI
		}
		return k.VLANs[0].TCI&VLANCFI != 0
	case PrereqMPLS:
		t := dl()
		return t == EthTypeMPLS || t == EthTypeMPLSMcast
	case PrereqTCP:
		return isIP() && proto(IPProtoTCP) && k.NwFrag&FragLater == 0
	case PrereqUDP:
		return isIP() && proto(IPProtoUDP) && k.NwFrag&FragLater == 0
	case PrereqSCTP:
		return isIP() && proto(IPProtoSCTP) && k.NwFrag&FragLater == 0
	case PrereqICMPv4:
		return dl() == EthTypeIPv4 && proto(IPProtoICMP)
	case PrereqICMPv6:
		return dl() == EthTypeIPv6 && proto(IPProtoICMPv6)
	case PrereqND:
		return nd()
	case PrereqNDSolicit:
		return nd() && k.TpSrc == 135
	case PrereqNDAdvert:
		return nd() && k.TpSrc == 136
	case PrereqCT:
		if mask != nil {
			return k.CtState&(CtNew|CtEstablished|CtRelated|CtReplyDir|CtSrcNAT|CtDstNAT) != 0 ||
				(k.CtState&CtTracked != 0 && mask.CtState&CtInvalid != 0 && k.CtState&CtInvalid == 0)
		}
		const valid = CtNew | CtEstablished | CtReplyDir
		if wc != nil {
			wc.CtState |= valid
		}
		return k.CtState&valid != 0
	}
	return false
}
