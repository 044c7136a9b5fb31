package openflow

// This file is the version-independent model of OpenFlow actions and
// instructions (OVS calls these "ofpacts"). The wire codec decodes every
// OpenFlow version into it and encodes it back; openflow/ofctl parses and
// formats it in ovs-ofctl's syntax; ofproto/xlate interprets it.
//
// Instructions of OpenFlow 1.1+ are represented as actions too: an action list
// is the apply-actions list followed, in this order, by at most one each of
// Meter, ClearActions, WriteActions, WriteMetadata and GotoTable, as OVS does.
//
// Values are owned by whoever holds the list; an Action list is immutable once
// installed in a rule and may be read from many goroutines.

// Port is an OpenFlow port number in OVS's internal 16-bit numbering: physical
// ports are 1..PortMax-1 and the reserved ports live at 0xfff8 and above. The
// codec maps OpenFlow 1.1+ 32-bit numbers (0xfffffff8...) onto these.
type Port uint16

// Reserved OpenFlow ports.
const (
	PortMax        Port = 0xff00 // first number not usable for a physical port
	PortInPort     Port = 0xfff8
	PortTable      Port = 0xfff9
	PortNormal     Port = 0xfffa
	PortFlood      Port = 0xfffb
	PortAll        Port = 0xfffc
	PortController Port = 0xfffd
	PortLocal      Port = 0xfffe
	PortNone       Port = 0xffff // OFPP_NONE (1.0) / OFPP_ANY (1.1+)
)

// TableCurrent in Resubmit means "the table the action runs in" (255).
const TableCurrent = 255

// FieldRef names a bit range of a field, as in "NXM_NX_REG0[0..15]". Header is
// the NXM/OXM header of the field without the has-mask bit and with the length
// of the unmasked field (see flow.LookupHeader); Bits == 0 means "the whole
// field" and is resolved by the consumer.
type FieldRef struct {
	Header uint64 // NXM/OXM header; experimenter OXMs use the 64-bit form
	Ofs    int
	Bits   int
}

// Action is one action or instruction. The concrete types below are the only
// implementations.
type Action interface{ isAction() }

// Output sends the packet to Port. MaxLen applies when Port is
// PortController.
type Output struct {
	Port   Port
	MaxLen uint16
}

// Controller sends the packet to the controllers (NXAST_CONTROLLER[2] or
// output:CONTROLLER with extra options).
type Controller struct {
	MaxLen       uint16
	ControllerID uint16
	Reason       uint8 // OFPR_*
	UserData     []byte
	Pause        bool
	MeterID      uint32
	// V2 records that it came from (or must be encoded as)
	// NXAST_CONTROLLER2; it is implied by UserData, Pause or MeterID.
	V2 bool
}

// Enqueue outputs to Port on Queue (OF1.0 enqueue).
type Enqueue struct {
	Port  Port
	Queue uint32
}

// OutputReg outputs to the port held in a field range (NXAST_OUTPUT_REG).
type OutputReg struct {
	Src    FieldRef
	MaxLen uint16
}

// SetVLANVID sets the VLAN ID (OF1.0 mod_vlan_vid, OF1.1 set_vlan_vid),
// pushing a tag if there is none when Push is true (OF1.0 semantics).
type SetVLANVID struct {
	VID  uint16
	Push bool
}

// SetVLANPCP sets the VLAN priority, pushing a tag if Push is true.
type SetVLANPCP struct {
	PCP  uint8
	Push bool
}

// StripVLAN removes the outer VLAN tag. OF10 records whether it came from
// OF1.0's strip_vlan (formatted "strip_vlan") or OF1.1+ pop_vlan ("pop_vlan").
type StripVLAN struct{ OF10 bool }

// PushVLAN pushes a new outer VLAN tag with the given TPID (0x8100, 0x88a8).
type PushVLAN struct{ EthType uint16 }

// SetEthSrc sets the Ethernet source address (mod_dl_src).
type SetEthSrc struct{ MAC [6]byte }

// SetEthDst sets the Ethernet destination address (mod_dl_dst).
type SetEthDst struct{ MAC [6]byte }

// SetIPv4Src sets the IPv4 source (mod_nw_src). Addr is host order.
type SetIPv4Src struct{ Addr uint32 }

