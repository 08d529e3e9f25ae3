#!/usr/bin/env bats
# kernel-dp: the kernel datapath, in a QEMU guest on a stock Debian kernel
# (this machine's kernel has no openvswitch module). setup_file builds the
# image (tests/vm/build-kernel-image.sh: the module, dp, flowd, portd and
# ofctl and tunnel from SY_BINDIR, Debian's ovs-dpctl), boots it once and waits for the
# guest's tests/vm/kernel-tests.sh (dp) and kernel-flowd-tests.sh (flowd on
# a kernel bridge) to print their "SY-KTEST NAME PASS|FAIL" lines and
# "SY-KTEST-DONE" on the serial console; each @test below asserts on one
# group of lines. teardown_file kills qemu by its PID.
#
# Runs only with SY_KERNEL_TESTS=1 (make check-kernel sets it), so that the
# whole suite stays quick unless asked. Software emulation (TCG) by
# default; SY_VM_ACCEL=kvm where KVM works. The guest gets at most
# SY_VM_TIMEOUT (600) seconds (3-5 minutes on a loaded 2-core host).

# Bats 1.8 (Debian 12) cannot skip from setup_file: setup skips each test.
setup_file() {
    if [ "${SY_KERNEL_TESTS:-0}" = 1 ]; then
        boot_guest
    fi
}

setup() {
    if [ "${SY_KERNEL_TESTS:-0}" != 1 ]; then
        skip "kernel datapath tests run with SY_KERNEL_TESTS=1 (make check-kernel)"
    fi
}

# boot_guest: builds the image, boots it and waits for the guest's tests.
boot_guest() {
    local bindir=${SY_BINDIR:-$BATS_TEST_DIRNAME/../../build/bin}
    local image timeout=${SY_VM_TIMEOUT:-600} deadline start
    export SY_KSERIAL=$BATS_FILE_TMPDIR/serial.log

    start=$SECONDS
    image=$("$BATS_TEST_DIRNAME/../vm/build-kernel-image.sh" "$bindir" | tail -n 1)
    echo "# image ready in $((SECONDS - start))s" >&3
    start=$SECONDS
    qemu-system-x86_64 -accel "${SY_VM_ACCEL:-tcg}" -machine q35 -cpu max -m 512 -smp 1 \
        -nographic -nodefaults -no-user-config -monitor none -no-reboot \
        -serial "file:$SY_KSERIAL" -kernel "$(dirname "$image")/vmlinuz" -initrd "$image" \
        -append "console=ttyS0 quiet panic=-1" < /dev/null > "$SY_KSERIAL.qemu" 2>&1 &
    echo $! > "$BATS_FILE_TMPDIR/qemu.pid"
    deadline=$((SECONDS + timeout))
    while [ $SECONDS -lt $deadline ] && ! grep -aq SY-KTEST-DONE "$SY_KSERIAL" 2>/dev/null; do
        kill -0 "$(cat "$BATS_FILE_TMPDIR/qemu.pid")" 2>/dev/null || break
        sleep 1
    done
    echo "# guest ran the tests in $((SECONDS - start))s (accel ${SY_VM_ACCEL:-tcg})" >&3
}

