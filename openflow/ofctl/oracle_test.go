package ofctl

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Oracle test: every flow below goes through stock "ovs-ofctl parse-flow"
// and through ParseFlow + the formatters; the flow_mod text after "ADD"
// (or the error) must be the same. Inputs are written in the form that
// survives OVS's wire encoding unchanged (e.g. "load:" rather than
// "set_field:" for NXM fields, since ovs-ofctl sends those as
// NXAST_REG_LOAD), because parse-flow prints the decoded message.

var oracleMatches = []string{
	"", "priority=10", "priority=0", "priority=65535", "in_port=1", "in_port=LOCAL", "in_port=65279",
	"dl_src=00:11:22:33:44:55", "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
	"dl_dst=ff:ff:ff:ff:ff:ff", "dl_src=00:11:22:33:44:55/ff:ff:ff:00:00:00",
	"dl_type=0x0800", "dl_type=0x86dd", "dl_type=0x0806", "dl_type=0x1234", "dl_type=0x8847",
	"dl_vlan=5", "dl_vlan=0", "dl_vlan=4095", "dl_vlan_pcp=3", "dl_vlan=5,dl_vlan_pcp=7",
	"vlan_tci=0", "vlan_tci=0x1005", "vlan_tci=0x1000/0x1000", "vlan_tci=0x0005/0x0fff",
	"vlan_tci=0x1005/0x1fff", "vlan_vid=0x1005", "vlan_pcp=2",
	"ip", "ipv6", "arp", "rarp", "icmp", "icmp6", "tcp", "udp", "sctp", "tcp6", "udp6", "sctp6",
	"mpls", "mplsm", "ip4", "ip6",
	"ip,nw_src=10.0.0.1", "ip,nw_src=10.0.0.0/8", "ip,nw_dst=192.168.0.0/255.255.0.0",
	"ip,nw_dst=10.1.2.3/255.0.255.0", "ip,nw_src=0.0.0.0/0",
	"ip,nw_proto=1", "ip,nw_proto=6", "ip,nw_proto=17", "ip,nw_proto=47", "ip,nw_proto=132",
	"ip,nw_tos=8", "ip,nw_tos=252", "ip,ip_dscp=2", "ip,nw_ecn=3", "ip,ip_ecn=1", "ip,nw_ttl=64",
	"ip,nw_frag=yes", "ip,nw_frag=no", "ip,nw_frag=first", "ip,nw_frag=later", "ip,nw_frag=not_later",
	"ip,ip_frag=later",
	"tcp,tp_src=80", "tcp,tp_dst=443", "tcp,tcp_src=1", "tcp,tcp_dst=0x50/0xfff0",
	"udp,udp_src=53", "udp,udp_dst=67", "sctp,sctp_src=1", "sctp,sctp_dst=2",
	"udp,tp_src=0x100/0xff00", "tcp,tp_dst=65535",
	"tcp,tcp_flags=+syn-ack", "tcp,tcp_flags=syn", "tcp,tcp_flags=0x2/0x12", "tcp,tcp_flags=+fin+syn+rst+psh+ack+urg+ece+cwr+ns",
	"tcp6,tcp_flags=-syn",
	"icmp,icmp_type=8", "icmp,icmp_code=0", "icmp,icmp_type=3,icmp_code=1",
	"icmp6,icmpv6_type=128", "icmp6,icmp_type=1,icmp_code=4", "icmp6,icmpv6_code=1",
	"icmp6,icmp_type=135,icmp_code=0,nd_target=fe80::1", "icmp6,icmp_type=136,icmp_code=0,nd_target=fe80::/64",
	"icmp6,icmp_type=135,icmp_code=0,nd_sll=00:11:22:33:44:55", "icmp6,icmp_type=136,icmp_code=0,nd_tll=00:11:22:33:44:55",
	"icmp6,icmp_type=135,icmp_code=0,nd_reserved=5",
	"arp,arp_op=1", "arp,arp_op=2", "arp,arp_spa=10.0.0.1", "arp,arp_tpa=10.0.0.0/24",
	"arp,arp_sha=00:11:22:33:44:55", "arp,arp_tha=00:00:00:00:00:00", "rarp,arp_op=3",
	"arp,arp_sha=00:11:22:00:00:00/ff:ff:ff:00:00:00", "arp,nw_src=1.2.3.4",
	"ipv6,ipv6_src=2001:db8::1", "ipv6,ipv6_src=2001:db8::/32", "ipv6,ipv6_dst=::1",
	"ipv6,ipv6_dst=fe80::/10", "ipv6,ipv6_src=::ffff:1.2.3.4", "ipv6,ipv6_dst=2001:db8::1/ffff:ffff::ffff",
	"ipv6,ipv6_label=0x12345", "ipv6,ipv6_label=0x1/0xf", "ipv6,ipv6_src=::1.2.3.4",
	"ipv6,nw_tos=4", "ipv6,nw_ttl=1", "ipv6,nw_proto=58",
	"mpls,mpls_label=5", "mpls,mpls_tc=3", "mpls,mpls_bos=1", "mpls,mpls_ttl=7", "mplsm,mpls_label=1048575",
	"tun_id=5", "tun_id=0x5/0xff", "tunnel_id=0x1234567890", "tun_src=1.1.1.1", "tun_dst=10.0.0.0/8",
	"tun_ipv6_src=2001::1", "tun_ipv6_dst=2001::/16", "tun_flags=+oam", "tun_flags=oam", "tun_flags=-oam",
	"metadata=0x5", "metadata=0x5/0xff", "metadata=0",
	"reg0=5", "reg1=0x5/0xf", "reg15=0xffffffff", "reg7=0", "xreg0=0x100000001", "xreg3=0x5/0xff",
	"xxreg0=0x1", "xxreg1=0x1/0x3", "reg3[0..3]=5", "reg4[7]=1", "reg5[]=9",
	"pkt_mark=7", "pkt_mark=0x7/0xf", "skb_priority=0x5",
	"recirc_id=3", "dp_hash=0x5/0xff", "conj_id=7",
	"ct_state=+trk", "ct_state=+trk+new", "ct_state=+trk-inv", "ct_state=-new+est+rel+rpl+inv+trk+snat+dnat",
	"ct_state=0x21/0x21", "ct_state=trk|new", "ct_state=trk",
	"ct_zone=5", "ct_mark=0x1", "ct_mark=0x1/0x3", "ct_label=0x1", "ct_label=0x1/0x1",
	"ct_label=0x1234567890abcdef1234567890abcdef",
	"ct_state=+trk+est,ct_nw_src=10.0.0.1", "ct_state=+trk+est,ct_nw_dst=10.0.0.0/8",
	"ct_state=+trk+est,ct_ipv6_src=2001::1", "ct_state=+trk+est,ct_nw_proto=6",
	"ct_state=+trk+est,ct_nw_proto=6,ct_tp_src=80", "ct_state=+trk+est,ct_nw_proto=17,ct_tp_dst=53",
	"actset_output=1", "actset_output=LOCAL", "packet_type=(0,0)", "packet_type=(1,0x800)", "eth",
	"in_port=1,dl_vlan=5,tcp,nw_src=1.2.3.4,tp_dst=80",
	"priority=100,in_port=2,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,udp,nw_dst=10.0.0.2,udp_dst=4789",
	"reg0=1,reg1=2,metadata=3,tun_id=4,in_port=5",
	"tp_dst=80", "nw_src=1.2.3.4", "icmp_type=3", "ipv6_src=::1", "arp_op=1", "nd_target=::1",
	"tcp,icmp_type=3", "udp,tcp_flags=+syn", "ip,ipv6_src=::1", "icmp6,nd_target=::1",
	"tp_dst=80,tcp", "nw_src=10.0.0.1,ip",
	"in_port=1 dl_vlan=2", "  in_port=1,,,dl_vlan=2  ",
	"duration=1.5s,n_packets=3,n_bytes=100,idle_age=5,in_port=1",
}