// SetIPv4Dst sets the IPv4 destination (mod_nw_dst). Addr is host order.
type SetIPv4Dst struct{ Addr uint32 }

// SetIPDSCP sets the DSCP bits; TOS is the whole TOS byte with ECN bits 0
// (mod_nw_tos), as OVS stores it.
type SetIPDSCP struct{ TOS uint8 }

// SetIPECN sets the ECN bits (mod_nw_ecn).
type SetIPECN struct{ ECN uint8 }

// SetIPTTL sets the TTL (mod_nw_ttl).
type SetIPTTL struct{ TTL uint8 }

// SetL4SrcPort sets the TCP/UDP/SCTP source port (mod_tp_src).
type SetL4SrcPort struct{ Port uint16 }

// SetL4DstPort sets the TCP/UDP/SCTP destination port (mod_tp_dst).
type SetL4DstPort struct{ Port uint16 }

// DecTTL decrements the IP TTL, sending the packet to the listed controllers
// (default: controller id 0) when it would reach 0.
type DecTTL struct {
	ControllerIDs []uint16
	// NX is true when it came from NXAST_DEC_TTL_CNT_IDS or NXAST_DEC_TTL.
	NX bool
}

// SetField writes Value under Mask into a field. Header identifies the field
// like FieldRef.Header. Mask is all ones for a plain set_field. Raw records
// the wire form it came from so that ovs-ofctl prints it back the same way
// (load: for NXAST_REG_LOAD, set_field: otherwise).
type SetField struct {
	Header uint64
	Value  []byte
	Mask   []byte
	Raw    SetFieldRaw
}

// SetFieldRaw is the wire origin of a SetField.
type SetFieldRaw uint8

// SetField origins.
const (
	SetFieldRawSetField SetFieldRaw = iota // OFPAT_SET_FIELD / NXAST_REG_LOAD2
	SetFieldRawRegLoad                     // NXAST_REG_LOAD ("load:")
)

// RegMove copies Src bits into Dst bits (NXAST_REG_MOVE, OF1.5 copy_field).
type RegMove struct {
	Src FieldRef
	Dst FieldRef
}

// StackPush pushes a field range onto the stack (NXAST_STACK_PUSH).
type StackPush struct{ Field FieldRef }

// StackPop pops the stack into a field range (NXAST_STACK_POP).
type StackPop struct{ Field FieldRef }

// Resubmit looks the packet up again in Table (TableCurrent: the current
// table) with in_port replaced by InPort (PortInPort: unchanged). CT uses the
// conntrack original-direction tuple (resubmit(...,ct)).
type Resubmit struct {
	InPort Port
	Table  uint8
	CT     bool
}

// GotoTable is the OF1.1+ goto_table instruction.
type GotoTable struct{ Table uint8 }

// WriteMetadata is the write_metadata instruction.
type WriteMetadata struct{ Value, Mask uint64 }

// ClearActions is the clear_actions instruction.
type ClearActions struct{}

// WriteActions is the write_actions instruction.
type WriteActions struct{ Actions []Action }

// Meter is the OF1.3+ meter instruction (OF1.5: action).
type Meter struct{ ID uint32 }

// Clone runs Actions on a copy of the packet and its metadata.
type Clone struct{ Actions []Action }

// Note is a comment carried in the action list (NXAST_NOTE).
type Note struct{ Data []byte }

// SetTunnel sets tun_id; Wide records NXAST_SET_TUNNEL64.
type SetTunnel struct {
	ID   uint64
	Wide bool
}

// SetQueue sets the output queue (OFPAT_SET_QUEUE).
type SetQueue struct{ ID uint32 }

// PopQueue restores the queue from before set_queue (NXAST_POP_QUEUE).
type PopQueue struct{}

// Exit stops processing the action list (NXAST_EXIT).
type Exit struct{}

// Group sends the packet to a group (OFPAT_GROUP).
type Group struct{ ID uint32 }

// Conjunction marks a clause of a conjunctive match (NXAST_CONJUNCTION).
type Conjunction struct {
	ID       uint32
	Clause   uint8 // 0-based
	NClauses uint8
}

// CTClear clears the conntrack state of the packet (NXAST_CT_CLEAR).
type CTClear struct{}

