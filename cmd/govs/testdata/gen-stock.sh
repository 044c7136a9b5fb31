#!/bin/sh
# gen-stock.sh: regenerates stock-list-commands.txt, the `ovs-appctl
# list-commands` of stock ovs-vswitchd 3.1 started with --enable-dummy, from
# a private stock daemon in a temporary rundir.
set -eu
out=$(cd "$(dirname "$0")" && pwd)/stock-list-commands.txt
d=$(mktemp -d)
export OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d
ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$d/conf.db" --remote=punix:"$d/db.sock" --pidfile --detach --no-chdir --log-file
ovs-vsctl --no-wait init
ovs-vswitchd --enable-dummy --disable-system --disable-system-route --detach --no-chdir --pidfile --log-file 2>/dev/null
ovs-appctl list-commands > "$out"
ovs-appctl exit
ovs-appctl -t ovsdb-server exit
rm -rf "$d"
