package bridge

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"govs.dev/govs/dpif"
	"govs.dev/govs/flow"
	"govs.dev/govs/netdev"
	"govs.dev/govs/netdev/dummy"
	"govs.dev/govs/ofproto"
	"govs.dev/govs/ofproto/xlate"
	"govs.dev/govs/openflow"
	"govs.dev/govs/ovsdb/vswitchdb"
	"govs.dev/govs/packet"
)

type brState struct {
	name   string
	uuid   string
	dpType string
	backer *ofproto.Backer
	of     *ofproto.Bridge
	ifaces map[string]*ifState
	mac    [6]byte
	mgmt   *ofproto.Listener
	// prefixes is the Flow_Table:prefixes setting applied to each table
	// ("" for the default).
	prefixes [ofproto.NumTables]string
}

type ifState struct {
	name   string
	typ    string // database type
	kind   string // "dummy", "dummy-internal", "patch", "system", "internal", "tap"
	ofport openflow.Port
	dpPort uint32
	hasDP  bool
	dev    netdev.Device
	peer   string
	mac    [6]byte

	// Kernel-backed kinds only.
	ks      kernelStatus
	gone    bool // the kernel interface vanished; dev is nil until it is back
	running bool // carrier at the last status write, for link_resets
	mtuReq  int  // mtu_request applied, 0 for none
}

// dpTypeOf maps a Bridge.datapath_type to the datapath govs runs it on.
func (s *switchd) dpTypeOf(t string) (string, error) {
	switch t {
	case "dummy":
		if !s.o.EnableDummy {
			return "", fmt.Errorf("datapath type dummy requires --enable-dummy")
		}
		return "dummy", nil
	case "", "system", "netdev":
		if s.o.DummyOverride {
			return "dummy", nil
		}
		if t == "system" || t == "" {
			// govs has one datapath, in userspace: "system" bridges run on it.
			return "netdev", nil
		}
		return "netdev", nil
	}
	return "", fmt.Errorf("unknown datapath type %q", t)
}