// Unknown is an action the codec could decode but govs does not implement;
// ofproto refuses rules containing it with Err.
type Unknown struct {
	Name string
	Err  Error
	// Raw is the action's wire form and Version the OpenFlow version it was
	// decoded from; the codec re-encodes Raw unchanged in that version.
	Raw     []byte
	Version uint8
}

// CT sends the packet through connection tracking (NXAST_CT). The zone is
// ZoneSrc's bits when ZoneSrc.Header is non-zero, else Zone. RecircTable 255
// means no recirculation. Actions holds the nested actions (NAT and
// set_field to ct_mark/ct_label).
type CT struct {
	Flags       uint16 // CTCommit | CTForce
	Zone        uint16
	ZoneSrc     FieldRef
	RecircTable uint8
	Alg         uint16
	Actions     []Action
}

// CT flags.
const (
	CTCommit uint16 = 1 << 0
	CTForce  uint16 = 1 << 1
)

// NAT is the nat action inside ct (NXAST_NAT). Family is 0 (no range), 4 or
// 6; addresses are in network byte order, IPv4 in the first 4 bytes; zero
// values are "not given".
type NAT struct {
	Flags   uint16 // NATSrc | NATDst | NATPersistent | NATProtoHash | NATProtoRandom
	Family  uint8
	AddrMin [16]byte
	AddrMax [16]byte
	PortMin uint16
	PortMax uint16
}

// NAT flags.
const (
	NATSrc         uint16 = 1 << 0
	NATDst         uint16 = 1 << 1
	NATPersistent  uint16 = 1 << 2
	NATProtoHash   uint16 = 1 << 3
	NATProtoRandom uint16 = 1 << 4
)

// Learn adds or modifies a flow built from the packet (NXAST_LEARN, or
// NXAST_LEARN2 when V2 is set, which adds Limit and ResultDst).
type Learn struct {
	IdleTimeout    uint16
	HardTimeout    uint16
	Priority       uint16
	Cookie         uint64
	Flags          uint16 // LearnSendFlowRem | LearnDeleteLearned | LearnWriteResult
	TableID        uint8
	FinIdleTimeout uint16
	FinHardTimeout uint16
	V2             bool
	Limit          uint32
	ResultDst      FieldRef // one bit; with LearnWriteResult
	Specs          []LearnSpec
}

// Learn flags.
const (
	LearnSendFlowRem   uint16 = 1 << 0
	LearnDeleteLearned uint16 = 1 << 1
	LearnWriteResult   uint16 = 1 << 2
)

// LearnSpec is one flow_mod_spec of a learn action: NBits bits from a field
// (Src) or an immediate value (SrcImm, the wire bytes: 2*ceil(NBits/16),
// big-endian, value right-aligned) go to a match field, a load, or the
// output port.
type LearnSpec struct {
	NBits   int
	SrcType uint8 // LearnSrcField or LearnSrcImmediate
	DstType uint8 // LearnDstMatch, LearnDstLoad or LearnDstOutput
	Src     FieldRef
	SrcImm  []byte
	Dst     FieldRef
}

// Learn spec source and destination types.
const (
	LearnSrcField     uint8 = 0
	LearnSrcImmediate uint8 = 1
	LearnDstMatch     uint8 = 0
	LearnDstLoad      uint8 = 1
	LearnDstOutput    uint8 = 2
)

// Multipath hashes Fields (an NX_HASH_FIELDS_* value) with Basis and picks a
// link in [0, MaxLink] by Algorithm (NX_MP_ALG_*), storing it in Dst
// (NXAST_MULTIPATH).
type Multipath struct {
	Fields    uint16
	Basis     uint16
	Algorithm uint16
	MaxLink   uint16
	Arg       uint32
	Dst       FieldRef
}

// Bundle picks a live member port by Algorithm (NX_BD_ALG_*) over a hash of
// Fields; it outputs to it (NXAST_BUNDLE) or, when Dst.Header is non-zero,
// loads it into Dst (NXAST_BUNDLE_LOAD).
type Bundle struct {
	Algorithm uint16
	Fields    uint16
	Basis     uint16
	Members   []Port
	Dst       FieldRef
}

// FinTimeout changes the rule's timeouts once a TCP FIN or RST is seen
// (NXAST_FIN_TIMEOUT).
type FinTimeout struct {
	IdleTimeout uint16
	HardTimeout uint16
}

