#!/usr/bin/env bats
# port-qos: ingress policing (a token bucket per port in flowd's userspace
# datapath) and egress shaping (tc tbf on the port's device), measured
# with iperf3 between two VMs. The bands are wide on purpose: they check
# that the configured rate is what limits the traffic (a broken policer
# passes everything or nothing), not how fast this machine is.

load helpers

setup() {
    sy_setup
    command -v iperf3 >/dev/null || skip "needs iperf3"
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br0 vm2
    sy_ping_ok vm2 "${SY_VM_IP[vm1]}"
    sy_ns_exec vm1 iperf3 -s -p 5201 > "$SY_DIR/iperf3-server.log" 2>&1 3>&- &
    sy_track_pid $!
    sy_wait_until 10 iperf_listening || fail "iperf3 server did not start"
}

iperf_listening() {
    sy_ns_exec vm1 ss -Hltn "sport = :5201" | grep -q 5201
}

# iperf_rate_kbps ARGS...: what vm1 received from vm2, in kbit/s.
iperf_rate_kbps() {
    local json
    json=$(sy_ns_exec vm2 iperf3 -c "${SY_VM_IP[vm1]}" -p 5201 -t 4 -J "$@") ||
        { echo "$json" >&2; return 1; }
    echo "$json" | jq -r '(.end.sum_received.bits_per_second // .end.sum.bits_per_second) / 1000 | floor'
}

# assert_rate_near MEASURED CONFIGURED: within 50%..150%.
assert_rate_near() {
    echo "measured $1 kbit/s, configured $2 kbit/s"
    [ "$1" -ge $(($2 / 2)) ] || fail "rate $1 kbit/s is below half of $2"
    [ "$1" -le $(($2 * 3 / 2)) ] || fail "rate $1 kbit/s is above 150% of $2"
}

@test "ingress policing holds a UDP flood to the configured rate" {
    local rate
    run portd set-port br0 "${SY_VM_PORT[vm2]}" ingress_policing_rate=10000 ingress_policing_burst=1000
    assert_success
    # Offer 50 Mbit/s; the policer lets 10 through.
    rate=$(sy_ns_exec vm2 iperf3 -c "${SY_VM_IP[vm1]}" -p 5201 -u -b 50M -l 1400 -t 4 -J |
           jq -r '.end.sum.bits_per_second * (100 - .end.sum.lost_percent) / 100 / 1000 | floor')
    assert_rate_near "$rate" 10000
    run dp show br0
    assert_output --regexp "RX policed:[1-9][0-9]*"
}

@test "ingress policing holds TCP to the configured rate, and goes away when unset" {
    local rate
    run portd set-port br0 "${SY_VM_PORT[vm2]}" ingress_policing_rate=20000
    assert_success
    run portd show br0
    assert_output --partial "ingress_policing_rate: 20000"
    rate=$(iperf_rate_kbps)
    assert_rate_near "$rate" 20000

    run portd set-port br0 "${SY_VM_PORT[vm2]}" ingress_policing_rate= ingress_policing_burst=
    assert_success
    sy_ping_ok vm2 "${SY_VM_IP[vm1]}"
    rate=$(iperf_rate_kbps)
    echo "unpoliced: $rate kbit/s"
    [ "$rate" -gt 40000 ] || fail "without policing, TCP still runs at $rate kbit/s"
}

@test "egress shaping with tc tbf holds TCP to the configured rate" {
    local rate port=${SY_VM_PORT[vm1]}
    run portd set-port br0 "$port" egress_shaping_rate=15000
    assert_success
    sy_wait_until 10 eval "sy_sw tc qdisc show dev $port | grep -q tbf" ||
        fail "no tbf on $port: $(sy_sw tc qdisc show dev "$port")"
    rate=$(iperf_rate_kbps)
    assert_rate_near "$rate" 15000
    run portd set-port br0 "$port" egress_shaping_rate=
    assert_success
    sy_wait_until 10 eval "! sy_sw tc qdisc show dev $port | grep -q tbf" ||
        fail "tbf left on $port"
}

@test "bad policing values are refused" {
    run portd set-port br0 "${SY_VM_PORT[vm2]}" ingress_policing_rate=fast
    assert_failure 2
    assert_output --partial "ingress_policing_rate=fast: expected a number of kbit/s"
    run portd set-port br0 "${SY_VM_PORT[vm2]}" egress_shaping_burst=-1
    assert_failure 2
}
