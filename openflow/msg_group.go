package openflow

import "fmt"

// Group-mod commands (OVS numbering; OF1.5 adds the bucket commands).
const (
	GroupAdd          uint16 = 0
	GroupModify       uint16 = 1
	GroupDelete       uint16 = 2
	GroupInsertBucket uint16 = 3
	GroupRemoveBucket uint16 = 5
	GroupAddOrMod     uint16 = 0x8000 // OVS extension
)

// Group types.
const (
	GroupTypeAll      uint8 = 0
	GroupTypeSelect   uint8 = 1
	GroupTypeIndirect uint8 = 2
	GroupTypeFF       uint8 = 3
)

// Special group and bucket ids.
const (
	GroupMax    uint32 = 0xffffff00
	GroupAll    uint32 = 0xfffffffc
	BucketFirst uint32 = 0xfffffffd
	BucketLast  uint32 = 0xfffffffe
	BucketAll   uint32 = 0xffffffff
)

// OF1.5 bucket property types.
const (
	bucketPropWt   = 0
	bucketPropPort = 1
	bucketPropGrp  = 2
)

// Bucket is one group bucket. ID exists on the wire only in OF1.5 (and the
// OF1.0 NX form); earlier versions number buckets by position.
type Bucket struct {
	ID         uint32
	Weight     uint16
	WatchPort  Port
	WatchGroup uint32
	Actions    []Action
}

// GroupMod is OFPT_GROUP_MOD (OF1.1+). Properties holds the raw OF1.5 group
// properties (e.g. OVS's selection method), kept verbatim.
type GroupMod struct {
	Header
	Command         uint16
	GroupType       uint8
	GroupID         uint32
	CommandBucketID uint32
	Buckets         []Bucket
	Properties      []byte
}

// Type implements Message.
func (*GroupMod) Type() MsgType { return MsgGroupMod }

func decodeGroupMod(h Header, r *rd) (Message, error) {
	m := &GroupMod{Header: h, Command: r.u16(), GroupType: r.u8()}
	r.skip(1)
	m.GroupID = r.u32()
	if m.GroupType > GroupTypeFF {
		return nil, fmt.Errorf("openflow: group type %d: %w", m.GroupType, ErrOFPGMFCBadType)
	}
	switch m.Command {
	case GroupAdd, GroupModify, GroupDelete, GroupAddOrMod:
	case GroupInsertBucket, GroupRemoveBucket:
		if h.Version < Version15 {
			return nil, fmt.Errorf("openflow: group command %d before OF1.5: %w", m.Command, ErrOFPGMFCBadCommand)
		}
	default:
		return nil, fmt.Errorf("openflow: group command %d: %w", m.Command, ErrOFPGMFCBadCommand)
	}
	if h.Version >= Version15 {
		return decodeGroupMod15(m, r)
	}
	if !r.ok {
		return nil, fmt.Errorf("openflow: short group_mod: %w", ErrOFPBRCBadLen)
	}
	m.CommandBucketID = BucketAll
	for i := uint32(0); len(r.b) > 0; i++ {
		n := int(r.u16())
		if n < 16 || n%8 != 0 || !r.need(n-2) {
			return nil, fmt.Errorf("openflow: bucket length %d: %w", n, ErrOFPGMFCBadBucket)
		}
		br := newRd(r.take(n - 2))
		b := Bucket{ID: i, Weight: br.u16()}
		wp := br.u32()
		var ok bool
		if b.WatchPort, ok = port32to16(wp); !ok {
			return nil, fmt.Errorf("openflow: bucket watch_port %#x: %w", wp, ErrOFPGMFCBadWatch)
		}
		b.WatchGroup = br.u32()
		br.skip(4)
		var err error
		if b.Actions, err = DecodeActions(h.Version, br.rest()); err != nil {
			return nil, err
		}
		m.Buckets = append(m.Buckets, b)
	}
	return m, nil
}

