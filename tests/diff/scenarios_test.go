package diff

import (
	"fmt"
	"regexp"
	"strconv"

	tn "govs.dev/govs/internal/testnet"
)

// port describes a dummy port for bridge. Port names end in distinct
// numbers across all bridges of a scenario: the dummy datapath numbers a
// port after the digits ending its name when that number is free, which
// keeps datapath port numbers independent of the order in which the switch
// happens to add ports.
type port struct {
	name   string
	ofport int
	tag    int    // access VLAN, 0 for none
	trunks string // "10,20", "" for none
	patch  string // peer name: a patch port instead of a dummy port
}

// bridge returns ovs-vsctl arguments adding a dummy-datapath bridge with
// ports in one transaction. secure sets fail-mode=secure (no NORMAL flow).
func bridge(name string, secure bool, ports ...port) []string {
	args := []string{"add-br", name, "--", "set", "bridge", name, "datapath_type=dummy",
		"protocols=OpenFlow10,OpenFlow13,OpenFlow15"}
	if secure {
		args = append(args, "fail-mode=secure")
	}
	for _, p := range ports {
		args = append(args, "--", "add-port", name, p.name)
		if p.tag != 0 {
			args = append(args, "tag="+strconv.Itoa(p.tag))
		}
		if p.trunks != "" {
			args = append(args, "trunks="+p.trunks)
		}
		args = append(args, "--", "set", "interface", p.name, "ofport_request="+strconv.Itoa(p.ofport))
		if p.patch != "" {
			args = append(args, "type=patch", "options:peer="+p.patch)
		} else {
			args = append(args, "type=dummy")
		}
	}
	return args
}

// Packet builders in the ODP flow syntax netdev-dummy/receive accepts.
func mac(n int) string { return fmt.Sprintf("50:54:00:00:00:%02x", n) }

func tcp(src, dst int, ttl int) string {
	return fmt.Sprintf("eth(src=%s,dst=%s),eth_type(0x0800),ipv4(src=10.0.0.%d,dst=10.0.0.%d,proto=6,tos=0,ttl=%d,frag=no),tcp(src=1000,dst=80)",
		mac(src), mac(dst), src, dst, ttl)
}

func udp(src, dst int) string {
	return fmt.Sprintf("eth(src=%s,dst=%s),eth_type(0x0800),ipv4(src=10.0.0.%d,dst=10.0.0.%d,proto=17,tos=0,ttl=64,frag=no),udp(src=1000,dst=53)",
		mac(src), mac(dst), src, dst)
}

func arp(src, dst int) string {
	return fmt.Sprintf("eth(src=%s,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=10.0.0.%d,tip=10.0.0.%d,op=1,sha=%s,tha=00:00:00:00:00:00)",
		mac(src), src, dst, mac(src))
}

func tagged(vid int, src, dst int) string {
	return fmt.Sprintf("eth(src=%s,dst=%s),eth_type(0x8100),vlan(vid=%d,pcp=0),encap(eth_type(0x0800),ipv4(src=10.0.0.%d,dst=10.0.0.%d,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0))",
		mac(src), mac(dst), vid, src, dst)
}

func receive(port, pkt string) tn.Step { return tn.AppctlStep("netdev-dummy/receive", port, pkt) }

var (
	vsctl  = tn.VsctlStep
	ofctl  = tn.OfctlStep
	appctl = tn.AppctlStep
	wait   = tn.AppctlStep("revalidator/wait")
)

func dumpFlows(args ...string) tn.Step {
	return ofctl(append([]string{"dump-flows"}, args...)...).Check(tn.DumpFlowsSorted)
}

func dpctlFlows() tn.Step  { return appctl("dpctl/dump-flows").Check(tn.DpctlFlows) }
func dpctlFlowsM() tn.Step { return appctl("dpctl/dump-flows", "-m").Check(tn.DpctlFlows) }
func trace(br, flow string) tn.Step {
	return appctl("ofproto/trace", br, flow).Check(tn.Trace)
}
func dumpPorts(args ...string) tn.Step {
	return ofctl(append([]string{"dump-ports"}, args...)...).Check(tn.DumpPorts)
}

// scenarios returns the differential scenarios of the foundation issue.
func scenarios() []scenario {
	s := []scenario{
		{script: normalLearning(), GovsReady: true},
		{script: pipeline(), GovsReady: true},
		{script: revalidation(), GovsReady: true},
		{script: prefixes(), GovsReady: true},
		{script: counters(), GovsReady: true},
	}
	for _, v := range []string{"", "OpenFlow13", "OpenFlow15"} {
		s = append(s, scenario{script: flowMods(v), GovsReady: true})
	}
	return s
}

