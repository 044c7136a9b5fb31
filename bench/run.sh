#!/usr/bin/env bash
# System benchmark: ns1 -> switch -> ns2 over veths, for the Linux bridge,
# stock OVS 3.1 (userspace datapath, with and without userspace TSO) and govs.
# See bench/README.md for the measures and the CSV columns.
#
# Environment (all optional):
#   ROUNDS=3                 rounds; each round runs every config once, in order
#   CFGS="linuxbr ovs ovs-tso govs"
#   TCP_SECS=10 UDP_WARM=1 UDP_WIN=4 RR_SECS=5 EST_WIN=2 CHURN_WIN=4 EST_PPS=10000
#   GOVS=bin/govs            the govs binary (make bench builds it)
#   OUT=bench/results/<ts>-<id>  where the CSV, summary, PNG and logs go
#   PROFILE=1                record CPU profiles of govs under load (round 1, each test)
#   TESTS="tcp udp rr churn" which measures to run
#
# Everything runs in network namespaces and a temporary state directory made
# for this run only; the trap removes them and stops exactly the daemons and
# generators this script started, on every exit path.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
ROUNDS=${ROUNDS:-3}
CFGS=${CFGS:-linuxbr ovs ovs-tso govs}
TESTS=${TESTS:-tcp udp rr churn}
TCP_SECS=${TCP_SECS:-10}
UDP_WARM=${UDP_WARM:-1}
UDP_WIN=${UDP_WIN:-4}
RR_SECS=${RR_SECS:-5}
EST_WIN=${EST_WIN:-2}
CHURN_WIN=${CHURN_WIN:-4}
EST_PPS=${EST_PPS:-10000}
GOVS=${GOVS:-$ROOT/bin/govs}
PROFILE=${PROFILE:-0}
GO=${GO:-go}
CLK_TCK=$(getconf CLK_TCK)

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "FATAL: $*"; exit 1; }

for tool in ip ovsdb-server ovsdb-tool ovs-vsctl ovs-ofctl ovs-appctl ovs-vswitchd \
  iperf3 trafgen nft awk timeout; do
  command -v "$tool" >/dev/null || die "$tool not installed (make deps)"
done
[ "$(id -u)" = 0 ] || die "must run as root (namespaces, veths)"
case " $CFGS " in *" govs "*) [ -x "$GOVS" ] || die "govs binary $GOVS missing (make build)";; esac

# Unique names for this run: namespaces gb<id>sw/n1/n2, veths gb<id>p1/p2 on
# the switch side (<= 15 characters).
ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
SW=gb${ID}sw N1=gb${ID}n1 N2=gb${ID}n2
P1=gb${ID}p1 P2=gb${ID}p2 LBR=gb${ID}br
V1=v1 V2=v2
# The run id is in the default results directory too: two runs started in
# the same second must not write into one CSV.
OUT=${OUT:-$HERE/results/$(date +%Y%m%d-%H%M%S)-$ID}
MAC1=02:00:00:00:00:01 MAC2=02:00:00:00:00:02
IP1=10.0.0.1 IP2=10.0.0.2

mkdir -p "$OUT"
[ ! -e "$OUT/bench.csv" ] || die "$OUT/bench.csv exists: another run uses $OUT"
WORK=$(mktemp -d /tmp/govs-bench.XXXXXX)
D=$WORK/ovs
mkdir -p "$D" "$WORK/bin"
export OVS_RUNDIR=$D OVS_DBDIR=$D OVS_LOGDIR=$D OVS_SYSCONFDIR=$D
CSV=$OUT/bench.csv

DB_PID="" DB_START="" SW_PID="" SW_START=""
BG_PIDS=()
NETNS_MADE=()