func decodeGroupMod15(m *GroupMod, r *rd) (Message, error) {
	blen := int(r.u16())
	r.skip(2)
	m.CommandBucketID = r.u32()
	buckets := r.take(blen)
	if !r.ok {
		return nil, fmt.Errorf("openflow: group_mod bucket array length %d: %w", blen, ErrOFPGMFCBadBucket)
	}
	m.Properties = clone(r.rest())
	br := newRd(buckets)
	for br.ok && len(br.b) > 0 {
		n, alen := int(br.u16()), int(br.u16())
		if n < 8 || alen > n-8 || !br.need(n-4) {
			return nil, fmt.Errorf("openflow: bucket length %d: %w", n, ErrOFPGMFCBadBucket)
		}
		b := Bucket{ID: br.u32(), Weight: 0, WatchPort: PortNone, WatchGroup: GroupAny}
		body := newRd(br.take(n - 8))
		var err error
		if b.Actions, err = DecodeActions(m.Version, body.take(alen)); err != nil {
			return nil, err
		}
		for body.ok && len(body.b) > 0 {
			t, l := body.u16(), int(body.u16())
			if l < 4 || !body.need(l-4) {
				return nil, fmt.Errorf("openflow: bucket property: %w", ErrOFPBPCBadLen)
			}
			v := newRd(body.take(l - 4))
			body.skip(min((8-l%8)%8, len(body.b)))
			switch t {
			case bucketPropWt:
				b.Weight = v.u16()
			case bucketPropPort:
				wp := v.u32()
				b.WatchPort, _ = port32to16(wp)
			case bucketPropGrp:
				b.WatchGroup = v.u32()
			default:
				if t < 0xfffe {
					return nil, fmt.Errorf("openflow: bucket property %d: %w", t, ErrOFPBPCBadType)
				}
			}
			if !v.ok {
				return nil, fmt.Errorf("openflow: bucket property %d: %w", t, ErrOFPBPCBadLen)
			}
		}
		m.Buckets = append(m.Buckets, b)
	}
	if !br.ok {
		return nil, fmt.Errorf("openflow: truncated buckets: %w", ErrOFPGMFCBadBucket)
	}
	return m, nil
}

func encodeGroupMod(w *buf, m *GroupMod) error {
	if m.Version < Version11 {
		return fmt.Errorf("openflow: group_mod in OF1.0: %w", ErrOFPBRCBadType)
	}
	w.header(m.Version, ofpt11GroupMod, m.XID)
	w.u16(m.Command)
	w.u8(m.GroupType)
	w.u8(0)
	w.u32(m.GroupID)
	if m.Version < Version15 {
		for _, b := range m.Buckets {
			start := len(w.b)
			w.u16(0)
			w.u16(b.Weight)
			w.u32(port16to32(b.WatchPort))
			w.u32(b.WatchGroup)
			w.zeros(4)
			var err error
			if w.b, err = EncodeActions(w.b, m.Version, b.Actions); err != nil {
				return err
			}
			w.put16(start, uint16(len(w.b)-start))
		}
		return nil
	}
	at := len(w.b)
	w.u16(0)
	w.zeros(2)
	w.u32(m.CommandBucketID)
	start := len(w.b)
	for _, b := range m.Buckets {
		bs := len(w.b)
		w.u16(0)
		w.u16(0)
		w.u32(b.ID)
		as := len(w.b)
		var err error
		if w.b, err = EncodeActions(w.b, m.Version, b.Actions); err != nil {
			return err
		}
		w.put16(bs+2, uint16(len(w.b)-as))
		if m.GroupType == GroupTypeSelect || b.Weight != 0 {
			w.u16(bucketPropWt)
			w.u16(8)
			w.u16(b.Weight)
			w.zeros(2)
		}
		if b.WatchPort != PortNone {
			w.u16(bucketPropPort)
			w.u16(8)
			w.u32(port16to32(b.WatchPort))
		}
		if b.WatchGroup != GroupAny {
			w.u16(bucketPropGrp)
			w.u16(8)
			w.u32(b.WatchGroup)
		}
		w.put16(bs, uint16(len(w.b)-bs))
	}
	w.put16(at, uint16(len(w.b)-start))
	w.bytes(m.Properties)
	return nil
}

