package bridge

import (
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"govs.dev/govs/dpif"
	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/netdev/dummy"
	"govs.dev/govs/ofproto"
	"govs.dev/govs/ofproto/xlate"
	"govs.dev/govs/openflow"
	"govs.dev/govs/openflow/ofctl"
	"govs.dev/govs/packet"
	"govs.dev/govs/unixctl"
)

// registerCommands registers the unixctl commands of bridges and datapaths.
func (s *switchd) registerCommands() {
	u := s.o.Unixctl
	if u == nil {
		return
	}
	u.Register("fdb/show", "bridge", 1, 1, s.cmdFdbShow)
	u.Register("fdb/flush", "[bridge]", 0, 1, s.cmdFdbFlush)
	u.Register("dpif/show", "", 0, 0, s.cmdDpifShow)
	u.Register("dpif/show-dp-features", "bridge", 1, 1, s.cmdShowDPFeatures)
	u.Register("dpif/dump-flows", "[-m] [--names | --no-names] bridge", 1, unixctl.Unlimited, s.cmdDpifDumpFlows)
	u.Register("dpctl/show", "[-s] [dp...]", 0, unixctl.Unlimited, s.cmdDpctlShow)
	u.Register("dpctl/dump-flows", "[-m] [--names] [dp] [filter=..] [type=..] [pmd=..]", 0, unixctl.Unlimited, s.cmdDpctlDumpFlows)
	u.Register("dpctl/del-flows", "[dp] [file]", 0, 2, s.cmdDpctlDelFlows)
	u.Register("ofproto/trace", "{[dp_name] odp_flow | bridge br_flow} [OPTIONS...] [-generate|packet]", 1, unixctl.Unlimited, s.cmdTrace)
	u.Register("netdev-dummy/receive", "name [--qid queue_id] packet|flow [--len packet_len]", 2, unixctl.Unlimited, s.cmdDummyReceive)
	u.Register("netdev-dummy/set-admin-state", "[netdev] up|down", 1, 2, s.cmdDummyAdminState)
	u.Register("revalidator/wait", "", 0, 0, s.cmdRevalidatorWait)
	u.Register("revalidator/purge", "", 0, 0, s.cmdRevalidatorPurge)
	u.Register("upcall/show", "", 0, 0, s.cmdUpcallShow)
	u.Register("revalidator/pause", "", 0, 0, func([]string) (string, error) {
		for _, k := range s.allBackers() {
			k.DP.Pause()
		}
		return "", nil
	})
	u.Register("revalidator/resume", "", 0, 0, func([]string) (string, error) {
		for _, k := range s.allBackers() {
			k.DP.Resume()
		}
		return "", nil
	})
	u.Register("dpif-netdev/pmd-stats-show", "[-pmd core] [dp]", 0, 3, s.cmdPMD(func(k *ofproto.Backer, w *strings.Builder) error {
		return k.DP.FormatPMDStats(w)
	}))
	u.Register("dpif-netdev/pmd-rxq-show", "[-pmd core] [dp]", 0, 3, s.cmdPMD(func(k *ofproto.Backer, w *strings.Builder) error {
		return k.DP.FormatRxqShow(w)
	}))
}

// cmdPMD runs a per-datapath formatter over the datapath named by the last
// non-option argument, or over every datapath.
func (s *switchd) cmdPMD(format func(*ofproto.Backer, *strings.Builder) error) unixctl.Handler {
	return func(args []string) (string, error) {
		name := ""
		for i := 0; i < len(args); i++ {
			if args[i] == "-pmd" {
				i++
				continue
			}
			name = args[i]
		}
		ks := s.allBackers()
		if name != "" {
			k, err := s.pickBacker(name)
			if err != nil {
				return "", err
			}
			ks = []*ofproto.Backer{k}
		}
		var w strings.Builder
		for _, k := range ks {
			if err := format(k, &w); err != nil {
				return "", err
			}
		}
		return w.String(), nil
	}
}

var errNoBridge = errors.New("no such bridge")

func (s *switchd) bridge(name string) (*brState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bridges[name]
	if b == nil {
		return nil, errNoBridge
	}
	return b, nil
}

func portString(p openflow.Port) string {
	switch p {
	case openflow.PortLocal:
		return "LOCAL"
	case openflow.PortInPort:
		return "IN_PORT"
	}
	return strconv.Itoa(int(p))
}