// reconcile applies the database to the switch and writes status back. It
// reports whether the configuration (next_cfg) is now applied.
func (s *switchd) reconcile(ctx context.Context) (bool, error) {
	var roots []vswitchdb.OpenvSwitch
	if err := s.db.List(ctx, &roots); err != nil {
		return false, fmt.Errorf("list Open_vSwitch: %w", err)
	}
	if len(roots) == 0 {
		return false, nil
	}
	root := roots[0]
	var bridges []vswitchdb.Bridge
	var ports []vswitchdb.Port
	var ifaces []vswitchdb.Interface
	if err := s.db.List(ctx, &bridges); err != nil {
		return false, fmt.Errorf("list Bridge: %w", err)
	}
	if err := s.db.List(ctx, &ports); err != nil {
		return false, fmt.Errorf("list Port: %w", err)
	}
	if err := s.db.List(ctx, &ifaces); err != nil {
		return false, fmt.Errorf("list Interface: %w", err)
	}
	var datapaths []vswitchdb.Datapath
	if err := s.db.List(ctx, &datapaths); err != nil {
		return false, fmt.Errorf("list Datapath: %w", err)
	}
	var flowTables []vswitchdb.FlowTable
	if err := s.db.List(ctx, &flowTables); err != nil {
		return false, fmt.Errorf("list Flow_Table: %w", err)
	}
	s.flowTables = map[string]*vswitchdb.FlowTable{}
	for i := range flowTables {
		s.flowTables[flowTables[i].UUID] = &flowTables[i]
	}
	dpByUUID := map[string]*vswitchdb.Datapath{}
	for i := range datapaths {
		dpByUUID[datapaths[i].UUID] = &datapaths[i]
	}
	brByUUID := map[string]*vswitchdb.Bridge{}
	for i := range bridges {
		brByUUID[bridges[i].UUID] = &bridges[i]
	}
	portByUUID := map[string]*vswitchdb.Port{}
	for i := range ports {
		portByUUID[ports[i].UUID] = &ports[i]
	}
	ifByUUID := map[string]*vswitchdb.Interface{}
	for i := range ifaces {
		ifByUUID[ifaces[i].UUID] = &ifaces[i]
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.linkEvents, s.linkEventsAll = s.takeLinkEvents()
	defer func() { s.statsDue = false }()
	var ops []ovsdb.Operation
	want := map[string]*vswitchdb.Bridge{}
	for _, u := range root.Bridges {
		if b := brByUUID[u]; b != nil {
			want[b.Name] = b
		}
	}
	for name, b := range s.bridges {
		if w := want[name]; w == nil {
			s.destroyBridge(b, true)
			delete(s.bridges, name)
		}
	}
	for name, row := range want {
		dpType, err := s.dpTypeOf(row.DatapathType)
		if err != nil {
			log.Err("bridge %s: %v", name, err)
			continue
		}
		b := s.bridges[name]
		if b != nil && b.dpType != dpType {
			s.destroyBridge(b, true)
			delete(s.bridges, name)
			b = nil
		}
		created := false
		if b == nil {
			b, err = s.createBridge(name, dpType)
			if err != nil {
				log.Err("bridge %s: %v", name, err)
				continue
			}
			s.bridges[name] = b
			created = true
		}
		b.uuid = row.UUID
		ops = append(ops, s.configureBridge(b, row, &root, portByUUID, ifByUUID)...)
		if created {
			// The tables of a new bridge start empty: standalone
			// bridges get the default NORMAL rule.
			b.of.Flushed(false)
		}
	}
	s.configureDatapaths(&root)
	ops = append(ops, s.datapathCapabilities(&root, dpByUUID)...)

	applied := true
	if root.CurCfg != root.NextCfg {
		r := root
		r.CurCfg = root.NextCfg
		op, err := s.db.Where(&r).Update(&r, &r.CurCfg)
		if err == nil {
			ops = append(ops, op...)
		}
	}
	it := []string{"dummy", "dummy-internal", "internal", "patch", "system", "tap"}
	dt := []string{"netdev", "system"}
	if s.o.EnableDummy {
		dt = append([]string{"dummy"}, dt...)
	}
	if !equalStrings(root.IfaceTypes, it) || !equalStrings(root.DatapathTypes, dt) {
		r := root
		r.IfaceTypes, r.DatapathTypes = it, dt
		if op, err := s.db.Where(&r).Update(&r, &r.IfaceTypes, &r.DatapathTypes); err == nil {
			ops = append(ops, op...)
		}
	}
	if len(ops) > 0 {
		res, err := s.db.Transact(ctx, ops...)
		if err != nil {
			return false, fmt.Errorf("write status: %w", err)
		}
		if _, err := ovsdb.CheckOperationResults(res, ops); err != nil {
			return false, fmt.Errorf("write status: %w", err)
		}
	}
	return applied, nil
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

// configureDatapaths applies Open_vSwitch other_config settings of the
// datapaths: flow-limit and max-idle.
func (s *switchd) configureDatapaths(root *vswitchdb.OpenvSwitch) {
	// other_config:vlan-limit: how many VLAN headers flow extraction
	// parses; OVS's default is 1, 0 means as many as the key holds.
	limit := 1
	if v, ok := root.OtherConfig["vlan-limit"]; ok {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			limit = n
		}
	}
	if limit == 0 || limit > flow.MaxVLANHeaders {
		limit = flow.MaxVLANHeaders
	}
	packet.SetVLANLimit(limit)
	mask := root.OtherConfig["pmd-cpu-mask"]
	cpus, err := dpif.ParsePMDCPUMask(mask)
	if err != nil && mask != s.pmdMaskErr {
		log.Warn("other_config:pmd-cpu-mask: %v", err)
		s.pmdMaskErr = mask
	}
	for typ, k := range s.backers {
		if k.DP == nil {
			continue
		}
		if typ == "netdev" && err == nil && mask != s.pmdMask {
			if err := k.DP.SetPMDCPUMask(cpus); err != nil {
				log.Warn("other_config:pmd-cpu-mask %q: %v", mask, err)
			} else {
				log.Info("pmd-cpu-mask %q: %d busy-polling loops", mask, len(cpus))
			}
			s.pmdMask = mask
		}
		if v, ok := root.OtherConfig["flow-limit"]; ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				k.DP.SetFlowLimit(n)
			}
		}
		if v, ok := root.OtherConfig["max-idle"]; ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				k.DP.SetMaxIdle(time.Duration(n) * time.Millisecond)
			}
		}
	}
}

