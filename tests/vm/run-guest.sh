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
    -append "console=ttyS0 quiet panic=-1 sy.name=$name sy.ip=$ip sy.peer=$peer sy.ext=$ext sy.wait=$wait" \
    -netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
    -device "virtio-net-pci,netdev=n0,mac=$mac,romfile=" \
    < /dev/null > "$serial.qemu" 2>&1 &
echo $!
