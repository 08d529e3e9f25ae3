#!/usr/bin/env bats
# tunnel-state: "tunnel show" says why a tunnel port does not work, in text
# and in JSON (state, reason, reason_text): no route to remote_ip, a next
# hop that does not answer ARP, a local_ip this host does not have, a
# remote_ip that became this host's, a UDP port someone else holds; and
# "up" with no reason once the cause is gone.

load helpers
load tunnel-helpers

setup() {
    th_setup_two_hosts
    th_vm a v1 10.1.0.1/24 02:aa:00:00:00:01
    th_prog a portd add-br br0 datapath=user
    th_prog a portd add-port br0 a-v1
}

teardown() {
    th_teardown
}

# field HOST PORT KEY: KEY of tunnel PORT on br0 in tunnel show -j.
field() {
    th_prog "$1" tunnel show -j br0 "$2" | jq -r ".tunnels[0].$3"
}

# reason_is HOST PORT REASON: the port's state is error for REASON.
reason_is() {
    [ "$(field "$1" "$2" state)" = error ] && [ "$(field "$1" "$2" reason)" = "$3" ]
}

@test "tunnel show: a working port is up with no reason" {
    run th_prog a tunnel add br0 t0 type=vxlan remote_ip=192.0.2.2 key=1
    assert_success
    run th_prog a tunnel show -j br0 t0
    assert_success
    [ "$(jq -r '.tunnels[0].state' <<<"$output")" = up ] || fail "$output"
    [ "$(jq -r '.tunnels[0] | has("reason")' <<<"$output")" = false ] || fail "$output"
    run th_prog a tunnel show br0 t0
    assert_line "    state: up"
    # admin_state=down: down, whatever else is true.
    run th_prog a portd set-port br0 t0 admin_state=down
    assert_success
    sy_wait_until 10 eval '[ "$(field a t0 state)" = down ]' ||
        fail "$(th_prog a tunnel show br0 t0)"
}

@test "tunnel show: no route to remote_ip, until there is one" {
    run th_prog a tunnel add br0 t0 type=vxlan remote_ip=198.51.100.7 key=1
    assert_success
    reason_is a t0 no_route || fail "$(th_prog a tunnel show -j br0 t0)"
    [[ "$(field a t0 reason_text)" == "no route to remote_ip 198.51.100.7 (Network is unreachable)"* ]] ||
        fail "$(field a t0 reason_text)"
    run th_prog a tunnel show br0 t0
    assert_line --regexp "^    state: error \(no_route\): no route to remote_ip 198\.51\.100\.7 "

    th a ip route add 198.51.100.0/24 via 192.0.2.2
    [ "$(field a t0 state)" = up ] || fail "$(th_prog a tunnel show -j br0 t0)"
}

@test "tunnel show: a next hop that does not answer ARP" {
    # No host has 192.0.2.9: once a VM's packet makes the host ask, the
    # neighbour entry fails.
    run th_prog a tunnel add br0 t0 type=vxlan remote_ip=192.0.2.9 key=1
    assert_success
    th_vm_exec a v1 ping -n -c 1 -W 1 10.1.0.2 > /dev/null 2>&1 || true
    sy_wait_until 20 eval 'th_vm_exec a v1 ping -n -c 1 -W 1 10.1.0.2 > /dev/null 2>&1;
        reason_is a t0 neighbour_unresolved' || fail "$(th_prog a tunnel show -j br0 t0)"
    run field a t0 reason_text
    assert_output --regexp "^the next hop 192\.0\.2\.9 on u-b does not answer ARP \(neighbour (FAILED|INCOMPLETE)\): the remote is down or not on that link$"
}

@test "tunnel show: a local_ip this host does not have, a remote_ip that became its own" {
    run th_prog a tunnel add br0 t0 type=vxlan remote_ip=192.0.2.2 local_ip=192.0.2.77 key=1
    assert_success
    reason_is a t0 local_ip_not_local || fail "$(th_prog a tunnel show -j br0 t0)"
    run field a t0 reason_text
    assert_output "local_ip 192.0.2.77 is not an address of this host: add it to an interface, or change local_ip"
    th a ip addr add 192.0.2.77/24 dev u-b
    [ "$(field a t0 state)" = up ] || fail "$(th_prog a tunnel show -j br0 t0)"

    run th_prog a tunnel add br0 t1 type=gre remote_ip=192.0.2.50
    assert_success
    th a ip addr add 192.0.2.50/32 dev lo
    reason_is a t1 remote_ip_is_local || fail "$(th_prog a tunnel show -j br0 t1)"
    run field a t1 reason_text
    assert_output "remote_ip 192.0.2.50 is an address of this host"
}

@test "tunnel show: a UDP port held by a kernel vxlan device" {
    th a ip link add vx0 type vxlan id 5 dstport 4789 local 192.0.2.1 dev u-b
    th a ip link set vx0 up
    # Added, with a warning now.
    run th_prog a tunnel add br0 t0 type=vxlan remote_ip=192.0.2.2 key=1
    assert_output --partial "UDP port 4789: Address already in use"
    reason_is a t0 udp_port_in_use || fail "$(th_prog a tunnel show -j br0 t0)"
    run field a t0 reason_text
    assert_output --partial "UDP port 4789 is in use by someone else"
    run th_prog a tunnel show br0 t0
    assert_line --regexp "^    state: error \(udp_port_in_use\): UDP port 4789 is in use"
    # Another UDP port is free.
    run th_prog a tunnel add br0 t1 type=vxlan remote_ip=192.0.2.2 key=2 dst_port=4790
    assert_success
    [ "$(field a t1 state)" = up ] || fail "$(th_prog a tunnel show -j br0 t1)"
    # Once the device goes, the port receives after all.
    th a ip link del vx0
    sy_wait_until 20 eval '[ "$(field a t0 state)" = up ]' ||
        fail "$(th_prog a tunnel show -j br0 t0)"
    grep -q "tunnel t0: receiving now" "$SY_DIR/a/log/flowd.log" || fail "no log line"
}