func (s *switchd) createBridge(name, dpType string) (*brState, error) {
	k, err := s.backer(dpType)
	if err != nil {
		return nil, err
	}
	of, err := k.NewBridge(name)
	if err != nil {
		return nil, err
	}
	b := &brState{name: name, dpType: dpType, backer: k, of: of, ifaces: map[string]*ifState{}}
	if s.o.RunDir != "" {
		l, err := of.Listen(filepath.Join(s.o.RunDir, name+".mgmt"))
		if err != nil {
			log.Err("bridge %s: %v", name, err)
		} else {
			b.mgmt = l
		}
	}
	log.Info("bridge %s: added", name)
	return b, nil
}

// destroyBridge removes bridge b; deleteTaps removes the kernel taps of
// its internal and tap interfaces too (a bridge deleted from the
// configuration, or exit --cleanup).
func (s *switchd) destroyBridge(b *brState, deleteTaps bool) {
	for name, ifc := range b.ifaces {
		s.removeIface(b, ifc, deleteTaps)
		delete(b.ifaces, name)
	}
	if b.mgmt != nil {
		b.mgmt.Close()
	}
	b.of.Destroy()
	log.Info("bridge %s: deleted", b.name)
}

func (s *switchd) removeIface(b *brState, ifc *ifState, deleteTap bool) {
	b.of.DelPort(ifc.ofport)
	s.detachDevice(b, ifc, deleteTap)
	log.Info("bridge %s: deleted interface %s on port %d", b.name, ifc.name, ifc.ofport)
}

// configureBridge reconciles one bridge's ports and returns the status writes.
func (s *switchd) configureBridge(b *brState, row *vswitchdb.Bridge, root *vswitchdb.OpenvSwitch,
	portByUUID map[string]*vswitchdb.Port, ifByUUID map[string]*vswitchdb.Interface) []ovsdb.Operation {
	var ops []ovsdb.Operation
	fail := ""
	if row.FailMode != nil {
		fail = *row.FailMode
	}
	b.of.SetFailMode(fail)
	aging, size := 300*time.Second, 2048
	if v, ok := row.OtherConfig["mac-aging-time"]; ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			aging = time.Duration(n) * time.Second
		}
	}
	if v, ok := row.OtherConfig["mac-table-size"]; ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			size = n
		}
	}
	b.of.SetMACConfig(aging, size)
	s.configurePrefixes(b, row)

	type wantIf struct {
		row  *vswitchdb.Interface
		port *vswitchdb.Port
	}
	want := map[string]wantIf{}
	for _, pu := range row.Ports {
		p := portByUUID[pu]
		if p == nil {
			continue
		}
		for _, iu := range p.Interfaces {
			if ir := ifByUUID[iu]; ir != nil {
				want[ir.Name] = wantIf{ir, p}
			}
		}
	}
	for name, ifc := range b.ifaces {
		w, ok := want[name]
		if !ok || s.ifaceKind(w.row, name == b.name, b.dpType) != ifc.kind || (ifc.kind == "patch" && w.row.Options["peer"] != ifc.peer) {
			s.removeIface(b, ifc, true)
			delete(b.ifaces, name)
		}
	}
	used := map[openflow.Port]bool{}
	for _, ifc := range b.ifaces {
		used[ifc.ofport] = true
	}
	// Add interfaces in name order for stable port numbering.
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		w := want[name]
		ifc := b.ifaces[name]
		errText := ""
		if ifc == nil {
			var err error
			ifc, err = s.addIface(b, w.row, used)
			if err != nil {
				errText = err.Error()
				// A missing device is retried on every reconfiguration
				// and link event; say so once per new error.
				if s.openErrs[name] != errText {
					log.Warn("bridge %s: could not add interface %s: %v", b.name, name, err)
					s.openErrs[name] = errText
				}
			} else {
				delete(s.openErrs, name)
				b.ifaces[name] = ifc
				used[ifc.ofport] = true
			}
		} else if isKernelKind(ifc.kind) && (s.linkEventsAll || s.linkEvents[name]) {
			s.refreshKernel(b, ifc)
		}
		if ifc != nil {
			if isKernelKind(ifc.kind) {
				req := 0
				if w.row.MTURequest != nil {
					req = *w.row.MTURequest
				}
				s.applyMTU(b, ifc, req)
				if ifc.kind == kindInternal && name != b.name && w.row.MAC != nil {
					s.applyIfaceMAC(b, ifc, *w.row.MAC)
				}
			}
			s.configurePort(b, ifc, w.port, w.row)
		}
		ops = append(ops, s.ifaceStatus(w.row, ifc, errText, s.statsDue)...)
	}
	s.followMinMTU(b)
	// Bridge MAC and datapath ID follow the lowest port MAC, as in OVS.
	mac := s.bridgeMAC(b, row)
	if mac != b.mac {
		b.mac = mac
	}
	if local := b.ifaces[b.name]; local != nil && local.dev != nil && local.dev.MAC() != mac {
		if err := local.dev.SetMAC(mac); err != nil {
			log.Err("bridge %s: failed to set bridge Ethernet address: %v", b.name, err)
		} else {
			local.mac = mac
		}
	}
	dpid := fmt.Sprintf("%016x", uint64(mac[0])<<40|uint64(mac[1])<<32|uint64(mac[2])<<24|uint64(mac[3])<<16|uint64(mac[4])<<8|uint64(mac[5]))
	if v, ok := row.OtherConfig["datapath-id"]; ok && len(v) == 16 {
		dpid = strings.ToLower(v)
	}
	if id, err := strconv.ParseUint(dpid, 16, 64); err == nil {
		b.of.SetDatapathID(id)
	}
	if row.DatapathID == nil || *row.DatapathID != dpid {
		r := *row
		r.DatapathID = &dpid
		if op, err := s.db.Where(&r).Update(&r, &r.DatapathID); err == nil {
			ops = append(ops, op...)
		}
	}
	return ops
}

