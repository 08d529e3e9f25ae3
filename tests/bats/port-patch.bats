#!/usr/bin/env bats
# port-patch: two bridges joined by a pair of patch ports (no device in
# between), an internal port whose device flowd creates, and ports taken
# administratively down and up again.

load helpers

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    run portd add-br br1
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br1 vm2
    run portd add-port br0 p-br1 type=patch peer=p-br0
    assert_success
    run portd add-port br1 p-br0 type=patch peer=p-br1
    assert_success
}

port_state() {
    portd show "$1" --format=json | jq -r --arg p "$2" '.bridges[0].ports[] | select(.name == $p) | .state'
}

state_is() {
    [ "$(port_state "$1" "$2")" = "$3" ]
}

@test "VMs on two bridges joined by patch ports ping each other" {
    sy_wait_until 10 state_is br0 p-br1 up || fail "p-br1: $(port_state br0 p-br1)"
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_ping_ok vm2 "${SY_VM_IP[vm1]}"
    # Each bridge learned the far VM behind its patch port.
    run flowd fdb-show br0
    assert_output --regexp "$(sy_ofport br0 p-br1) +[0-9]+ +${SY_VM_MAC[vm2]}"
    run flowd fdb-show br1
    assert_output --regexp "$(sy_ofport br1 p-br0) +[0-9]+ +${SY_VM_MAC[vm1]}"
    # Each datapath holds its half of the path.
    run dp dump-flows br0
    assert_output --partial "actions:$(sy_ofport br0 p-br1)"
    run dp dump-flows br1
    assert_output --partial "in_port($(sy_ofport br1 p-br0))"
    # Patch ports count what crosses them, in dp show and over OpenFlow.
    run dp show br0 --format=json
    echo "$output" | jq -e '.. | objects | select(.name? == "p-br1")
        | .tx_packets > 0 and .rx_packets > 0'
}

@test "a patch port without its peer is down and forwards nothing" {
    run portd del-port br1 p-br0
    assert_success
    sy_wait_until 10 state_is br0 p-br1 down || fail "p-br1: $(port_state br0 p-br1)"
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
    run portd add-port br1 p-br0 type=patch peer=p-br1
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
}

@test "a patch pair on one bridge stays down" {
    # Both ends on br0: no bridge can use it; flowd keeps running.
    run portd del-port br1 p-br0
    assert_success
    run portd add-port br0 p-br0 type=patch peer=p-br1
    assert_success
    sy_wait_until 10 state_is br0 p-br0 down || fail "p-br0: $(port_state br0 p-br0)"
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
    run flowd version
    assert_success
}

@test "a loop of two patch pairs is cut, and flowd keeps running" {
    run portd add-port br0 q-br1 type=patch peer=q-br0
    assert_success
    run portd add-port br1 q-br0 type=patch peer=q-br1
    assert_success
    # Broadcast ARP floods round the loop until the depth limit drops it.
    sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}" || true
    sy_wait_until 10 grep -q "looped through patch ports" "$SY_LOGDIR/flowd.log"
    run flowd version
    assert_success
}

@test "an internal port on the far bridge answers pings through the patch" {
    run portd add-port br1 int0 type=internal
    assert_success
    sy_wait_until 10 sy_sw ip link show int0 || fail "flowd did not create int0"
    sy_sw ip addr add 10.77.0.100/24 dev int0
    sy_sw ip link set int0 up
    sy_ping_ok vm1 10.77.0.100
    run portd show br1
    assert_output --partial "type: internal"
}

@test "admin_state=down stops a port forwarding, admin_state=up restores it" {
    local port=${SY_VM_PORT[vm1]}
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    run portd set-port br0 "$port" admin_state=down
    assert_success
    run portd show br0
    assert_output --partial "admin_state: down"
    sy_wait_until 10 state_is br0 "$port" down || fail "$port: $(port_state br0 "$port")"
    run sy_ns_exec vm1 ping -n -c 3 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
    # The patch port too can be taken down.
    run portd set-port br0 "$port" admin_state=up
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    run portd set-port br1 p-br0 admin_state=down
    assert_success
    run sy_ns_exec vm1 ping -n -c 3 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
    run portd set-port br1 p-br0 admin_state=
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
}

@test "bad admin_state values are refused and change nothing" {
    local before
    before=$(sy_config_sum)
    run portd set-port br0 p-br1 admin_state=sideways
    assert_failure 2
    assert_output --partial "admin_state=sideways: expected up or down"
    assert_equal "$(sy_config_sum)" "$before"
}
