#!/bin/sh
# kernel-tests.sh: the kernel datapath tests, run inside the QEMU guest by
# kernel-init. Each check prints one line
#
#   SY-KTEST NAME PASS
#   SY-KTEST NAME FAIL what went wrong
#
# which tests/bats/kernel-dp.bats asserts on. The set-up: datapath dp0 made
# by `dp`, two veth pairs whose far ends sit in namespaces ns1 (10.0.0.1)
# and ns2 (10.0.0.2), flows added by hand in both directions; then
# Debian's ovs-dpctl reads what dp made (and dp reads what ovs-dpctl adds).

. /ktest-lib.sh

# Namespaces ns1 and ns2, each holding one end of a veth pair.
setup_hosts() {
    for i in 1 2; do
        ip netns add ns$i &&
        ip link add v$i type veth peer name p$i &&
        ip link set p$i netns ns$i &&
        ip -n ns$i link set lo up &&
        ip -n ns$i addr add 10.0.0.$i/24 dev p$i &&
        ip -n ns$i link set p$i address 02:00:00:00:00:0$i &&
        ip -n ns$i link set p$i up &&
        ip link set v$i up || return 1
    done
}

ping_once() {
    ip netns exec ns1 ping -c 2 -W 2 10.0.0.2
}

check modules-loaded grep -q '^openvswitch ' /proc/modules
check add-dp dp add-dp dp0
check add-dp-twice-fails sh -c '! dp add-dp dp0'
check veth-setup setup_hosts
check add-if-v1 dp add-if dp0 v1
check add-if-v2 dp add-if system@dp0 v2
check add-if-internal dp add-if dp0 int0,type=internal
check add-if-vxlan dp add-if dp0 vxlan_sys_4789,type=vxlan,dst_port=4789
check add-if-missing-fails sh -c '! dp add-if dp0 nosuchdev'

show=$(dp show dp0 2>&1)
expect_grep show-header '^system@dp0:' "$show"
expect_grep show-local '^  port 0: dp0 \(internal\)' "$show"
expect_grep show-v1 '^  port 1: v1 \(netdev\)' "$show"
expect_grep show-v2 '^  port 2: v2 \(netdev\)' "$show"
expect_grep show-internal '^  port 3: int0 \(internal\)' "$show"
expect_grep show-vxlan '^  port 4: vxlan_sys_4789 \(vxlan: dst_port=4789\)' "$show"
expect_grep show-json '"name":"dp0","type":"kernel"' "$(dp show dp0 -j 2>&1)"

check no-flows-no-ping sh -c '! /usr/sbin/ip netns exec ns1 ping -c 1 -W 1 10.0.0.2'
check add-flow-ip-1to2 dp add-flow dp0 'in_port(1),eth(),eth_type(0x0800),ipv4(frag=no) actions:2'
check add-flow-ip-2to1 dp add-flow dp0 'in_port(2),eth(),eth_type(0x0800),ipv4(frag=no) actions:1'
check add-flow-arp-1to2 dp add-flow dp0 'in_port(1),eth_type(0x0806) actions:2'
check add-flow-arp-2to1 dp add-flow dp0 'in_port(2),eth_type(0x0806) actions:1'
check add-flow-exists-fails sh -c "! dp add-flow dp0 'in_port(1),eth_type(0x0806) actions:2'"
check add-flow-bad-fails sh -c "! dp add-flow dp0 'in_port(1),eth_type(0x0806) actions:frob'"
check ping-through ping_once

flows=$(dp dump-flows dp0 2>&1)
echo "$flows" | sed 's/^/sy-ktest: dp dump-flows: /'
expect_grep dump-ip-1to2 '^in_port\(1\),eth_type\(0x0800\),ipv4\(frag=no\), packets:[1-9][0-9]*, bytes:[1-9][0-9]*, used:[0-9.]+s, actions:2$' "$flows"
expect_grep dump-ip-2to1 '^in_port\(2\),eth_type\(0x0800\),ipv4\(frag=no\), packets:[1-9].*actions:1$' "$flows"
expect_grep dump-arp '^in_port\(1\),eth_type\(0x0806\), packets:[0-9]+.*actions:2$' "$flows"
expect_grep dump-json '"match":"in_port\(1\),eth_type\(0x0800\),ipv4\(frag=no\)","actions":"2","packets":[1-9]' "$(dp dump-flows dp0 -j 2>&1)"
expect_grep get-flow '^in_port\(1\),eth_type\(0x0800\),ipv4\(frag=no\), packets:[1-9].*actions:2$' \
    "$(dp get-flow dp0 'in_port(1),eth_type(0x0800),ipv4(frag=no)' 2>&1)"