func (s *switchd) bridgeMAC(b *brState, row *vswitchdb.Bridge) [6]byte {
	if v, ok := row.OtherConfig["hwaddr"]; ok {
		if m, err := parseMAC(v); err == nil && m[0]&1 == 0 && m != ([6]byte{}) {
			return m
		}
	}
	// As OVS: the lowest universally administered unicast address among
	// the ports (the local port, patch ports and addresses that are
	// multicast, locally administered or zero do not count).
	var best [6]byte
	found := false
	for _, ifc := range b.ifaces {
		if ifc.kind == "patch" || ifc.ofport == openflow.PortLocal || ifc.gone {
			continue
		}
		m := ifc.mac
		if m[0]&3 != 0 || m == ([6]byte{}) {
			continue
		}
		if !found || string(m[:]) < string(best[:]) {
			best, found = m, true
		}
	}
	if found {
		return best
	}
	// Otherwise the bridge's default address: the first bytes of its
	// database UUID, marked locally administered unicast.
	var ea [6]byte
	hexID := strings.ReplaceAll(b.uuid, "-", "")
	for i := range ea {
		if len(hexID) >= 2*i+2 {
			v, _ := strconv.ParseUint(hexID[2*i:2*i+2], 16, 8)
			ea[i] = byte(v)
		}
	}
	if len(hexID) < 12 {
		h := fnv.New64a()
		h.Write([]byte(b.name))
		v := h.Sum64()
		ea = [6]byte{byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	}
	ea[0] = ea[0]&^1 | 2
	return ea
}

func parseMAC(s string) ([6]byte, error) {
	var m [6]byte
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return m, fmt.Errorf("bad MAC %q", s)
	}
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return m, fmt.Errorf("bad MAC %q", s)
		}
		m[i] = byte(v)
	}
	return m, nil
}

// ifaceKind says how govs implements an interface of the given row.
func (s *switchd) ifaceKind(row *vswitchdb.Interface, local bool, dpType string) string {
	switch row.Type {
	case "patch":
		return "patch"
	case "internal":
		if dpType == "dummy" || s.o.DummyOverride {
			return "dummy-internal"
		}
		return kindInternal
	case "dummy":
		if s.o.EnableDummy {
			return "dummy"
		}
	case "", "system", "tap":
		if s.o.DummyOverride {
			return "dummy"
		}
		if row.Type == "tap" {
			return kindTap
		}
		return kindSystem
	}
	if local {
		if dpType == "dummy" {
			return "dummy-internal"
		}
		return kindInternal
	}
	return "unsupported:" + row.Type
}

