#!/usr/bin/env bash
# run-guest.sh: start one QEMU guest of tests/bats/vm-qemu.bats in the
# background and print its PID.
#
#   run-guest.sh NETNS TAP MAC NAME IP/LEN PEER EXT SERIAL_LOG [WAIT]
#
# The guest boots the kernel and initramfs from build-image.sh, with one
# virtio-net NIC on tap device TAP (which must exist in network namespace
# NETNS; qemu runs inside NETNS to open it). Its serial console goes to
# SERIAL_LOG, where tests/vm/init prints "SY-VM-RESULT NAME PASS|FAIL".
# Software emulation (TCG) by default; SY_VM_ACCEL=kvm to use KVM.
# SY_VM_TAP2 (with SY_VM_MAC2) gives the guest a second NIC, eth1, and
# both NICs a speed and full duplex (which 802.3ad needs to aggregate);
# SY_VM_APPEND adds to the kernel command line (e.g. sy.bond=802.3ad).
set -euo pipefail

[ $# -ge 8 ] || { echo "usage: $0 NETNS TAP MAC NAME IP/LEN PEER EXT SERIAL_LOG [WAIT]" >&2; exit 2; }
netns=$1 tap=$2 mac=$3 name=$4 ip=$5 peer=$6 ext=$7 serial=$8 wait=${9:-90}

cache=${SY_VM_CACHE:-$(cd "$(dirname "$0")" && pwd)/cache}
accel=${SY_VM_ACCEL:-tcg}

ip netns exec "$netns" qemu-system-x86_64 \
    -accel "$accel" -machine q35 -cpu max -m 256 -smp 1 \
    -nographic -nodefaults -no-user-config -monitor none -no-reboot \
    -serial "file:$serial" \
    -kernel "$cache/vmlinuz" -initrd "$cache/initramfs.gz" \
    -append "console=ttyS0 quiet panic=-1 sy.name=$name sy.ip=$ip sy.peer=$peer sy.ext=$ext sy.wait=$wait ${SY_VM_APPEND:-}" \
    -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
    -device "virtio-net-pci,netdev=n0,mac=$mac,romfile=${SY_VM_TAP2:+,speed=10000,duplex=full}" \
    ${SY_VM_TAP2:+-netdev "tap,id=n1,ifname=$SY_VM_TAP2,script=no,downscript=no"} \
    ${SY_VM_TAP2:+-device "virtio-net-pci,netdev=n1,mac=${SY_VM_MAC2:-52:54:00:77:01:01},romfile=,speed=10000,duplex=full"} \
    < /dev/null > "$serial.qemu" 2>&1 &
echo $!
