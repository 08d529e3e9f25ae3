#!/usr/bin/env bats
# sflow: a bridge exports sFlow v5, captured on the switch namespace's
# loopback and decoded by tshark. With sflow-sampling=1 every packet is a
# flow sample whose raw header holds the packet as it crossed the switch;
# every polling interval each port gets a counter sample; bad settings are
# refused.

load helpers

SF_PORT=16343

setup() {
    command -v tshark >/dev/null || skip "no tshark"
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    for vm in vm1 vm2; do
        sy_vm "$vm"
        sy_attach br0 "$vm"
    done
    SF_CAP=$SY_DIR/sflow.pcap
}

# sf_capture_start: tshark on the switch namespace's lo, sFlow's port only.
sf_capture_start() {
    ip netns exec "$SY_NS_SW" tshark -q -i lo -f "udp dst port $SF_PORT" -w "$SF_CAP" \
        > "$SY_DIR/tshark.out" 2>&1 < /dev/null 3>&- &
    SF_PID=$!
    sy_track_pid "$SF_PID"
    sy_wait_until 20 grep -q "Capturing on" "$SY_DIR/tshark.out" ||
        fail "tshark did not start: $(cat "$SY_DIR/tshark.out")"
    sleep 0.5
}

sf_capture_stop() {
    sleep 0.5
    kill -TERM "$SF_PID" 2>/dev/null || true
    sy_wait_until 10 eval '! sy_pid_alive "$SF_PID"' || fail "tshark did not stop"
}

# sf_fields FIELD...: the capture decoded as sFlow, one datagram a line,
# the fields separated by '|' (repeated ones by ',').
sf_fields() {
    local args=() f
    for f in "$@"; do
        args+=(-e "$f")
    done
    tshark -r "$SF_CAP" -d "udp.port==$SF_PORT,sflow" -T fields -E separator='|' \
        "${args[@]}" 2>/dev/null
}

# sf_count FIELD VALUE: how often FIELD has VALUE, over all datagrams.
sf_count() {
    sf_fields "$1" | tr ',' '\n' | grep -cx "$2" || true
}

@test "with sampling 1 every packet is a flow sample with its header" {
    local ip1=${SY_VM_IP[vm1]} ip2=${SY_VM_IP[vm2]} p1 p2 n
    p1=$(sy_ofport br0 "${SY_VM_PORT[vm1]}")
    p2=$(sy_ofport br0 "${SY_VM_PORT[vm2]}")
    # A mirror copies everything to a monitor: samples still name the
    # packets' own output ports, not the copies.
    sy_vm mon 10.77.9.1/24
    sy_attach br0 mon
    run portd add-mirror br0 span select-all=true output-port="${SY_VM_PORT[mon]}"
    assert_success
    sy_ping vm1 "$ip2" || fail "vm1 cannot reach vm2"
    sf_capture_start
    run portd set-bridge br0 sflow=127.0.0.1:$SF_PORT sflow-sampling=1 sflow-polling=1 \
        sflow-agent=192.0.2.7
    assert_success
    sleep 0.5

    run sy_ns_exec vm1 ping -n -c 10 -i 0.1 -p 5a5a5a5a "$ip2"
    assert_output --partial "10 received"
    sleep 1
    sf_capture_stop

    # Well-formed sFlow v5 from the configured agent.
    run sf_fields sflow_245.version sflow_245.agent
    echo "${lines[0]}"
    [ "${#lines[@]}" -gt 0 ]
    [ "$(printf '%s\n' "${lines[@]}" | sort -u)" = "5|192.0.2.7" ]
    # No malformed datagram.
    run --separate-stderr tshark -r "$SF_CAP" -d "udp.port==$SF_PORT,sflow" \
        -Y "_ws.malformed || _ws.expert.severity >= error"
    assert_output ""

    # Every echo request and reply was sampled: the decoded headers show
    # 10 of each, with our payload pattern, on the right ports.
    run sf_fields icmp.type
    n=$(sf_count icmp.type 8)
    [ "$n" -eq 10 ] || fail "expected 10 sampled echo requests, got $n"
    n=$(sf_count icmp.type 0)
    [ "$n" -eq 10 ] || fail "expected 10 sampled echo replies, got $n"
    tshark -r "$SF_CAP" -d "udp.port==$SF_PORT,sflow" -x 2>/dev/null | grep -q "5a 5a 5a 5a"
    run sf_fields sflow.flow_sample.sampling_rate
    [ "$(printf '%s\n' "${lines[@]}" | tr ',' '\n' | sort -u)" = "1" ]
    run sf_fields ip.src ip.dst sflow.flow_sample.input_interface sflow.flow_sample.output_interface
    echo "$output" | head -5
    [ "$(sf_count sflow.flow_sample.input_interface "$p1")" -ge 10 ]
    [ "$(sf_count sflow.flow_sample.input_interface "$p2")" -ge 10 ]
    # (tshark prints the output field in hex.)
    [ "$(sf_count sflow.flow_sample.output_interface "$(printf '0x%08x' "$p2")")" -ge 10 ]
    [ "$(sf_count sflow.flow_sample.output_interface "$(printf '0x%08x' "$p1")")" -ge 10 ]
}