// addIface creates the interface's device and ports.
func (s *switchd) addIface(b *brState, row *vswitchdb.Interface, used map[openflow.Port]bool) (*ifState, error) {
	local := row.Name == b.name
	kind := s.ifaceKind(row, local, b.dpType)
	ifc := &ifState{name: row.Name, typ: row.Type, kind: kind}
	switch {
	case kind == "patch":
		ifc.peer = row.Options["peer"]
		if ifc.peer == "" {
			return nil, fmt.Errorf("%s: patch type requires valid 'peer' argument", row.Name)
		}
		if ifc.peer == row.Name {
			return nil, fmt.Errorf("%s: patch peer must not be self", row.Name)
		}
	case kind == "dummy" || kind == "dummy-internal":
		s.dummyMACs++
		ifc.mac = [6]byte{0xaa, 0x55, 0xaa, 0x55, byte(s.dummyMACs >> 8), byte(s.dummyMACs)}
		dev, err := dummy.New(row.Name, dummy.Options{Type: kind, MAC: ifc.mac, Now: s.o.Clock.Now})
		if err != nil {
			return nil, fmt.Errorf("could not open network device %s (%w)", row.Name, err)
		}
		no, err := b.backer.DP.AddPort(row.Name, dev, 0)
		if err != nil {
			return nil, fmt.Errorf("could not add network device %s to ofproto (%w)", row.Name, err)
		}
		ifc.dev, ifc.dpPort, ifc.hasDP = dev, no, true
	case isKernelKind(kind):
		if err := s.attachKernel(b, ifc); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("could not open network device %s (Address family not supported by protocol)", row.Name)
	}
	ifc.ofport = pickOFPort(row, local, used)
	if ifc.ofport == 0 {
		if ifc.hasDP {
			_ = b.backer.DP.DelPort(ifc.dpPort)
		}
		return nil, fmt.Errorf("%s: no free OpenFlow port number", row.Name)
	}
	log.Info("bridge %s: added interface %s on port %d", b.name, row.Name, ifc.ofport)
	return ifc, nil
}

// pickOFPort chooses an OpenFlow port number: LOCAL for the bridge's own
// interface, ofport_request if free, the previous number if free, else the
// lowest free number.
func pickOFPort(row *vswitchdb.Interface, local bool, used map[openflow.Port]bool) openflow.Port {
	if local {
		return openflow.PortLocal
	}
	if row.OfportRequest != nil {
		if r := *row.OfportRequest; r >= 1 && r < int(openflow.PortMax) && !used[openflow.Port(r)] {
			return openflow.Port(r)
		}
	}
	if row.Ofport != nil {
		if r := *row.Ofport; r >= 1 && r < int(openflow.PortMax) && !used[openflow.Port(r)] {
			return openflow.Port(r)
		}
	}
	for p := openflow.Port(1); p < openflow.PortMax; p++ {
		if !used[p] {
			return p
		}
	}
	return 0
}

// configurePort pushes the Port row's VLAN settings and the interface to
// ofproto.
func (s *switchd) configurePort(b *brState, ifc *ifState, prow *vswitchdb.Port, irow *vswitchdb.Interface) {
	tag := -1
	if prow.Tag != nil && *prow.Tag >= 0 && *prow.Tag < 4096 {
		tag = *prow.Tag
	}
	var trunks []uint16
	for _, t := range prow.Trunks {
		if t >= 0 && t < 4096 {
			trunks = append(trunks, uint16(t))
		}
	}
	mode := xlate.VLANTrunk
	if prow.VLANMode != nil {
		switch *prow.VLANMode {
		case "access":
			mode = xlate.VLANAccess
		case "native-tagged":
			mode = xlate.VLANNativeTagged
		case "native-untagged":
			mode = xlate.VLANNativeUntagged
		case "dot1q-tunnel":
			mode = xlate.VLANDot1QTunnel
		}
	} else if tag >= 0 {
		mode = xlate.VLANAccess
	}
	if mode == xlate.VLANTrunk {
		tag = -1
	}
	p := &ofproto.Port{Name: ifc.name, OFPort: ifc.ofport, DPPort: ifc.dpPort, HasDPPort: ifc.hasDP,
		Type: dpPortType(ifc.kind), PatchPeer: ifc.peer, Dev: ifc.dev, Tag: tag, Trunks: trunks, Mode: mode}
	if old := b.of.Port(ifc.ofport); old == nil || !samePort(old, p) {
		b.of.SetPort(p)
	}
}

