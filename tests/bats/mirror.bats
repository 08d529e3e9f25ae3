#!/usr/bin/env bats
# mirror: SPAN and RSPAN mirrors on br0, checked with tcpdump on the
# receiving end: a monitor VM on the SPAN output port, a trunk whose far
# end reads the RSPAN VLAN's tags (tcpdump -e; this kernel has no 802.1Q
# devices). Each mirrored packet must arrive exactly once, only the
# selected traffic, and the original traffic must be unchanged.

load helpers

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
}

# mirror_vms VM...: create and attach VMs (untagged) and the monitor.
mirror_vms() {
    local vm
    for vm in "$@"; do
        sy_vm "$vm"
        sy_attach br0 "$vm"
    done
    sy_vm mon 10.77.0.99/24
    sy_attach br0 mon
}

# count_in FILE REGEX: how many frames of the capture match REGEX.
count_in() {
    sy_capture_read "$1" | grep -cE "$2" || true
}

# ping_capture FROM TO_IP CAPTURE_VM FILE: capture on CAPTURE_VM while FROM
# pings TO_IP 5 times (after a warm-up outside the capture).
ping_capture() {
    sy_ping "$1" "$2" || fail "$1 cannot reach $2"
    sy_capture_start "$3" "$4" icmp
    run sy_ns_exec "$1" ping -n -c 5 -i 0.1 "$2"
    assert_output --partial "5 received"
    sy_capture_stop "$4"
    sy_capture_read "$4"
}

@test "select-all copies every packet once to the output port, which is no switch port" {
    local cap=$SY_DIR/mon.pcap ip1 ip2 n
    mirror_vms vm1 vm2
    ip1=${SY_VM_IP[vm1]} ip2=${SY_VM_IP[vm2]}
    run portd add-mirror br0 all select-all=true output-port="${SY_VM_PORT[mon]}"
    assert_success

    ping_capture vm1 "$ip2" mon "$cap"
    n=$(count_in "$cap" "$ip1 > $ip2: ICMP echo request")
    [ "$n" -eq 5 ] || fail "expected 5 mirrored echo requests, got $n"
    n=$(count_in "$cap" "$ip2 > $ip1: ICMP echo reply")
    [ "$n" -eq 5 ] || fail "expected 5 mirrored echo replies, got $n"
    # The copies are the frames as sent, MACs and all, untagged.
    [ "$(count_in "$cap" "^.*${SY_VM_MAC[vm1]} > ${SY_VM_MAC[vm2]}, ethertype IPv4")" -eq 5 ]
    [ "$(count_in "$cap" "802\.1Q")" -eq 0 ]

    # The output port takes no part in switching: the monitor, in the
    # VMs' subnet, cannot reach them.
    run sy_ns_exec mon ping -n -c 2 -W 1 "$ip1"
    assert_failure
    run sy_ns_exec mon ip neigh show "$ip1"
    refute_output --partial "${SY_VM_MAC[vm1]}"

    # flowd trace shows the copy.
    run flowd trace br0 "in_port($(sy_ofport br0 "${SY_VM_PORT[vm1]}")),eth(src=${SY_VM_MAC[vm1]},dst=${SY_VM_MAC[vm2]}),eth_type(0x0800),ipv4(src=$ip1,dst=$ip2,proto=1)"
    echo "$output"
    assert_output --partial "mirror all: copy to port ${SY_VM_PORT[mon]}"

    # Counters: 10 packets of 98 bytes at least.
    run portd show br0 --format=json
    echo "$output" | jq '.bridges[0].mirrors'
    n=$(echo "$output" | jq '.bridges[0].mirrors[0].tx_packets')
    [ "$n" -ge 10 ] || fail "tx_packets $n"
    [ "$(echo "$output" | jq '.bridges[0].mirrors[0].tx_bytes')" -ge 980 ]
    [ "$(echo "$output" | jq -r '.bridges[0].mirrors[0].output_port')" = "${SY_VM_PORT[mon]}" ]
    [ "$(echo "$output" | jq -r '.bridges[0].mirrors[0].status')" = "ok" ]
    run portd show br0
    assert_line "    Mirror all"
    assert_line "        select-all: true"
    assert_line --regexp "^        tx_packets: [0-9]+$"
}