teardown_file() {
    local pid

    # No early return here: Bats counts a teardown that returns early as
    # failed. The pid file is missing when no guest was booted.
    if [ -s "$BATS_FILE_TMPDIR/qemu.pid" ]; then
        pid=$(cat "$BATS_FILE_TMPDIR/qemu.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null
            sleep 1
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
}

# expect_pass NAME...: each guest check NAME printed PASS.
expect_pass() {
    local name line failed=0

    for name in "$@"; do
        # The firmware's terminal escapes may precede the first line.
        line=$(tr -d '\r' < "$SY_KSERIAL" | grep -a "SY-KTEST $name " |
               sed 's/^.*SY-KTEST /SY-KTEST /' || true)
        if [ "$line" != "SY-KTEST $name PASS" ]; then
            echo "${line:-SY-KTEST $name: no result (the guest stopped early?)}"
            failed=1
        fi
    done
    if [ $failed = 1 ]; then
        echo "---- serial console (last 40 lines)"
        tr -d '\r' < "$SY_KSERIAL" | grep -av '^\s*$' | tail -n 40
        cat "$SY_KSERIAL.qemu" 2>/dev/null
    fi
    return $failed
}

@test "the guest boots, loads openvswitch and finishes" {
    grep -aq SY-KTEST-DONE "$SY_KSERIAL"
    expect_pass modules-loaded
}

@test "dp add-dp and add-if make a datapath with netdev, internal and vxlan ports" {
    expect_pass add-dp add-dp-twice-fails veth-setup add-if-v1 add-if-v2 add-if-internal \
        add-if-vxlan add-if-missing-fails
}

@test "dp show lists ports with numbers and types, and statistics" {
    expect_pass show-header show-local show-v1 show-v2 show-internal show-vxlan show-json \
        show-stats show-flows show-port-stats
}

@test "flows added by hand in both directions carry a ping" {
    expect_pass no-flows-no-ping add-flow-ip-1to2 add-flow-ip-2to1 add-flow-arp-1to2 \
        add-flow-arp-2to1 add-flow-exists-fails add-flow-bad-fails ping-through
}

@test "dp dump-flows and get-flow show the flows with packet counts" {
    expect_pass dump-ip-1to2 dump-ip-2to1 dump-arp dump-json get-flow
}

@test "ovs-dpctl reads the datapath and flows dp made, and dp reads ovs-dpctl's flow" {
    expect_pass ovs-show-header ovs-show-v1 ovs-show-v2 ovs-show-internal ovs-show-vxlan \
        ovs-dump-ip ovs-dump-arp ovs-dump-count ovs-add-flow dp-reads-ovs-flow del-ovs-flow
}

@test "dp mod-flow changes actions in place" {
    expect_pass mod-flow-drop mod-flow-no-ping mod-flow-back ping-after-mod mod-missing-fails
}

@test "del-flow, del-flows, del-if and del-dp clean up" {
    expect_pass del-flow del-flow-missing-fails dump-after-del del-flows ovs-dump-after-del-flows \
        del-if show-after-del-if del-if-gone del-dp del-dp-gone veth-back-to-host
}

@test "flowd: portd add-br picks the kernel datapath, ports become vports" {
    expect_pass veth-setup-flowd flowd-start portd-start add-br add-br-kernel add-port-k1 \
        add-port-k2 kbr-port-local kbr-port-k1 kbr-port-k2
}

@test "flowd: a kernel bridge learns MACs and forwards by the megaflows it installs" {
    expect_pass kbr-ping kbr-ping-again kbr-fdb-h1 kbr-fdb-h2 kbr-megaflow-1to2 \
        kbr-megaflow-2to1 kbr-megaflow-hits kbr-ofctl-show
}

@test "flowd: an OpenFlow drop rule replaces the kernel flows and counts their packets" {
    expect_pass of-add-drop of-drop-no-ping of-drop-megaflow of-drop-counted of-del-drop \
        of-ping-back
}

@test "flowd: sFlow on a kernel bridge samples by a sample action; with sampling 1 every packet" {
    expect_pass sflow-warm sflow-capture sflow-on sflow-ping sflow-sample-action \
        sflow-every-packet sflow-agent sflow-rate sflow-rate-ping \
        sflow-rate-action sflow-off sflow-off-ping sflow-off-no-sample sflow-none-lost
}

@test "flowd: no mirror copy goes to an admin_state=down output port of a kernel bridge" {
    expect_pass mirror-setup mirror-port mirror-add mirror-down mirror-down-ping \
        mirror-down-flow mirror-down-no-copy mirror-down-nothing-sent mirror-up mirror-up-ping \
        mirror-up-copy mirror-up-copies-sent mirror-del
}

@test "flowd: a burst of 100 new flows is set up through upcalls without loss" {
    expect_pass netflow-on iperf-server iperf-listening burst-iperf burst-flows burst-no-loss \
        netflow-off
}

@test "flowd: Debian's ovs-dpctl reads a kernel bridge's flows; flowd puts per-vport upcalls back" {
    expect_pass ovs-dpctl-warm kbr-ovs-dpctl kbr-upcalls-restored
}

@test "flowd: a restart loses no ping, and the new flowd takes the kernel flows over" {
    expect_pass restart-warm restart-stop restart-flows-stay restart-start restart-no-loss \
        restart-running restart-adopted restart-fdb restart-counters restart-ping
}

@test "flowd: a device deleted and created again gets its vport back" {
    expect_pass replug-del replug-vport-gone replug-add replug-vport-back replug-ping
}

@test "flowd: admin_state=down on a kernel port drops what it receives and sends it nothing" {
    expect_pass admin-down admin-down-no-ping admin-down-no-ping-in admin-down-drop-flow \
        admin-down-shown admin-up admin-up-ping
}

@test "flowd: ingress policing by a kernel meter, egress shaping by tc tbf, on kernel ports" {
    expect_pass police-set police-rate police-meter-action police-counted \
        police-only-policed police-unset police-gone \
        shape-set shape-rate shape-unset shape-gone
}

@test "flowd: patch ports are refused on a kernel bridge with the reason" {
    expect_pass patch-refused patch-del
}

@test "flowd: idle kernel flows expire, del-port and del-br delete vport and datapath" {
    expect_pass idle-timeout idle-expired del-port del-port-vport-gone del-br \
        del-br-datapath-gone flowd-exit no-sanitizer-reports
}

@test "flowd: tunnel ports of a kernel bridge share one vport per type and reach kernel vxlan, geneve and gretap peers" {
    expect_pass tnl-setup tnl-add-br tnl-add-port tnl-add-vxlan tnl-add-geneve tnl-add-gre \
        tnl-vport-vxlan tnl-vport-geneve tnl-vport-gre tnl-ping-vxlan tnl-ping-geneve \
        tnl-ping-gre tnl-flow-encap tnl-flow-decap tnl-fdb
}

@test "flowd: tunnel show on a kernel bridge says up, or why not (no route to the remote)" {
    expect_pass tnl-show-up tnl-noroute-add tnl-show-noroute tnl-noroute-del
}

@test "flowd: key=flow tunnel on a kernel bridge: set_field tun_id and a tun_id match" {
    expect_pass tnl-keyflow-del tnl-keyflow-add tnl-keyflow-of tnl-keyflow-ping \
        tnl-keyflow-encap tnl-keyflow-decap tnl-del-br tnl-vports-gone
}

@test "flowd: an active-backup bond on a kernel bridge: one port, a vport per member, failover to the other member" {
    expect_pass bond-setup bond-linux-ab bond-add-br bond-add-port bond-add bond-vports \
        bond-ping bond-active-bm1 bond-flow-in bond-flow-out bond-stats bond-ofctl-one-port \
        bond-link-down bond-failover bond-ping-failover bond-ping-again bond-flow-out-bm2 \
        bond-no-flow-to-bm1 bond-link-up
}

@test "flowd: a restart keeps the kernel bond's active member and takes its flows over" {
    expect_pass bond-restart-bm1-up bond-restart-warm bond-restart-stop bond-restart-start \
        bond-restart-active bond-restart-adopted bond-restart-flow-kept bond-restart-ping
}

@test "flowd: lacp=active on a kernel bridge forms an aggregator with Linux's 802.3ad bond" {
    expect_pass lacp-del-bond lacp-linux-bond lacp-add-bond lacp-aggregator lacp-ping \
        lacp-partners lacp-flow-userspace lacp-tcp-mask lacp-del-br lacp-vports-gone
}

@test "flowd: a balance-slb bond on a kernel bridge against a Linux bridge" {
    expect_pass slb-linux-bridge slb-add-br slb-add-port slb-add-bond slb-ping slb-ping-again \
        slb-flood-drop slb-flow-out slb-del-br
}

@test "no check failed" {
    run grep -a "SY-KTEST .* FAIL" "$SY_KSERIAL"
    [ "$status" -ne 0 ] || { echo "$output"; false; }
}