var oracleActions = []string{
	"drop", "", "output:1", "1", "output:65279", "IN_PORT", "in_port", "LOCAL", "NORMAL", "normal", "FLOOD", "ALL",
	"CONTROLLER:65535", "CONTROLLER:0", "controller", "controller:100", "output:CONTROLLER",
	"controller(reason=no_match)", "controller(reason=invalid_ttl,max_len=10)", "controller(id=3)",
	"controller(userdata=01.02.03)", "controller(pause)", "controller(meter_id=5)",
	"controller(reason=action_set,id=1,userdata=aa,pause,meter_id=2)",
	"enqueue:1:2", "enqueue(3,4)", "enqueue:LOCAL:0",
	"output:NXM_NX_REG0[]", "output:NXM_NX_REG0[0..15]", "output:reg1", "output:NXM_OF_IN_PORT[]",
	"mod_vlan_vid:5", "mod_vlan_vid:4095", "mod_vlan_pcp:3", "strip_vlan",
	"mod_dl_src:00:11:22:33:44:55", "mod_dl_dst:ff:ff:ff:ff:ff:ff",
	"load:0x1->NXM_NX_REG0[]", "load:0->NXM_NX_REG1[0..3]", "load:0x5->NXM_NX_REG2[4..7]",
	"load:0xffffffff->NXM_NX_REG3[]", "load:0x1->NXM_NX_REG4[31]", "load:0x5->OXM_OF_METADATA[]",
	"load:0x1->reg5", "load:0x1->metadata[0..3]", "load:0x123456789->NXM_NX_TUN_ID[]",
	"load:0x1->NXM_NX_XXREG0[0..63]", "load:0x1->NXM_NX_XXREG0[64..127]", "load:0x1->NXM_NX_XXREG0[]",
	"load:0x1->OXM_OF_PKT_REG0[]", "load:0x1->NXM_NX_PKT_MARK[]", "load:0x1->NXM_NX_CT_MARK[]",
	"load:0x1->NXM_NX_CT_LABEL[]", "load:0x1->NXM_NX_CT_LABEL[64..127]",
	"load:0x1->NXM_OF_IN_PORT[]", "load:0->NXM_OF_ETH_SRC[]", "load:0x123456->NXM_OF_ETH_DST[0..23]",
	"load:0x1->NXM_OF_VLAN_TCI[]", "load:0x1->NXM_NX_TUN_IPV4_SRC[]",
	"move:NXM_NX_REG0[]->NXM_NX_REG1[]", "move:NXM_NX_REG0[0..3]->NXM_NX_REG1[4..7]",
	"move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]", "move:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15]",
	"move:reg0->reg1", "move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG3[]", "move:OXM_OF_METADATA[]->NXM_NX_XREG0[]",
	"push:NXM_NX_REG0[]", "pop:NXM_NX_REG1[0..7]", "push:reg2", "pop:NXM_NX_REG1[5]",
	"dec_ttl", "dec_ttl(1,2)", "dec_ttl(5)",
	"resubmit:1", "resubmit(,3)", "resubmit(1,2)", "resubmit:LOCAL", "resubmit(IN_PORT,3)", "resubmit(,0)",
	"set_tunnel:5", "set_tunnel:0x12345678", "set_tunnel64:5", "set_tunnel:0x123456789",
	"set_queue:3", "pop_queue", "exit", "group:5", "ct_clear",
	"note:01.02.03.04.05.06", "note:0102030405060708090a0b0c0d0e",
	"clone(output:1)", "clone(drop)", "clone(output:1,clone(output:2))", "clone()",
	"conjunction(5,1/2)", "conjunction(1,2/2)", "conjunction(0x10,3/64)", "conjunction(1,1/2),conjunction(2,2/3)",
	"conjunction(1,1/2),note:00.00.00.00.00.00",
	"output:1,output:2,output:3", "load:0x1->NXM_NX_REG0[],resubmit(,1)",
	"mod_vlan_vid:5,output:1", "strip_vlan,output:2",
	"push_mpls:0x8847", "pop_mpls:0x0800", "dec_mpls_ttl", "set_mpls_label(5)", "set_mpls_tc(3)", "set_mpls_ttl(9)",
	// Errors.
	"foo", "output:foo", "output:65280", "output:ANY", "resubmit", "resubmit(,)", "resubmit(1,2,foo)",
	"load:1", "load:0x1->", "load:1->NXM_NX_REG0[0..33]", "load:0x10->NXM_NX_REG0[0..3]",
	"load:1->foo[]", "load:1->NXM_NX_REG0[5..3]", "load:x->NXM_NX_REG0[]",
	"move:NXM_NX_REG0[]->NXM_NX_REG1[0..3]", "move:NXM_NX_REG0[]", "set_field:1->foo", "set_field:1->nw_proto",
	"set_field:1", "mod_vlan_vid:4096", "mod_vlan_pcp:8", "mod_nw_tos:3", "mod_nw_ecn:4",
	"drop,output:1", "output:1,drop", "apply_actions(output:1)", "conjunction(1,1/1)", "conjunction(1,3/2)",
	"conjunction(1,0/2)", "conjunction(1,1/65)", "conjunction(1)", "conjunction(1,1/2),output:1",
	"note:1", "note:xy", "dec_ttl()", "enqueue:1", "controller(foo=bar)", "controller(reason=foo)",
	"mod_dl_src:00:11", "group:x", "set_queue:x", "clone(foo)", "push:foo", "pop:NXM_NX_REG0[40]",
	"goto_table:1,output:1",
	"load:1->NXM_OF_TCP_DST[]", "mod_nw_src:1.2.3.4", "mod_tp_dst:80", "load:1->NXM_OF_IP_SRC[]",
	"move:NXM_OF_IP_SRC[]->NXM_NX_REG0[]", "output:NXM_OF_TCP_SRC[]", "resubmit(,1,ct)", "load:1->NXM_NX_CT_STATE[]",
	"load:1->NXM_NX_REG0[],load:1->NXM_NX_REG0[],output:1,output:1",
}

