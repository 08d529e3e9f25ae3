#!/usr/bin/env bats
# vm-qemu: the seed's test with real virtual machines. Two QEMU guests
# (stock Debian cloud kernel, busybox initramfs: tests/vm/) sit on tap
# ports of br0; an uplink port connects br0 to an "external" namespace
# with its own address in another subnet and a default route back. Each
# guest pings the other and the external address, prints
# "SY-VM-RESULT NAME PASS|FAIL" on its serial console; the test then
# stops both.
#
#   guest vm1  tap ID-t1  52:54:00:77:00:01  10.77.0.21/24
#   guest vm2  tap ID-t2  52:54:00:77:00:02  10.77.0.22/24
#   external   ID-ext     02:77:00:00:00:01  10.77.1.1/24, default dev eth0
#
# Software emulation (TCG) by default; SY_VM_ACCEL=kvm for KVM. Each guest
# gets at most SY_VM_TIMEOUT (180) seconds.

load helpers

setup_file() {
    "$BATS_TEST_DIRNAME/../vm/build-image.sh" >/dev/null
}

# sy_tap NAME: a tap device ID-NAME in the switch namespace, up.
sy_tap() {
    local dev=$SY_ID-$1
    ip -n "$SY_NS_SW" tuntap add dev "$dev" mode tap
    ip -n "$SY_NS_SW" link set "$dev" up
    echo "$dev"
}

@test "two QEMU guests on br0 ping each other and the external address" {
    local vm tap1 tap2 pid1 pid2 start deadline elapsed ext_echos fdb
    local timeout=${SY_VM_TIMEOUT:-180}
    local ext_ip=10.77.1.1

    sy_start_daemons
    run portd add-br br0
    assert_success

    # The uplink: the outside world is a namespace behind one port.
    sy_vm ext "$ext_ip/24"
    sy_ns_exec ext ip route add default dev eth0
    sy_attach br0 ext

    tap1=$(sy_tap t1)
    tap2=$(sy_tap t2)
    run portd add-port br0 "$tap1"
    assert_success
    run portd add-port br0 "$tap2"
    assert_success

    start=$SECONDS
    pid1=$("$SY_SRCDIR/tests/vm/run-guest.sh" "$SY_NS_SW" "$tap1" 52:54:00:77:00:01 \
            vm1 10.77.0.21/24 10.77.0.22 "$ext_ip" "$SY_DIR/vm1.serial" 90)
    sy_track_pid "$pid1"
    pid2=$("$SY_SRCDIR/tests/vm/run-guest.sh" "$SY_NS_SW" "$tap2" 52:54:00:77:00:02 \
            vm2 10.77.0.22/24 10.77.0.21 "$ext_ip" "$SY_DIR/vm2.serial" 90)
    sy_track_pid "$pid2"

    # Wait until both guests have printed their results (each keeps
    # answering pings after that), or both have stopped, or time is up.
    deadline=$((SECONDS + timeout))
    while [ $SECONDS -lt $deadline ]; do
        if grep -aq SY-VM-RESULT "$SY_DIR/vm1.serial" && grep -aq SY-VM-RESULT "$SY_DIR/vm2.serial"; then
            break
        fi
        sy_pid_alive "$pid1" || sy_pid_alive "$pid2" || break
        sleep 1
    done
    elapsed=$((SECONDS - start))
    echo "# guests done in ${elapsed}s (accel ${SY_VM_ACCEL:-tcg})" >&3
    # What the switch learned, while the guests are still up.
    fdb=$(flowd fdb-show br0 2>&1 || true)
    sy_kill_pid "$pid1"
    sy_kill_pid "$pid2"

    for vm in vm1 vm2; do
        echo "---- $vm serial console"
        tr -d '\r' < "$SY_DIR/$vm.serial" | grep -v '^\s*$' | tail -n 20 || true
        cat "$SY_DIR/$vm.serial.qemu" 2>/dev/null || true
    done
    [ $elapsed -lt $timeout ] || fail "guests still running after ${timeout}s"

    run grep -a "SY-VM-RESULT" "$SY_DIR/vm1.serial"
    assert_output --partial "SY-VM-RESULT vm1 PASS"
    assert_output --partial "peer=10.77.0.22:ok external=$ext_ip:ok"
    run grep -a "SY-VM-RESULT" "$SY_DIR/vm2.serial"
    assert_output --partial "SY-VM-RESULT vm2 PASS"
    assert_output --partial "peer=10.77.0.21:ok external=$ext_ip:ok"

    # The external host answered both guests.
    ext_echos=$(sy_ns_exec ext awk '/^Icmp:/ { if (!n++) { for (i = 1; i <= NF; i++) if ($i == "InEchos") f = i } else print $f }' /proc/net/snmp)
    [ "$ext_echos" -ge 2 ] || fail "the external namespace got $ext_echos echo requests"

    # The switch learned both guests on their tap ports and the external
    # host on the uplink.
    [ -n "$fdb" ] || fail "flowd fdb-show br0 printed nothing"
    run echo "$fdb"
    assert_line --regexp "^ *$(sy_ofport br0 "$tap1") +0 +52:54:00:77:00:01 "
    assert_line --regexp "^ *$(sy_ofport br0 "$tap2") +0 +52:54:00:77:00:02 "
    assert_line --regexp "^ *$(sy_ofport br0 "${SY_VM_PORT[ext]}") +0 +${SY_VM_MAC[ext]} "
}
