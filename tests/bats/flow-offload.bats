#!/usr/bin/env bats
# flow-offload: a userspace bridge hands busy flows to the kernel (a tc u32
# filter with mirred actions on the input device, a socket filter on
# flowd's packet socket), keeps counting them, and takes them back when a
# rule, a setting or a port changes, or when flowd stops.

load helpers

ofctl() { sy_sw "$SY_BINDIR/ofctl" "$@"; }

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0 datapath=user
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br0 vm2
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
}

# busy_ping N: N echoes vm1 -> vm2, 10 ms apart, all answered, none twice.
busy_ping() {
    run sy_ns_exec vm1 ping -n -c "$1" -i 0.01 -W 2 "${SY_VM_IP[vm2]}"
    echo "$output" | tail -n 3
    [ "$status" -eq 0 ] || fail "ping: $output"
    assert_output --partial "$1 received"
    refute_output --partial "DUP!"
}

# warm_up: 30 echoes in 0.3 s, enough for the flows to be handed over. A
# packet that arrives while a flow is handed over may be lost or sent twice
# (flowd(8)), so only most must be answered.
warm_up() {
    run sy_ns_exec vm1 ping -n -c 30 -i 0.01 -W 2 "${SY_VM_IP[vm2]}"
    assert_output --regexp "30 packets transmitted, (2[5-9]|30) received"
}

offloaded_flows() {
    dp dump-flows br0 -j | jq '[.[] | select(.offloaded)] | length'
}

has_offloaded_flows() { [ "$(offloaded_flows)" -gt 0 ]; }
has_no_offloaded_flows() { [ "$(offloaded_flows)" -eq 0 ]; }

# The vm1 -> vm2 flow's packet count (JSON dump).
vm1_to_vm2_packets() {
    dp dump-flows br0 -j | jq --arg s "${SY_VM_MAC[vm1]}" --arg d "${SY_VM_MAC[vm2]}" \
        '[.[] | select(.match | contains("src=\($s),dst=\($d)")) | .packets] | add // 0'
}

tc_filters() {
    sy_sw tc -s filter show dev "${SY_VM_PORT[$1]}" ingress
}

@test "a busy flow is offloaded: the kernel forwards it, flowd keeps counting it" {
    local before after hit_before hit_after p1

    warm_up
    sy_wait_until 10 has_offloaded_flows || fail "no flow offloaded: $(dp dump-flows br0)"

    run dp dump-flows br0
    echo "$output"
    assert_line --regexp "src=${SY_VM_MAC[vm1]},dst=${SY_VM_MAC[vm2]}.*offloaded:yes, dp:tc, actions:"
    run tc_filters vm1
    echo "$output"
    assert_output --partial "u32"
    assert_output --regexp "mirred \(Egress Redirect to device ${SY_VM_PORT[vm2]}\)"
    run dp show br0
    assert_line --regexp "^  offload: on, flows:[1-9]"

    before=$(vm1_to_vm2_packets)
    hit_before=$(dp show br0 -j | jq '.[0].hit')
    busy_ping 100
    after=$(vm1_to_vm2_packets)
    hit_after=$(dp show br0 -j | jq '.[0].hit')
    echo "flow packets $before -> $after, flowd's hits $hit_before -> $hit_after"
    # Every echo is in the flow's counters...
    [ $((after - before)) -ge 100 ]
    # ...but did not pass through flowd.
    [ $((hit_after - hit_before)) -lt 50 ]

    # The OpenFlow rule and the ports count them too.
    run ofctl dump-flows br0
    assert_line --regexp "n_packets=[0-9]{3,}.*actions=NORMAL"
    p1=$(sy_ofport br0 "${SY_VM_PORT[vm1]}")
    run dp show br0 -j
    echo "$output" | jq -e --argjson p "$p1" \
        '.[0].ports[] | select(.port_no == $p) | .rx_packets >= 120'
}

@test "TCP with the VMs' offloads crosses an offloaded flow" {
    command -v iperf3 >/dev/null || skip "needs iperf3"
    sy_ns_exec vm2 iperf3 -s -1 -p 5201 > "$SY_DIR/iperf3-server.log" 2>&1 3>&- &
    sy_track_pid $!
    sy_wait_until 10 sy_ns_exec vm2 sh -c 'ss -Hltn "sport = :5201" | grep -q 5201'
    run sy_ns_exec vm1 iperf3 -c "${SY_VM_IP[vm2]}" -p 5201 -t 3 -J
    assert_success
    echo "$output" | jq -e '.end.sum_received.bytes > 1000000'
    has_offloaded_flows
    run dp dump-flows br0
    echo "$output"
    assert_line --regexp "src=${SY_VM_MAC[vm1]},dst=${SY_VM_MAC[vm2]}.*bytes:[0-9]{7,}.*offloaded:yes"
}