// oracleFlows are complete flows: instructions, flags, timeouts, errors.
var oracleFlows = []string{
	"ip,actions=mod_nw_src:1.2.3.4,mod_nw_dst:5.6.7.8", "ip,actions=mod_nw_tos:8", "ip,actions=dec_ttl",
	"tcp,actions=mod_tp_src:1,mod_tp_dst:2", "udp,actions=mod_tp_dst:53", "sctp6,actions=mod_tp_src:9",
	"ip,nw_frag=later,actions=drop", "tcp,actions=load:0x50->NXM_OF_TCP_DST[]",
	"tcp,actions=move:NXM_OF_TCP_SRC[]->NXM_OF_TCP_DST[]", "ip,actions=load:0xa000001->NXM_OF_IP_SRC[]",
	"ipv6,actions=load:0x1->NXM_NX_IPV6_SRC[0..63]", "arp,actions=load:0x2->NXM_OF_ARP_OP[]",
	"arp,actions=move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[]",
	"dl_vlan=5,actions=strip_vlan", "vlan_tci=0x1000/0x1000,actions=mod_vlan_pcp:3",
	"ct_state=+trk+est,actions=resubmit(,1,ct)", "ct_state=+trk+est,ct_nw_proto=6,actions=output:1",
	"ct_state=+trk+new,actions=move:NXM_NX_CT_NW_SRC[]->NXM_NX_REG0[]",
	"dl_vlan=3,actions=strip_vlan",
	"idle_timeout=10,actions=drop", "hard_timeout=20,idle_timeout=10,actions=drop",
	"cookie=0x5,actions=drop", "cookie=5,priority=3,actions=drop",
	"send_flow_rem,actions=drop", "check_overlap,send_flow_rem,actions=drop",
	"table=3,actions=drop", "table=0,actions=drop", "table=254,actions=drop",
	"priority=100,table=1,in_port=1,actions=output:2", "in_port=1 actions=output:2",
	"in_port=1,actions=output:2 ", "actions=output:2,in_port=1",
	// Errors.
	"in_port=1", "in_port=foo,actions=drop", "foo=1,actions=drop", "priority=70000,actions=drop",
	"priority=-1,actions=drop", "idle_timeout=x,actions=drop", "table=256,actions=drop", "table=,actions=drop",
	"cookie=1/1,actions=drop", "out_port=1,actions=drop", "nw_src=1.2.3.4/33,actions=drop",
	"dl_src=00:11:22:33:44,actions=drop", "tcp,tp_dst=65536,actions=drop", "reg0=0x100000000,actions=drop",
	"nw_ttl=1/1,actions=drop", "ct_state=+foo,actions=drop", "tcp_flags=+syn+syn,actions=drop",
	"nw_frag=maybe,actions=drop", "ipv6_src=zz,actions=drop", "reg0[0..3]=16,actions=drop",
	"reg0[40]=1,actions=drop", "metadata[]=x,actions=drop", "in_port,actions=drop", "table=1,table=2,actions=drop",
	"actions=output:1,foo:2",
	"packet_type=(1,0x800,actions=drop", "actset_output=foo,actions=drop", "icmp6,icmp_type=135,icmp_code=0,nd_target=zz,actions=drop",
}

