#!/usr/bin/env bats
# l2-ping: three namespaces on br0 (userspace datapath) reach each other in
# both directions; ARP resolves; the datapath holds flows with packet
# counts; the FDB has each VM's MAC on that VM's port.

load helpers

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    for vm in vm1 vm2 vm3; do
        sy_vm "$vm"
        sy_attach br0 "$vm"
    done
}

@test "each pair of VMs pings in both directions" {
    for from in vm1 vm2 vm3; do
        for to in vm1 vm2 vm3; do
            [ "$from" = "$to" ] && continue
            sy_ping_ok "$from" "${SY_VM_IP[$to]}"
        done
    done
}

@test "ARP resolves: each VM's neighbour table has its peers' MACs" {
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_ping_ok vm1 "${SY_VM_IP[vm3]}"
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"

    run sy_ns_exec vm1 ip neigh show dev eth0
    assert_line --regexp "${SY_VM_IP[vm2]} lladdr ${SY_VM_MAC[vm2]} (REACHABLE|STALE|DELAY|PROBE)"
    assert_line --regexp "${SY_VM_IP[vm3]} lladdr ${SY_VM_MAC[vm3]} (REACHABLE|STALE|DELAY|PROBE)"
    run sy_ns_exec vm3 ip neigh show dev eth0
    assert_line --regexp "${SY_VM_IP[vm1]} lladdr ${SY_VM_MAC[vm1]}"
    assert_line --regexp "${SY_VM_IP[vm2]} lladdr ${SY_VM_MAC[vm2]}"
}

@test "dp dump-flows shows datapath flows with packet counts" {
    local p1 p2
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    p1=$(sy_ofport br0 "${SY_VM_PORT[vm1]}")
    p2=$(sy_ofport br0 "${SY_VM_PORT[vm2]}")

    run dp dump-flows br0
    assert_success
    echo "$output"
    # vm1 -> vm2 unicast: in on vm1's port, out on vm2's, counted.
    assert_line --regexp "in_port\($p1\).*eth\(src=${SY_VM_MAC[vm1]},dst=${SY_VM_MAC[vm2]}\).*packets:[1-9][0-9]*, bytes:[1-9][0-9]*, used:.*actions:([0-9]+,)*$p2(,|$)"
    assert_line --regexp "in_port\($p2\).*eth\(src=${SY_VM_MAC[vm2]},dst=${SY_VM_MAC[vm1]}\).*packets:[1-9]"

    # Without a datapath name: the same flows.
    run dp dump-flows
    assert_success
    assert_output --partial "src=${SY_VM_MAC[vm1]},dst=${SY_VM_MAC[vm2]}"

    # JSON: an array of flows, and some have packets.
    run dp dump-flows -j
    assert_success
    echo "$output" | jq -e 'type == "array" and length > 0'
    echo "$output" | jq -e '[.. | objects | .packets? | numbers | select(. > 0)] | length > 0'
}

@test "dp show lists br0's ports with their numbers" {
    run dp show br0
    assert_success
    for vm in vm1 vm2 vm3; do
        assert_output --partial "${SY_VM_PORT[$vm]}"
    done
}

@test "fdb-show lists each VM's MAC on its own port" {
    local vm port
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_ping_ok vm3 "${SY_VM_IP[vm1]}"

    run flowd fdb-show br0
    assert_success
    echo "$output"
    assert_line --regexp "port +VLAN +MAC +Age"
    for vm in vm1 vm2 vm3; do
        port=$(sy_ofport br0 "${SY_VM_PORT[$vm]}")
        assert_line --regexp "^ *$port +0 +${SY_VM_MAC[$vm]} +[0-9]+ *$"
    done

    run flowd fdb-show br0 --format=json
    assert_success
    for vm in vm1 vm2 vm3; do
        port=$(sy_ofport br0 "${SY_VM_PORT[$vm]}")
        echo "$output" | jq -e --arg mac "${SY_VM_MAC[$vm]}" --argjson port "$port" \
            'map(select(.mac == $mac)) | length == 1 and .[0].port == $port and .[0].vlan == 0 and (.[0].age | type) == "number"'
    done
}