@test "a rule that drops the traffic takes the flow back at once" {
    warm_up
    sy_wait_until 10 has_offloaded_flows || fail "no flow offloaded"

    run ofctl add-flow br0 "priority=100,ip,nw_dst=${SY_VM_IP[vm2]},actions=drop"
    assert_success
    run sy_ns_exec vm1 ping -n -c 3 -i 0.2 -W 1 "${SY_VM_IP[vm2]}"
    assert_output --partial " 0 received"
    run tc_filters vm1
    refute_output --partial "Redirect to device ${SY_VM_PORT[vm2]}"

    run ofctl del-flows br0 "ip,nw_dst=${SY_VM_IP[vm2]}"
    assert_success
    warm_up
}

@test "flow-offload=false keeps every packet in flowd, true hands them over again" {
    warm_up
    sy_wait_until 10 has_offloaded_flows || fail "no flow offloaded"

    run portd set-bridge br0 flow-offload=false
    assert_success
    sy_wait_until 10 has_no_offloaded_flows || fail "flows still offloaded"
    run dp show br0
    assert_line --regexp "^  offload: off, flows:0"
    run tc_filters vm1
    refute_output --partial "mirred"
    busy_ping 50
    has_no_offloaded_flows

    run portd set-bridge br0 flow-offload=true
    assert_success
    warm_up
    sy_wait_until 10 has_offloaded_flows || fail "not offloaded again"

    run portd set-bridge br0 flow-offload=maybe
    assert_failure
    assert_output --partial "flow-offload=maybe: expected true or false"
}

@test "sFlow sampling and a port going down take the flows back" {
    warm_up
    sy_wait_until 10 has_offloaded_flows || fail "no flow offloaded"

    run portd set-bridge br0 sflow=127.0.0.1:6343 sflow-sampling=1
    assert_success
    sy_wait_until 10 has_no_offloaded_flows || fail "still offloaded with sFlow on"
    busy_ping 30
    has_no_offloaded_flows

    run portd set-bridge br0 sflow=
    assert_success
    warm_up
    sy_wait_until 10 has_offloaded_flows || fail "not offloaded after sFlow off"

    run portd set-port br0 "${SY_VM_PORT[vm2]}" admin_state=down
    assert_success
    run sy_ns_exec vm1 ping -n -c 3 -i 0.2 -W 1 "${SY_VM_IP[vm2]}"
    assert_output --partial " 0 received"
    has_no_offloaded_flows
}

@test "stopping flowd removes its filters and the qdisc it added" {
    warm_up
    sy_wait_until 10 has_offloaded_flows || fail "no flow offloaded"
    run sy_sw tc qdisc show dev "${SY_VM_PORT[vm1]}"
    assert_output --partial "clsact"

    sy_stop_daemon portd
    sy_stop_daemon flowd
    run tc_filters vm1
    assert_output ""
    run sy_sw tc qdisc show dev "${SY_VM_PORT[vm1]}"
    refute_output --partial "clsact"
}

@test "flowd killed with flows offloaded: the kernel forwards on, the next flowd takes over" {
    local pid
    warm_up
    sy_wait_until 10 has_offloaded_flows || fail "no flow offloaded"

    pid=$(cat "$SY_RUNDIR/flowd.pid")
    kill -KILL "$pid"
    sy_wait_until 10 eval '! sy_pid_alive "$pid"' || fail "flowd survived SIGKILL"
    # Its filters stay and forward, as the kernel datapath's flows would.
    busy_ping 20
    run tc_filters vm1
    assert_output --partial "Redirect to device ${SY_VM_PORT[vm2]}"

    # The next flowd removes them before it forwards: never a packet twice.
    sy_start_daemon flowd
    sy_wait_until 10 sh -c "! ip netns exec $SY_NS_SW tc filter show dev ${SY_VM_PORT[vm1]} ingress | grep -q mirred" ||
        fail "the killed flowd's filters are still there"
    sy_ping vm1 "${SY_VM_IP[vm2]}" || fail "no forwarding after the restart"
    busy_ping 20
    warm_up
    sy_wait_until 10 has_offloaded_flows || fail "the new flowd offloads nothing"
    busy_ping 50
}
