#!/usr/bin/env bats
# openflow-failmode: what a bridge does when its controllers go away
# (fail-mode standalone falls back to NORMAL after fail-open-delay, secure
# keeps its tables), and dec_ttl's invalid-TTL packet-ins, read by Debian's
# ovs-ofctl monitor.

load helpers

setup() {
    sy_setup
    sy_start_daemons
    sy_vm vm1
    sy_vm vm2
    CTL_PORT=$((20000 + RANDOM % 20000))
}

# bridge_with_vms MODE: br0 in fail-mode MODE with vm1 and vm2 on it.
bridge_with_vms() {
    run portd add-br br0 "fail-mode=$1"
    assert_success
    sy_attach br0 vm1
    sy_attach br0 vm2
    MGMT=unix:$SY_RUNDIR/br0.mgmt
}

# controller_start: a minimal OpenFlow 1.3 controller on 127.0.0.1:CTL_PORT
# in the switch namespace: it says HELLO, answers echoes and programs
# nothing, so the bridge's own tables decide; returns once flowd is
# connected to it.
controller_start() {
    ip netns exec "$SY_NS_SW" python3 -c '
import socket, struct, sys
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(1)
conn, _ = srv.accept()
print("connected", flush=True)
conn.sendall(struct.pack("!BBHI", 4, 0, 8, 1))
buf = b""
while True:
    data = conn.recv(65536)
    if not data:
        break
    buf += data
    while len(buf) >= 8:
        version, kind, length, xid = struct.unpack("!BBHI", buf[:8])
        if length < 8 or len(buf) < length:
            break
        msg, buf = buf[:length], buf[length:]
        if kind == 2:
            conn.sendall(struct.pack("!BBHI", version, 3, length, xid) + msg[8:])
' "$CTL_PORT" > "$SY_DIR/controller.out" 2>&1 < /dev/null 3>&- &
    CTL_PID=$!
    sy_track_pid "$CTL_PID"
    # flowd retries with a backoff of up to 8 s.
    sy_wait_until 30 grep -q connected "$SY_DIR/controller.out" ||
        fail "flowd never connected to the controller: $(cat "$SY_DIR/controller.out")"
}

# ping_fails FROM TO_IP: no echo of three is answered.
ping_fails() {
    ! sy_ns_exec "$1" ping -n -c 3 -i 0.3 -W 1 "$2" > /dev/null 2>&1
}

@test "standalone: with every controller lost the bridge switches by NORMAL, and stops when one returns" {
    bridge_with_vms standalone
    run sy_sw "$SY_BINDIR/ofctl" add-flow "$MGMT" "priority=100,actions=drop"
    assert_success
    # No controller configured: the tables rule, and they drop.
    ping_fails vm1 "${SY_VM_IP[vm2]}"

    run portd set-bridge br0 "controller=tcp:127.0.0.1:$CTL_PORT" fail-open-delay=1
    assert_success
    # Nobody listens there: after a second without a controller, fail-open.
    sy_wait_until 30 sy_ping vm1 "${SY_VM_IP[vm2]}" 1 ||
        fail "no fail-open: $(cat "$SY_LOGDIR/flowd.log")"
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    run flowd trace br0 "in_port=1,dl_dst=ff:ff:ff:ff:ff:ff"
    assert_success
    assert_output --partial "fail-open"
    run cat "$SY_LOGDIR/flowd.log"
    assert_output --partial "fail-open"
    # The controller's tables are set aside, not lost.
    run sy_sw "$SY_BINDIR/ofctl" dump-flows "$MGMT"
    assert_output --partial "priority=100 actions=drop"

    # The controller comes back: its (dropping) tables rule again.
    controller_start
    sy_wait_until 30 ping_fails vm1 "${SY_VM_IP[vm2]}" ||
        fail "the tables did not come back with the controller"
    run flowd trace br0 "in_port=1,dl_dst=ff:ff:ff:ff:ff:ff"
    refute_output --partial "fail-open"
    assert_output --partial "drop"
}

@test "secure: with its controller lost the bridge keeps its tables and never fails open" {
    bridge_with_vms secure
    run sy_sw "$SY_BINDIR/ofctl" add-flow "$MGMT" "priority=100,actions=drop"
    assert_success
    run portd set-bridge br0 "controller=tcp:127.0.0.1:$CTL_PORT" fail-open-delay=1
    assert_success
    sleep 3
    ping_fails vm1 "${SY_VM_IP[vm2]}"
    run flowd trace br0 "in_port=1,dl_dst=ff:ff:ff:ff:ff:ff"
    refute_output --partial "fail-open"
}

@test "fail-open-delay is checked like the other bridge settings" {
    bridge_with_vms standalone
    local before
    before=$(sy_config_sum)
    run portd set-bridge br0 fail-open-delay=0
    [ "$status" -ne 0 ]
    assert_output --partial "fail-open-delay"
    run portd set-bridge br0 fail-open-delay=soon
    [ "$status" -ne 0 ]
    [ "$(sy_config_sum)" = "$before" ]
}

@test "dec_ttl on a TTL of 1 stops the packet and sends an invalid-TTL packet-in to monitors that asked" {
    command -v ovs-ofctl > /dev/null || skip "ovs-ofctl (openvswitch-common) is not installed"
    local monitor
    bridge_with_vms standalone
    run sy_sw "$SY_BINDIR/ofctl" add-flow "$MGMT" "priority=100,icmp,actions=dec_ttl,NORMAL"
    assert_success
    # A TTL of 64 passes, one lower.
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"

    # ovs-ofctl monitor asks for invalid-TTL packet-ins with SET_CONFIG's
    # flag (OpenFlow 1.0).
    OVS_RUNDIR=$SY_DIR sy_sw timeout 10 ovs-ofctl -O OpenFlow10 monitor "$MGMT" 65535 invalid_ttl \
        > "$SY_DIR/monitor.out" 2>&1 &
    monitor=$!
    sy_wait_until 10 eval "sy_sw ovs-ofctl -O OpenFlow10 dump-flows '$MGMT' > /dev/null"
    sleep 1
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 -t 1 "${SY_VM_IP[vm2]}"
    assert_failure
    wait "$monitor" || true
    run cat "$SY_DIR/monitor.out"
    assert_output --partial "OFPT_PACKET_IN"
    assert_output --partial "invalid_ttl"
    assert_output --partial "icmp"

    run flowd trace br0 "in_port=1,icmp,nw_ttl=1"
    assert_output --partial "invalid TTL"
}
