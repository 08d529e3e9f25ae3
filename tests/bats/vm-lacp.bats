#!/usr/bin/env bats
# vm-lacp: LACP (802.1AX) between a switchyard bond and the Linux kernel's
# own bonding driver in 802.3ad mode. The host kernel has no bonding
# driver, so the far side is a QEMU guest (tests/vm/, stock Debian
# kernel) whose two virtio NICs are bonded; their host ends are the tap
# members of bond0 on br0. The guest pings a namespace on br0 through
# its bond and reports what its bonding driver agreed with us:
# "SY-VM-RESULT lacp PASS ... lacp-partner=MAC ports=2".
# Our lacp=passive forms with the Linux side active; with the Linux side
# passive too (sy.lacp_active=off) nobody speaks first and nothing forms,
# until our side turns active.
#
#   guest     taps ID-t1, ID-t2   52:54:00:77:00:01/02   bond0 10.77.0.21/24
#   namespace vm1                 on br0                  10.77.0.11/24
#
# TCG by default (SY_VM_ACCEL=kvm for KVM); at most SY_VM_TIMEOUT (180) s.

load helpers

setup_file() {
    "$BATS_TEST_DIRNAME/../vm/build-image.sh" >/dev/null
}

sy_tap() {
    local dev=$SY_ID-$1
    ip -n "$SY_NS_SW" tuntap add dev "$dev" mode tap
    ip -n "$SY_NS_SW" link set "$dev" up
    echo "$dev"
}

# lacp_ready: both members are in use, with the guest as LACP partner.
lacp_ready() {
    local show
    show=$(flowd bond-show br0) || return 1
    [ "$(grep -c 'lacp partner: 52:54:00:77:00:01 .*sync,collecting,distributing' <<< "$show")" -eq 2 ] &&
        ! grep -q "not in use" <<< "$show"
}

# start_lacp OUR_LACP WAIT: br0 with namespace vm1 and bond0 (taps t1, t2,
# balance-tcp, lacp=OUR_LACP), and the guest bonded over the taps, trying
# its pings for WAIT seconds; SY_VM_APPEND adds to its kernel command line.
# Sets GUEST_PID.
start_lacp() {
    local tap1 tap2

    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    tap1=$(sy_tap t1)
    tap2=$(sy_tap t2)
    run portd add-bond br0 bond0 "$tap1" "$tap2" bond_mode=balance-tcp "lacp=$1"
    assert_success
    GUEST_PID=$(SY_VM_TAP2=$tap2 SY_VM_MAC2=52:54:00:77:00:02 \
                SY_VM_APPEND="sy.bond=802.3ad ${SY_VM_APPEND:-}" \
                "$SY_SRCDIR/tests/vm/run-guest.sh" "$SY_NS_SW" "$tap1" 52:54:00:77:00:01 \
                lacp 10.77.0.21/24 "${SY_VM_IP[vm1]}" "${SY_VM_IP[vm1]}" "$SY_DIR/lacp.serial" "$2")
    sy_track_pid "$GUEST_PID"
}

# wait_guest_result: until the guest prints its result (or dies, or
# SY_VM_TIMEOUT, 180 s, passes).
wait_guest_result() {
    local deadline=$((SECONDS + ${SY_VM_TIMEOUT:-180}))

    while [ $SECONDS -lt $deadline ] && ! grep -aq SY-VM-RESULT "$SY_DIR/lacp.serial" 2>/dev/null; do
        sy_pid_alive "$GUEST_PID" || break
        sleep 1
    done
}

show_guest_console() {
    echo "---- guest serial console"
    tr -d '\r' < "$SY_DIR/lacp.serial" | grep -v '^\s*$' | tail -n 40 || true
    cat "$SY_DIR/lacp.serial.qemu" 2>/dev/null || true
}

# assert_guest_aggregated SHOW: the guest's aggregator holds both links,
# and its partner is us (the system id in our LACPDUs, from bond-show SHOW).
assert_guest_aggregated() {
    local sys_id

    run grep -a "SY-VM-RESULT" "$SY_DIR/lacp.serial"
    assert_output --partial "SY-VM-RESULT lacp PASS"
    assert_output --partial "ports=2"
    sys_id=$(sed -nE 's/^ *lacp actor: ([0-9a-f:]{17}) .*$/\1/p' <<< "$1" | head -n 1)
    [ -n "$sys_id" ] || fail "no actor system id in bond-show"
    assert_output --partial "lacp-partner=$sys_id"
}

@test "a bond with lacp=passive forms one aggregator with the Linux 802.3ad bonding driver" {
    local show ready=0

    start_lacp passive 90
    wait_guest_result
    # Our side: both members in use, partner = the guest's bond, while
    # the guest is still up.
    sy_wait_until 20 lacp_ready || true
    show=$(flowd bond-show br0)
    echo "$show"
    lacp_ready && ready=1
    sy_ping_ok vm1 10.77.0.21
    sy_kill_pid "$GUEST_PID"
    show_guest_console
    assert_guest_aggregated "$show"
    [ "$ready" = 1 ] || fail "flowd did not put both members in use"
}

@test "two passive LACP ends form nothing; our side turning active forms the aggregator" {
    local show

    SY_VM_APPEND=sy.lacp_active=off start_lacp passive 15
    wait_guest_result
    show=$(flowd bond-show br0)
    echo "$show"
    # Neither side sent an LACPDU: no partner, no member in use.
    [ "$(grep -c 'lacp partner: none' <<< "$show")" -eq 2 ] || fail "a partner appeared"
    [ "$(grep -c 'not in use' <<< "$show")" -eq 2 ] || fail "a member is in use"
    run grep -a "SY-VM-RESULT" "$SY_DIR/lacp.serial"
    assert_output --partial "lacp-partner=00:00:00:00:00:00"

    # Active on our side: the passive guest answers, the bond forms.
    run portd set-port br0 bond0 lacp=active
    assert_success
    sy_wait_until 60 lacp_ready || { flowd bond-show br0; show_guest_console;
                                     fail "no aggregator with our side active"; }
    sy_ping_ok vm1 10.77.0.21
    sy_kill_pid "$GUEST_PID"
}
