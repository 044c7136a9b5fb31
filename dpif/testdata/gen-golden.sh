#!/bin/sh
# Regenerates the golden reports of dpif's format tests from stock Open
# vSwitch 3.1 (ovs-vswitchd --enable-dummy): a dummy datapath with br0, p1
# and p2, one flow in_port=1 -> 2, three identical TCP packets received on p1.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d)
export OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d
cleanup() {
	[ -f "$d/ovs-vswitchd.pid" ] && kill "$(cat "$d/ovs-vswitchd.pid")" 2>/dev/null || true
	[ -f "$d/ovsdb-server.pid" ] && kill "$(cat "$d/ovsdb-server.pid")" 2>/dev/null || true
	sleep 0.2
	rm -rf "$d"
}
trap cleanup EXIT
ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$d/conf.db" --remote=punix:"$d/db.sock" --pidfile --detach --no-chdir --log-file
ovs-vsctl --no-wait init
ovs-vswitchd --enable-dummy --disable-system --disable-system-route --detach --no-chdir --pidfile --log-file
ovs-vsctl add-br br0 -- set bridge br0 datapath_type=dummy \
	-- add-port br0 p1 -- set interface p1 type=dummy ofport_request=1 \
	-- add-port br0 p2 -- set interface p2 type=dummy ofport_request=2
ovs-ofctl del-flows br0
ovs-ofctl add-flow br0 in_port=1,actions=output:2
for i in 1 2 3; do
	ovs-appctl netdev-dummy/receive p1 'in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=80)'
done
sleep 0.5
ovs-appctl dpif-netdev/pmd-stats-show > "$out/pmd-stats-show.main.txt"
ovs-appctl dpif-netdev/pmd-rxq-show > "$out/pmd-rxq-show.main.txt"
ovs-appctl dpctl/show > "$out/dpctl-show.txt"
ovs-appctl dpctl/show -s > "$out/dpctl-show-s.txt"
