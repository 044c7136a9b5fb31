package openflow

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sampleStats answers every stats kind with a small, non-empty reply so
// ovs-ofctl's formatting of each of our encoders can be checked.
func sampleStats(req *StatsRequest) *StatsReply {
	rep := defaultStatsReply(req)
	port := PortDesc{PortNo: 1, Name: "p1", HWAddr: [6]byte{0xaa, 0, 0, 0, 0, 1}, Curr: 0x840, Advertised: 0x840, Supported: 0x840, CurrSpeed: 10000000, MaxSpeed: 10000000}
	switch req.Kind {
	case StatsDesc:
		rep.Desc = DescStats{MfrDesc: "govs", HWDesc: "hw", SWDesc: "3.1.0", SerialNum: "None", DPDesc: "br0"}
	case StatsAggregate:
		rep.Aggregate = AggregateStats{PacketCount: 7, ByteCount: 700, FlowCount: 2}
	case StatsPort:
		rep.Ports = []PortStats{{PortNo: 1, RxPackets: 11, TxPackets: 12, RxBytes: 13, TxBytes: 14, DurationSec: 5}}
	case StatsPortDesc:
		rep.PortDescs = []PortDesc{port}
	case StatsQueue:
		rep.Queues = []QueueStats{{PortNo: 1, QueueID: 2, TxBytes: 100, TxPackets: 1}}
	case StatsGroupFeatures:
		rep.GroupFeatures = GroupFeatures{Types: 0xf, Capabilities: 0x7, MaxGroups: [4]uint32{100, 100, 100, 100}}
	case StatsGroupDesc:
		rep.GroupDescs = []GroupDesc{{GroupType: GroupTypeSelect, GroupID: 7, Buckets: []Bucket{
			{ID: 0, Weight: 10, WatchPort: PortNone, WatchGroup: GroupAny, Actions: []Action{Output{Port: 1}}},
			{ID: 1, Weight: 20, WatchPort: 2, WatchGroup: GroupAny, Actions: []Action{Output{Port: 2}}}}}}
	case StatsGroup:
		rep.Groups = []GroupStats{{GroupID: 7, RefCount: 1, PacketCount: 31, ByteCount: 3100, Buckets: []BucketCounter{{1, 100}, {30, 3000}}}}
	case StatsMeterConfig:
		rep.MeterConfigs = []MeterConfig{{Flags: MeterFlagKbps | MeterFlagBurst, MeterID: 3, Bands: []MeterBand{{Type: BandDrop, Rate: 1000, BurstSize: 100}}}}
	case StatsMeter:
		rep.Meters = []MeterStats{{MeterID: 3, FlowCount: 2, PacketInCount: 41, ByteInCount: 4100, Bands: []BucketCounter{{5, 500}}}}
	case StatsMeterFeatures:
		rep.MeterFeatures = MeterFeatures{MaxMeter: 100, BandTypes: 3, Capabilities: 0xf, MaxBands: 1, MaxColor: 0}
	}
	return rep
}

