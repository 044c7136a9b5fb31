package ofproto

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"govs.dev/govs/openflow"
	"govs.dev/govs/vlog"
)

var vconn = vlog.Module("vconn")

// Versions the switch speaks, lowest to highest.
var supportedVersions = []uint8{openflow.Version10, openflow.Version11, openflow.Version12,
	openflow.Version13, openflow.Version14, openflow.Version15}

// nxmCookieHeader is NXM_NX_COOKIE (class 1, field 30, 8 bytes): in NXM flow
// mods and stats requests the cookie filter travels in the match.
var nxmCookieHeader = openflow.NXMHeader(1, 30, 8)

// Listener serves OpenFlow connections for one bridge on a unix socket
// (punix:<rundir>/<bridge>.mgmt).
type Listener struct {
	br   *Bridge
	mgr  *connMgr
	path string
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	cons map[*conn]bool
	done bool
}

// pinQueueLen bounds the packet-ins (and barrier replies behind them)
// waiting to be written to one connection, as OVS bounds each controller
// connection's packet-in queue (100 by default): a slow reader loses
// packet-ins, counted, instead of holding the datapath's handlers.
const pinQueueLen = 100

// connMgr is the set of OpenFlow connections of one bridge, which
// asynchronous messages go to (OVS's struct connmgr). Connections add and
// remove themselves; handler goroutines deliver packet-ins. Safe for
// concurrent use.
type connMgr struct {
	br    *Bridge
	mu    sync.RWMutex
	conns map[*conn]struct{}
	// wantMiss counts the connections for which pinState.wantsMissPacketIns
	// holds (OVS's want_packet_in_on_miss).
	wantMiss atomic.Int32
}

// newConnMgr returns an empty connection manager for b.
func newConnMgr(b *Bridge) *connMgr {
	return &connMgr{br: b, conns: map[*conn]struct{}{}}
}

// connMgrOf returns b's connection manager.
func connMgrOf(b *Bridge) *connMgr { return b.conns }

func (m *connMgr) add(c *conn) {
	m.mu.Lock()
	m.conns[c] = struct{}{}
	m.mu.Unlock()
}

func (m *connMgr) remove(c *conn) {
	m.mu.Lock()
	delete(m.conns, c)
	m.mu.Unlock()
}

func (m *connMgr) hasConns() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.conns) > 0
}

// setWantMiss records a connection's change of wantsMissPacketIns. When
// the bridge's answer flips, translations of misses change: every
// megaflow is revalidated (stock OVS leaves megaflows installed under the
// old answer until something else revalidates them).
func (m *connMgr) setWantMiss(was, now bool) {
	if was == now {
		return
	}
	d := int32(1)
	if !now {
		d = -1
	}
	n := m.wantMiss.Add(d)
	if (now && n == 1) || (!now && n == 0) {
		if k := m.br.backer; k != nil {
			k.needRevalidate()
		}
	}
}

// sendPacketIn encodes p for every connection that wants it and queues
// it without blocking; a full queue drops the packet-in for that
// connection only.
func (m *connMgr) sendPacketIn(p *packetIn) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for c := range m.conns {
		st := c.pin.Load()
		if st == nil || !st.wants(p) {
			continue
		}
		b, err := openflow.Encode(st.message(p))
		if err != nil {
			vconn.Dbg("%s: encode packet-in: %v", m.br.Name, err)
			continue
		}
		c.enqueue(b)
	}
}

// Listen starts the management socket of b at path.
func (b *Bridge) Listen(path string) (*Listener, error) {
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("bridge %s: listen %s: %w", b.Name, path, err)
	}
	l := &Listener{br: b, mgr: connMgrOf(b), path: path, ln: ln, cons: map[*conn]bool{}}
	l.wg.Add(1)
	go l.accept()
	return l, nil
}