func (s *switchd) cmdFdbShow(args []string) (string, error) {
	b, err := s.bridge(args[0])
	if err != nil {
		return "", err
	}
	now := s.o.Clock.Now()
	entries := b.of.MAC().Entries()
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Used.Before(entries[j].Used) })
	var w strings.Builder
	w.WriteString(" port  VLAN  MAC                Age\n")
	for _, e := range entries {
		age := "static"
		if !e.Static {
			age = fmt.Sprintf("%3d", int(now.Sub(e.Used).Seconds()))
		}
		fmt.Fprintf(&w, "%5s  %4d  %02x:%02x:%02x:%02x:%02x:%02x  %s\n", portString(openflow.Port(e.Port)), e.VLAN,
			e.MAC[0], e.MAC[1], e.MAC[2], e.MAC[3], e.MAC[4], e.MAC[5], age)
	}
	return w.String(), nil
}

func (s *switchd) cmdFdbFlush(args []string) (string, error) {
	if len(args) == 1 {
		b, err := s.bridge(args[0])
		if err != nil {
			return "", err
		}
		b.of.MAC().Flush()
		b.backer.DP.RevalidateAll()
		return "table successfully flushed\n", nil
	}
	s.mu.Lock()
	for _, b := range s.bridges {
		b.of.MAC().Flush()
		b.backer.DP.RevalidateAll()
	}
	s.mu.Unlock()
	return "table successfully flushed\n", nil
}

// portLine formats one dpif/show port line.
func portLine(p *ofproto.Port) string {
	dp := "none"
	if p.HasDPPort {
		dp = strconv.Itoa(int(p.DPPort))
	}
	typ := p.Type
	extra := ""
	if p.PatchPeer != "" {
		typ = "patch"
		extra = ": peer=" + p.PatchPeer
	}
	return fmt.Sprintf("    %s %d/%s: (%s%s)\n", p.Name, p.OFPort, dp, typ, extra)
}

func (s *switchd) cmdDpifShow(args []string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var w strings.Builder
	types := make([]string, 0, len(s.backers))
	for t := range s.backers {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		k := s.backers[t]
		st := k.DP.Stats()
		fmt.Fprintf(&w, "%s: hit:%d missed:%d\n", k.DP.FullName(), st.Hit, st.Missed)
		for _, b := range s.sortedBridges() {
			if b.backer != k {
				continue
			}
			fmt.Fprintf(&w, "  %s:\n", b.name)
			ports := b.of.Ports()
			sort.Slice(ports, func(i, j int) bool { return ports[i].Name < ports[j].Name })
			for _, p := range ports {
				w.WriteString(portLine(p))
			}
		}
	}
	return w.String(), nil
}

func (s *switchd) allBackers() []*ofproto.Backer {
	s.mu.Lock()
	defer s.mu.Unlock()
	types := make([]string, 0, len(s.backers))
	for t := range s.backers {
		types = append(types, t)
	}
	sort.Strings(types)
	out := make([]*ofproto.Backer, 0, len(types))
	for _, t := range types {
		out = append(out, s.backers[t])
	}
	return out
}

// pickBacker resolves an optional datapath name argument ("dummy@ovs-dummy",
// "ovs-dummy"); with none, there must be exactly one datapath.
func (s *switchd) pickBacker(name string) (*ofproto.Backer, error) {
	all := s.allBackers()
	if name == "" {
		switch len(all) {
		case 0:
			return nil, errors.New("no datapaths exist")
		case 1:
			return all[0], nil
		}
		return nil, errors.New("multiple datapaths, specify one")
	}
	for _, k := range all {
		if name == k.DP.FullName() || name == k.DP.Name() || strings.TrimPrefix(name, k.DP.Type()+"@") == k.DP.Name() {
			return k, nil
		}
	}
	return nil, errors.New("datapath not found (Invalid argument)")
}