func samePort(a, b *ofproto.Port) bool {
	if a.Name != b.Name || a.Dev != b.Dev || a.DPPort != b.DPPort || a.HasDPPort != b.HasDPPort || a.PatchPeer != b.PatchPeer ||
		a.Tag != b.Tag || a.Mode != b.Mode || len(a.Trunks) != len(b.Trunks) || a.Config != b.Config {
		return false
	}
	for i := range a.Trunks {
		if a.Trunks[i] != b.Trunks[i] {
			return false
		}
	}
	return true
}

// ifaceStatus returns the writes that bring an Interface row's status
// columns up to date.
func (s *switchd) ifaceStatus(row *vswitchdb.Interface, ifc *ifState, errText string, withStats bool) []ovsdb.Operation {
	r := *row
	var cols []interface{}
	if ifc == nil {
		neg := -1
		if r.Ofport == nil || *r.Ofport != -1 {
			r.Ofport = &neg
			cols = append(cols, &r.Ofport)
		}
		if r.Error == nil || *r.Error != errText {
			r.Error = &errText
			cols = append(cols, &r.Error)
		}
	} else {
		of := int(ifc.ofport)
		if r.Ofport == nil || *r.Ofport != of {
			r.Ofport = &of
			cols = append(cols, &r.Ofport)
		}
		var errText *string
		if ifc.gone {
			t := fmt.Sprintf("could not open network device %s (No such device)", ifc.name)
			errText = &t
		}
		if !equalStrPtr(r.Error, errText) {
			r.Error = errText
			cols = append(cols, &r.Error)
		}
		switch {
		case isKernelKind(ifc.kind):
			cols = append(cols, s.kernelStatusCols(&r, ifc, withStats)...)
		case ifc.kind != "patch":
			mac := formatMAC(ifc.mac)
			if r.MACInUse == nil || *r.MACInUse != mac {
				r.MACInUse = &mac
				cols = append(cols, &r.MACInUse)
			}
			up := vswitchdb.InterfaceLinkStateUp
			if r.LinkState == nil || *r.LinkState != up {
				r.LinkState = &up
				cols = append(cols, &r.LinkState)
			}
			aup := vswitchdb.InterfaceAdminStateUp
			if r.AdminState == nil || *r.AdminState != aup {
				r.AdminState = &aup
				cols = append(cols, &r.AdminState)
			}
			mtu := 1500
			if r.MTU == nil || *r.MTU != mtu {
				r.MTU = &mtu
				cols = append(cols, &r.MTU)
			}
			if withStats && ifc.dev != nil {
				if m := statsMap(ifc.dev.Stats()); !maps.Equal(m, r.Statistics) {
					r.Statistics = m
					cols = append(cols, &r.Statistics)
				}
			}
		default:
			st := map[string]string{"peer": ifc.peer}
			if r.Status["peer"] != ifc.peer {
				r.Status = st
				cols = append(cols, &r.Status)
			}
		}
	}
	if len(cols) == 0 {
		return nil
	}
	ops, err := s.db.Where(&r).Update(&r, cols...)
	if err != nil {
		log.Warn("interface %s: status update: %v", row.Name, err)
		return nil
	}
	return ops
}

// configurePrefixes applies Flow_Table:prefixes of the tables the bridge's
// flow_tables column names; the others get OVS's default (nw_dst, nw_src).
// An invalid setting is logged and the table keeps the default.
func (s *switchd) configurePrefixes(b *brState, row *vswitchdb.Bridge) {
	var want [ofproto.NumTables]string
	for id, u := range row.FlowTables {
		if id < 0 || id >= ofproto.NumTables {
			continue
		}
		if ft := s.flowTables[u]; ft != nil && len(ft.Prefixes) > 0 {
			f := append([]string(nil), ft.Prefixes...)
			sort.Strings(f)
			want[id] = strings.Join(f, ",")
		}
	}
	for id := range want {
		if want[id] == b.prefixes[id] {
			continue
		}
		var fields []string
		if want[id] != "" {
			fields = strings.Split(want[id], ",")
		}
		if err := b.of.SetTablePrefixes(id, fields); err != nil {
			log.Warn("bridge %s: %v", b.name, err)
			_ = b.of.SetTablePrefixes(id, nil)
		}
		b.prefixes[id] = want[id]
	}
}
