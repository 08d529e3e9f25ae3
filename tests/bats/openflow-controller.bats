#!/usr/bin/env bats
# openflow-controller: Debian's ovs-testcontroller (openvswitch-testcontroller)
# as the controller of br0 in fail-mode=secure. flowd connects to it
# actively (controller=tcp:127.0.0.1:PORT); it listens on ptcp:PORT in the
# switch namespace. vm1 and vm2 can talk only through what it programs.

load helpers

setup() {
    command -v ovs-testcontroller >/dev/null || skip "ovs-testcontroller (openvswitch-testcontroller) is not installed"
    command -v ovs-ofctl >/dev/null || skip "ovs-ofctl (openvswitch-common) is not installed"
    sy_setup
    sy_start_daemons
    run portd add-br br0 fail-mode=secure
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br0 vm2
    P1=$(sy_ofport br0 "${SY_VM_PORT[vm1]}")
    P2=$(sy_ofport br0 "${SY_VM_PORT[vm2]}")
    MGMT=unix:$SY_RUNDIR/br0.mgmt
    TC_PORT=$((20000 + RANDOM % 20000))
    run portd set-bridge br0 "controller=tcp:127.0.0.1:$TC_PORT"
    assert_success
}

ofc() {
    local v=$1
    shift
    sy_sw ovs-ofctl -O "$v" "$@"
}

# tc_start ARGS...: ovs-testcontroller ARGS ptcp:TC_PORT:127.0.0.1 in the
# switch namespace, logging every OpenFlow message to $SY_DIR/tc.log;
# returns once flowd has connected to it (the log says so).
tc_start() {
    local pid
    ip netns exec "$SY_NS_SW" ovs-testcontroller --unixctl="$SY_DIR/tc.ctl" \
        --log-file="$SY_DIR/tc.log" -vfile:vconn:dbg -vfile:rconn:dbg \
        "$@" "ptcp:$TC_PORT:127.0.0.1" > "$SY_DIR/tc.out" 2>&1 < /dev/null 3>&- &
    pid=$!
    sy_track_pid "$pid"
    TC_PID=$pid
    # flowd retries with a backoff of up to 8 s.
    sy_wait_until 30 grep -q "negotiated OpenFlow version" "$SY_DIR/tc.log" ||
        fail "flowd did not connect to ovs-testcontroller: $(cat "$SY_DIR/tc.out" "$SY_DIR/tc.log" 2>/dev/null | tail -n 20)"
}

tc_stop() {
    sy_kill_pid "$TC_PID"
}

@test "secure bridge without its controller: no flows, no ping" {
    run ofc OpenFlow13 dump-flows "$MGMT"
    assert_success
    refute_output --partial "actions="
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
}

@test "flows pushed by ovs-testcontroller (--with-flows) over an active tcp: connection make ping work" {
    local f=$SY_DIR/flows
    printf '%s\n' "priority=10,in_port=$P1,actions=output:$P2" \
        "priority=10,in_port=$P2,actions=output:$P1" > "$f"

    # Before the controller: nothing passes.
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure

    tc_start --with-flows "$f"
    sy_wait_until 15 eval "ofc OpenFlow13 dump-flows '$MGMT' | grep -q 'in_port=\"\\?$P2\"\\?'" ||
        fail "the controller's flows never arrived: $(ofc OpenFlow13 dump-flows "$MGMT")"
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"

    run ofc OpenFlow13 dump-flows "$MGMT"
    echo "$output"
    assert_line --regexp "priority=10,in_port=\"?$P1\"? actions=output:\"?$P2\"?$"
    assert_line --regexp "priority=10,in_port=\"?$P2\"? actions=output:\"?$P1\"?$"
    assert_output --regexp "n_packets=[1-9][0-9]*, .*priority=10,in_port=\"?$P1\"?"
    # Its table-miss entry (OpenFlow 1.3 learning switch).
    assert_line --regexp "priority=0 actions=CONTROLLER:128$"
    run cat "$SY_DIR/tc.log"
    assert_output --partial "received: OFPT_FEATURES_REPLY"
    assert_output --partial "sent (Success): OFPT_FLOW_MOD"

    # fail-mode=secure keeps the tables when the controller goes away.
    tc_stop
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    run ofc OpenFlow13 dump-flows "$MGMT"
    assert_output --regexp "priority=10,in_port=\"?$P1\"? actions=output"
}

@test "packet-ins reach ovs-testcontroller through its table-miss entry" {
    tc_start
    sy_wait_until 15 eval "ofc OpenFlow13 dump-flows '$MGMT' | grep -q CONTROLLER" ||
        fail "no table-miss entry from the controller"
    sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}" || true
    sy_wait_until 10 grep -q "received: OFPT_PACKET_IN" "$SY_DIR/tc.log" ||
        fail "no PACKET_IN: $(tail -n 30 "$SY_DIR/tc.log")"
    run grep -A1 "received: OFPT_PACKET_IN" "$SY_DIR/tc.log"
    echo "$output"
    assert_output --regexp "in_port=$P1 .*total_len=[0-9]+|total_len=[0-9]+ in_port=$P1"
    assert_output --partial "dl_src=${SY_VM_MAC[vm1]}"
}

# Repro (OpenFlow 1.3): a secure bridge, ovs-testcontroller ptcp:PORT as its
# controller. The controller installs "priority=0 actions=CONTROLLER:128"
# (the table-miss entry); flowd sends the packet-ins it produces with reason
# OFPR_ACTION ("(via action)" in the controller's log); OpenFlow 1.3 (A.4.1)
# and Open vSwitch give OFPR_NO_MATCH for the table-miss entry, and
# ovs-testcontroller ignores packet-ins whose reason is not NO_MATCH: it
# never answers, never installs a flow, no ping passes.
@test "ovs-testcontroller as a learning switch (OpenFlow 1.3): pings pass only through it" {
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
    tc_start -O OpenFlow13 --max-idle=60
    sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}" || true
    if grep -q "OFPT_PACKET_IN.*(via action)" "$SY_DIR/tc.log"; then
        fail "regression: packet-ins from the OpenFlow 1.3 table-miss entry carry reason ACTION, not NO_MATCH; ovs-testcontroller ignores them"
    fi
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_ping_ok vm2 "${SY_VM_IP[vm1]}"
    run ofc OpenFlow13 dump-flows "$MGMT"
    echo "$output"
    # Flows it learned: idle_timeout=60, output to each VM's port.
    assert_output --regexp "idle_timeout=60.*actions=output:\"?$P2\"?"
    assert_output --regexp "idle_timeout=60.*actions=output:\"?$P1\"?"
}

# Repro (OpenFlow 1.0): the same with ovs-testcontroller -O OpenFlow10. In
# OpenFlow 1.0 a packet that matches no flow is sent to the controller
# (OFPR_NO_MATCH); flowd drops it (xlate.c: "table miss: drop") and sends
# nothing, so the controller never sees a packet.
@test "ovs-testcontroller as a learning switch (OpenFlow 1.0): table misses go to it" {
    tc_start -O OpenFlow10 --max-idle=60
    sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}" || true
    sleep 1
    if ! grep -q "OFPT_PACKET_IN" "$SY_DIR/tc.log"; then
        fail "regression: an OpenFlow 1.0 table miss is dropped without a PACKET_IN (reason NO_MATCH) to the controller"
    fi
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    run ofc OpenFlow10 dump-flows "$MGMT"
    echo "$output"
    assert_output --regexp "idle_timeout=60.*actions=output:\"?$P2\"?"
}