@test "select-src and select-dst pick one direction, del-mirror stops it" {
    local cap=$SY_DIR/mon.pcap ip1 ip2
    mirror_vms vm1 vm2
    ip1=${SY_VM_IP[vm1]} ip2=${SY_VM_IP[vm2]}

    run portd add-mirror br0 in select-src="${SY_VM_PORT[vm1]}" output-port="${SY_VM_PORT[mon]}"
    assert_success
    ping_capture vm1 "$ip2" mon "$cap"
    [ "$(count_in "$cap" "$ip1 > $ip2: ICMP echo request")" -eq 5 ]
    [ "$(count_in "$cap" "ICMP echo reply")" -eq 0 ]

    run portd del-mirror br0 in
    assert_success
    run portd add-mirror br0 out select-dst="${SY_VM_PORT[vm1]}" output-port="${SY_VM_PORT[mon]}"
    assert_success
    ping_capture vm1 "$ip2" mon "$cap"
    [ "$(count_in "$cap" "ICMP echo request")" -eq 0 ]
    [ "$(count_in "$cap" "$ip2 > $ip1: ICMP echo reply")" -eq 5 ]

    # Two mirrors selecting the same packets to the same port: one copy.
    run portd add-mirror br0 both select-src="${SY_VM_PORT[vm2]}" select-dst="${SY_VM_PORT[vm2]}" \
        output-port="${SY_VM_PORT[mon]}"
    assert_success
    ping_capture vm1 "$ip2" mon "$cap"
    [ "$(count_in "$cap" "ICMP echo request")" -eq 5 ]
    [ "$(count_in "$cap" "ICMP echo reply")" -eq 5 ]

    run portd del-mirror br0 out
    assert_success
    run portd del-mirror br0 both
    assert_success
    ping_capture vm1 "$ip2" mon "$cap"
    [ "$(count_in "$cap" "ICMP")" -eq 0 ]
    [ ! -e "$SY_CONFDIR/bridges/br0/mirrors/out" ]
    # The port is an ordinary port again.
    run portd show br0 --format=json
    [ "$(echo "$output" | jq '.bridges[0].mirrors | length')" -eq 0 ]
}

@test "select-vlan mirrors one VLAN's traffic only" {
    local cap=$SY_DIR/mon.pcap
    sy_vm a10
    sy_attach br0 a10 tag=10
    sy_vm b10
    sy_attach br0 b10 tag=10
    sy_vm a20 10.77.0.21/24
    sy_attach br0 a20 tag=20
    sy_vm b20 10.77.0.22/24
    sy_attach br0 b20 tag=20
    sy_vm mon 10.77.9.1/24
    sy_attach br0 mon
    run portd add-mirror br0 v20 select-vlan=20 output-port="${SY_VM_PORT[mon]}"
    assert_success

    ping_capture a10 "${SY_VM_IP[b10]}" mon "$cap"
    [ "$(count_in "$cap" "ICMP")" -eq 0 ]
    ping_capture a20 "${SY_VM_IP[b20]}" mon "$cap"
    [ "$(count_in "$cap" "10.77.0.21 > 10.77.0.22: ICMP echo request")" -eq 5 ]
    [ "$(count_in "$cap" "10.77.0.22 > 10.77.0.21: ICMP echo reply")" -eq 5 ]
}

@test "RSPAN sends the copies tagged with the mirror VLAN over a trunk" {
    local cap=$SY_DIR/far.pcap ip1 ip2 n
    sy_vm vm1
    sy_attach br0 vm1 tag=10
    sy_vm vm2
    sy_attach br0 vm2 tag=10
    sy_vm far 10.77.9.2/32
    sy_attach br0 far trunks=10,99
    ip1=${SY_VM_IP[vm1]} ip2=${SY_VM_IP[vm2]}
    run portd add-mirror br0 remote select-src="${SY_VM_PORT[vm1]}" output-vlan=99
    assert_success

    sy_ping vm1 "$ip2" || fail "vm1 cannot reach vm2"
    sy_capture_start far "$cap"
    run sy_ns_exec vm1 ping -n -c 5 -i 0.1 "$ip2"
    assert_output --partial "5 received"
    sy_capture_stop "$cap"
    sy_capture_read "$cap"

    # vm1's echo requests, once each, tagged with VLAN 99.
    n=$(count_in "$cap" "${SY_VM_MAC[vm1]} > ${SY_VM_MAC[vm2]}, ethertype 802\.1Q \(0x8100\), length [0-9]+: vlan 99,.*$ip1 > $ip2: ICMP echo request")
    [ "$n" -eq 5 ] || fail "expected 5 echo requests in VLAN 99, got $n"
    # Nothing else of the ping: no replies (not selected), no copy in VLAN 10.
    [ "$(count_in "$cap" "ICMP echo reply")" -eq 0 ]
    [ "$(count_in "$cap" "vlan 10,.*ICMP")" -eq 0 ]
    [ "$(count_in "$cap" "ICMP echo request")" -eq 5 ]
    # The original traffic is unchanged: vm2 gets untagged requests.
    run sy_ns_exec vm1 ping -n -c 3 -i 0.2 "$ip2"
    assert_output --partial "3 received"
}