// Meter-mod commands and flags.
const (
	MeterAdd    uint16 = 0
	MeterModify uint16 = 1
	MeterDelete uint16 = 2

	MeterFlagKbps  uint16 = 1
	MeterFlagPktps uint16 = 2
	MeterFlagBurst uint16 = 4
	MeterFlagStats uint16 = 8
)

// Meter band types.
const (
	BandDrop         uint16 = 1
	BandDSCPRemark   uint16 = 2
	BandExperimenter uint16 = 0xffff
)

// MeterBand is one band of a meter. PrecLevel applies to DSCP remark bands,
// Experimenter to experimenter bands.
type MeterBand struct {
	Type         uint16
	Rate         uint32
	BurstSize    uint32
	PrecLevel    uint8
	Experimenter uint32
}

// MeterMod is OFPT_METER_MOD (OF1.3+).
type MeterMod struct {
	Header
	Command uint16
	Flags   uint16
	MeterID uint32
	Bands   []MeterBand
}

// Type implements Message.
func (*MeterMod) Type() MsgType { return MsgMeterMod }

func decodeMeterMod(h Header, r *rd) (Message, error) {
	m := &MeterMod{Header: h, Command: r.u16(), Flags: r.u16(), MeterID: r.u32()}
	if !r.ok {
		return nil, fmt.Errorf("openflow: short meter_mod: %w", ErrOFPBRCBadLen)
	}
	if m.Command > MeterDelete {
		return nil, fmt.Errorf("openflow: meter command %d: %w", m.Command, ErrOFPMMFCBadCommand)
	}
	for len(r.b) > 0 {
		var b MeterBand
		b.Type = r.u16()
		n := int(r.u16())
		b.Rate, b.BurstSize = r.u32(), r.u32()
		if n != 16 || !r.ok {
			return nil, fmt.Errorf("openflow: meter band length %d: %w", n, ErrOFPMMFCBadBand)
		}
		switch b.Type {
		case BandDrop:
			r.skip(4)
		case BandDSCPRemark:
			b.PrecLevel = r.u8()
			r.skip(3)
		case BandExperimenter:
			b.Experimenter = r.u32()
		default:
			return nil, fmt.Errorf("openflow: meter band type %d: %w", b.Type, ErrOFPMMFCBadBand)
		}
		if !r.ok {
			return nil, fmt.Errorf("openflow: truncated meter band: %w", ErrOFPBRCBadLen)
		}
		m.Bands = append(m.Bands, b)
	}
	return m, nil
}

func encodeMeterMod(w *buf, m *MeterMod) error {
	if m.Version < Version13 {
		return fmt.Errorf("openflow: meter_mod before OF1.3: %w", ErrOFPBRCBadType)
	}
	w.header(m.Version, ofpt13MeterMod, m.XID)
	w.u16(m.Command)
	w.u16(m.Flags)
	w.u32(m.MeterID)
	for _, b := range m.Bands {
		w.u16(b.Type)
		w.u16(16)
		w.u32(b.Rate)
		w.u32(b.BurstSize)
		switch b.Type {
		case BandDSCPRemark:
			w.u8(b.PrecLevel)
			w.zeros(3)
		case BandExperimenter:
			w.u32(b.Experimenter)
		default:
			w.zeros(4)
		}
	}
	return nil
}

// TableMod is OFPT_TABLE_MOD (OF1.1+); Properties are the raw OF1.4+
// properties (eviction, vacancy).
type TableMod struct {
	Header
	TableID    uint8
	Config     uint32
	Properties []byte
}

// Type implements Message.
func (*TableMod) Type() MsgType { return MsgTableMod }

