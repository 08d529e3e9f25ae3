#!/usr/bin/env bats
# port-vlan-modes: portd set-port changes a port's VLAN settings on a
# running switch (tag=, trunks=, vlan_mode=), and the native modes do what
# Open vSwitch's do:
#
#   vm1        tag=10        10.77.0.11
#   vm3        tag=20        10.77.0.12
#   nat        a trunk with native VLAN 10, untagged frames in VLAN 10;
#              10.77.0.13 untagged (this kernel has no 802.1Q devices,
#              so tags are read with tcpdump -e)

load helpers

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_attach br0 vm1 tag=10
    sy_vm vm3
    sy_attach br0 vm3 tag=20
    sy_vm nat
    sy_attach br0 nat
}

# broadcasts_seen MODE: capture at nat while vm1 (VLAN 10) and vm3
# (VLAN 20) each send ARP broadcasts.
capture_broadcasts() {
    local cap=$SY_DIR/nat-$1.pcap
    sy_capture_start nat "$cap"
    sy_ns_exec vm1 ping -n -c 2 -i 0.5 -W 1 10.77.0.98 || true
    sy_ns_exec vm3 ping -n -c 2 -i 0.5 -W 1 10.77.0.99 || true
    sy_capture_stop "$cap"
    sy_capture_read "$cap"
}

@test "native-untagged: the native VLAN leaves untagged, the others tagged, untagged frames join the native VLAN" {
    run portd set-port br0 "${SY_VM_PORT[nat]}" tag=10 trunks=10,20 vlan_mode=native-untagged
    assert_success
    sy_ping_ok nat "${SY_VM_IP[vm1]}"
    run capture_broadcasts untagged
    echo "$output"
    assert_line --regexp "${SY_VM_MAC[vm1]} > ff:ff:ff:ff:ff:ff, ethertype ARP.*who-has 10\.77\.0\.98"
    assert_line --regexp "${SY_VM_MAC[vm3]} > ff:ff:ff:ff:ff:ff, ethertype 802\.1Q \(0x8100\).*vlan 20,.*who-has 10\.77\.0\.99"
    refute_line --regexp "vlan 10,"
}

@test "native-tagged: the native VLAN leaves tagged too" {
    run portd set-port br0 "${SY_VM_PORT[nat]}" tag=10 trunks=10,20 vlan_mode=native-tagged
    assert_success
    run capture_broadcasts tagged
    echo "$output"
    assert_line --regexp "${SY_VM_MAC[vm1]} > ff:ff:ff:ff:ff:ff, ethertype 802\.1Q \(0x8100\).*vlan 10,.*who-has 10\.77\.0\.98"
    assert_line --regexp "vlan 20,.*who-has 10\.77\.0\.99"
    # Untagged frames from the port still belong to the native VLAN.
    sy_ping "nat" "${SY_VM_IP[vm1]}" 3 || true
    run flowd fdb-show br0
    assert_line --regexp "^ *$(sy_ofport br0 "${SY_VM_PORT[nat]}") +10 +${SY_VM_MAC[nat]} "
}

@test "trunks= limits a trunk, and set-port moves an access port between VLANs live" {
    run portd set-port br0 "${SY_VM_PORT[nat]}" trunks=20
    assert_success
    run capture_broadcasts trunk20
    echo "$output"
    assert_line --regexp "vlan 20,.*who-has 10\.77\.0\.99"
    refute_line --regexp "who-has 10\.77\.0\.98"

    # vm3 moves from VLAN 20 to 10 and reaches vm1.
    run sy_ns_exec vm3 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm1]}"
    assert_failure
    run portd set-port br0 "${SY_VM_PORT[vm3]}" tag=10
    assert_success
    sy_ping_ok vm3 "${SY_VM_IP[vm1]}"
    run portd show br0 --format=json
    echo "$output" | jq -e --arg p "${SY_VM_PORT[vm3]}" '.bridges[0].ports[] | select(.name == $p) | .tag == 10'
}

@test "bad VLAN settings are refused and change nothing" {
    local before
    before=$(sy_config_sum)
    run portd set-port br0 "${SY_VM_PORT[nat]}" vlan_mode=sideways
    assert_failure 2
    run portd set-port br0 "${SY_VM_PORT[nat]}" tag=4095
    assert_failure 2
    run portd set-port br0 "${SY_VM_PORT[nat]}" trunks=10,abc
    assert_failure 2
    assert_equal "$(sy_config_sum)" "$before"
}