// oracleFlows13 need OpenFlow 1.1+ features and are compared with
// "ovs-ofctl -O OpenFlow14 parse-flow", whose encoding keeps instructions.
var oracleFlows13 = []string{
	"actions=write_metadata:0x5", "actions=write_metadata:0x5/0xff,goto_table:3", "actions=goto_table:1",
	"table=2,actions=goto_table:1", "table=2,actions=goto_table:3", "actions=clear_actions",
	"actions=write_actions(output:1)", "actions=write_actions(output:1,group:2)", "actions=output:1,clear_actions,goto_table:2",
	"actions=meter:1", "actions=meter:1,output:1", "actions=output:1,meter:1", "actions=meter:1,goto_table:2",
	"actions=push_vlan:0x8100", "actions=push_vlan:0x800",
	"dl_vlan=3,actions=pop_vlan",

	"actions=output:1,goto_table:0", "actions=meter:1,output:1", "importance=7,actions=drop",
	"reset_counts,actions=drop", "no_packet_counts,actions=drop", "no_byte_counts,actions=drop",
	"reset_counts,no_packet_counts,actions=output:1", "send_flow_rem,no_byte_counts,actions=drop",
	"actions=strip_vlan,push_vlan:0x8100",
	"actions=clone(meter:1)", "actions=write_actions(meter:1)", "actions=write_actions(goto_table:1)",
	"actions=set_field:5->reg1", "actions=set_field:0x1->metadata",
	"actions=set_field:00:11:22:33:44:55->eth_src",
	"ip,actions=set_field:1.2.3.4->nw_src", "ip,actions=set_field:1.2.3.4->ip_dst",
	"ipv6,actions=set_field:2001::1->ipv6_src",
	"tcp,actions=set_field:80->tcp_dst", "udp,actions=set_field:53->udp_src",
	"actions=set_field:LOCAL->in_port", "actions=set_field:0x5->tun_id",
	"actions=set_field:1.1.1.1->tun_src",
	"actions=set_field:7->pkt_mark", "actions=set_field:0x1->xreg0", "actions=set_field:0x1->xxreg1",
	"ip,actions=set_field:8->nw_tos", "ip,actions=set_field:2->ip_dscp", "ip,actions=set_field:64->nw_ttl",
	"arp,actions=set_field:2->arp_op", "arp,actions=set_field:1.2.3.4->arp_spa",
	"icmp,actions=set_field:3->icmp_type", "icmp6,actions=set_field:1->icmpv6_code",
	"ipv6,actions=set_field:0x12345->ipv6_label", "mpls,actions=set_field:5->mpls_label",
	"icmp6,icmp_type=135,icmp_code=0,actions=set_field:::1->nd_target",
	"actions=set_field:1->foo", "actions=set_field:1->nw_proto", "actions=set_field:1->tcp_src",
	"ip,actions=set_field:3->nw_tos",
	"dl_vlan=1,actions=pop_vlan",
}