// TestOfctlCommands runs ovs-ofctl commands against the fake switch: every
// request it sends must round-trip byte-exactly, and every reply we encode
// must be accepted and shown by ovs-ofctl.
func TestOfctlCommands(t *testing.T) {
	needOfctl(t)
	dir := t.TempDir()
	flows := filepath.Join(dir, "flows")
	if err := os.WriteFile(flows, []byte("priority=1,actions=drop\nip,actions=output:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pkt := "50540000000a5054000000090800450000140000000040000000c0a80001c0a80002"
	cases := []struct {
		versions []uint8
		args     []string
		want     string
	}{
		{nil, []string{"show", "SOCK"}, "dpid:0000000000000abc"},
		{nil, []string{"dump-flows", "SOCK", "ip,nw_dst=10.0.0.0/8"}, ""},
		{nil, []string{"dump-flows", "SOCK", "table=3,cookie=0x5/0xff,out_port=2"}, ""},
		{nil, []string{"dump-aggregate", "SOCK", "ip"}, "packet_count=7 byte_count=700 flow_count=2"},
		{nil, []string{"dump-desc", "SOCK"}, "Manufacturer: govs"},
		{nil, []string{"dump-tables", "SOCK"}, "active=1"},
		{nil, []string{"dump-ports", "SOCK"}, "rx pkts=11"},
		{nil, []string{"dump-ports", "SOCK", "1"}, "rx pkts=11"},
		{nil, []string{"dump-ports-desc", "SOCK"}, `1\(p1\): addr:aa:00:00:00:00:01`},
		{nil, []string{"queue-stats", "SOCK"}, "queue 2"},
		{nil, []string{"del-flows", "SOCK"}, ""},
		{nil, []string{"del-flows", "SOCK", "--strict", "priority=5,ip"}, ""},
		{nil, []string{"mod-flows", "SOCK", "ip,actions=output:3"}, ""},
		{nil, []string{"add-flows", "SOCK", flows}, ""},
		{nil, []string{"get-frags", "SOCK"}, "normal"},
		{nil, []string{"set-frags", "SOCK", "drop"}, ""},
		{nil, []string{"set-frags", "SOCK", "nx-match"}, ""},
		{nil, []string{"mod-port", "SOCK", "1", "down"}, ""},
		{nil, []string{"packet-out", "SOCK", "in_port=1 packet=" + pkt + " actions=output:2"}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"dump-table-features", "SOCK"}, `(?s)table 0.*next tables: 1-3.*instructions: apply_actions write_metadata goto_table.*actions: output push_vlan.*arbitrary mask: eth_src.*must exact match: in_port_oxm tcp_flags`},
		{[]uint8{Version13, Version14, Version15}, []string{"dump-groups", "SOCK"}, "group_id=7,type=select,bucket=.*weight:20,watch_port:2,actions=output:2"},
		{[]uint8{Version13, Version14, Version15}, []string{"dump-group-stats", "SOCK"}, "group_id=7"},
		{[]uint8{Version13, Version14, Version15}, []string{"dump-group-features", "SOCK"}, "max_groups"},
		{[]uint8{Version13, Version14, Version15}, []string{"meter-features", "SOCK"}, "max_meter:100"},
		{[]uint8{Version13, Version14, Version15}, []string{"dump-meters", "SOCK"}, "meter=3 kbps burst bands=\n?type=drop rate=1000 burst_size=100"},
		{[]uint8{Version13, Version14, Version15}, []string{"meter-stats", "SOCK"}, "meter:3 flow_count:2 packet_in_count:41 byte_in_count:4100"},
		{[]uint8{Version13, Version14, Version15}, []string{"--bundle", "add-flow", "SOCK", "ip,actions=output:1"}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"--bundle", "add-flows", "SOCK", flows}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"add-group", "SOCK", "group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=weight:20,watch_port=2,actions=output:2"}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"add-group", "SOCK", "group_id=2,type=ff,bucket=watch_port:1,actions=output:1,bucket=watch_group:5,actions=group:5"}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"add-group", "SOCK", "group_id=3,type=all,bucket=actions=set_field:1->reg0,resubmit(,2)"}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"mod-group", "SOCK", "group_id=3,type=indirect,bucket=actions=output:4"}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"del-groups", "SOCK", "group_id=3"}, ""},
		{[]uint8{Version15}, []string{"insert-buckets", "SOCK", "group_id=1,command_bucket_id=last,bucket=bucket_id:7,weight:5,actions=output:7"}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"add-meter", "SOCK", "meter=1,kbps,burst,stats,bands=type=drop,rate=1000,burst_size=100"}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"add-meter", "SOCK", "meter=2,pktps,bands=type=dscp_remark,rate=10,prec_level=1"}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"del-meter", "SOCK", "meter=2"}, ""},
		{[]uint8{Version13, Version14, Version15}, []string{"--bundle", "add-group", "SOCK", "group_id=9,type=all,bucket=actions=output:1"}, ""},
		{[]uint8{Version14, Version15}, []string{"mod-table", "SOCK", "0", "evict"}, ""},
		{nil, []string{"add-tlv-map", "SOCK", "{class=0xffff,type=0,len=4}->tun_metadata0,{class=0x102,type=0x80,len=8}->tun_metadata3"}, ""},
		{nil, []string{"del-tlv-map", "SOCK", "{class=0xffff,type=0,len=4}->tun_metadata0"}, ""},
		{nil, []string{"del-tlv-map", "SOCK"}, ""},
		{nil, []string{"dump-tlv-map", "SOCK"}, `0x102\s+0x80\s+4\s+tun_metadata0`},
		{nil, []string{"ct-flush-zone", "SOCK", "5"}, ""},
		{nil, []string{"ct-flush", "SOCK"}, ""},
		{nil, []string{"ct-flush", "SOCK", "zone=5", "ct_nw_src=10.0.0.1,ct_nw_dst=10.0.0.2,ct_nw_proto=6,ct_tp_src=80,ct_tp_dst=90", "ct_nw_src=10.0.0.2,ct_nw_proto=6"}, ""},
		{nil, []string{"queue-get-config", "SOCK", "1"}, `(?s)queue 1: min_rate:10\.0% max_rate:50\.0%.*queue 2: max_rate:90\.0%`},
		{[]uint8{Version14, Version15}, []string{"dump-table-desc", "SOCK"}, "table 0"},
		{[]uint8{Version14, Version15}, []string{"mod-table", "SOCK", "0", "vacancy:20,80"}, ""},
		{[]uint8{Version10}, []string{"--flow-format=OpenFlow10", "add-flow", "SOCK", "ip,actions=output:1"}, ""},
		{[]uint8{Version10}, []string{"--flow-format=NXM", "--packet-in-format=nxt_packet_in", "add-flow", "SOCK", "table=3,ip,actions=output:1"}, ""},
	}
	for _, tc := range cases {
		versions := tc.versions
		if versions == nil {
			versions = []uint8{Version10, Version11, Version12, Version13, Version14, Version15}
		}
		for _, v := range versions {
			t.Run(fmt.Sprintf("v%d/%s", v, strings.Join(tc.args, " ")), func(t *testing.T) {
				t.Parallel()
				s := &ofctlSession{t: t, stats: sampleStats}
				args := append(versionArgs(v), tc.args...)
				if tc.args[0] == "--bundle" && v == Version13 {
					args = append([]string{"-O", "OpenFlow13"}, tc.args...)
				}
				out, err := s.run(args...)
				if err != nil {
					skipIfInexpressible(t, out)
					t.Fatalf("ovs-ofctl %v: %v\n%s", args, err, out)
				}
				if !regexp.MustCompile(tc.want).MatchString(out) {
					t.Errorf("output lacks %q:\n%s", tc.want, out)
				}
				for _, raw := range s.recv {
					checkRoundTrip(t, raw)
					writeSeed(t, raw)
				}
			})
		}
	}
}

