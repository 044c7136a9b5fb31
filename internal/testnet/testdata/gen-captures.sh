#!/usr/bin/env bash
# Regenerates testdata/stock/*.txt: outputs of stock Open vSwitch 3.1 that
# the normaliser tests use as input. The same scenario runs twice, in two
# private rundirs, the second with a pause before the dumps, so that run1
# and run2 differ in exactly what the normalisers must remove (durations,
# ages, UFIDs, hash order, flood order, UUIDs, random MACs). Port names end
# in distinct numbers, so that the dummy datapath numbers ports after them.
# Run from internal/testnet:
#   ./testdata/gen-captures.sh
set -euo pipefail
cd "$(dirname "$0")"
out=$PWD/stock
mkdir -p "$out"

run() {
  local n=$1 d
  d=$(mktemp -d /tmp/govs-gen-XXXXXX)
  export OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d OVS_SYSCONFDIR=$d
  local pids=()
  cleanup() {
    for pf in "$d/ovs-vswitchd.pid" "$d/ovsdb-server.pid"; do
      [ -f "$pf" ] && kill "$(cat "$pf")" 2>/dev/null || true
    done
    sleep 0.2
    rm -rf "$d"
  }
  trap cleanup RETURN
  ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  ovsdb-server "$d/conf.db" --remote=punix:"$d/db.sock" --pidfile --detach --no-chdir --log-file 2>/dev/null
  ovs-vsctl --no-wait init
  ovs-vswitchd --enable-dummy --disable-system --disable-system-route --detach --no-chdir --pidfile --log-file 2>/dev/null
  ovs-vsctl add-br br0 -- set bridge br0 datapath_type=dummy \
    -- add-port br0 p1 tag=10 -- set interface p1 type=dummy ofport_request=1 \
    -- add-port br0 p2 tag=10 -- set interface p2 type=dummy ofport_request=2 \
    -- add-port br0 p3 trunks=10,20 -- set interface p3 type=dummy ofport_request=3
  ovs-vsctl add-br br1 -- set bridge br1 datapath_type=dummy fail-mode=secure \
    -- add-port br1 p5 -- set interface p5 type=dummy ofport_request=1 \
    -- add-port br1 p6 -- set interface p6 type=dummy ofport_request=2
  ovs-ofctl add-flow br1 'table=0,priority=10,ip,in_port=1,actions=ct(table=1)'
  ovs-ofctl add-flow br1 'table=0,priority=5,cookie=0x5,in_port=1,actions=resubmit(,2)'
  ovs-ofctl add-flow br1 'table=1,ip,actions=dec_ttl,output:2'
  ovs-ofctl add-flow br1 'table=2,hard_timeout=300,idle_timeout=200,actions=output:2'
  local eth1='eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02)'
  local eth3='eth(src=50:54:00:00:00:03,dst=50:54:00:00:00:01)'
  ovs-appctl netdev-dummy/receive p1 "in_port(1),$eth1,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=2)"
  ovs-appctl netdev-dummy/receive p3 "in_port(3),$eth3,eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800),ipv4(src=10.0.0.3,dst=10.0.0.1,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0))"
  ovs-appctl netdev-dummy/receive p5 "in_port(1),$eth1,eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=2)"
  ovs-appctl netdev-dummy/receive p5 "in_port(1),$eth1,eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=50:54:00:00:00:01,tha=00:00:00:00:00:00)"
  sleep "$2"
  ovs-appctl revalidator/wait
  ovs-ofctl dump-flows br1 >"$out/dump-flows.of10.run$n.txt"
  ovs-ofctl -O OpenFlow13 dump-flows br1 >"$out/dump-flows.of13.run$n.txt"
  ovs-ofctl -O OpenFlow15 dump-flows br1 >"$out/dump-flows.of15.run$n.txt"
  ovs-ofctl dump-ports br1 >"$out/dump-ports.of10.run$n.txt"
  ovs-ofctl -O OpenFlow13 dump-ports br1 >"$out/dump-ports.of13.run$n.txt"
  ovs-appctl dpctl/dump-flows >"$out/dpctl-dump-flows.run$n.txt"
  ovs-appctl dpctl/dump-flows -m >"$out/dpctl-dump-flows-m.run$n.txt"
  ovs-appctl fdb/show br0 >"$out/fdb-show.run$n.txt"
  ovs-appctl dpif/show >"$out/dpif-show.run$n.txt"
  ovs-appctl ofproto/trace br1 'tcp,in_port=1,dl_src=50:54:00:00:00:01,dl_dst=50:54:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_ttl=64,tp_src=1,tp_dst=2' >"$out/trace-ct.run$n.txt"
  ovs-appctl ofproto/trace br0 'in_port=3,dl_vlan=10,dl_src=50:54:00:00:00:03,dl_dst=50:54:00:00:00:01' >"$out/trace-normal.run$n.txt"
  ovs-vsctl list interface >"$out/list-interface.run$n.txt"
}

run 1 0
run 2 1.2