func (s *switchd) cmdDpctlShow(args []string) (string, error) {
	var names []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			names = append(names, a)
		}
	}
	var ks []*ofproto.Backer
	if len(names) == 0 {
		ks = s.allBackers()
		if len(ks) == 0 {
			return "", errors.New("no datapaths exist")
		}
	}
	for _, n := range names {
		k, err := s.pickBacker(n)
		if err != nil {
			return "", err
		}
		ks = append(ks, k)
	}
	var w strings.Builder
	for _, k := range ks {
		st := k.DP.Stats()
		fmt.Fprintf(&w, "%s:\n", k.DP.FullName())
		fmt.Fprintf(&w, "  lookups: hit:%d missed:%d lost:%d\n", st.Hit, st.Missed, st.Lost)
		fmt.Fprintf(&w, "  flows: %d\n", k.DP.NumFlows())
		for _, p := range k.DP.Ports() {
			fmt.Fprintf(&w, "  port %d: %s", p.No, p.Name)
			if t := dpPortType(p.Type); t != "" && t != "system" {
				fmt.Fprintf(&w, " (%s)", t)
			}
			w.WriteString("\n")
		}
	}
	return w.String(), nil
}

func (s *switchd) portNamer(k *ofproto.Backer) func(uint32) string {
	names := map[uint32]string{}
	for _, p := range k.DP.Ports() {
		names[p.No] = p.Name
	}
	return func(n uint32) string {
		if v, ok := names[n]; ok {
			return v
		}
		return strconv.Itoa(int(n))
	}
}

// dumpFlows formats the datapath flows of k that pass filter, one
// "flow-dump from ..." section per forwarding loop. dpifLayout selects
// dpif/dump-flows's line layout instead of dpctl/dump-flows's.
func (s *switchd) dumpFlows(k *ofproto.Backer, verbose, names, dpifLayout bool, filter func(*dpif.FlowInfo) bool) string {
	opts := odp.DumpOptions{Verbose: verbose, Dpif: dpifLayout}
	if names {
		opts.PortName = s.portNamer(k)
	}
	now := s.o.Clock.Now()
	var w strings.Builder
	lastLoop := -1
	cores := k.DP.ThreadCores()
	k.DP.FlowDump(func(f dpif.FlowInfo) {
		if filter != nil && !filter(&f) {
			return
		}
		if f.Loop != lastLoop {
			lastLoop = f.Loop
			// The thread names of dpif-netdev/pmd-stats-show.
			core, ok := cores[f.Loop]
			if !ok {
				core = f.Loop
			}
			w.WriteString(odp.DumpHeader(core))
			w.WriteByte('\n')
		}
		odp.FormatDumpedFlow(&w, &odp.DumpedFlow{
			UFID: ufidOf(f.UFID), Key: f.Key, Mask: f.Mask, Packets: f.Stats.Packets, Bytes: f.Stats.Bytes,
			Used: f.Stats.Used, TCPFlags: f.Stats.TCPFlags, Actions: f.Actions,
		}, now, opts)
		w.WriteByte('\n')
	})
	return w.String()
}

func (s *switchd) cmdDpctlDumpFlows(args []string) (string, error) {
	verbose, names, dpName := false, false, ""
	var filter func(*dpif.FlowInfo) bool
	for _, a := range args {
		switch {
		case a == "-m" || a == "--more":
			verbose = true
			names = true
		case a == "--names":
			names = true
		case a == "--no-names":
			names = false
		case strings.HasPrefix(a, "filter="):
			spec, err := ofctl.ParseFlow(strings.TrimPrefix(a, "filter="), ofctl.CommandQuery)
			if err != nil {
				return "", fmt.Errorf("invalid filter: %w", err)
			}
			m := spec.Match
			filter = func(f *dpif.FlowInfo) bool { return m.Matches(&f.Key) }
		case strings.HasPrefix(a, "type=") || strings.HasPrefix(a, "pmd="):
		case strings.HasPrefix(a, "-"):
			return "", fmt.Errorf("unknown option %s", a)
		default:
			dpName = a
		}
	}
	k, err := s.pickBacker(dpName)
	if err != nil {
		return "", err
	}
	return s.dumpFlows(k, verbose, names, false, filter), nil
}

func (s *switchd) cmdDpifDumpFlows(args []string) (string, error) {
	verbose := false
	name := ""
	for _, a := range args {
		switch a {
		case "-m":
			verbose = true
		case "--names", "--no-names":
		default:
			name = a
		}
	}
	b, err := s.bridge(name)
	if err != nil {
		return "", err
	}
	dpPorts := map[uint32]bool{}
	for _, p := range b.of.Ports() {
		if p.HasDPPort {
			dpPorts[p.DPPort] = true
		}
	}
	return s.dumpFlows(b.backer, verbose, true, true, func(f *dpif.FlowInfo) bool { return dpPorts[f.Key.InPort] }), nil
}