// TestSplitRepliesOfctl sends dumps split over many multipart messages; stock
// ovs-ofctl must reassemble every entry.
func TestSplitRepliesOfctl(t *testing.T) {
	needOfctl(t)
	var flows []FlowStats
	var ports []PortStats
	for i := 0; i < 40; i++ {
		flows = append(flows, FlowStats{Priority: uint16(1000 + i), Match: Match{Fields: []MatchField{reg(0, uint32(i))}}, Actions: []Action{Output{Port: Port(i + 1)}}})
		ports = append(ports, PortStats{PortNo: Port(i + 1), RxPackets: uint64(i)})
	}
	stats := func(req *StatsRequest) *StatsReply {
		switch req.Kind {
		case StatsFlow:
			return &StatsReply{Kind: StatsFlow, NX: req.NX, Flows: flows}
		case StatsPort:
			return &StatsReply{Kind: StatsPort, Ports: ports}
		}
		return nil
	}
	for _, v := range []uint8{Version10, Version13, Version15} {
		for _, cmd := range []string{"dump-flows", "dump-ports"} {
			t.Run(fmt.Sprintf("v%d/%s", v, cmd), func(t *testing.T) {
				t.Parallel()
				s := &ofctlSession{t: t, stats: stats, split: 400}
				out, err := s.run(append(versionArgs(v), cmd, "SOCK")...)
				if err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				want := "priority=1039"
				if cmd == "dump-ports" {
					want = "port 40:"
				}
				if !strings.Contains(out, want) || strings.Count(out, "\n") < 40 {
					t.Errorf("output incomplete:\n%s", out)
				}
			})
		}
	}
}

// TestFlowMonitorOfctl answers `ovs-ofctl monitor ... watch:` with flow
// updates in an NXST_FLOW_MONITOR reply and checks ovs-ofctl shows them.
func TestFlowMonitorOfctl(t *testing.T) {
	needOfctl(t)
	stats := func(req *StatsRequest) *StatsReply {
		if req.Kind != StatsFlowMonitor {
			return nil
		}
		return &StatsReply{Kind: StatsFlowMonitor, NX: true, Updates: []FlowUpdate{
			{Event: UpdateAdded, Priority: 5, TableID: 2, Cookie: 0x9, Match: Match{Fields: []MatchField{reg(0, 3)}}, Actions: []Action{Output{Port: 4}}},
			{Event: UpdateDeleted, Reason: 1, Priority: 6, Match: Match{Fields: []MatchField{reg(1, 7)}}},
			{Event: UpdateAbbrev, XID: 0x42},
		}}
	}
	for _, v := range []uint8{Version10, Version12} {
		s := &ofctlSession{t: t, stats: stats, closeAfter: MsgStatsRequest}
		out, _ := s.run(append(versionArgs(v), "monitor", "SOCK", "watch:reg0=3")...)
		for _, want := range []string{"event=ADDED table=2 cookie=0x9 reg0=0x3 actions=output:4",
			"event=DELETED reason=hard table=0 cookie=0 reg1=0x7", "event=ABBREV xid=0x42"} {
			if !strings.Contains(out, want) {
				t.Errorf("v%d: monitor output lacks %q:\n%s", v, want, out)
			}
		}
		var sawReq bool
		for _, raw := range s.recv {
			m := checkRoundTrip(t, raw)
			if r, ok := m.(*StatsRequest); ok && r.Kind == StatsFlowMonitor {
				sawReq = len(r.Monitors) == 1 && r.Monitors[0].Flags&MonitorInitial != 0
			}
			writeSeed(t, raw)
		}
		if !sawReq {
			t.Errorf("v%d: no flow monitor request captured", v)
		}
	}
}
