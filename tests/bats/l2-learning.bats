#!/usr/bin/env bats
# l2-learning: NORMAL is a learning switch. Once vm1 and vm2 have talked,
# unicast between them is not flooded to vm3 (while broadcasts still reach
# it), and a MAC that shows up on another port is relearned there and
# traffic follows it.

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

@test "unicast to a learned MAC is not flooded to a third port" {
    local cap=$SY_DIR/vm3.pcap
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_ping_ok vm2 "${SY_VM_IP[vm1]}"

    sy_capture_start vm3 "$cap"
    # Unicast vm1 <-> vm2, 10 echoes each way...
    run sy_ns_exec vm1 ping -n -c 10 -i 0.1 -W 1 "${SY_VM_IP[vm2]}"
    assert_output --partial "10 received"
    # ...and a broadcast from vm1: ARP requests for an address nobody has.
    run sy_ns_exec vm1 ping -n -c 2 -i 0.5 -W 1 10.77.0.99
    sy_capture_stop "$cap"

    run sy_capture_read "$cap"
    echo "$output"
    # vm3 saw vm1's broadcasts...
    assert_line --regexp "${SY_VM_MAC[vm1]} > ff:ff:ff:ff:ff:ff.*ARP.*Request who-has 10.77.0.99"
    # ...but none of the unicast between vm1 and vm2.
    refute_output --partial "${SY_VM_MAC[vm1]} > ${SY_VM_MAC[vm2]}"
    refute_output --partial "${SY_VM_MAC[vm2]} > ${SY_VM_MAC[vm1]}"
}

@test "a MAC that moves to another port is relearned and traffic follows" {
    local p2 p4 cap=$SY_DIR/vm4.pcap
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    p2=$(sy_ofport br0 "${SY_VM_PORT[vm2]}")
    run flowd fdb-show br0
    assert_line --regexp "^ *$p2 +0 +${SY_VM_MAC[vm2]} "

    # vm2's machine "migrates": its MAC and address reappear behind vm4's
    # port, and the old port goes quiet.
    sy_vm vm4 "${SY_VM_IP[vm2]}/24"
    ip -n "sy-$SY_ID-vm4" link set eth0 down
    ip -n "sy-$SY_ID-vm4" link set eth0 address "${SY_VM_MAC[vm2]}"
    ip -n "sy-$SY_ID-vm4" link set eth0 up
    sy_attach br0 vm4
    p4=$(sy_ofport br0 "${SY_VM_PORT[vm4]}")
    ip -n "sy-$SY_ID-vm2" link set eth0 down

    # The moved machine speaks first (as a migrated VM does: RARP/GARP).
    sy_ping vm4 "${SY_VM_IP[vm1]}" || fail "vm4 (with vm2's MAC) cannot reach vm1"

    run flowd fdb-show br0
    echo "$output"
    assert_line --regexp "^ *$p4 +0 +${SY_VM_MAC[vm2]} "
    refute_line --regexp "^ *$p2 +0 +${SY_VM_MAC[vm2]} "

    # vm1 still has the MAC in its ARP cache, so it sends unicast right
    # away: the switch must deliver it on the new port.
    sy_capture_start vm4 "$cap" icmp
    run sy_ns_exec vm1 ping -n -c 5 -i 0.2 -W 1 "${SY_VM_IP[vm2]}"
    assert_output --partial "5 received"
    sy_capture_stop "$cap"
    run sy_capture_read "$cap"
    assert_line --regexp "${SY_VM_MAC[vm1]} > ${SY_VM_MAC[vm2]}.*ICMP echo request"

    # The datapath no longer sends that MAC to the old port.
    run dp dump-flows br0
    refute_line --regexp "eth\(src=[^,]*,dst=${SY_VM_MAC[vm2]}\).*actions:([0-9]+,)*$p2(,|$)"
}

@test "a MAC that moves stays moved: what the old port carried just before does not pull it back" {
    local p2 p4
    # vm4 gets vm2's MAC and address but stays silent (no IPv6) until
    # told to speak; no port changes after this, as a port going up or
    # down flushes every flow.
    sy_vm vm4 "${SY_VM_IP[vm2]}/24"
    ip -n "sy-$SY_ID-vm4" link set eth0 down
    sy_ns_exec vm4 sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
    ip -n "sy-$SY_ID-vm4" link set eth0 address "${SY_VM_MAC[vm2]}"
    ip -n "sy-$SY_ID-vm4" link set eth0 up
    sy_attach br0 vm4
    p2=$(sy_ofport br0 "${SY_VM_PORT[vm2]}")
    p4=$(sy_ofport br0 "${SY_VM_PORT[vm4]}")
    sy_ping_ok vm2 "${SY_VM_IP[vm1]}"

    # vm2 sends a burst on its datapath flow, then its MAC moves to vm4 at
    # once: the flow's last packets are not yet counted when vm4 speaks.
    run sy_ns_exec vm2 ping -n -c 30 -i 0.01 -W 1 "${SY_VM_IP[vm1]}"
    assert_output --partial " 0% packet loss"
    sy_ns_exec vm4 ping -n -c 1 -W 2 "${SY_VM_IP[vm1]}" >/dev/null ||
        fail "vm4 (with vm2's MAC) cannot reach vm1"

    # Through the next sweeps of the datapath flows (once a second) the
    # MAC stays on vm4's port.
    for _ in $(seq 15); do
        run flowd fdb-show br0
        refute_line --regexp "^ *$p2 +0 +${SY_VM_MAC[vm2]} "
        assert_line --regexp "^ *$p4 +0 +${SY_VM_MAC[vm2]} "
        sleep 0.2
    done
}

# fdb_count: how many MACs br0 has learned.
fdb_count() {
    flowd fdb-show br0 --format=json | jq length
}

@test "mac-table-size bounds the MAC table and mac-aging-time ages entries out" {
    run portd set-bridge br0 mac-table-size=2
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_ping_ok vm3 "${SY_VM_IP[vm1]}"
    # Three VMs have talked, the table holds two; pings still pass (what is
    # not learned is flooded).
    run fdb_count
    assert_success
    [ "$output" -le 2 ] || fail "$(flowd fdb-show br0)"

    run portd set-bridge br0 mac-table-size=8192 mac-aging-time=1
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_wait_until 20 eval '[ "$(fdb_count)" = 0 ]' ||
        fail "entries did not age out: $(flowd fdb-show br0)"

    local before
    before=$(sy_config_sum)
    run portd set-bridge br0 mac-aging-time=0
    [ "$status" -ne 0 ]
    assert_output --partial "mac-aging-time"
    run portd set-bridge br0 mac-table-size=lots
    [ "$status" -ne 0 ]
    [ "$(sy_config_sum)" = "$before" ]
}