// normalLearning is scenario (a): the NORMAL action's MAC learning and
// VLAN handling on four ports, two access ports in VLAN 10, one in VLAN 20
// and a trunk of VLANs 10 and 20.
func normalLearning() tn.Script {
	return tn.Script{Name: "normal-learning", Steps: []tn.Step{
		vsctl(bridge("br0", false,
			port{name: "p1", ofport: 1, tag: 10},
			port{name: "p2", ofport: 2, tag: 10},
			port{name: "p3", ofport: 3, trunks: "10,20"},
			port{name: "p4", ofport: 4, tag: 20})...),
		appctl("fdb/show", "br0").Check(tn.FdbShow),
		// Unknown destinations flood within the VLAN; sources are learned.
		receive("p1", arp(1, 2)),
		receive("p4", arp(4, 3)),
		// Known destinations are forwarded, tagging or untagging.
		receive("p3", tagged(10, 3, 1)),
		receive("p3", tagged(20, 33, 4)),
		receive("p2", tcp(2, 1, 64)),
		// A VLAN the trunk does not carry, and an untagged frame on it.
		receive("p3", tagged(30, 35, 1)),
		receive("p3", tcp(36, 1, 64)),
		wait,
		appctl("fdb/show", "br0").Check(tn.FdbShow),
		dpctlFlows(),
		dpctlFlowsM(),
		trace("br0", "in_port=1,dl_src="+mac(1)+",dl_dst="+mac(3)),
		trace("br0", "in_port=3,dl_vlan=20,dl_src="+mac(33)+",dl_dst="+mac(4)),
		trace("br0", "in_port=2,dl_src="+mac(2)+",dl_dst="+mac(9)),
		trace("br0", "in_port=3,dl_vlan=30,dl_src="+mac(35)+",dl_dst="+mac(1)),
		trace("br0", "in_port=4,dl_src="+mac(4)+",dl_dst=ff:ff:ff:ff:ff:ff"),
		dumpFlows("br0"),
		appctl("fdb/flush", "br0").Check(nil),
		appctl("fdb/show", "br0").Check(tn.FdbShow),
	}, AllowLog: []*regexp.Regexp{
		regexp.MustCompile(`^dropping VLAN (30|0) packet received on port p3 not configured for trunking VLAN (30|0) on bridge br0 `),
	}}
}

// pipeline is scenario (b): a multi-table pipeline with resubmit,
// goto_table, registers, set_field/load/move, dec_ttl and clone, across a
// patch port pair between two bridges.
func pipeline() tn.Script {
	of13 := func(args ...string) tn.Step { return ofctl(append([]string{"-O", "OpenFlow13"}, args...)...) }
	in := "tcp,in_port=1,dl_src=" + mac(1) + ",dl_dst=" + mac(2) + ",nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1000,tp_dst=80"
	return tn.Script{Name: "pipeline", Steps: []tn.Step{
		vsctl(bridge("br0", true,
			port{name: "p1", ofport: 1},
			port{name: "p2", ofport: 2},
			port{name: "patch3", ofport: 3, patch: "patch4"})...),
		vsctl(bridge("br1", true,
			port{name: "patch4", ofport: 4, patch: "patch3"},
			port{name: "p5", ofport: 5},
			port{name: "p6", ofport: 6})...),
		of13("add-flow", "br0", "table=0,priority=10,ip,in_port=1,actions=load:0x5->NXM_NX_REG0[],set_field:0xa->reg1,move:NXM_NX_REG0[0..15]->NXM_NX_REG2[16..31],goto_table:1"),
		of13("add-flow", "br0", "table=0,priority=0,actions=drop"),
		ofctl("add-flow", "br0", "table=1,reg0=5,actions=dec_ttl,resubmit(,2)"),
		ofctl("add-flow", "br0", "table=2,priority=10,reg2=0x50000/0xffff0000,actions=clone(set_field:"+mac(0xaa)+"->eth_dst,output:2),output:3"),
		ofctl("add-flow", "br0", "table=2,priority=0,actions=drop"),
		ofctl("add-flow", "br1", "table=0,in_port=4,ip,actions=mod_nw_tos:16,resubmit(,1)"),
		ofctl("add-flow", "br1", "table=1,nw_ttl=63,actions=output:5,resubmit(,2)"),
		ofctl("add-flow", "br1", "table=1,priority=0,actions=output:6"),
		of13("add-flow", "br1", "table=2,actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:6"),
		trace("br0", in+",nw_ttl=64"),
		trace("br0", in+",nw_ttl=1"),
		trace("br0", "arp,in_port=1,dl_src="+mac(1)+",dl_dst="+mac(2)),
		receive("p1", tcp(1, 2, 64)),
		receive("p1", tcp(1, 2, 64)),
		receive("p1", tcp(1, 2, 1)),
		wait,
		dpctlFlows(),
		dpctlFlowsM(),
		dumpPorts("br0"),
		dumpPorts("br1"),
		dumpFlows("br0"),
		dumpFlows("br1"),
	}}
}

