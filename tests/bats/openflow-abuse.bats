#!/usr/bin/env bats
# openflow-abuse: peers that abuse the OpenFlow listeners (a garbage
# stream, a thousand connections, a reader that never reads its replies;
# tests/lib/of-abuse.py) are each bounded, and meanwhile the switch keeps
# forwarding and keeps answering a real client (our ofctl) on BR.mgmt and
# on the TCP listener the abuse goes to.

load helpers

ABUSE=$SY_SRCDIR/tests/lib/of-abuse.py

setup() {
    sy_setup
    command -v python3 >/dev/null || skip "no python3"
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br0 vm2
    TCP_PORT=$((20000 + RANDOM % 20000))
    TCP=tcp:127.0.0.1:$TCP_PORT
    run portd set-bridge br0 "controller=ptcp:$TCP_PORT:127.0.0.1"
    assert_success
    sy_wait_until 15 ofctl show "$TCP" || fail "flowd does not answer on $TCP"
    run ofctl add-flow br0 "cookie=0x77,priority=50,icmp,actions=NORMAL"
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
}

ofctl() { sy_sw "$SY_BINDIR/ofctl" "$@"; }
abuse() { sy_sw python3 "$ABUSE" "$@"; }

# switch_is_fine [TARGET...]: flowd runs, forwards, and answers ofctl on
# br0.mgmt and on each TARGET with the flow added in setup.
switch_is_fine() {
    local target
    sy_pid_alive "$(cat "$SY_RUNDIR/flowd.pid")" || fail "flowd died"
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    for target in br0 "$@"; do
        run ofctl dump-flows "$target"
        [ "$status" -eq 0 ] || fail "ofctl dump-flows $target: $output"
        assert_output --partial "cookie=0x77"
    done
}

flowd_log() {
    cat "$SY_LOGDIR"/flowd.log "$SY_DIR/flowd.out" 2>/dev/null
}

@test "64 KiB of garbage on BR.mgmt and on tcp: is cut off, and the switch carries on" {
    local target
    for target in "unix:$SY_RUNDIR/br0.mgmt" "$TCP"; do
        run abuse garbage "$target" 65536
        assert_success
        echo "$target: $output"
        assert_output closed
    done
    switch_is_fine "$TCP"
}

@test "1000 silent connections on tcp: neither lock out ofctl nor stop forwarding" {
    local hold=$SY_DIR/hold
    touch "$hold"
    abuse connections "$TCP" 1000 "$hold" > "$SY_DIR/conns.out" 2>&1 &
    sy_track_pid $!
    sy_wait_until 120 grep -q '^opened' "$SY_DIR/conns.out" ||
        fail "the 1000 connections did not get opened: $(cat "$SY_DIR/conns.out")"
    cat "$SY_DIR/conns.out"

    # While they are held: the TCP listener still lets a real client in
    # (the oldest silent connection makes room), BR.mgmt is unaffected.
    switch_is_fine "$TCP"
    rm -f "$hold"
    sy_wait_until 30 grep -q '^closed' "$SY_DIR/conns.out"
    cat "$SY_DIR/conns.out"
    # flowd held at most its limit: it closed the rest.
    closed=$(sed -n 's/^closed //p' "$SY_DIR/conns.out")
    [ "$closed" -ge $((1000 - 128)) ] || fail "flowd kept $((1000 - closed)) silent connections open"
    flowd_log | grep -E 'did not say HELLO|refusing one' | tail -n 3
    flowd_log | grep -qE 'did not say HELLO|refusing one' || fail "flowd did not log the closed connections"
    switch_is_fine "$TCP"
}

@test "1000 connections that say HELLO on tcp: are capped; BR.mgmt and forwarding are unaffected" {
    local hold=$SY_DIR/hold
    touch "$hold"
    abuse connections "$TCP" 1000 "$hold" hello > "$SY_DIR/conns.out" 2>&1 &
    sy_track_pid $!
    sy_wait_until 120 grep -q '^opened' "$SY_DIR/conns.out" ||
        fail "the 1000 connections did not get opened: $(cat "$SY_DIR/conns.out")"
    cat "$SY_DIR/conns.out"
    switch_is_fine
    sy_wait_until 10 eval 'flowd_log | grep -q "refusing one"' ||
        fail "flowd did not log the refused connections"
    flowd_log | grep 'refusing one' | tail -n 1
    rm -f "$hold"
    sy_wait_until 30 grep -q '^closed' "$SY_DIR/conns.out"
    cat "$SY_DIR/conns.out"
    # Once they are gone, the listener takes clients again.
    sy_wait_until 30 ofctl show "$TCP" || fail "the TCP listener does not recover"
    switch_is_fine "$TCP"
}

@test "a peer that never reads its replies is disconnected at the backlog limit" {
    run abuse slow-reader "$TCP" $((256 << 20))
    assert_success
    echo "$output"
    assert_output --regexp '^closed after [0-9]+ bytes'
    sy_wait_until 10 eval 'flowd_log | grep -q "does not read its messages"' ||
        fail "flowd did not log the slow reader"
    flowd_log | grep "does not read its messages" | tail -n 1
    switch_is_fine "$TCP"
}