@test "RSPAN of tagged traffic replaces the tag, and access ports of the VLAN get it untagged" {
    local cap_t1=$SY_DIR/t1.pcap cap_far=$SY_DIR/far.pcap cap_acc=$SY_DIR/acc.pcap n
    sy_vm t1 10.77.0.31/24
    sy_attach br0 t1 trunks=10
    sy_vm vm2
    sy_attach br0 vm2 tag=10
    sy_vm far 10.77.9.2/32
    sy_attach br0 far trunks=99
    sy_vm acc 10.77.9.3/32
    sy_attach br0 acc tag=99
    run portd add-mirror br0 remote select-dst="${SY_VM_PORT[t1]}" output-vlan=99
    assert_success

    sy_capture_start t1 "$cap_t1"
    sy_capture_start far "$cap_far"
    sy_capture_start acc "$cap_acc"
    # vm2's ARP broadcasts in VLAN 10 leave by t1 tagged 10: selected (t1
    # has no 802.1Q device, so nobody answers).
    sy_ns_exec vm2 ping -n -c 3 -i 0.5 -W 1 10.77.0.31 || true
    sy_capture_stop "$cap_t1"
    sy_capture_stop "$cap_far"
    sy_capture_stop "$cap_acc"
    sy_capture_read "$cap_far"
    sy_capture_read "$cap_acc"

    n=$(count_in "$cap_t1" "vlan 10, p 0, ethertype ARP.*who-has 10.77.0.31")
    [ "$n" -ge 1 ] || fail "t1 saw no ARP request"
    # The trunk of VLAN 99 gets each once, tagged 99 instead of 10.
    [ "$(count_in "$cap_far" "${SY_VM_MAC[vm2]} > ff:ff:ff:ff:ff:ff, ethertype 802\.1Q \(0x8100\), length [0-9]+: vlan 99, p 0, ethertype ARP.*who-has 10.77.0.31")" -eq "$n" ]
    [ "$(count_in "$cap_far" "vlan 10,")" -eq 0 ]
    # The access port of VLAN 99 gets each once, untagged.
    [ "$(count_in "$cap_acc" "${SY_VM_MAC[vm2]} > ff:ff:ff:ff:ff:ff, ethertype ARP.*who-has 10.77.0.31")" -eq "$n" ]
    [ "$(count_in "$cap_acc" "802\.1Q")" -eq 0 ]
}

@test "RSPAN reaches an analyzer on a remote switch, once per packet" {
    local cap=$SY_DIR/ana.pcap ip1 ip2 n
    # br0: the VMs on VLAN 10; br1: the remote switch with the analyzer on
    # VLAN 99, which it floods without learning (the copies carry the VMs'
    # MACs in both directions, all from one trunk); a patch pair is the
    # trunk between them, carrying only 99.
    sy_vm vm1
    sy_attach br0 vm1 tag=10
    sy_vm vm2
    sy_attach br0 vm2 tag=10
    run portd add-br br1 flood-vlans=99
    assert_success
    run portd add-port br0 p-br1 type=patch peer=p-br0 trunks=99
    assert_success
    run portd add-port br1 p-br0 type=patch peer=p-br1 trunks=99
    assert_success
    sy_vm ana 10.77.9.5/24
    sy_attach br1 ana tag=99
    ip1=${SY_VM_IP[vm1]} ip2=${SY_VM_IP[vm2]}
    run portd add-mirror br0 remote select-vlan=10 output-vlan=99
    assert_success

    sy_ping vm1 "$ip2" || fail "vm1 cannot reach vm2"
    sy_capture_start ana "$cap"
    run sy_ns_exec vm1 ping -n -c 5 -i 0.1 "$ip2"
    assert_output --partial "5 received"
    sy_capture_stop "$cap"
    sy_capture_read "$cap"

    # Both directions of VLAN 10, untagged on the analyzer's access port,
    # each packet once.
    n=$(count_in "$cap" "${SY_VM_MAC[vm1]} > ${SY_VM_MAC[vm2]}, ethertype IPv4.*$ip1 > $ip2: ICMP echo request")
    [ "$n" -eq 5 ] || fail "expected 5 echo requests at the analyzer, got $n"
    n=$(count_in "$cap" "$ip2 > $ip1: ICMP echo reply")
    [ "$n" -eq 5 ] || fail "expected 5 echo replies at the analyzer, got $n"
    [ "$(count_in "$cap" "802\.1Q")" -eq 0 ]
    # The remote switch learned nothing from the copies.
    run flowd fdb-show br1
    echo "$output"
    refute_output --partial "${SY_VM_MAC[vm1]}"
    refute_output --partial "${SY_VM_MAC[vm2]}"
}