func (s *switchd) cmdDpctlDelFlows(args []string) (string, error) {
	name := ""
	if len(args) > 0 {
		name = args[0]
	}
	k, err := s.pickBacker(name)
	if err != nil {
		return "", err
	}
	k.DP.FlowFlush()
	return "", nil
}

func (s *switchd) cmdRevalidatorWait(args []string) (string, error) {
	for _, k := range s.allBackers() {
		k.DP.Wait()
	}
	return "", nil
}

func (s *switchd) cmdRevalidatorPurge(args []string) (string, error) {
	for _, k := range s.allBackers() {
		k.DP.Purge()
	}
	return "", nil
}

func (s *switchd) cmdUpcallShow(args []string) (string, error) {
	var w strings.Builder
	for _, k := range s.allBackers() {
		st := k.DP.Stats()
		fmt.Fprintf(&w, "%s:\n", k.DP.FullName())
		fmt.Fprintf(&w, "  flows         : (current %d) (avg %d) (max %d) (limit %d)\n", k.DP.NumFlows(), k.DP.NumFlows(), k.DP.NumFlows(), dpif.DefaultFlowLimit)
		fmt.Fprintf(&w, "  dump duration : %dms\n", 1)
		fmt.Fprintf(&w, "  ufid enabled : true\n\n")
		fmt.Fprintf(&w, "  %d: (keys %d)\n", 0, k.DP.NumFlows())
		_ = st
	}
	return w.String(), nil
}

// findIface finds a dummy interface by name across bridges.
func (s *switchd) findIface(name string) (*brState, *ifState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.bridges {
		if ifc := b.ifaces[name]; ifc != nil {
			return b, ifc
		}
	}
	return nil, nil
}

// parseFlowOrPacket turns a netdev-dummy/receive or trace argument into packet
// bytes: hex bytes, an ODP flow or an OpenFlow flow.
func (s *switchd) parseFlowOrPacket(arg string, k *ofproto.Backer, size int) ([]byte, *flow.Key, error) {
	if b, err := hex.DecodeString(strings.ReplaceAll(arg, " ", "")); err == nil && len(b) >= 14 {
		return b, nil, nil
	}
	key, err := s.parseFlow(arg, k, nil)
	if err != nil {
		return nil, nil, err
	}
	var pkt []byte
	if size > 0 {
		pkt, err = packet.ComposeLen(key, size)
		if err != nil {
			return nil, nil, err
		}
	} else {
		pkt = packet.Compose(key, 64)
	}
	return pkt, key, nil
}

// parseFlow parses an ODP flow ("in_port(1),eth(...)") into a datapath key,
// or an OpenFlow flow ("in_port=1,dl_src=...") of bridge br into a datapath
// key (in_port translated to the datapath port).
func (s *switchd) parseFlow(arg string, k *ofproto.Backer, br *brState) (*flow.Key, error) {
	// Like OVS, try the datapath syntax first, then the OpenFlow one.
	pn := func(name string) (uint32, bool) {
		if p, ok := k.DP.PortByName(name); ok {
			return p.No, true
		}
		return 0, false
	}
	key, _, odpErr := odp.ParseKey(arg, pn)
	if odpErr == nil {
		return &key, nil
	}
	spec, err := ofctl.ParseFlow(arg, ofctl.CommandQuery)
	if err != nil {
		if strings.Contains(arg, "(") {
			return nil, odpErr
		}
		return nil, err
	}
	key = spec.Match.Key
	if br != nil {
		p := br.of.Port(openflow.Port(key.InPort))
		if p == nil || !p.HasDPPort {
			return nil, fmt.Errorf("%s: no such port %d", br.name, key.InPort)
		}
		key.InPort = p.DPPort
	}
	return &key, nil
}