@test "each port gets a counter sample every polling interval" {
    local p1 p2 n port
    p1=$(sy_ofport br0 "${SY_VM_PORT[vm1]}")
    p2=$(sy_ofport br0 "${SY_VM_PORT[vm2]}")
    sy_ping vm1 "${SY_VM_IP[vm2]}" || fail "vm1 cannot reach vm2"
    sf_capture_start
    run portd set-bridge br0 sflow=127.0.0.1:$SF_PORT sflow-polling=1
    assert_success
    sleep 4.2
    sf_capture_stop

    run sf_fields sflow_245.ifindex sflow_245.ifinpkt sflow_245.ifoutpkt
    echo "$output"
    # vm1, vm2 and the bridge's own port (65534), 4 or 5 times each.
    for port in "$p1" "$p2" 65534; do
        n=$(sf_count sflow_245.ifindex "$port")
        [ "$n" -ge 4 ] && [ "$n" -le 6 ] || fail "port $port: $n counter samples in 4.2 s"
    done
    # The counters count: vm1's port received the warm-up ping.
    sf_fields sflow_245.ifindex sflow_245.ifinpkt | tr ',' ' ' |
        awk -v p="$p1" '{ for (i = 1; i <= NF / 2; i++) if ($i == p && $(i + NF / 2) > 0) ok = 1 }
                        END { exit !ok }'
    # Counter sample sequence numbers go up by one per port.
    run sf_fields sflow.counters_sample.sequence_number
    echo "$output" | tr ',' '\n' | grep -qx 4
    # portd show counts the datagrams and samples sent.
    run --separate-stderr portd show br0 --format=json
    echo "$output" | jq .bridges[0].exports
    [ "$(echo "$output" | jq .bridges[0].exports.sflow.datagrams)" -ge 4 ]
    [ "$(echo "$output" | jq .bridges[0].exports.sflow.records)" -ge 12 ]
}

@test "sampling 1 in N reports rate N and a pool of every packet seen" {
    local ip2=${SY_VM_IP[vm2]} n pool
    sy_ping vm1 "$ip2" || fail "vm1 cannot reach vm2"
    sf_capture_start
    run portd set-bridge br0 sflow=127.0.0.1:$SF_PORT sflow-sampling=4 sflow-polling=3600
    assert_success
    sleep 0.5
    run sy_ns_exec vm1 ping -n -c 200 -i 0.002 -q "$ip2"
    sleep 1
    sf_capture_stop

    run sf_fields sflow.flow_sample.sampling_rate
    [ "$(printf '%s\n' "${lines[@]}" | tr ',' '\n' | sort -u)" = "4" ]
    # About 400 packets (requests and replies) at 1 in 4: about 100 samples.
    n=$(sf_fields sflow.flow_sample.sampling_rate | tr ',' '\n' | grep -c .)
    [ "$n" -ge 50 ] && [ "$n" -le 200 ] || fail "$n samples of about 400 packets at 1 in 4"
    pool=$(sf_fields sflow.flow_sample.sample_pool | tr ',' '\n' | sort -n | tail -n 1)
    [ "$pool" -ge 350 ] && [ "$pool" -le 420 ] || fail "sample pool $pool after about 400 packets"
}

@test "bad sFlow settings are refused and change nothing" {
    local before
    run portd set-bridge br0 sflow=127.0.0.1:$SF_PORT
    assert_success
    before=$(sy_config_sum)

    run portd set-bridge br0 sflow=127.0.0.1
    [ "$status" -eq 2 ]
    assert_output --partial "has no port"
    run portd set-bridge br0 sflow-sampling=0
    [ "$status" -eq 2 ]
    assert_output --partial "sflow-sampling=0"
    run portd set-bridge br0 sflow-polling=0
    [ "$status" -eq 2 ]
    run portd set-bridge br0 sflow-agent=not-an-address
    [ "$status" -eq 2 ]
    assert_output --partial "expected an IPv4 or IPv6 address"
    [ "$(sy_config_sum)" = "$before" ]
}