@test "bad mirrors are refused and change nothing" {
    local before
    mirror_vms vm1
    run portd add-mirror br0 ok select-all=true output-port="${SY_VM_PORT[mon]}"
    assert_success
    before=$(sy_config_sum)

    run portd add-mirror br0 m1 select-all=true output-port=nosuchport
    [ "$status" -eq 1 ]
    assert_output --partial 'no port "nosuchport" on bridge br0'
    run portd add-mirror br0 m1 select-src=nosuchport output-vlan=5
    [ "$status" -eq 1 ]
    assert_output --partial "select-src"
    run portd add-mirror br0 m1 select-all=true
    [ "$status" -eq 2 ]
    assert_output --partial "needs output-port=PORT or output-vlan=VID"
    run portd add-mirror br0 m1 select-all=true output-port="${SY_VM_PORT[mon]}" output-vlan=5
    [ "$status" -eq 2 ]
    assert_output --partial "exclude each other"
    run portd add-mirror br0 m1 output-vlan=5
    [ "$status" -eq 2 ]
    assert_output --partial "selects nothing"
    run portd add-mirror br0 m1 select-vlan=5000 output-vlan=5
    [ "$status" -eq 2 ]
    run portd add-mirror br0 m1 select-all=maybe output-vlan=5
    [ "$status" -eq 2 ]
    assert_output --partial "expected true or false"
    run portd add-mirror br0 m1 select-src="${SY_VM_PORT[mon]}" output-port="${SY_VM_PORT[mon]}"
    [ "$status" -eq 2 ]
    assert_output --partial "cannot also be selected"
    run portd add-mirror br0 m1 select-all=true output-vlan=0
    [ "$status" -eq 2 ]
    run portd add-mirror br0 m1 select-all=true output-vlan=5 colour=blue
    [ "$status" -eq 2 ]
    assert_output --partial 'unknown key "colour"'
    run portd add-mirror br0 'bad/name' select-all=true output-vlan=5
    [ "$status" -eq 2 ]
    run portd add-mirror br0 ok select-all=true output-vlan=5
    [ "$status" -eq 1 ]
    assert_output --partial "already exists"
    run portd add-mirror nobridge m1 select-all=true output-vlan=5
    [ "$status" -eq 1 ]
    run portd del-mirror br0 nosuchmirror
    [ "$status" -eq 1 ]
    assert_output --partial 'no mirror "nosuchmirror"'
    run portd set-bridge br0 flood-vlans=10,5000
    [ "$status" -eq 2 ]
    assert_output --partial "flood-vlans=10,5000"
    [ "$(sy_config_sum)" = "$before" ]

    # A mirror whose output port goes away copies nothing, and says why.
    run portd del-port br0 "${SY_VM_PORT[mon]}"
    assert_success
    run portd show br0 --format=json
    [ "$(echo "$output" | jq -r '.bridges[0].mirrors[0].status')" = \
      "output port ${SY_VM_PORT[mon]} is not on the bridge" ]

    # A corrupt mirror file is reported with its path and line.
    echo "output-vlan=9999" >> "$SY_CONFDIR/bridges/br0/mirrors/ok"
    run portd show br0
    [ "$status" -eq 1 ]
    assert_output --partial "mirrors/ok:"
}
