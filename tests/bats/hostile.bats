#!/usr/bin/env bats
# hostile: a VM that sends garbage and floods new flows must not crash the
# switch, take more than its bounded share of memory, or keep the other VMs
# from talking. The frames come from tests/lib/hostile-frames.py, written
# raw onto the attacker's eth0.
#
#   br0: attacker (floods), vm2, vm3 (the victims that must keep talking)

load helpers

FRAMES=$SY_SRCDIR/tests/lib/hostile-frames.py

setup() {
    sy_setup
    command -v python3 >/dev/null || skip "no python3"
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm attacker
    sy_attach br0 attacker
    sy_vm vm2
    sy_attach br0 vm2
    sy_vm vm3
    sy_attach br0 vm3
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"
}

# dp_json KEY: KEY of br0 in `dp show br0 --format=json`.
dp_json() {
    dp show br0 --format=json | jq -r --arg k "$1" '[.. | objects | select(.name? == "br0")][0][$k]'
}

# flowd_rss_kib: flowd's resident set in KiB.
flowd_rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$(cat "$SY_RUNDIR/flowd.pid")/status"
}

@test "malformed frames of every kind are survived, and vm2 and vm3 still talk" {
    local rx_before rx_after
    # Jumbo frames must reach the switch: raise the attacker's link MTU.
    ip -n "$SY_NS_SW" link set "${SY_VM_PORT[attacker]}" mtu 9000
    sy_ns_exec attacker ip link set eth0 mtu 9000
    rx_before=$(dp show br0 --format=json | jq '[.. | objects | select(.name? == "'"${SY_VM_PORT[attacker]}"'") | .rx_packets? // empty] | first // 0')

    for dst in ff:ff:ff:ff:ff:ff "${SY_VM_MAC[vm2]}"; do
        run sy_ns_exec attacker python3 "$FRAMES" malformed eth0 6000 "$dst"
        assert_success
        echo "$output"
        assert_output --partial "sent truncated_eth:"
    done

    # flowd is alive, took the frames, and the victims still talk.
    sy_pid_alive "$(cat "$SY_RUNDIR/flowd.pid")" || fail "flowd died"
    rx_after=$(dp show br0 --format=json | jq '[.. | objects | select(.name? == "'"${SY_VM_PORT[attacker]}"'") | .rx_packets? // empty] | first // 0')
    echo "attacker port RX packets: $rx_before -> $rx_after"
    [ "$rx_after" -gt "$rx_before" ] || fail "flowd received none of the attacker's frames"
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"
    sy_ping_ok vm3 "${SY_VM_IP[vm2]}"
    run dp show br0
    assert_success
}

@test "a storm of new flows stays within the flow and upcall limits, and the others still talk" {
    local flows lost dropped fdb rss_before rss_after storm
    run portd set-bridge br0 flow-limit=200 upcall-limit=1000
    assert_success
    sy_wait_until 10 eval '[ "$(dp_json flow_limit)" = 200 ]' ||
        fail "flowd did not take flow-limit=200: $(dp show br0)"
    rss_before=$(flowd_rss_kib)

    # The storm runs in the background while vm2 pings vm3: its own upcall
    # budget is untouched by the attacker's.
    sy_ns_exec attacker python3 "$FRAMES" flows eth0 60000 "${SY_VM_MAC[vm3]}" \
        "${SY_VM_IP[vm3]}" > "$SY_DIR/storm.out" 2>&1 &
    storm=$!
    sy_track_pid "$storm"
    sy_ping vm2 "${SY_VM_IP[vm3]}" 20 || fail "vm2 could not reach vm3 during the storm"
    wait "$storm" || fail "the flow storm failed: $(cat "$SY_DIR/storm.out")"
    cat "$SY_DIR/storm.out"

    run dp show br0
    assert_success
    echo "$output"
    assert_output --regexp 'limits: flows:200 upcalls:1000/s per port'
    flows=$(dp_json flows) lost=$(dp_json lost) dropped=$(dp_json upcall_dropped)
    echo "flows=$flows lost=$lost upcall_dropped=$dropped"
    [ "$flows" -le 200 ] || fail "$flows datapath flows, over the limit of 200"
    [ "$lost" -gt 0 ] || fail "no miss was counted as lost at the flow limit"
    [ "$dropped" -gt 0 ] || fail "no miss was dropped at the upcall limit"
    fdb=$(flowd fdb-show br0 | wc -l)
    echo "fdb lines: $fdb"
    [ "$fdb" -le 8193 ] || fail "the MAC table grew past its limit: $fdb lines"
    rss_after=$(flowd_rss_kib)
    echo "flowd RSS: $rss_before KiB before, $rss_after KiB after the storm"

    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"
    sy_ping_ok vm3 "${SY_VM_IP[vm2]}"
}

@test "flow-limit and upcall-limit are validated" {
    run portd set-bridge br0 flow-limit=0
    assert_failure 2
    assert_output --partial "flow-limit=0"
    run portd set-bridge br0 upcall-limit=lots
    assert_failure 2
    assert_output --partial "upcalls per second"
    run dp show br0
    assert_output --partial "limits: flows:200000 upcalls:20000/s per port"
}
