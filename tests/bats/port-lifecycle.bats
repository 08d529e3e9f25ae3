#!/usr/bin/env bats
# port-lifecycle: portd follows the devices behind ports. A VM's veth that
# is deleted (VM shut down) leaves its port in the configuration, shown
# as absent; a device of the same name that comes back is re-attached by
# itself, with the same ofport, and the VM pings again.

load helpers

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br0 vm2
}

# port_state PORT: PORT's state in `portd show --format=json`.
port_state() {
    portd show br0 --format=json | jq -r --arg p "$1" '.bridges[0].ports[] | select(.name == $p) | .state'
}

state_is() {
    [ "$(port_state "$1")" = "$2" ]
}

# recreate_vm_link NAME: a new veth pair with the old names, MAC and address.
recreate_vm_link() {
    local name=$1 ns=sy-$SY_ID-$1 port=${SY_VM_PORT[$1]}
    ip -n "$SY_NS_SW" link add "$port" type veth peer name eth0 netns "$ns"
    ip -n "$ns" link set eth0 address "${SY_VM_MAC[$name]}"
    ip -n "$ns" addr add "${SY_VM_IP[$name]}/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$SY_NS_SW" link set "$port" up
}

@test "a deleted veth is shown absent, and re-attached with its ofport when it returns" {
    local port=${SY_VM_PORT[vm2]} ofport
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    ofport=$(sy_ofport br0 "$port")
    sy_wait_until 10 state_is "$port" up || fail "state: $(port_state "$port")"

    ip -n "$SY_NS_SW" link del "$port"
    sy_wait_until 10 state_is "$port" absent || fail "state: $(port_state "$port")"
    run portd show br0
    assert_success
    assert_output --partial "state: absent"
    # The port stays configured, with its number.
    run portd list-ports br0
    assert_line "$port"
    assert_equal "$(sy_ofport br0 "$port")" "$ofport"
    # portd saw it go (rtnetlink) and logged it.
    sy_wait_until 10 grep -q "device $port is gone" "$SY_LOGDIR/portd.log"

    recreate_vm_link vm2
    sy_wait_until 10 state_is "$port" up || fail "state: $(port_state "$port")"
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_ping_ok vm2 "${SY_VM_IP[vm1]}"
    assert_equal "$(sy_ofport br0 "$port")" "$ofport"
    run dp show br0
    assert_output --regexp "port $ofport: $port"
    grep -q "device $port is present.*back: re-attaching" "$SY_LOGDIR/portd.log"
}

@test "ofports survive a restart while a device is away" {
    local p1=${SY_VM_PORT[vm1]} p2=${SY_VM_PORT[vm2]} o1 o2
    o1=$(sy_ofport br0 "$p1")
    o2=$(sy_ofport br0 "$p2")
    ip -n "$SY_NS_SW" link del "$p1"
    sy_stop_daemons
    sy_start_daemons
    sy_wait_until 10 state_is "$p1" absent || fail "state: $(port_state "$p1")"
    recreate_vm_link vm1
    sy_wait_until 10 state_is "$p1" up || fail "state: $(port_state "$p1")"
    assert_equal "$(sy_ofport br0 "$p1")" "$o1"
    assert_equal "$(sy_ofport br0 "$p2")" "$o2"
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
}