# ------------------------------------------------------------ cleanup
proc_start() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }
alive() { # alive PID: running and not a zombie
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}
# stop_pid PID STARTTIME CTL: ask over unixctl, then SIGKILL the same process.
stop_pid() {
  local pid=$1 start=$2 ctl=$3 i
  [ -n "$pid" ] || return 0
  if [ -n "$ctl" ] && [ -S "$ctl" ]; then
    timeout 5 ovs-appctl -t "$ctl" exit >/dev/null 2>&1 || true
  fi
  for i in $(seq 1 50); do alive "$pid" || return 0; sleep 0.1; done
  if [ "$(proc_start "$pid")" = "$start" ]; then kill -9 "$pid" 2>/dev/null || true; fi
}
stop_switch() {
  [ -n "$SW_PID" ] || return 0
  stop_pid "$SW_PID" "$SW_START" "$D/ovs-vswitchd.$SW_PID.ctl"
  SW_PID="" SW_START=""
  rm -f "$D/ovs-vswitchd.pid"
}
cleanup() {
  local rc=$? p
  set +e
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  stop_switch
  [ -n "$DB_PID" ] && stop_pid "$DB_PID" "$DB_START" "$D/ovsdb-server.$DB_PID.ctl"
  for p in "${NETNS_MADE[@]}"; do ip netns del "$p" 2>/dev/null; done
  if [ $rc -ne 0 ]; then cp "$D"/*.log "$WORK"/*.stderr "$WORK/bg.log" "$OUT/" 2>/dev/null; fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ helpers
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
vsctl() { timeout 30 ovs-vsctl --timeout=20 "$@"; }
ofctl() { timeout 20 ovs-ofctl "$@"; }
appctl() { timeout 30 ovs-appctl --timeout=20 -t "$D/ovs-vswitchd.$SW_PID.ctl" "$@"; }
calc() { awk "BEGIN { printf \"%.6g\", $* }"; }
ceil() { awk "BEGIN { v = $*; printf \"%d\", (v == int(v)) ? v : int(v) + 1 }"; }

ns_add() {
  ip netns add "$1"
  NETNS_MADE+=("$1")
  ip -n "$1" link set lo up
  nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
    true # quiet counters: no IPv6 router/neighbour traffic
}
# veth_ns NS IFNAME IP MAC SWPORT
veth_ns() {
  ip -n "$1" link add "$2" type veth peer name "$5" netns "$SW"
  ip -n "$1" link set "$2" address "$4"
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$1" link set "$2" up
  ip -n "$SW" link set "$5" up
}

# Counters. Delivered packets are the receiving veth's rx_packets: the veth
# counts a frame before the nftables ingress hook of the sink drops it.
# ifstat NS IF rx_packets|tx_packets, read over netlink (no exec into the
# namespace: two reads in a row are a few milliseconds apart).
ifstat() {
  ip -n "$1" -s link show "$2" |
    awk -v d="${3%%_*}" '$1 == "RX:" { m = "rx"; next } $1 == "TX:" { m = "tx"; next } m == d { print $2; exit }'
}
sw_ticks() { # utime+stime of the switch process, in clock ticks
  if [ -n "$SW_PID" ] && [ -r "/proc/$SW_PID/stat" ]; then
    awk '{print $14+$15}' "/proc/$SW_PID/stat"
  else echo 0; fi
}
sys_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; } # jiffies of all CPUs
now() { date +%s.%N; }
# port_pkts: "p1_rx p2_tx" packets from the switch's own OpenFlow port counters
port_pkts() {
  if [ -z "$SW_PID" ]; then echo "0 0"; return; fi
  ofctl dump-ports br0 2>/dev/null | awk '
    /port +[0-9A-Z]+:/ { match($0, /port +[0-9A-Z]+:/); p = substr($0, RSTART, RLENGTH); gsub(/port|:| /, "", p) }
    / rx pkts=/ { split($0, a, "rx pkts="); split(a[2], b, ","); rx[p] = b[1] }
    / tx pkts=/ { split($0, a, "tx pkts="); split(a[2], b, ","); tx[p] = b[1] }
    END { printf "%d %d\n", rx["1"] + 0, tx["2"] + 0 }' || echo "0 0"
}
# upcalls: "miss with success upcall" summed over every forwarding thread
upcalls() {
  appctl dpif-netdev/pmd-stats-show 2>/dev/null |
    awk -F: '/miss with success upcall/ { s += $2 } END { printf "%d\n", s + 0 }' || echo 0
}
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# A sample is "switch_ticks sys_jiffies wall p1_rx p2_tx".
sample() { echo "$(sw_ticks) $(sys_busy) $(now) $(port_pkts)"; }

# row ROUND CFG TEST VALUE UNIT WINDOW OFFERED SW_CPU_PCT SYS_PCT SW_US SYS_US EXTRA
row() {
  local -a f=("$@") i
  for i in "${!f[@]}"; do [ "${f[$i]}" = - ] && f[$i]=""; done
  (IFS=,; echo "${f[*]}") >>"$CSV"
  set -- "${f[@]}"
  log "  $3 $2: $4 $5 (switch cpu ${8:-n/a}%, system ${9:-n/a}%, us/unit switch ${10:-n/a} system ${11:-n/a}) ${12}"
}

# cpu_fields S0 S1 DELIVERED -> "window sw_pct sys_pct sw_us_per sys_us_per p1_rx p2_tx"
cpu_fields() {
  local -a a=($1) b=($2)
  local win swt syst sw_pct sys_pct sw_us sys_us
  win=$(calc "${b[2]} - ${a[2]}")
  swt=$(calc "(${b[0]} - ${a[0]}) / $CLK_TCK")
  syst=$(calc "(${b[1]} - ${a[1]}) / $CLK_TCK")
  sw_pct=$(calc "100 * $swt / $win")
  sys_pct=$(calc "100 * $syst / $win / $(nproc)")
  if [ "$3" -gt 0 ]; then
    sw_us=$(calc "1e6 * $swt / $3"); sys_us=$(calc "1e6 * $syst / $3")
  else sw_us=""; sys_us=""; fi
  [ -n "$SW_PID" ] || { sw_pct=""; sw_us=""; }
  # "-" stands for "not applicable" so that the fields stay positional.
  echo "$(calc "$win") ${sw_pct:--} $sys_pct ${sw_us:--} ${sys_us:--} $((b[3] - a[3])) $((b[4] - a[4]))"
}

# bg TIMEOUT CMD...: start a bounded background command; its PID is in BGPID.
bg() {
  local t=$1; shift
  timeout --kill-after=2 "$t" "$@" >>"$WORK/bg.log" 2>&1 &
  BGPID=$!
  BG_PIDS+=("$BGPID")
}
# pin_tree PID CPU: move a process we started and its descendants to CPU
# (trafgen pins its worker to CPU 0; the established flow's generator must
# not share that CPU with the churn generator).
pin_tree() {
  local c
  command -v taskset >/dev/null || return 0
  taskset -pc "$2" "$1" >/dev/null 2>&1 || true
  for c in $(pgrep -P "$1" 2>/dev/null); do pin_tree "$c" "$2"; done
}
stop_bg() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# prof_start ROUND TEST SECONDS: with PROFILE=1, record a CPU profile of
# govs (govs/pprof-cpu) over the measuring window of TEST in round 1;
# prof_finish waits for it and writes the `go tool pprof -top` excerpt.
PROF_PID="" PROF_FILE=""
prof_start() {
  PROF_PID=""
  [ "$PROFILE" = 1 ] && [ "$CUR" = govs ] && [ "$1" = 1 ] || return 0
  PROF_FILE=$OUT/govs-cpu-$2.pprof
  bg "$(ceil "$3 + 20")" ovs-appctl --timeout="$(ceil "$3 + 15")" -t "$D/ovs-vswitchd.$SW_PID.ctl" \
    govs/pprof-cpu "$(ceil "$3")" "$PROF_FILE"
  PROF_PID=$BGPID
}
prof_finish() {
  [ -n "$PROF_PID" ] || return 0
  wait "$PROF_PID" 2>/dev/null || log "WARN: govs/pprof-cpu failed"
  PROF_PID=""
  if [ -s "$PROF_FILE" ]; then
    timeout 60 "$GO" tool pprof -top -nodecount=40 "$GOVS" "$PROF_FILE" \
      >"${PROF_FILE%.pprof}-top.txt" 2>&1 || true
    timeout 60 "$GO" tool pprof -top -cum -nodecount=40 "$GOVS" "$PROF_FILE" \
      >"${PROF_FILE%.pprof}-cum.txt" 2>&1 || true
  fi
}

wait_listen() { # NS PORT
  local i
  for i in $(seq 1 50); do
    nsx "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q . && return 0
    sleep 0.1
  done
  return 1
}
wait_ping() { # NS DST: up to ~15 s
  local i
  for i in $(seq 1 12); do
    timeout 3 ip netns exec "$1" ping -c1 -W1 -q "$2" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# ------------------------------------------------------------ build helpers
log "building bench tools"
(cd "$ROOT" && $GO build -o "$WORK/bin/" ./bench/cmd/tcprr ./bench/cmd/benchreport) ||
  die "go build of bench/cmd failed"
TCPRR=$WORK/bin/tcprr

# ------------------------------------------------------------ topology
log "run $ID: results in $OUT"
ns_add "$SW"; ns_add "$N1"; ns_add "$N2"
veth_ns "$N1" "$V1" "$IP1" "$MAC1" "$P1"
veth_ns "$N2" "$V2" "$IP2" "$MAC2" "$P2"
nsx "$SW" sysctl -qw "net.ipv6.conf.$P1.disable_ipv6=1" "net.ipv6.conf.$P2.disable_ipv6=1" || true
ip -n "$SW" link add "$LBR" type bridge
ip -n "$SW" link set "$LBR" up
# Sinks: generator traffic (udp/9 forward, udp/10 backward) is counted and
# dropped at ingress, the cheapest place after the veth's own counter.
for ns_if in "$N2:$V2" "$N1:$V1"; do
  nsx "${ns_if%%:*}" nft -f - <<EOF
table netdev sink {
  chain in {
    type filter hook ingress device ${ns_if#*:} priority -500;
    udp dport 9 counter drop
    udp dport 10 counter drop
  }
}
EOF
done

# ------------------------------------------------------------ OVSDB
ovsdb-tool create "$D/conf.db" /usr/share/openvswitch/vswitch.ovsschema
timeout 30 ip netns exec "$SW" ovsdb-server "$D/conf.db" --remote="punix:$D/db.sock" \
  --pidfile="$D/ovsdb-server.pid" --log-file="$D/ovsdb-server.log" -vconsole:off \
  --detach --no-chdir 2>>"$WORK/ovsdb-server.stderr"
DB_PID=$(cat "$D/ovsdb-server.pid")
DB_START=$(proc_start "$DB_PID")
vsctl --no-wait init
vsctl --no-wait add-br br0 -- set bridge br0 datapath_type=netdev \
  -- add-port br0 "$P1" -- set interface "$P1" ofport_request=1 \
  -- add-port br0 "$P2" -- set interface "$P2" ofport_request=2

# ------------------------------------------------------------ configs
start_switch() { # BIN-AND-ARGS... (userspace-tso-enable set beforehand)
  timeout 60 ip netns exec "$SW" "$@" "unix:$D/db.sock" \
    --pidfile="$D/ovs-vswitchd.pid" --log-file="$D/ovs-vswitchd.log" -vconsole:off \
    --detach --no-chdir 2>>"$WORK/switch.stderr" || die "$* did not start (log: $(tail -5 "$D/ovs-vswitchd.log" 2>/dev/null))"
  SW_PID=$(cat "$D/ovs-vswitchd.pid")
  SW_START=$(proc_start "$SW_PID")
  local i of1 of2
  for i in $(seq 1 100); do
    of1=$(vsctl get interface "$P1" ofport 2>/dev/null || echo -1)
    of2=$(vsctl get interface "$P2" ofport 2>/dev/null || echo -1)
    [ "$of1" = 1 ] && [ "$of2" = 2 ] && ofctl dump-ports br0 >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  log "WARN: ports not up: $(vsctl get interface "$P1" error 2>/dev/null) $(vsctl get interface "$P2" error 2>/dev/null)"
}

CUR=""
use_cfg() { # CFG
  local c=$1
  stop_switch
  ip -n "$SW" link set "$P1" nomaster 2>/dev/null || true
  ip -n "$SW" link set "$P2" nomaster 2>/dev/null || true
  case $c in
    linuxbr)
      ip -n "$SW" link set "$P1" master "$LBR"
      ip -n "$SW" link set "$P2" master "$LBR" ;;
    ovs | ovs-tso)
      vsctl --no-wait set Open_vSwitch . \
        "other_config:userspace-tso-enable=$([ "$c" = ovs-tso ] && echo true || echo false)"
      start_switch ovs-vswitchd ;;
    govs)
      vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=false
      start_switch "$GOVS" vswitchd ;;
    *) die "unknown config $c" ;;
  esac
  CUR=$c
  wait_ping "$N1" "$IP2" || log "WARN: $c: ns1 cannot ping ns2"
  timeout 3 ip netns exec "$N2" ping -c1 -W1 -q "$IP1" >/dev/null 2>&1 || true
}

# ------------------------------------------------------------ measures
tcp_test() { # ROUND
  local out s0 s1 gbps retr f
  f=$WORK/iperf.txt
  bg $(ceil "$TCP_SECS + 20") ip netns exec "$N2" iperf3 -s -1 -p 5201
  local srv=$BGPID
  wait_listen "$N2" 5201 || log "WARN: iperf3 server did not listen"
  prof_start "$1" tcp "$TCP_SECS"
  s0=$(sample)
  timeout $(ceil "$TCP_SECS + 15") ip netns exec "$N1" iperf3 -c "$IP2" -p 5201 -t "$TCP_SECS" \
    -f m --connect-timeout 3000 >"$f" 2>&1 || true
  s1=$(sample)
  stop_bg "$srv"
  prof_finish
  gbps=$(awk '/receiver$/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") v = $(i-1) } END { printf "%.3f", v / 1000 }' "$f")
  retr=$(awk '/sender$/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") r = $(i+1) } END { print r + 0 }' "$f")
  local -a c=($(cpu_fields "$s0" "$s1" 0))
  local err=""
  grep -q 'error' "$f" && err=" error=$(grep -m1 error "$f" | tr ' ,' '__')"
  row "$1" "$CUR" tcp "$gbps" Gbit/s "${c[0]}" "" "${c[1]}" "${c[2]}" "" "" \
    "retrans=$retr p1_rx=${c[5]} p2_tx=${c[6]} load=$(loadavg)$err"
}

# udp_test ROUND NAME TRAFGEN-CONFIG
udp_test() {
  local a b o0 o1 s0 s1
  bg $(ceil "$UDP_WARM + $UDP_WIN + 10") ip netns exec "$N1" trafgen --dev "$V1" --conf "$HERE/$3" \
    -P 1 -n 1000000000 --no-sock-mem -q
  local tg=$BGPID
  sleep "$UDP_WARM"
  prof_start "$1" "$2" "$UDP_WIN"
  a=$(ifstat "$N2" "$V2" rx_packets); o0=$(ifstat "$N1" "$V1" tx_packets); s0=$(sample)
  sleep "$UDP_WIN"
  b=$(ifstat "$N2" "$V2" rx_packets); o1=$(ifstat "$N1" "$V1" tx_packets); s1=$(sample)
  stop_bg "$tg"
  prof_finish
  local -a c=($(cpu_fields "$s0" "$s1" $((b - a))))
  local pps offered
  pps=$(calc "($b - $a) / ${c[0]}"); offered=$(calc "($o1 - $o0) / ${c[0]}")
  row "$1" "$CUR" "$2" "$(printf %.0f "$pps")" pps "${c[0]}" "$(printf %.0f "$offered")" \
    "${c[1]}" "${c[2]}" "${c[3]}" "${c[4]}" "p1_rx=${c[5]} p2_tx=${c[6]} load=$(loadavg)"
}

rr_test() { # ROUND
  local s0 s1 out
  bg $(ceil "$RR_SECS + 20") ip netns exec "$N2" "$TCPRR" -listen ":5202" -timeout $(ceil "$RR_SECS + 15")s
  local srv=$BGPID
  wait_listen "$N2" 5202 || log "WARN: tcprr server did not listen"
  prof_start "$1" tcp_rr "$RR_SECS"
  s0=$(sample)
  out=$(timeout $(ceil "$RR_SECS + 15") ip netns exec "$N1" "$TCPRR" -connect "$IP2:5202" \
    -duration "${RR_SECS}s" 2>&1) || true
  s1=$(sample)
  stop_bg "$srv"
  prof_finish
  local tps n
  tps=$(echo "$out" | awk -F'[ =]' '/^transactions=/ { for (i = 1; i < NF; i++) if ($i == "tps") print $(i+1) }')
  n=$(echo "$out" | awk -F'[ =]' '/^transactions=/ { print $2 }')
  local -a c=($(cpu_fields "$s0" "$s1" "${n:-0}"))
  local err=""
  [ -n "$tps" ] || err=" error=$(echo "$out" | head -1 | tr ' ,' '__')"
  row "$1" "$CUR" tcp_rr "${tps:-0}" trans/s "${c[0]}" "" "${c[1]}" "${c[2]}" "${c[3]}" "${c[4]}" \
    "p1_rx=${c[5]} p2_tx=${c[6]} load=$(loadavg)$err"
}

# churn_test ROUND: megaflow setup rate while an established flow keeps going.
# The flow below makes the UDP source port (and source address) part of every
# megaflow in both switches alike, so each generated packet is a new megaflow.
churn_test() {
  [ -n "$SW_PID" ] || return 0
  ofctl add-flow br0 'priority=10,udp,actions=move:NXM_OF_UDP_SRC[]->NXM_NX_REG0[0..15],move:NXM_OF_IP_SRC[]->NXM_NX_REG1[],NORMAL'
  # Established flow: ns2 -> ns1, one megaflow, paced by an inter-packet gap
  # (trafgen's -b rate sends a whole second's worth of frames as one burst).
  bg $(ceil "$EST_WIN + $CHURN_WIN + $UDP_WARM + 15") ip netns exec "$N2" trafgen --dev "$V2" \
    --conf "$HERE/udp64-est.trafgen" -P 1 -t "$(ceil "1000000 / $EST_PPS")us" -n 1000000000 --no-sock-mem -q
  local est=$BGPID
  sleep 0.3
  [ "$(nproc)" -gt 1 ] && pin_tree "$est" 1
  sleep "$UDP_WARM"
  local e0 eo0 e1 eo1 e2 eo2 e3 eo3 u0 u1 s0 s1 d0 d1 o0 o1
  e0=$(ifstat "$N1" "$V1" rx_packets); eo0=$(ifstat "$N2" "$V2" tx_packets); local t0; t0=$(now)
  sleep "$EST_WIN"
  e1=$(ifstat "$N1" "$V1" rx_packets); eo1=$(ifstat "$N2" "$V2" tx_packets); local t1; t1=$(now)
  # Churn: ns1 -> ns2, random source address and port, full speed on one CPU.
  bg $(ceil "$CHURN_WIN + $UDP_WARM + 10") ip netns exec "$N1" trafgen --dev "$V1" \
    --conf "$HERE/udp64-churn.trafgen" -P 1 -n 1000000000 --no-sock-mem -q
  local ch=$BGPID
  sleep 0.5
  prof_start "$1" megaflow_setup "$CHURN_WIN"
  u0=$(upcalls); s0=$(sample); d0=$(ifstat "$N2" "$V2" rx_packets); o0=$(ifstat "$N1" "$V1" tx_packets)
  e2=$(ifstat "$N1" "$V1" rx_packets); eo2=$(ifstat "$N2" "$V2" tx_packets); local t2; t2=$(now)
  sleep "$CHURN_WIN"
  u1=$(upcalls); s1=$(sample); d1=$(ifstat "$N2" "$V2" rx_packets); o1=$(ifstat "$N1" "$V1" tx_packets)
  e3=$(ifstat "$N1" "$V1" rx_packets); eo3=$(ifstat "$N2" "$V2" tx_packets); local t3; t3=$(now)
  stop_bg "$ch"
  stop_bg "$est"
  prof_finish
  ofctl --strict del-flows br0 'priority=10,udp' || true
  local -a c=($(cpu_fields "$s0" "$s1" $((u1 - u0))))
  local rate before during bo do
  rate=$(calc "($u1 - $u0) / ${c[0]}")
  before=$(calc "($e1 - $e0) / ($t1 - $t0)"); bo=$(calc "($eo1 - $eo0) / ($t1 - $t0)")
  during=$(calc "($e3 - $e2) / ($t3 - $t2)"); do=$(calc "($eo3 - $eo2) / ($t3 - $t2)")
  row "$1" "$CUR" megaflow_setup "$(printf %.0f "$rate")" upcalls/s "${c[0]}" \
    "$(printf %.0f "$(calc "($o1 - $o0) / ${c[0]}")")" "${c[1]}" "${c[2]}" "${c[3]}" "${c[4]}" \
    "delivered_pps=$(printf %.0f "$(calc "($d1 - $d0) / ${c[0]}")") load=$(loadavg)"
  row "$1" "$CUR" est_before "$(printf %.0f "$before")" pps "$(calc "$t1 - $t0")" \
    "$(printf %.0f "$bo")" "" "" "" "" "load=$(loadavg)"
  row "$1" "$CUR" est_during "$(printf %.0f "$during")" pps "$(calc "$t3 - $t2")" \
    "$(printf %.0f "$do")" "" "" "" "" "load=$(loadavg)"
}

# ------------------------------------------------------------ main loop
echo "round,cfg,test,value,unit,window_s,offered,switch_cpu_pct,sys_busy_pct,switch_us_per_unit,sys_us_per_unit,extra" >"$CSV"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT" && git diff --quiet HEAD -- . 2>/dev/null || echo " (working tree differs)")"
  echo "govs: $GOVS"
  echo "kernel: $(uname -r)"
  echo "cpus: $(nproc) x $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "ovs: $(ovs-vswitchd --version | head -1)"
  echo "settings: ROUNDS=$ROUNDS CFGS='$CFGS' TESTS='$TESTS' TCP_SECS=$TCP_SECS UDP_WARM=$UDP_WARM UDP_WIN=$UDP_WIN RR_SECS=$RR_SECS EST_WIN=$EST_WIN CHURN_WIN=$CHURN_WIN EST_PPS=$EST_PPS"
  echo "load at start: $(cat /proc/loadavg)"
} >"$OUT/machine.txt"

for r in $(seq 1 "$ROUNDS"); do
  for c in $CFGS; do
    log "round $r/$ROUNDS config $c"
    use_cfg "$c"
    case " $TESTS " in *" tcp "*) tcp_test "$r" ;; esac
    case " $TESTS " in *" udp "*)
      udp_test "$r" udp64_1flow udp64-1flow.trafgen
      udp_test "$r" udp64_8kflows udp64-8kflows.trafgen ;;
    esac
    case " $TESTS " in *" rr "*) rr_test "$r" ;; esac
    case " $TESTS " in *" churn "*) churn_test "$r" ;; esac
  done
done
stop_switch
cp "$D"/*.log "$OUT/" 2>/dev/null || true

"$WORK/bin/benchreport" -csv "$CSV" -png "$OUT/bench.png" | tee "$OUT/summary.txt"