func decodeTableMod(h Header, r *rd) (Message, error) {
	m := &TableMod{Header: h, TableID: r.u8()}
	r.skip(3)
	m.Config = r.u32()
	if !r.ok {
		return nil, fmt.Errorf("openflow: short table_mod: %w", ErrOFPBRCBadLen)
	}
	if h.Version < Version14 && len(r.b) != 0 {
		return nil, fmt.Errorf("openflow: table_mod length: %w", ErrOFPBRCBadLen)
	}
	m.Properties = clone(r.rest())
	return m, nil
}

func encodeTableMod(w *buf, m *TableMod) error {
	if m.Version < Version11 {
		return fmt.Errorf("openflow: table_mod in OF1.0: %w", ErrOFPBRCBadType)
	}
	w.header(m.Version, ofpt11TableMod, m.XID)
	w.u8(m.TableID)
	w.zeros(3)
	w.u32(m.Config)
	w.bytes(m.Properties)
	return nil
}

// GroupDesc is one group in a GROUP_DESC reply.
type GroupDesc struct {
	GroupType  uint8
	GroupID    uint32
	Buckets    []Bucket
	Properties []byte // OF1.5 group properties, raw
}

// BucketCounter is the per-bucket part of group statistics.
type BucketCounter struct{ PacketCount, ByteCount uint64 }

// GroupStats is one group in a GROUP reply.
type GroupStats struct {
	GroupID                   uint32
	RefCount                  uint32
	PacketCount, ByteCount    uint64
	DurationSec, DurationNSec uint32
	Buckets                   []BucketCounter
}

// MeterConfig is one meter in a METER_CONFIG reply.
type MeterConfig struct {
	Flags   uint16
	MeterID uint32
	Bands   []MeterBand
}

// MeterStats is one meter in a METER reply.
type MeterStats struct {
	MeterID                    uint32
	FlowCount                  uint32
	PacketInCount, ByteInCount uint64
	DurationSec, DurationNSec  uint32
	Bands                      []BucketCounter
}

func decodeGroupDesc(v uint8, r *rd) (GroupDesc, error) {
	var d GroupDesc
	n := int(r.u16())
	d.GroupType = r.u8()
	r.skip(1)
	d.GroupID = r.u32()
	if n < 8 || !r.need(n-8) {
		return d, fmt.Errorf("openflow: group desc length %d: %w", n, ErrOFPBRCBadLen)
	}
	body := r.take(n - 8)
	// Reuse the group_mod bucket parsers on a synthetic body.
	var gm Message
	var err error
	h := Header{Version: v}
	if v >= Version15 {
		if len(body) < 8 {
			return d, fmt.Errorf("openflow: group desc: %w", ErrOFPBRCBadLen)
		}
		// ofp15_group_desc: bucket_array_len(2) pad(6); group_mod15 wants
		// bucket_array_len(2) pad(2) command_bucket_id(4).
		gm, err = decodeGroupMod15(&GroupMod{Header: h}, newRd(body))
	} else {
		gm, err = decodeGroupMod(h, newRd(append(make([]byte, 8), body...)))
	}
	if err != nil {
		return d, err
	}
	g := gm.(*GroupMod)
	d.Buckets, d.Properties = g.Buckets, g.Properties
	return d, nil
}

func encodeGroupDesc(w *buf, v uint8, d *GroupDesc) error {
	start := len(w.b)
	tmp := buf{}
	g := &GroupMod{Header: Header{Version: v}, GroupType: d.GroupType, Buckets: d.Buckets, Properties: d.Properties}
	if err := encodeGroupMod(&tmp, g); err != nil {
		return err
	}
	w.u16(0)
	w.u8(d.GroupType)
	w.u8(0)
	w.u32(d.GroupID)
	body := tmp.b[16:] // skip ofp_header and command/type/group_id
	if v >= Version15 {
		w.b = append(w.b, body[0], body[1], 0, 0, 0, 0, 0, 0)
		w.bytes(body[8:])
	} else {
		w.bytes(body)
	}
	w.put16(start, uint16(len(w.b)-start))
	return nil
}

