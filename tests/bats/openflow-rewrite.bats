#!/usr/bin/env bats
# openflow-rewrite: set_field rewrites of IPv6, ARP and SCTP headers, done
# by the userspace datapath on real packets, installed with Debian's
# ovs-ofctl; and rewrites no datapath can do, refused with an OpenFlow
# error instead of being accepted and ignored.
#
#   vm1  fd00:77::1  10.77.0.11   on br0 (userspace datapath)
#   vm2  fd00:77::2  10.77.0.12
#
# IPv6 NAT pair: vm1 talks to fd00:77::99, which the switch turns into
# vm2 (source fd00:77::98); vm2's answers to fd00:77::98 are turned back.
# Every other IPv6 packet is dropped, so a ping only works through the
# rewrite (and only with right ICMPv6 checksums: the kernel drops others).

load helpers

setup() {
    command -v ovs-ofctl >/dev/null || skip "ovs-ofctl (openvswitch-common) is not installed"
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br0 vm2
    P1=$(sy_ofport br0 "${SY_VM_PORT[vm1]}")
    P2=$(sy_ofport br0 "${SY_VM_PORT[vm2]}")
    MGMT=unix:$SY_RUNDIR/br0.mgmt
}

ofc() {
    sy_sw ovs-ofctl -O OpenFlow13 "$@"
}

# v6_setup: addresses without DAD, and static neighbours for the virtual
# addresses (no ND crosses the switch: only the NAT rules pass IPv6).
v6_setup() {
    local vm
    for vm in vm1 vm2; do
        sy_ns_exec "$vm" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0
    done
    sy_ns_exec vm1 ip -6 addr add fd00:77::1/64 dev eth0 nodad
    sy_ns_exec vm2 ip -6 addr add fd00:77::2/64 dev eth0 nodad
    sy_ns_exec vm1 ip -6 neigh replace fd00:77::99 lladdr "${SY_VM_MAC[vm2]}" dev eth0 nud permanent
    sy_ns_exec vm2 ip -6 neigh replace fd00:77::98 lladdr "${SY_VM_MAC[vm1]}" dev eth0 nud permanent
    run ofc add-flow "$MGMT" "priority=10,ipv6,actions=drop"
    assert_success
}

@test "ipv6_src/ipv6_dst NAT pair: ping6 works only through the rewrite, checksums right" {
    local cap=$SY_DIR/vm2-v6.pcap
    v6_setup
    # Without the NAT rules, nothing answers fd00:77::99.
    run sy_ns_exec vm1 ping -6 -n -c 1 -W 1 fd00:77::99
    assert_failure

    run ofc add-flow "$MGMT" "priority=100,in_port=$P1,ipv6,ipv6_dst=fd00:77::99,actions=set_field:fd00:77::2->ipv6_dst,set_field:fd00:77::98->ipv6_src,output:$P2"
    assert_success
    run ofc add-flow "$MGMT" "priority=100,in_port=$P2,ipv6,ipv6_src=fd00:77::2,ipv6_dst=fd00:77::98,actions=set_field:fd00:77::99->ipv6_src,set_field:fd00:77::1->ipv6_dst,output:$P1"
    assert_success
    run ofc dump-flows "$MGMT" "ipv6"
    assert_output --partial "set_field:fd00:77::2->ipv6_dst"

    # flowd trace shows the datapath action the rule becomes.
    run flowd trace br0 "in_port($P1),eth(src=${SY_VM_MAC[vm1]},dst=${SY_VM_MAC[vm2]}),eth_type(0x86dd),ipv6(src=fd00:77::1,dst=fd00:77::99,proto=58)"
    echo "$output"
    assert_success
    assert_output --regexp "set\(ipv6\(src=fd00:77::98,dst=fd00:77::2\)\)"

    sy_ping vm1 fd00:77::99 || true
    sy_capture_start vm2 "$cap" icmp6
    run sy_ns_exec vm1 ping -6 -n -c 3 -i 0.2 -W 2 fd00:77::99
    echo "$output"
    assert_success
    assert_output --partial "3 received"
    assert_output --partial "from fd00:77::99"
    sy_capture_stop "$cap"
    run tcpdump -r "$cap" -nn -vv
    echo "$output"
    assert_output --regexp "fd00:77::98 > fd00:77::2: \[icmp6 sum ok\] ICMP6, echo request"
    assert_output --regexp "fd00:77::2 > fd00:77::98: \[icmp6 sum ok\] ICMP6, echo reply"
    refute_output --partial "fd00:77::99"
    refute_output --partial "fd00:77::1 "
    refute_output --regexp "bad .*cksum|incorrect"
}

@test "IPv6 hop limit, traffic class and flow label rewrites reach the wire" {
    local cap=$SY_DIR/vm2-hl.pcap
    v6_setup
    run ofc add-flow "$MGMT" "priority=100,in_port=$P1,ipv6,actions=set_field:fd00:77::2->ipv6_dst,set_field:0x12345->ipv6_label,mod_nw_ttl:9,set_field:32->nw_tos,output:$P2"
    assert_success
    sy_capture_start vm2 "$cap" icmp6
    run sy_ns_exec vm1 ping -6 -n -c 2 -i 0.2 -W 1 fd00:77::99
    sy_capture_stop "$cap"
    run tcpdump -r "$cap" -nn -vv
    echo "$output"
    assert_output --regexp "\(class 0x20, flowlabel 0x12345, hlim 9, next-header ICMPv6 \(58\)"
    assert_output --regexp "fd00:77::1 > fd00:77::2: \[icmp6 sum ok\] ICMP6, echo request"
}

@test "arp_op, arp_spa and arp_sha rewrites are seen in a capture" {
    local cap=$SY_DIR/vm2-arp.pcap fake=02:77:00:00:00:99
    run ofc add-flow "$MGMT" "priority=100,in_port=$P1,arp,arp_op=1,actions=set_field:2->arp_op,set_field:10.77.0.99->arp_spa,set_field:$fake->arp_sha,output:$P2"
    assert_success
    run flowd trace br0 "in_port($P1),eth(src=${SY_VM_MAC[vm1]},dst=ff:ff:ff:ff:ff:ff),eth_type(0x0806),arp(sip=${SY_VM_IP[vm1]},tip=${SY_VM_IP[vm2]},op=1)"
    echo "$output"
    assert_output --regexp "set\(arp\(sip=10\.77\.0\.99,op=2,sha=$fake\)\)"

    sy_capture_start vm2 "$cap" arp
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    sy_capture_stop "$cap"
    run tcpdump -r "$cap" -nn -e -v
    echo "$output"
    assert_output --regexp "${SY_VM_MAC[vm1]} > ff:ff:ff:ff:ff:ff, ethertype ARP .*Reply 10\.77\.0\.99 is-at $fake"
    refute_output --partial "Request who-has ${SY_VM_IP[vm2]} tell ${SY_VM_IP[vm1]}"
}

@test "a rewrite no datapath can do is refused with an OpenFlow error, not ignored" {
    run ofc add-flow "$MGMT" "priority=100,icmp,actions=set_field:3->icmp_type,output:$P2"
    echo "$output"
    assert_failure
    assert_output --partial "OFPBAC_BAD_SET_TYPE"
    run ofc add-flow "$MGMT" "priority=100,icmp6,icmp_type=135,actions=set_field:fd00::1->nd_target,output:$P2"
    echo "$output"
    assert_failure
    assert_output --partial "OFPBAC_BAD_SET_TYPE"
    run ofc dump-flows "$MGMT"
    refute_output --partial "icmp"
}
