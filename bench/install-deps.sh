#!/usr/bin/env bash
# bench/install-deps.sh: the Debian packages the benchmark needs, installed
# only when missing (idempotent, quiet).
#
# Open vSwitch's postinst starts its service when it can; the benchmark
# starts its own private copy (tests/lib/ovs-sandbox.sh), so during the
# install a policy-rc.d that refuses service starts is put in place, unless
# one is there already, and removed afterwards.
set -euo pipefail

pkgs=(iperf3 openvswitch-switch openvswitch-common netsniff-ng ethtool jq
      iproute2 iputils-ping procps coreutils gawk python3)

installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${pkgs[@]}" 2>/dev/null || true)
missing=()
for pkg in "${pkgs[@]}"; do
    grep -q "^$pkg ii" <<<"$installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "bench/install-deps.sh: missing packages: ${missing[*]}; run as root" >&2
    exit 1
fi

policy=/usr/sbin/policy-rc.d
ours=
if [ ! -e "$policy" ]; then
    ours=$policy
    trap 'rm -f "$ours"' EXIT
    printf '#!/bin/sh\n# bench/install-deps.sh: no service starts during its install\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
fi

echo "bench: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