// Close stops the listener and every connection it accepted.
func (l *Listener) Close() {
	l.mu.Lock()
	l.done = true
	for c := range l.cons {
		c.nc.Close()
	}
	l.mu.Unlock()
	l.ln.Close()
	_ = os.Remove(l.path)
	l.wg.Wait()
}

func (l *Listener) accept() {
	defer l.wg.Done()
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			return
		}
		c := &conn{br: l.br, mgr: l.mgr, nc: nc, flowFormat: openflow.FlowFormatOF10, bundles: map[uint32]*bundle{},
			out: make(chan []byte, pinQueueLen), done: make(chan struct{})}
		l.mu.Lock()
		if l.done {
			l.mu.Unlock()
			nc.Close()
			return
		}
		l.cons[c] = true
		l.mu.Unlock()
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			c.serve()
			l.mu.Lock()
			delete(l.cons, c)
			l.mu.Unlock()
		}()
	}
}

// conn is one OpenFlow session. Its fields are owned by its serve
// goroutine, except pin (read by packet-in delivery), out and done (the
// queue to its writer goroutine) and wmu (serialises writes).
type conn struct {
	br         *Bridge
	mgr        *connMgr
	nc         net.Conn
	version    uint8
	flowFormat uint32
	tableIDExt bool
	bundles    map[uint32]*bundle
	wmu        sync.Mutex

	// st is the connection's packet-in state, owned by serve; pin is its
	// latest published copy (nil before the first publish).
	st  pinState
	pin atomic.Pointer[pinState]
	// out queues encoded messages for the writer goroutine: packet-ins
	// (never blocking the sender) and barrier replies (which must not
	// overtake them). done closes when the session ends.
	out   chan []byte
	done  chan struct{}
	drops atomic.Uint64
}

// publish makes the connection's current packet-in state visible to
// delivery and updates the bridge's count of connections that want table
// misses.
func (c *conn) publish() {
	st := c.st
	was := false
	if old := c.pin.Load(); old != nil {
		was = old.wantsMissPacketIns()
	}
	c.pin.Store(&st)
	c.mgr.setWantMiss(was, st.wantsMissPacketIns())
}

// enqueue queues an encoded asynchronous message without blocking; when
// the queue is full the message is dropped and counted.
func (c *conn) enqueue(b []byte) {
	select {
	case <-c.done:
		return
	default:
	}
	select {
	case c.out <- b:
	default:
		c.drops.Add(1)
		covPinDropped.Inc()
		vconn.Dbg("%s: dropping packet-in due to queue overflow", c.br.Name)
	}
}

// sendQueued sends m behind the queued asynchronous messages (a barrier
// reply must not overtake packet-ins sent before the barrier). It blocks
// while the queue is full, until the session ends.
func (c *conn) sendQueued(m openflow.Message) error {
	b, err := openflow.Encode(m)
	if err != nil {
		return fmt.Errorf("encode %v: %w", m.Type(), err)
	}
	select {
	case c.out <- b:
		return nil
	case <-c.done:
		return errConnWrite
	}
}

// writer writes queued messages until the session ends. A write error
// closes the connection, which ends serve.
func (c *conn) writer() {
	for {
		select {
		case <-c.done:
			return
		case b := <-c.out:
			c.wmu.Lock()
			err := c.write(b)
			c.wmu.Unlock()
			if err != nil {
				vconn.Dbg("%s: %v", c.br.Name, err)
				c.nc.Close()
				return
			}
		}
	}
}

type bundle struct {
	closed bool
	mods   []*FlowMod
	flags  uint16
}

// errConnWrite marks a failure to write to the peer: the session is over.
var errConnWrite = errors.New("connection write failed")