// flowMods is scenario (c): add, modify and delete, strict and not, with
// cookies, in the OpenFlow version v ("" for ovs-ofctl's default).
func flowMods(v string) tn.Script {
	name := "flow-mods"
	pre := []string{}
	if v != "" {
		name += "-" + v
		pre = []string{"-O", v}
	}
	of := func(args ...string) tn.Step { return ofctl(append(append([]string{}, pre...), args...)...) }
	dump := func() tn.Step { return of("dump-flows", "br0").Check(tn.DumpFlowsSorted) }
	return tn.Script{Name: name, Steps: []tn.Step{
		vsctl(bridge("br0", true,
			port{name: "p1", ofport: 1}, port{name: "p2", ofport: 2},
			port{name: "p3", ofport: 3}, port{name: "p4", ofport: 4})...),
		of("add-flow", "br0", "cookie=0x1,priority=100,in_port=1,actions=output:2"),
		of("add-flow", "br0", "cookie=0x2,priority=200,in_port=1,ip,actions=output:3"),
		of("add-flow", "br0", "cookie=0x3,table=1,priority=100,arp,actions=drop"),
		of("add-flow", "br0", "cookie=0x1,priority=100,in_port=2,actions=output:1"),
		of("add-flow", "br0", "cookie=0x10,priority=5,idle_timeout=300,hard_timeout=600,in_port=3,actions=output:4"),
		dump(),
		of("dump-flows", "br0", "cookie=0x1/-1").Check(tn.DumpFlowsSorted),
		of("dump-flows", "br0", "table=1").Check(tn.DumpFlowsSorted),
		of("dump-flows", "br0", "in_port=1").Check(tn.DumpFlowsSorted),
		// Non-strict modify touches every rule the match covers.
		of("mod-flows", "br0", "in_port=1,actions=output:4"),
		dump(),
		// Strict modify touches only the exact rule.
		of("mod-flows", "--strict", "br0", "priority=100,in_port=1,actions=output:3"),
		dump(),
		// Modify by cookie.
		of("mod-flows", "br0", "cookie=0x2/-1,actions=NORMAL"),
		dump(),
		// Modify of nothing: in OpenFlow 1.0 this adds the flow.
		of("mod-flows", "br0", "in_port=4,actions=drop"),
		dump(),
		// Re-adding an existing rule replaces it.
		of("add-flow", "br0", "cookie=0x7,priority=100,in_port=2,actions=output:3"),
		dump(),
		// Strict delete needs the priority.
		of("del-flows", "--strict", "br0", "in_port=1,ip"),
		dump(),
		of("del-flows", "--strict", "br0", "priority=200,in_port=1,ip"),
		dump(),
		of("del-flows", "br0", "cookie=0x1/-1"),
		dump(),
		of("del-flows", "br0", "table=1"),
		dump(),
		of("dump-aggregate", "br0").Check(nil),
		// Table 255 ("all tables") in an add, and output to port 0, are
		// accepted by OVS.
		of("add-flow", "br0", "table=255,priority=1,actions=drop"),
		of("add-flow", "br0", "priority=2,in_port=1,actions=output:0"),
		dump(),
		// Bad flow-mods are refused with OVS's errors: the hidden table,
		// a group that does not exist.
		of("add-flow", "br0", "table=254,actions=drop").Check(nil).Fails(),
		of("add-flow", "br0", "in_port=1,actions=group:5").Check(nil).Fails(),
		of("del-flows", "br0"),
		dump(),
	}}
}

// revalidation is scenario (d): after mod-flows and revalidator/wait, the
// datapath flows and the forwarding of the next packets follow the new
// rules.
func revalidation() tn.Script {
	return tn.Script{Name: "revalidation", Steps: []tn.Step{
		vsctl(bridge("br0", true,
			port{name: "p1", ofport: 1}, port{name: "p2", ofport: 2}, port{name: "p3", ofport: 3})...),
		ofctl("add-flow", "br0", "in_port=1,actions=output:2"),
		receive("p1", tcp(1, 2, 64)),
		receive("p1", tcp(1, 2, 64)),
		wait,
		dpctlFlows(),
		dumpPorts("br0"),
		ofctl("mod-flows", "br0", "in_port=1,actions=output:3"),
		wait,
		dpctlFlows(),
		receive("p1", tcp(1, 2, 64)),
		receive("p1", tcp(1, 2, 64)),
		receive("p1", tcp(1, 2, 64)),
		wait,
		dpctlFlows(),
		dumpPorts("br0", "2"),
		dumpPorts("br0", "3"),
		dumpFlows("br0"),
		// Narrowing the match: ip goes to 2, the rest is dropped.
		ofctl("add-flow", "br0", "priority=40000,ip,in_port=1,actions=output:2"),
		wait,
		dpctlFlows(),
		receive("p1", tcp(1, 2, 64)),
		receive("p1", arp(1, 2)),
		ofctl("del-flows", "br0", "in_port=1,ip"),
		wait,
		dpctlFlows(),
		receive("p1", tcp(1, 2, 64)),
		wait,
		dpctlFlows(),
		dumpPorts("br0"),
		appctl("revalidator/purge"),
		dpctlFlows(),
	}}
}

