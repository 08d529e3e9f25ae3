#!/usr/bin/env bash
# install-deps.sh: install the Debian packages switchyard needs to build
# (group "build") and to run its tests and demo (group "test").
#
#   tests/install-deps.sh [build] [test]     (no argument = both)
#
# Idempotent and quiet: it asks dpkg which packages are missing first and
# runs apt-get (update + install) only when something is.
set -euo pipefail

build_pkgs=(build-essential pkg-config clang libnl-3-dev libnl-genl-3-dev
            libnl-route-3-dev libssl-dev libedit-dev linux-libc-dev)
# The VM test (tests/bats/vm-qemu.bats) also needs qemu's firmware
# (seabios, ipxe-qemu come with qemu-system-x86), busybox-static + cpio +
# gzip for the initramfs, and dpkg/apt-get to fetch a stock Debian kernel.
test_pkgs=(bats bats-support bats-assert jq iproute2 iputils-ping tcpdump
           iperf3 python3-scapy ethtool procps psmisc qemu-system-x86
           busybox-static cpio gzip kmod coreutils util-linux openvswitch-switch openvswitch-common
           openvswitch-testcontroller rpm systemd logrotate git nfdump tshark
           python3-os-ken tmux bash-completion openssl iputils-arping shellcheck)

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

wanted=()
for group in "${groups[@]}"; do
    case $group in
        build) wanted+=("${build_pkgs[@]}") ;;
        test)  wanted+=("${test_pkgs[@]}") ;;
        *) echo "install-deps.sh: unknown group \"$group\" (expected build or test)" >&2
           exit 2 ;;
    esac
done

# One dpkg-query call for all: it prints "NAME ii " for installed ones
# and nothing (an error on stderr) for unknown ones.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${wanted[@]}" 2>/dev/null || true)
missing=()
for pkg in "${wanted[@]}"; do
    grep -q "^$pkg ii" <<<"$installed" || missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: missing packages: ${missing[*]}; run as root" >&2
    exit 1
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