func (c *conn) send(m openflow.Message) error {
	b, err := openflow.Encode(m)
	if err != nil {
		return fmt.Errorf("encode %v: %w", m.Type(), err)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.write(b)
}

// write sends one encoded message. Caller holds c.wmu.
func (c *conn) write(b []byte) error {
	_ = c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write(b); err != nil {
		return fmt.Errorf("%w: %v", errConnWrite, err)
	}
	return nil
}

func (c *conn) sendError(e openflow.Error, req []byte) {
	em := openflow.NewErrorReply(e, req)
	// Like OVS, carry the whole offending request (as far as it fits) so
	// that the controller can tell which message failed.
	if n := min(len(req), openflow.MaxMessageLen-64); n > len(em.Data) {
		em.Data = append([]byte(nil), req[:n]...)
	}
	if c.version != 0 {
		em.Version = c.version
	}
	if err := c.send(em); err != nil {
		vconn.Dbg("%s: send error: %v", c.br.Name, err)
	}
}

func highestCommon(peer []uint8) uint8 {
	best := uint8(0)
	for _, v := range supportedVersions {
		for _, p := range peer {
			if p == v && v > best {
				best = v
			}
		}
	}
	return best
}

func (c *conn) serve() {
	c.mgr.add(c)
	go c.writer()
	defer func() {
		c.mgr.remove(c)
		close(c.done)
		// The session no longer counts for table misses.
		c.st = pinState{}
		c.publish()
		c.nc.Close()
	}()
	r := openflow.NewReader(c.nc, openflow.MaxMessageLen)
	if err := c.send(&openflow.Hello{Header: openflow.Header{Version: openflow.Version15}, Versions: supportedVersions}); err != nil {
		return
	}
	for {
		raw, err := r.Next()
		if err != nil {
			return
		}
		msg, err := openflow.Decode(raw)
		if err != nil {
			if oe, ok := openflow.AsError(err); ok {
				c.sendError(oe, raw)
				continue
			}
			c.sendError(openflow.ErrOFPBRCBadType, raw)
			continue
		}
		if c.version == 0 {
			h, ok := msg.(*openflow.Hello)
			if !ok {
				c.sendError(openflow.ErrOFPHFCIncompatible, raw)
				return
			}
			vs := h.Versions
			if len(vs) == 0 {
				vs = []uint8{}
				for _, v := range supportedVersions {
					if v <= h.Version {
						vs = append(vs, v)
					}
				}
			}
			c.version = highestCommon(vs)
			if c.version == 0 {
				c.sendError(openflow.ErrOFPHFCIncompatible, raw)
				return
			}
			vconn.Dbg("%s: negotiated OpenFlow version 0x%02x", c.br.Name, c.version)
			c.st.version = c.version
			c.publish()
			continue
		}
		if msg.Head().Version != c.version && msg.Type() != openflow.MsgHello {
			c.sendError(openflow.ErrOFPBRCBadVersion, raw)
			continue
		}
		if err := c.handle(msg, raw); err != nil {
			if errors.Is(err, errConnWrite) {
				vconn.Dbg("%s: connection closed: %v", c.br.Name, err)
				return
			}
			if oe, ok := openflow.AsError(err); ok {
				c.sendError(oe, raw)
			} else {
				vconn.Warn("%s: %v", c.br.Name, err)
				c.sendError(openflow.ErrOFPBRCEperm, raw)
			}
		}
	}
}

func (c *conn) reply(req openflow.Message, m openflow.Message) error {
	h := m.Head()
	h.Version = c.version
	h.XID = req.Head().XID
	return c.send(m)
}

func (c *conn) handle(msg openflow.Message, raw []byte) error {
	b := c.br
	switch m := msg.(type) {
	case *openflow.Hello:
		return nil
	case *openflow.EchoRequest:
		return c.reply(m, &openflow.EchoReply{Data: m.Data})
	case *openflow.EchoReply:
		return nil
	case *openflow.FeaturesRequest:
		fr := &openflow.FeaturesReply{DatapathID: b.DatapathID(), NBuffers: 0, NTables: 254,
			Capabilities: 0x00000047, Actions: 0x00000fff}
		if c.version == openflow.Version10 {
			fr.Capabilities = 0x000000c7
			fr.Ports = b.portDescs()
		}
		return c.reply(m, fr)
	case *openflow.SwitchConfig:
		if !m.Set {
			return nil
		}
		if c.st.role != openflow.RoleSlave || !c.st.primary {
			switch mode := int(m.Flags & openflow.FragMask); mode {
			case FragNormal, FragDrop, FragNXMatch:
				b.SetFragMode(mode)
			default:
				vconn.Warn("%s: unsupported fragment handling mode %d", b.Name, mode)
			}
		}
		if c.version < openflow.Version13 {
			// OFPC_INVALID_TTL_TO_CONTROLLER toggles the primary role's
			// invalid_ttl packet-ins, as OVS does.
			ac := c.st.asyncConfig()
			if m.Flags&openflow.ConfigInvalTTL != 0 {
				ac.primary[oamPacketIn] |= 1 << reasonInvalidTTL
			} else {
				ac.primary[oamPacketIn] &^= 1 << reasonInvalidTTL
			}
			c.setAsync(ac)
		}
		// miss_send_len belongs to the connection, as in OVS.
		c.st.missSendLen = m.MissSendLen
		c.publish()
		return nil
	case *openflow.GetConfigRequest:
		flags := uint16(b.FragMode())
		if ac := c.st.asyncConfig(); c.version < openflow.Version13 && ac.primary[oamPacketIn]&(1<<reasonInvalidTTL) != 0 {
			flags |= openflow.ConfigInvalTTL
		}
		return c.reply(m, &openflow.SwitchConfig{Flags: flags, MissSendLen: c.st.missSendLen})
	case *openflow.BarrierRequest:
		// Controller upcalls translated before the barrier have queued
		// their packet-ins by now; the reply goes behind them.
		b.backer.waitRevalidation()
		m2 := &openflow.BarrierReply{}
		m2.Version, m2.XID = c.version, m.XID
		return c.sendQueued(m2)
	case *openflow.SetFlowFormat:
		if m.Format != openflow.FlowFormatOF10 && m.Format != openflow.FlowFormatNXM {
			return openflow.ErrOFPBRCEperm
		}
		c.flowFormat = m.Format
		return nil
	case *openflow.FlowModTableID:
		c.tableIDExt = m.Enable
		return nil
	case *openflow.SetPacketInFormat:
		if m.Format > openflow.PacketInFormatNXT2 {
			return openflow.ErrOFPBRCEperm
		}
		c.st.format = m.Format
		c.publish()
		return nil
	case *openflow.SetControllerID:
		c.st.controllerID = m.ID
		c.publish()
		return nil
	case *openflow.AsyncConfig:
		if m.Kind == openflow.MsgGetAsyncReply {
			return openflow.ErrOFPBRCBadType
		}
		ac, err := asyncFromMessage(m, c.version, c.st.asyncConfig())
		if err != nil {
			return err
		}
		c.setAsync(ac)
		if !c.st.primary && c.st.missSendLen == 0 {
			// A service connection that configures asynchronous
			// messages wants them (OFP_DEFAULT_MISS_SEND_LEN).
			c.st.missSendLen = 128
		}
		c.publish()
		return nil
	case *openflow.GetAsyncRequest:
		ac := c.st.asyncConfig()
		return c.reply(m, ac.message(c.version))
	case *openflow.RoleMsg:
		if m.Reply {
			return openflow.ErrOFPBRCBadType
		}
		if m.Role != openflow.RoleNoChange {
			c.st.role = m.Role
			c.publish()
		}
		role := c.st.role
		if role == 0 {
			role = openflow.RoleEqual
		}
		return c.reply(m, &openflow.RoleMsg{Reply: true, NX: m.NX, Role: role, GenerationID: m.GenerationID})
	case *openflow.FlowMod:
		fm, err := c.flowModFrom(m)
		if err != nil {
			return err
		}
		_, err = b.FlowMod(fm)
		return err
	case *openflow.StatsRequest:
		return c.stats(m)
	case *openflow.PortMod:
		return b.portMod(m)
	case *openflow.PacketOut:
		return b.packetOut(m)
	case *openflow.BundleControl:
		return c.bundleControl(m)
	case *openflow.BundleAdd:
		return c.bundleAdd(m)
	}
	return openflow.ErrOFPBRCBadType
}

// flowModFrom converts a decoded flow-mod to ofproto's form.
func (c *conn) flowModFrom(m *openflow.FlowMod) (*FlowMod, error) {
	om := m.Match
	cookie, cookieMask := m.Cookie, m.CookieMask
	nxm := m.NX || c.version == openflow.Version10
	if nxm {
		// NXM carries the cookie filter as NXM_NX_COOKIE in the match.
		cookieMask = 0
		var rest []openflow.MatchField
		var fcookie, fmask uint64
		for _, f := range om.Fields {
			if f.Header == nxmCookieHeader {
				fcookie = be64(f.Value)
				fmask = ^uint64(0)
				if f.Mask != nil {
					fmask = be64(f.Mask)
				}
				continue
			}
			rest = append(rest, f)
		}
		om.Fields = rest
		if m.Command == FlowAdd && fmask != 0 {
			return nil, openflow.ErrNXBRCNxmInvalid
		}
		if fmask != 0 {
			cookie, cookieMask = fcookie, fmask
		}
	}
	match, err := MatchFromOpenFlow(&om)
	if err != nil {
		return nil, err
	}
	fm := &FlowMod{
		Command: m.Command, Match: match, Priority: m.Priority, Table: m.TableID,
		Cookie: cookie, CookieMask: cookieMask, IdleTimeout: m.IdleTimeout, HardTimeout: m.HardTimeout,
		Importance: m.Importance, Flags: flowModFlags(m.Flags, c.version), OutPort: m.OutPort, OutGroup: m.OutGroup,
		Actions: m.Actions,
	}
	if c.version < openflow.Version12 && m.Command == FlowAdd {
		// An OpenFlow 1.0 or 1.1 add always resets counters: OVS
		// records that as the reset_counts flag.
		fm.Flags |= FlagResetCounts
	}
	if c.version == openflow.Version10 && !c.tableIDExt {
		// Without NXT_FLOW_MOD_TABLE_ID, OpenFlow 1.0 adds go to table 0
		// and modify/delete apply to every table.
		if fm.Command == FlowAdd {
			fm.Table = 0
		} else {
			fm.Table = TableAll
		}
	}
	// Cookies, as OVS decodes them: an add sets the cookie; an OpenFlow 1.0
	// or NXM modify sets the message's cookie (all-ones: keep) and may add
	// when nothing matches; OpenFlow 1.1 does so only for a modify without
	// cookie mask; OpenFlow 1.2+ modifies keep cookies and never add.
	modify := fm.Command == FlowModify || fm.Command == FlowModifyStrict
	switch {
	case fm.Command == FlowAdd:
		fm.NewCookie = m.Cookie
		fm.Cookie, fm.CookieMask = m.Cookie, 0
	case nxm:
		fm.NewCookie = m.Cookie
	case c.version == openflow.Version11 && modify && m.CookieMask == 0:
		fm.NewCookie = m.Cookie
		fm.Cookie, fm.CookieMask = 0, 0
	default:
		fm.NewCookie = KeepCookie
	}
	if c.version >= openflow.Version11 && fm.Command != FlowAdd && fm.Command != FlowModify && fm.Command != FlowModifyStrict {
		// OF1.1+ delete honours out_group too; without groups only ANY passes.
		if m.OutGroup != openflow.GroupAny && m.OutGroup != 0 {
			fm.OutPort = openflow.PortNone
		}
	}
	return fm, nil
}

// flowModFlags maps wire OFPFF_* bits to ofproto's.
func flowModFlags(f uint16, version uint8) uint16 {
	var out uint16
	if f&1 != 0 {
		out |= FlagSendFlowRem
	}
	if f&2 != 0 {
		out |= FlagCheckOverlap
	}
	if version >= openflow.Version13 {
		if f&4 != 0 {
			out |= FlagResetCounts
		}
		if f&8 != 0 {
			out |= FlagNoPktCounts
		}
		if f&16 != 0 {
			out |= FlagNoBytCounts
		}
	} else if version == openflow.Version12 && f&4 != 0 {
		out |= FlagResetCounts
	}
	return out
}

// wireFlags maps ofproto's flags back to OFPFF_* for flow stats.
func wireFlags(f uint16, version uint8) uint16 {
	var out uint16
	if f&FlagSendFlowRem != 0 {
		out |= 1
	}
	if version >= openflow.Version13 {
		if f&FlagResetCounts != 0 {
			out |= 4
		}
		if f&FlagNoPktCounts != 0 {
			out |= 8
		}
		if f&FlagNoBytCounts != 0 {
			out |= 16
		}
	}
	return out
}

func be64(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

func (c *conn) bundleControl(m *openflow.BundleControl) error {
	rep := func(t uint16) error {
		return c.reply(m, &openflow.BundleControl{ONF: m.ONF, BundleID: m.BundleID, CtrlType: t, Flags: m.Flags})
	}
	switch m.CtrlType {
	case openflow.BundleOpenRequest:
		if _, ok := c.bundles[m.BundleID]; ok {
			return openflow.ErrOFPBFCBundleExist
		}
		c.bundles[m.BundleID] = &bundle{flags: m.Flags}
		return rep(openflow.BundleOpenReply)
	case openflow.BundleCloseRequest:
		bd := c.bundles[m.BundleID]
		if bd == nil {
			return openflow.ErrOFPBFCBadId
		}
		if bd.closed {
			return openflow.ErrOFPBFCBundleClosed
		}
		bd.closed = true
		return rep(openflow.BundleCloseReply)
	case openflow.BundleCommitRequest:
		bd := c.bundles[m.BundleID]
		if bd == nil {
			return openflow.ErrOFPBFCBadId
		}
		delete(c.bundles, m.BundleID)
		if _, err := c.br.FlowModBatch(bd.mods); err != nil {
			return err
		}
		c.br.backer.waitRevalidation()
		return rep(openflow.BundleCommitReply)
	case openflow.BundleDiscardRequest:
		if _, ok := c.bundles[m.BundleID]; !ok {
			return openflow.ErrOFPBFCBadId
		}
		delete(c.bundles, m.BundleID)
		return rep(openflow.BundleDiscardReply)
	}
	return openflow.ErrOFPBFCBadType
}

func (c *conn) bundleAdd(m *openflow.BundleAdd) error {
	bd := c.bundles[m.BundleID]
	if bd == nil {
		bd = &bundle{flags: m.Flags}
		c.bundles[m.BundleID] = bd
	}
	if bd.closed {
		return openflow.ErrOFPBFCBundleClosed
	}
	fmm, ok := m.Inner.(*openflow.FlowMod)
	if !ok {
		return openflow.ErrOFPBFCMsgUnsup
	}
	fm, err := c.flowModFrom(fmm)
	if err != nil {
		return err
	}
	if err := c.br.validateFlowModLocked(fm); err != nil {
		return err
	}
	bd.mods = append(bd.mods, fm)
	return nil
}

// setAsync sets the connection's async configuration as OVS's
// ofconn_set_async_config does: before OpenFlow 1.4, enabling "action"
// enables its 1.4 refinements (action set, group, packet-out) too. The
// caller publishes.
func (c *conn) setAsync(ac asyncConfig) {
	if c.version < openflow.Version14 {
		if ac.primary[oamPacketIn]&(1<<reasonAction) != 0 {
			ac.primary[oamPacketIn] |= ofpr14ActionBits
		}
		if ac.secondary[oamPacketIn]&(1<<reasonAction) != 0 {
			ac.secondary[oamPacketIn] |= ofpr14ActionBits
		}
	}
	c.st.async, c.st.hasAsync = ac, true
}