// counters is scenario (e): rule and port counters after a known packet
// sequence.
func counters() tn.Script {
	steps := []tn.Step{
		vsctl(bridge("br0", true,
			port{name: "p1", ofport: 1}, port{name: "p2", ofport: 2}, port{name: "p3", ofport: 3})...),
		ofctl("add-flow", "br0", "priority=10,tcp,in_port=1,actions=output:2"),
		ofctl("add-flow", "br0", "priority=10,udp,in_port=1,actions=drop"),
		ofctl("add-flow", "br0", "priority=5,in_port=1,actions=resubmit(,1)"),
		ofctl("add-flow", "br0", "table=1,arp,actions=output:3,output:2"),
		ofctl("add-flow", "br0", "table=1,priority=0,actions=drop"),
		ofctl("add-flow", "br0", "priority=10,in_port=2,actions=output:1"),
		// An explicit table-miss rule: without one, what stock OVS does on
		// a miss depends on whether an OpenFlow 1.0 connection (even
		// ovs-ofctl's own) is open when its revalidator runs, which makes
		// the dump racy.
		ofctl("add-flow", "br0", "priority=0,actions=drop"),
	}
	for i := 0; i < 3; i++ {
		steps = append(steps, receive("p1", tcp(1, 2, 64)))
	}
	for i := 0; i < 2; i++ {
		steps = append(steps, receive("p1", udp(1, 2)))
	}
	steps = append(steps,
		receive("p1", arp(1, 2)),
		receive("p2", tcp(2, 1, 64)),
		receive("p3", tcp(3, 1, 64)),
		wait,
		dumpFlows("br0"),
		ofctl("-O", "OpenFlow13", "dump-flows", "br0").Check(tn.DumpFlowsSorted),
		ofctl("dump-aggregate", "br0").Check(nil),
		ofctl("dump-aggregate", "br0", "in_port=1").Check(nil),
		dumpPorts("br0"),
		ofctl("-O", "OpenFlow13", "dump-ports", "br0").Check(tn.DumpPorts),
		dpctlFlows(),
		appctl("dpif/show").Check(tn.DpifShow),
		// Counters reset when a rule is replaced with reset_counts.
		ofctl("-O", "OpenFlow13", "mod-flows", "br0", "priority=10,tcp,in_port=1,reset_counts,actions=output:2"),
		wait,
		dumpFlows("br0"),
	)
	return tn.Script{Name: "counters", Steps: steps}
}

// prefixes checks Flow_Table:prefixes: the prefix tries of a table decide
// how many address bits a megaflow matches, by default on nw_dst and
// nw_src, with "none" on none and with ipv6_dst on that field.
func prefixes() tn.Script {
	in := "ip,in_port=1,dl_src=" + mac(1) + ",dl_dst=" + mac(2) + ",nw_src=10.1.2.3,nw_dst=192.168.77.5"
	in6 := "ipv6,in_port=1,dl_src=" + mac(1) + ",dl_dst=" + mac(2) + ",ipv6_src=2001:db8::1,ipv6_dst=2001:db8:77::5"
	return tn.Script{Name: "prefixes", Steps: []tn.Step{
		vsctl(bridge("br0", true, port{name: "p1", ofport: 1}, port{name: "p2", ofport: 2})...),
		ofctl("add-flow", "br0", "priority=20,ip,nw_dst=192.168.0.0/16,nw_src=10.0.0.0/8,actions=output:2"),
		ofctl("add-flow", "br0", "priority=10,ip,nw_dst=192.168.1.0/24,actions=drop"),
		ofctl("add-flow", "br0", "priority=10,ipv6,ipv6_dst=2001:db8:1::/48,actions=drop"),
		ofctl("add-flow", "br0", "priority=0,actions=output:2"),
		trace("br0", in),
		trace("br0", in6),
		vsctl("--", "--id=@ft", "create", "Flow_Table", "prefixes=none", "--", "set", "bridge", "br0", "flow_tables:0=@ft"),
		trace("br0", in),
		vsctl("set", "Flow_Table", ".", "prefixes=ipv6_dst,nw_src"),
		trace("br0", in),
		trace("br0", in6),
		vsctl("clear", "bridge", "br0", "flow_tables"),
		trace("br0", in),
	}}
}