// OutputTrunc outputs at most MaxLen bytes of the packet to Port
// (NXAST_OUTPUT_TRUNC).
type OutputTrunc struct {
	Port   Port
	MaxLen uint32
}

// CheckPktLarger stores into the one-bit Dst whether the packet is longer
// than PktLen (NXAST_CHECK_PKT_LARGER).
type CheckPktLarger struct {
	PktLen uint16
	Dst    FieldRef
}

// Sample samples packets to IPFIX collectors (NXAST_SAMPLE, SAMPLE2 when
// SamplingPort is not PortNone, SAMPLE3 when Direction is non-zero).
type Sample struct {
	Probability    uint16
	CollectorSetID uint32
	ObsDomainID    uint32
	ObsPointID     uint32
	SamplingPort   Port
	Direction      uint8
}

// CopyTTLOut copies the TTL from the next-to-outermost header to the
// outermost (OFPAT_COPY_TTL_OUT).
type CopyTTLOut struct{}

// CopyTTLIn copies the TTL from the outermost header inward
// (OFPAT_COPY_TTL_IN).
type CopyTTLIn struct{}

// SetMPLSTTL sets the MPLS TTL (OFPAT_SET_MPLS_TTL, NXAST_SET_MPLS_TTL).
type SetMPLSTTL struct{ TTL uint8 }

// DecMPLSTTL decrements the MPLS TTL (OFPAT_DEC_MPLS_TTL).
type DecMPLSTTL struct{}

// SetMPLSLabel sets the MPLS label (NXAST_SET_MPLS_LABEL, OF1.1 action).
type SetMPLSLabel struct{ Label uint32 }

// SetMPLSTC sets the MPLS traffic class (NXAST_SET_MPLS_TC, OF1.1 action).
type SetMPLSTC struct{ TC uint8 }

// PushMPLS pushes an MPLS label stack entry with the given ethertype.
type PushMPLS struct{ EthType uint16 }

// PopMPLS pops the outer MPLS label; EthType is the payload's ethertype.
type PopMPLS struct{ EthType uint16 }

func (Output) isAction()         {}
func (Controller) isAction()     {}
func (Enqueue) isAction()        {}
func (OutputReg) isAction()      {}
func (SetVLANVID) isAction()     {}
func (SetVLANPCP) isAction()     {}
func (StripVLAN) isAction()      {}
func (PushVLAN) isAction()       {}
func (SetEthSrc) isAction()      {}
func (SetEthDst) isAction()      {}
func (SetIPv4Src) isAction()     {}
func (SetIPv4Dst) isAction()     {}
func (SetIPDSCP) isAction()      {}
func (SetIPECN) isAction()       {}
func (SetIPTTL) isAction()       {}
func (SetL4SrcPort) isAction()   {}
func (SetL4DstPort) isAction()   {}
func (DecTTL) isAction()         {}
func (SetField) isAction()       {}
func (RegMove) isAction()        {}
func (StackPush) isAction()      {}
func (StackPop) isAction()       {}
func (Resubmit) isAction()       {}
func (GotoTable) isAction()      {}
func (WriteMetadata) isAction()  {}
func (ClearActions) isAction()   {}
func (WriteActions) isAction()   {}
func (Meter) isAction()          {}
func (Clone) isAction()          {}
func (Note) isAction()           {}
func (SetTunnel) isAction()      {}
func (SetQueue) isAction()       {}
func (PopQueue) isAction()       {}
func (Exit) isAction()           {}
func (Group) isAction()          {}
func (Conjunction) isAction()    {}
func (CTClear) isAction()        {}
func (Unknown) isAction()        {}
func (CT) isAction()             {}
func (NAT) isAction()            {}
func (Learn) isAction()          {}
func (Multipath) isAction()      {}
func (Bundle) isAction()         {}
func (FinTimeout) isAction()     {}
func (OutputTrunc) isAction()    {}
func (CheckPktLarger) isAction() {}
func (Sample) isAction()         {}
func (CopyTTLOut) isAction()     {}
func (CopyTTLIn) isAction()      {}
func (SetMPLSTTL) isAction()     {}
func (DecMPLSTTL) isAction()     {}
func (SetMPLSLabel) isAction()   {}
func (SetMPLSTC) isAction()      {}
func (PushMPLS) isAction()       {}
func (PopMPLS) isAction()        {}