func decodeGroupStats(v uint8, r *rd) (GroupStats, error) {
	var g GroupStats
	n := int(r.u16())
	r.skip(2)
	g.GroupID, g.RefCount = r.u32(), r.u32()
	r.skip(4)
	g.PacketCount, g.ByteCount = r.u64(), r.u64()
	fixed := 32
	if v >= Version13 {
		g.DurationSec, g.DurationNSec = r.u32(), r.u32()
		fixed = 40
	}
	if n < fixed || (n-fixed)%16 != 0 || !r.need(n-fixed) {
		return g, fmt.Errorf("openflow: group stats length %d: %w", n, ErrOFPBRCBadLen)
	}
	for i := 0; i < (n-fixed)/16; i++ {
		g.Buckets = append(g.Buckets, BucketCounter{r.u64(), r.u64()})
	}
	return g, nil
}

func encodeGroupStats(w *buf, v uint8, g *GroupStats) {
	n := 32 + 16*len(g.Buckets)
	if v >= Version13 {
		n += 8
	}
	w.u16(uint16(n))
	w.zeros(2)
	w.u32(g.GroupID)
	w.u32(g.RefCount)
	w.zeros(4)
	w.u64(g.PacketCount)
	w.u64(g.ByteCount)
	if v >= Version13 {
		w.u32(g.DurationSec)
		w.u32(g.DurationNSec)
	}
	for _, b := range g.Buckets {
		w.u64(b.PacketCount)
		w.u64(b.ByteCount)
	}
}

func decodeMeterConfig(v uint8, r *rd) (MeterConfig, error) {
	var c MeterConfig
	n := int(r.u16())
	c.Flags, c.MeterID = r.u16(), r.u32()
	if n < 8 || !r.need(n-8) {
		return c, fmt.Errorf("openflow: meter config length %d: %w", n, ErrOFPBRCBadLen)
	}
	hdr := []byte{v, ofpt13MeterMod, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	mm, err := decodeMeterMod(Header{Version: v}, newRd(append(hdr[8:], r.take(n-8)...)))
	if err != nil {
		return c, err
	}
	c.Bands = mm.(*MeterMod).Bands
	return c, nil
}

func encodeMeterConfig(w *buf, v uint8, c *MeterConfig) {
	tmp := buf{}
	_ = encodeMeterMod(&tmp, &MeterMod{Header: Header{Version: v}, Bands: c.Bands})
	w.u16(uint16(8 + len(tmp.b) - 16))
	w.u16(c.Flags)
	w.u32(c.MeterID)
	w.bytes(tmp.b[16:])
}

func decodeMeterStats(r *rd) (MeterStats, error) {
	var s MeterStats
	s.MeterID = r.u32()
	n := int(r.u16())
	r.skip(6)
	s.FlowCount, s.PacketInCount, s.ByteInCount = r.u32(), r.u64(), r.u64()
	s.DurationSec, s.DurationNSec = r.u32(), r.u32()
	if n < 40 || (n-40)%16 != 0 || !r.need(n-40) {
		return s, fmt.Errorf("openflow: meter stats length %d: %w", n, ErrOFPBRCBadLen)
	}
	for i := 0; i < (n-40)/16; i++ {
		s.Bands = append(s.Bands, BucketCounter{r.u64(), r.u64()})
	}
	return s, nil
}

func encodeMeterStats(w *buf, s *MeterStats) {
	w.u32(s.MeterID)
	w.u16(uint16(40 + 16*len(s.Bands)))
	w.zeros(6)
	w.u32(s.FlowCount)
	w.u64(s.PacketInCount)
	w.u64(s.ByteInCount)
	w.u32(s.DurationSec)
	w.u32(s.DurationNSec)
	for _, b := range s.Bands {
		w.u64(b.PacketCount)
		w.u64(b.ByteCount)
	}
}
