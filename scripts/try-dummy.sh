#!/usr/bin/env bash
# Runs govs on the dummy datapath in a private rundir, driven by the stock OVS
# tools, shows what it did, and cleans up. Needs openvswitch-common and
# openvswitch-switch (for ovsdb-server); `make test` installs them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
govs=${GOVS_BIN:-$top/bin/govs}
[ -x "$govs" ] || { echo "build govs first: make build" >&2; exit 1; }
dir=$(mktemp -d /tmp/govs-try.XXXXXX)
export OVS_RUNDIR=$dir OVS_DBDIR=$dir OVS_LOGDIR=$dir OVS_SYSCONFDIR=$dir
cleanup() {
  [ -f "$dir/ovs-vswitchd.pid" ] && ovs-appctl -t "$dir/ovs-vswitchd.$(cat "$dir/ovs-vswitchd.pid").ctl" exit >/dev/null 2>&1 || true
  [ -f "$dir/ovsdb-server.pid" ] && kill "$(cat "$dir/ovsdb-server.pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
ovsdb-tool create "$dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock" --pidfile --detach --no-chdir --log-file
ovs-vsctl --no-wait init
"$govs" vswitchd --enable-dummy --disable-system --detach --no-chdir --pidfile --log-file
ovs-vsctl add-br br0 -- set bridge br0 datapath_type=dummy \
  -- add-port br0 p1 -- set interface p1 type=dummy ofport_request=1 \
  -- add-port br0 p2 -- set interface p2 type=dummy ofport_request=2 \
  -- add-port br0 p3 tag=10 -- set interface p3 type=dummy ofport_request=3
run() { echo "\$ $*"; "$@"; echo; }
run ovs-vsctl show
ovs-appctl netdev-dummy/receive p1 'in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)'
ovs-appctl netdev-dummy/receive p2 'in_port(2),eth(src=50:54:00:00:00:02,dst=50:54:00:00:00:01),eth_type(0x0800),ipv4(src=10.0.0.2,dst=10.0.0.1,proto=1,tos=0,ttl=64,frag=no),icmp(type=0,code=0)'
ovs-appctl revalidator/wait
run ovs-ofctl dump-flows br0
run ovs-appctl dpctl/dump-flows
run ovs-appctl fdb/show br0
run ovs-appctl dpif/show
run ovs-appctl ofproto/trace br0 in_port=1,dl_src=50:54:00:00:00:01,dl_dst=50:54:00:00:00:02,ip,nw_src=10.0.0.1,nw_dst=10.0.0.2