func (s *switchd) cmdDummyReceive(args []string) (string, error) {
	b, ifc := s.findIface(args[0])
	if ifc == nil {
		return "", errors.New("no such dummy netdev")
	}
	dev, ok := ifc.dev.(*dummy.Device)
	if !ok {
		return "", errors.New("no such dummy netdev")
	}
	qid := 0
	rest := args[1:]
	var frames [][]byte
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--qid" && i+1 < len(rest) {
			q, err := strconv.Atoi(rest[i+1])
			if err != nil {
				return "", fmt.Errorf("invalid queue id %q", rest[i+1])
			}
			qid = q
			i++
			continue
		}
		size := 0
		if i+2 < len(rest) && rest[i+1] == "--len" {
			n, err := strconv.Atoi(rest[i+2])
			if err != nil {
				return "", fmt.Errorf("invalid packet len %q", rest[i+2])
			}
			size = n
		}
		pkt, _, err := s.parseFlowOrPacket(a, b.backer, size)
		if err != nil {
			return "", err
		}
		if size > 0 {
			i += 2
		}
		frames = append(frames, pkt)
	}
	if err := dev.ReceiveQueue(qid, frames...); err != nil {
		return "", err
	}
	// Return once the packets went through the datapath, misses
	// included, so that the next injected packet sees the flows these
	// installed, as with OVS's datapath threads, which handle misses
	// inline. Bounded: under continuous traffic this just waits a little.
	deadline := time.Now().Add(2 * time.Second)
	for dev.QueuedRx(qid) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Microsecond)
	}
	b.backer.DP.Settle(time.Until(deadline))
	return "", nil
}

func (s *switchd) cmdDummyAdminState(args []string) (string, error) {
	state := args[len(args)-1]
	if state != "up" && state != "down" {
		//lint:ignore ST1005 OVS's exact message, which scripts and tests match
		return "", errors.New("Invalid Admin State")
	}
	up := state == "up"
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for _, b := range s.bridges {
		for name, ifc := range b.ifaces {
			if len(args) == 2 && name != args[0] {
				continue
			}
			if d, ok := ifc.dev.(*dummy.Device); ok {
				d.SetAdminState(up)
				found = true
			}
		}
	}
	if len(args) == 2 && !found {
		//lint:ignore ST1005 OVS's exact message, which scripts and tests match
		return "", errors.New("Unknown Dummy Interface")
	}
	return "OK", nil
}

func (s *switchd) cmdTrace(args []string) (string, error) {
	generate := false
	var rest []string
	for _, a := range args {
		if a == "-generate" {
			generate = true
			continue
		}
		rest = append(rest, a)
	}
	if len(rest) == 0 {
		return "", errors.New("syntax error")
	}
	var br *brState
	var k *ofproto.Backer
	var flowArg string
	if b, err := s.bridge(rest[0]); err == nil && len(rest) >= 2 {
		br, k, flowArg = b, b.backer, rest[1]
	} else if len(rest) >= 2 {
		kk, err := s.pickBacker(rest[0])
		if err != nil {
			return "", errors.New("unknown bridge")
		}
		k, flowArg = kk, rest[1]
	} else {
		kk, err := s.pickBacker("")
		if err != nil {
			return "", err
		}
		k, flowArg = kk, rest[0]
	}
	key, err := s.parseFlow(flowArg, k, br)
	if err != nil {
		return "", err
	}
	tr := &xlate.Trace{}
	res, err := xlate.Translate(k.Config(), &xlate.Input{Key: *key, Learn: generate, Trace: tr})
	if err != nil && errors.Is(err, xlate.ErrNoInPort) {
		return "", errors.New("no OpenFlow port for datapath port")
	}
	if err != nil && key.RecircID != 0 && errors.Is(err, xlate.ErrNoRecircContext) {
		return "", fmt.Errorf("no recirculation data for recirc_id %#x", key.RecircID)
	}
	if generate {
		pkt := packet.Compose(key, 0)
		s.ctlMu.Lock()
		p := s.ctlCache.Alloc(len(pkt))
		if p != nil && p.SetData(pkt) != nil {
			s.ctlCache.Free(p)
			p = nil
		}
		s.ctlMu.Unlock()
		if p != nil {
			p.Meta.InPort = key.InPort
			_ = k.DP.Execute(p, key, res.Actions)
		}
	}
	return tr.String(), nil
}

func ufidOf(b [16]byte) odp.UFID {
	var u odp.UFID
	for i := range u {
		u[i] = uint32(b[4*i])<<24 | uint32(b[4*i+1])<<16 | uint32(b[4*i+2])<<8 | uint32(b[4*i+3])
	}
	return u
}