type oracleResult struct {
	out string
	err string
}

// ovsParseFlow runs stock ovs-ofctl on the inputs: parse-flows on chunks
// of them (one process per chunk), and parse-flow on each flow of a chunk
// that OVS rejects somewhere.
func ovsParseFlow(t *testing.T, inputs []string, args ...string) []oracleResult {
	t.Helper()
	const chunk = 25
	res := make([]oracleResult, len(inputs))
	dir := t.TempDir()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for start := 0; start < len(inputs); start += chunk {
		end := min(start+chunk, len(inputs))
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			file := filepath.Join(dir, fmt.Sprintf("flows%d", start))
			if err := os.WriteFile(file, []byte(strings.Join(inputs[start:end], "\n")+"\n"), 0o644); err != nil {
				panic(err)
			}
			out, err := exec.Command("ovs-ofctl", append(append([]string{}, args...), "parse-flows", file)...).CombinedOutput()
			var adds []string
			for _, l := range strings.Split(string(out), "\n") {
				if j := strings.Index(l, "): ADD "); j >= 0 {
					adds = append(adds, l[j+len("): ADD "):])
				}
			}
			if err == nil && len(adds) == end-start && !strings.Contains(string(out), "decode error") {
				for i := range adds {
					res[start+i].out = adds[i]
				}
				return
			}
			for i := start; i < end; i++ {
				res[i] = ovsParseOne(inputs[i], args)
			}
		}()
	}
	wg.Wait()
	return res
}