expect_grep show-stats '^  lookups: hit:[1-9][0-9]* missed:[0-9]+ lost:[0-9]+$' "$(dp show dp0 2>&1)"
expect_grep show-flows '^  flows: 4$' "$(dp show dp0 2>&1)"
expect_grep show-port-stats '^    RX packets:[1-9]' "$(dp show dp0 -s 2>&1)"

# ovs-dpctl reads the datapath dp made.
ovs_show=$(ovs-dpctl show system@dp0 2>&1)
echo "$ovs_show" | sed 's/^/sy-ktest: ovs-dpctl show: /'
expect_grep ovs-show-header '^system@dp0:' "$ovs_show"
expect_grep ovs-show-v1 'port 1: v1$' "$ovs_show"
expect_grep ovs-show-v2 'port 2: v2$' "$ovs_show"
expect_grep ovs-show-internal 'port 3: int0 \(internal\)' "$ovs_show"
expect_grep ovs-show-vxlan 'port 4: vxlan_sys_4789 \(vxlan' "$ovs_show"
ovs_flows=$(ovs-dpctl dump-flows system@dp0 2>&1)
echo "$ovs_flows" | sed 's/^/sy-ktest: ovs-dpctl dump-flows: /'
expect_grep ovs-dump-ip 'in_port\(1\),.*eth_type\(0x0800\),ipv4\(frag=no\), packets:[1-9].*actions:2' "$ovs_flows"
expect_grep ovs-dump-arp 'in_port\(2\),.*eth_type\(0x0806\), packets:.*actions:1' "$ovs_flows"
n=$(echo "$ovs_flows" | grep -c 'actions:')
[ "$n" -eq 4 ]
result ovs-dump-count $? "ovs-dpctl shows $n flows, expected 4"

# And dp reads a flow that ovs-dpctl wrote. (Not with "drop": Open vSwitch
# 3.1 writes an explicit drop action this kernel refuses.)
check ovs-add-flow ovs-dpctl add-flow system@dp0 \
    'in_port(3),eth(src=02:00:00:00:00:09,dst=02:00:00:00:00:0a),eth_type(0x0800),ipv4(dst=10.9.9.9,frag=no)' '1'
expect_grep dp-reads-ovs-flow '^in_port\(3\),eth\(src=02:00:00:00:00:09,dst=02:00:00:00:00:0a\),eth_type\(0x0800\),ipv4\(dst=10.9.9.9,frag=no\), packets:0, bytes:0, used:never, actions:1$' \
    "$(dp dump-flows dp0 2>&1)"
check del-ovs-flow dp del-flow dp0 \
    'in_port(3),eth(src=02:00:00:00:00:09,dst=02:00:00:00:00:0a),eth_type(0x0800),ipv4(dst=10.9.9.9,frag=no)'

# mod-flow changes the actions in place; the counters stay unless --clear.
check mod-flow-drop dp mod-flow dp0 'in_port(1),eth(),eth_type(0x0800),ipv4(frag=no) actions:drop'
check mod-flow-no-ping sh -c '! /usr/sbin/ip netns exec ns1 ping -c 1 -W 1 10.0.0.2'
check mod-flow-back dp mod-flow dp0 'in_port(1),eth_type(0x0800),ipv4(frag=no) actions:2' --clear
check ping-after-mod ping_once
check mod-missing-fails sh -c "! dp mod-flow dp0 'in_port(3),eth_type(0x0800) actions:1'"

# Clean-up: one flow, then all, then the ports and the datapath.
check del-flow dp del-flow dp0 'in_port(2),eth_type(0x0806)'
check del-flow-missing-fails sh -c "! dp del-flow dp0 'in_port(2),eth_type(0x0806)'"
n=$(dp dump-flows dp0 | grep -c 'actions:')
[ "$n" -eq 3 ]
result dump-after-del $? "dp shows $n flows after del-flow, expected 3"
check del-flows dp del-flows dp0
n=$(ovs-dpctl dump-flows system@dp0 | grep -c 'actions:')
[ "$n" -eq 0 ]
result ovs-dump-after-del-flows $? "ovs-dpctl shows $n flows after del-flows"
check del-if dp del-if dp0 v2
expect_grep show-after-del-if '^  port 1: v1' "$(dp show dp0 2>&1)"
check del-if-gone sh -c '! dp show dp0 | grep -q "port 2: v2"'
check del-dp dp del-dp dp0
check del-dp-gone sh -c '! ovs-dpctl show system@dp0'
check veth-back-to-host ip link show v1
