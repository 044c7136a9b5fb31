#!/usr/bin/env bash
# Installs the Debian packages the tests need, if missing. Installing
# openvswitch-switch must not leave the stock OVS services running: a
# policy-rc.d that denies service starts is in place during the install, and
# any ovs daemon the package managed to start from the system rundir is stopped.
set -euo pipefail
missing=()
for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
had_policy=0
[ -e /usr/sbin/policy-rc.d ] && had_policy=1
if [ $had_policy -eq 0 ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
for i in $(seq 1 60); do
  fuser /var/lib/dpkg/lock-frontend >/dev/null 2>&1 || break
  sleep 2
done
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Belt and braces: stop stock services if something started them anyway.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet openvswitch-switch 2>/dev/null; then
  systemctl stop openvswitch-switch || true
fi
for pf in /var/run/openvswitch/ovs-vswitchd.pid /var/run/openvswitch/ovsdb-server.pid; do
  [ -f "$pf" ] && kill "$(cat "$pf")" 2>/dev/null || true
done
exit 0