func ovsParseOne(in string, args []string) oracleResult {
	out, _ := exec.Command("ovs-ofctl", append(append([]string{}, args...), "parse-flow", in)...).CombinedOutput()
	if _, after, ok := strings.Cut(string(out), "***decode error: "); ok {
		return oracleResult{err: "decode error: " + strings.SplitN(after, "*", 2)[0]}
	}
	for _, l := range strings.Split(string(out), "\n") {
		if j := strings.Index(l, "): ADD "); j >= 0 {
			return oracleResult{out: l[j+len("): ADD "):]}
		}
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "ovs-ofctl: ") {
			return oracleResult{err: strings.TrimPrefix(l, "ovs-ofctl: ")}
		}
	}
	return oracleResult{err: "unrecognised output: " + string(out)}
}

// formatFlowMod writes fs like OVS's flow_mod printer does after "ADD ".
func formatFlowMod(fs *FlowSpec) string {
	var b strings.Builder
	if fs.Table != 0 && fs.Table != TableAll {
		fmt.Fprintf(&b, "table:%d ", fs.Table)
	}
	b.WriteString(FormatMatch(&fs.Match, fs.Priority))
	if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
		b.WriteByte(' ')
	}
	if fs.ModifyCookie && fs.Cookie != 0 {
		fmt.Fprintf(&b, "cookie:0x%x ", fs.Cookie)
	}
	if fs.IdleTimeout != 0 {
		fmt.Fprintf(&b, "idle:%d ", fs.IdleTimeout)
	}
	if fs.HardTimeout != 0 {
		fmt.Fprintf(&b, "hard:%d ", fs.HardTimeout)
	}
	if fs.Importance != 0 {
		fmt.Fprintf(&b, "importance:%d ", fs.Importance)
	}
	b.WriteString(fs.Flags.format())
	b.WriteString("actions=" + FormatActions(fs.Actions))
	return b.String()
}

func TestOracleParseFlow(t *testing.T) {
	if _, err := exec.LookPath("ovs-ofctl"); err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	var inputs []string
	for _, m := range oracleMatches {
		sep := ","
		if m == "" {
			sep = ""
		}
		inputs = append(inputs, m+sep+"actions=drop")
	}
	for _, a := range oracleActions {
		inputs = append(inputs, "actions="+a)
	}
	inputs = append(inputs, oracleFlows...)
	compareOracle(t, inputs, ovsParseFlow(t, inputs))
	compareOracle(t, oracleFlows13, ovsParseFlow(t, oracleFlows13, "-O", "OpenFlow14"))
	t.Logf("%d flows compared with ovs-ofctl", len(inputs)+len(oracleFlows13))
}

func compareOracle(t *testing.T, inputs []string, want []oracleResult) {
	for i, in := range inputs {
		fs, err := ParseFlow(in, CommandAdd)
		w := want[i]
		switch {
		case w.err != "" && err == nil:
			t.Errorf("%q: OVS rejects (%s), govs accepts: %s", in, w.err, formatFlowMod(fs))
		case w.err == "" && err != nil:
			t.Errorf("%q: OVS accepts (%s), govs rejects: %v", in, w.out, err)
		case strings.HasPrefix(w.err, "decode error: "):
			// Rejected by OVS's decoder rather than its parser: the error
			// texts differ by design, rejection is what matters.
		case w.err != "" && err.Error() != w.err:
			t.Errorf("%q: error\n ovs:  %s\n govs: %v", in, w.err, err)
		case w.err == "":
			if got := formatFlowMod(fs); got != w.out {
				t.Errorf("%q:\n ovs:  %s\n govs: %s", in, w.out, got)
			}
		}
	}
}
