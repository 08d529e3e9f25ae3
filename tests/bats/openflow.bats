#!/usr/bin/env bats
# openflow: Debian's ovs-ofctl (openvswitch-common) as a third-party
# OpenFlow client of flowd, in OpenFlow 1.0 and 1.3, over the management
# socket (unix:$SY_RUNDIR/br0.mgmt) and over a ptcp: listener that
# controller= opens in the switch namespace; then real traffic through the
# rules it installs, checked with packets on the wire.
#
#   vm1, vm2   10.77.0.11, .12 on br0 (standalone, userspace datapath)
#   cap        a capture-only port (some tests), never answers
#
# Every ovs-ofctl runs in the switch namespace. Bugs found in the switch
# were fixed; their checks now fail with "regression: ..." should they return.

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

# ofc VERSION ARGS...: ovs-ofctl -O VERSION ARGS, in the switch namespace.
ofc() {
    local v=$1
    shift
    sy_sw ovs-ofctl -O "$v" "$@"
}

# of_tcp_target: open a ptcp: listener on 127.0.0.1 in the switch namespace
# (a fresh namespace: any port is free; one is picked at random anyway) and
# print tcp:127.0.0.1:PORT once ovs-ofctl gets an answer there.
of_tcp_target() {
    local port=$((20000 + RANDOM % 20000))
    run portd set-bridge br0 "controller=ptcp:$port:127.0.0.1"
    [ "$status" -eq 0 ] || fail "set-bridge controller=ptcp:$port:127.0.0.1: $output"
    sy_wait_until 15 sy_sw ovs-ofctl -O OpenFlow13 show "tcp:127.0.0.1:$port" ||
        fail "flowd does not answer on tcp:127.0.0.1:$port"
    echo "tcp:127.0.0.1:$port"
}

# of_n_packets VERSION TARGET MATCH: n_packets of the one flow dump-flows
# shows for MATCH (a filter, e.g. "table=1,icmp").
of_n_packets() {
    ofc "$1" dump-flows "$2" "$3" | sed -nE 's/.* n_packets=([0-9]+),.*/\1/p' | head -n 1
}

# of_roundtrip VERSION TARGET: show, add-flow, dump-flows, del-flows,
# dump-ports through TARGET, all in OpenFlow VERSION.
of_roundtrip() {
    local v=$1 t=$2 ip2=${SY_VM_IP[vm2]}

    run ofc "$v" show "$t"
    assert_success
    echo "$output"
    assert_output --regexp "OFPT_FEATURES_REPLY.*dpid:[0-9a-f]{16}"
    assert_output --partial "n_tables:"
    assert_line --regexp "^ *$P1\(${SY_VM_PORT[vm1]}\): addr:"
    assert_line --regexp "^ *$P2\(${SY_VM_PORT[vm2]}\): addr:"
    assert_line --regexp "^ *LOCAL\(br0\): addr:"

    run ofc "$v" add-flow "$t" "priority=100,icmp,nw_dst=$ip2,actions=drop"
    assert_success
    run ofc "$v" add-flow "$t" "priority=90,in_port=$P1,tcp,tp_dst=80,actions=output:$P2"
    assert_success
    run ofc "$v" dump-flows "$t"
    assert_success
    echo "$output"
    assert_line --regexp "table=0, n_packets=[0-9]+, n_bytes=[0-9]+, priority=100,icmp,nw_dst=$ip2 actions=drop$"
    assert_line --regexp "priority=90,tcp,in_port=\"?$P1\"?,tp_dst=80 actions=output:\"?$P2\"?$|priority=90,tcp,in_port=$P1,tp_dst=80 actions=output:$P2$"
    assert_line --regexp "priority=0 actions=NORMAL$"

    # A filtered dump shows only what matches.
    run ofc "$v" dump-flows "$t" "icmp"
    assert_success
    assert_output --partial "nw_dst=$ip2 actions=drop"
    refute_output --partial "tp_dst=80"
    refute_output --partial "NORMAL"

    run ofc "$v" dump-aggregate "$t"
    assert_success
    assert_output --partial "flow_count=3"

    # del-flows by match removes only what matches.
    run ofc "$v" del-flows "$t" "icmp"
    assert_success
    run ofc "$v" dump-flows "$t"
    refute_output --partial "actions=drop"
    assert_output --partial "tp_dst=80"
    run ofc "$v" --strict del-flows "$t" "priority=90,in_port=$P1,tcp,tp_dst=80"
    assert_success
    run ofc "$v" dump-flows "$t"
    refute_output --partial "tp_dst=80"
    assert_output --partial "priority=0 actions=NORMAL"

    run ofc "$v" dump-ports "$t"
    assert_success
    echo "$output"
    assert_output --regexp "OFPST_PORT reply.*: 3 ports"
    assert_line --regexp "^ *port +$P1: rx pkts=[0-9]+, bytes=[0-9]+"
    assert_line --regexp "^ *port +$P2: rx pkts=[0-9]+, bytes=[0-9]+"
    assert_line --regexp "^ *port +LOCAL: rx pkts="
    run ofc "$v" dump-ports "$t" "$P2"
    assert_success
    assert_output --regexp "OFPST_PORT reply.*: 1 ports"
    assert_line --regexp "^ *port +$P2: rx pkts="
    refute_line --regexp "^ *port +$P1:"
}

@test "ovs-ofctl over unix:br0.mgmt in OpenFlow 1.0 and 1.3: show, add/dump/del-flows, dump-ports" {
    of_roundtrip OpenFlow10 "$MGMT"
    of_roundtrip OpenFlow13 "$MGMT"
}

@test "ovs-ofctl over tcp: (controller=ptcp:PORT:127.0.0.1) in OpenFlow 1.0 and 1.3" {
    local t
    t=$(of_tcp_target)
    of_roundtrip OpenFlow10 "$t"
    of_roundtrip OpenFlow13 "$t"
    # Both ways reach the same tables: a flow added over tcp: shows on unix:.
    run ofc OpenFlow13 add-flow "$t" "cookie=0x5eed,priority=7,arp,actions=NORMAL"
    assert_success
    run ofc OpenFlow10 dump-flows "$MGMT"
    assert_output --partial "cookie=0x5eed"
    run portd show br0
    assert_output --partial "controller: ${t/tcp:127.0.0.1:/ptcp:}:127.0.0.1"
}

@test "flow and port counters grow with real traffic" {
    local v t n before after
    t=$(of_tcp_target)
    run ofc OpenFlow13 add-flow "$MGMT" "priority=100,icmp,actions=NORMAL"
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    for v in OpenFlow10 OpenFlow13; do
        # 3 echoes (and their replies) at least, plus the warm-up.
        n=$(of_n_packets $v "$MGMT" "icmp")
        [ "${n:-0}" -ge 6 ] || fail "$v unix: icmp rule n_packets=$n after pings"
        n=$(of_n_packets $v "$t" "icmp")
        [ "${n:-0}" -ge 6 ] || fail "$v tcp: icmp rule n_packets=$n after pings"
        run ofc $v dump-flows "$MGMT" icmp
        assert_output --regexp "n_packets=[0-9]+, n_bytes=[1-9][0-9]{2,},"
    done

    before=$(ofc OpenFlow13 dump-ports "$MGMT" "$P1" | sed -nE 's/.*rx pkts=([0-9]+),.*/\1/p')
    n=$(of_n_packets OpenFlow13 "$MGMT" "icmp")
    run sy_ns_exec vm1 ping -n -c 5 -i 0.2 -W 2 "${SY_VM_IP[vm2]}"
    assert_success
    after=$(of_n_packets OpenFlow10 "$MGMT" "icmp")
    [ "$after" -ge $((n + 10)) ] || fail "icmp n_packets went from $n to $after over 5 echoes"
    after=$(ofc OpenFlow10 dump-ports "$MGMT" "$P1" | sed -nE 's/.*rx pkts=([0-9]+),.*/\1/p')
    [ "$after" -ge $((before + 5)) ] || fail "port $P1 rx pkts went from $before to $after"
    # The catch-all NORMAL rule did not count the ICMP.
    run ofc OpenFlow13 dump-aggregate "$MGMT" icmp
    assert_output --regexp "packet_count=[1-9][0-9]+"
}

@test "OpenFlow 1.0 show reports ports' features in OpenFlow 1.0 bits" {
    # flowd fills ofp_port.curr/advertised/supported with 0x800, which is
    # COPPER in OpenFlow 1.3 but PAUSE_ASYM in OpenFlow 1.0 (where COPPER is
    # 0x80 and 10 Gb full duplex 0x40), and sends the same to both.
    run ofc OpenFlow13 show "$MGMT"
    assert_output --regexp "current: +10GB-FD COPPER"
    run ofc OpenFlow10 show "$MGMT"
    echo "$output"
    if grep -q "AUTO_PAUSE_ASYM" <<<"$output"; then
        fail "regression: OpenFlow 1.0 FEATURES_REPLY port features use 1.3 bit values (ovs-ofctl shows AUTO_PAUSE_ASYM, speed 0 Mbps)"
    fi
    assert_output --partial "COPPER"
}

# ---- real traffic --------------------------------------------------------------

# tcp_server NAME PORT...: a TCP server in VM NAME that accepts on each
# PORT, says "hi" and closes; teardown stops it.
tcp_server() {
    local name=$1 port pid
    shift
    ip netns exec "sy-$SY_ID-$name" /usr/bin/python3 -c '
import select, socket, sys
socks = []
for p in sys.argv[1:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(p)))
    s.listen(16)
    socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        c, _ = s.accept()
        c.sendall(b"hi\n")
        c.close()
' "$@" > "$SY_DIR/tcp-server.out" 2>&1 < /dev/null 3>&- &
    pid=$!
    sy_track_pid "$pid"
    for port in "$@"; do
        sy_wait_until 10 eval "sy_ns_exec $name ss -ltn | grep -q ':$port '" ||
            fail "tcp server in $name is not listening on $port"
    done
}

# tcp_probe FROM IP PORT: prints open (connected and read "hi"), refused or
# timeout (no answer in 2 s).
tcp_probe() {
    sy_ns_exec "$1" /usr/bin/python3 -c '
import socket, sys
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
    print("open" if s.recv(3) == b"hi\n" else "odd")
except ConnectionRefusedError:
    print("refused")
except OSError:
    print("timeout")
' "$2" "$3"
}

# tcp_open FROM IP PORT: true once a probe connects (up to 5 tries: the
# first packets wait for ARP and flow set-up).
tcp_open() {
    local i
    for i in 1 2 3 4 5; do
        [ "$(tcp_probe "$@")" = open ] && return 0
    done
    return 1
}

@test "drop tcp to port 80: the connection times out while port 8080 and ping still work" {
    local ip2=${SY_VM_IP[vm2]} v
    tcp_server vm2 80 8080
    tcp_open vm1 "$ip2" 80 || fail "port 80 not reachable before any rule"

    for v in OpenFlow10 OpenFlow13; do
        run ofc $v add-flow "$MGMT" "priority=100,tcp,nw_dst=$ip2,tp_dst=80,actions=drop"
        assert_success
        run tcp_probe vm1 "$ip2" 80
        assert_output timeout
        tcp_open vm1 "$ip2" 8080 || fail "$v: port 8080 blocked by the port-80 rule"
        sy_ping_ok vm1 "$ip2"
        run of_n_packets $v "$MGMT" "tcp,tp_dst=80"
        [ "$output" -ge 1 ] || fail "$v: the drop rule counted no packets"

        # Deleting the rule opens port 80 again.
        run ofc $v del-flows "$MGMT" "tcp,nw_dst=$ip2,tp_dst=80"
        assert_success
        tcp_open vm1 "$ip2" 80 || fail "$v: port 80 still dropped after del-flows"
    done
}

# add_cap: a capture-only VM "cap" on br0 (no address needed), and CAP its
# OpenFlow port. vm1 gets a static neighbour 10.77.0.99 -> 02:77:00:00:00:99,
# a MAC nobody has, so its pings to .99 leave without ARP.
add_cap() {
    sy_vm cap 10.77.9.1/32
    sy_attach br0 cap
    CAP=$(sy_ofport br0 "${SY_VM_PORT[cap]}")
    sy_ns_exec vm1 ip neigh replace 10.77.0.99 lladdr 02:77:00:00:00:99 dev eth0
}

@test "mod_vlan_vid on output: the capture sees the new 802.1Q tag (untagged and tagged input)" {
    local v cap
    add_cap
    for v in OpenFlow10 OpenFlow13; do
        cap=$SY_DIR/cap-$v.pcap
        run ofc $v add-flow "$MGMT" "priority=100,in_port=$P1,icmp,nw_dst=10.77.0.99,actions=mod_vlan_vid:42,output:$CAP"
        assert_success
        # A frame that arrives tagged 10 leaves tagged 20: rewritten, not stacked.
        run ofc $v add-flow "$MGMT" "priority=100,in_port=$P1,dl_vlan=10,actions=mod_vlan_vid:20,output:$CAP"
        assert_success

        sy_capture_start cap "$cap"
        sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 10.77.0.99 || true
        sy_ns_exec vm1 /usr/bin/python3 - "${SY_VM_MAC[vm1]}" <<'PY'
import sys
from scapy.all import Dot1Q, Ether, IP, UDP, Raw, sendp
f = (Ether(src=sys.argv[1], dst="02:77:00:00:00:99") / Dot1Q(vlan=10) /
     IP(src="10.77.0.11", dst="10.77.0.98") / UDP(sport=4000, dport=4001) / Raw(b"tagged"))
sendp(f, iface="eth0", count=2, inter=0.2, verbose=False)
PY
        sy_capture_stop "$cap"
        run sy_capture_read "$cap"
        echo "$v: $output"
        assert_line --regexp "${SY_VM_MAC[vm1]} > 02:77:00:00:00:99, ethertype 802\.1Q \(0x8100\).*vlan 42, p 0, ethertype IPv4.*10\.77\.0\.11 > 10\.77\.0\.99: ICMP echo request"
        assert_line --regexp "${SY_VM_MAC[vm1]} > 02:77:00:00:00:99, ethertype 802\.1Q \(0x8100\).*vlan 20, p 0, ethertype IPv4.*10\.77\.0\.11\.4000 > 10\.77\.0\.98\.4001: UDP"
        refute_output --partial "vlan 10,"
        # Never an untagged copy, never two tags.
        refute_line --regexp "ethertype IPv4 \(0x0800\), length [0-9]+: 10\.77\.0\.11 > 10\.77\.0\.99"
        refute_line --regexp "vlan [0-9]+, p [0-9], ethertype 802\.1Q"
        run ofc $v del-flows "$MGMT" "in_port=$P1"
        assert_success
    done
}

@test "mod_nw_tos and mod_dl_src are seen on the wire and vm2 answers (IP checksum right)" {
    local v cap newmac=02:77:00:00:00:aa
    for v in OpenFlow10 OpenFlow13; do
        cap=$SY_DIR/vm2-$v.pcap
        # ovs-ofctl sends mod_nw_tos as set_field ip_dscp in OpenFlow 1.3.
        run ofc $v add-flow "$MGMT" "priority=100,in_port=$P1,icmp,actions=mod_nw_tos:32,mod_dl_src:$newmac,output:$P2"
        assert_success
        run ofc $v dump-flows "$MGMT" "icmp"
        assert_output --regexp "actions=(mod_nw_tos:32|set_field:8->ip_dscp|set_field:32->nw_tos),(mod_dl_src:$newmac|set_field:$newmac->eth_src),output:\"?$P2\"?"

        sy_ping vm1 "${SY_VM_IP[vm2]}" || fail "$v: vm2 does not answer rewritten pings"
        sy_capture_start vm2 "$cap" --immediate-mode icmp
        run sy_ns_exec vm1 ping -n -c 3 -i 0.2 -W 2 "${SY_VM_IP[vm2]}"
        assert_success
        sy_capture_stop "$cap"
        run tcpdump -r "$cap" -e -nn -v
        echo "$v: $output"
        # Echo requests as vm2 got them: new source MAC, tos 0x20 (DSCP 8).
        assert_output --regexp "$newmac > ${SY_VM_MAC[vm2]}, ethertype IPv4 \(0x0800\), length 98: \(tos 0x20, ttl 64,"
        refute_output --regexp "${SY_VM_MAC[vm1]} > ${SY_VM_MAC[vm2]}"
        refute_output --partial "bad cksum"
        assert_output --regexp "${SY_VM_IP[vm1]} > ${SY_VM_IP[vm2]}: ICMP echo request"
        assert_output --regexp "${SY_VM_IP[vm2]} > ${SY_VM_IP[vm1]}: ICMP echo reply"
        # No echo request kept its old TOS.
        run tcpdump -r "$cap" -nn -v "icmp[icmptype] == icmp-echo"
        assert_output --partial "tos 0x20,"
        refute_output --partial "tos 0x0,"
        run ofc $v del-flows "$MGMT" "icmp"
        assert_success
    done
}

@test "dec_ttl: vm2 sees TTL one less; a TTL-1 packet is dropped" {
    # ovs-ofctl 3.1 accepts dec_ttl in both versions (an NX action in
    # OpenFlow 1.0, OFPAT_DEC_NW_TTL in 1.3), so both are tested.
    local v cap
    for v in OpenFlow10 OpenFlow13; do
        cap=$SY_DIR/ttl-$v.pcap
        run ofc $v add-flow "$MGMT" "priority=100,in_port=$P1,ip,actions=dec_ttl,output:$P2"
        assert_success
        run ofc $v dump-flows "$MGMT" "ip"
        assert_output --partial "actions=dec_ttl,output:"
        sy_ping vm1 "${SY_VM_IP[vm2]}" || fail "$v: no answer through dec_ttl"

        sy_capture_start vm2 "$cap" --immediate-mode icmp
        run sy_ns_exec vm1 ping -n -c 2 -i 0.2 -W 2 -t 64 "${SY_VM_IP[vm2]}"
        assert_success
        sy_capture_stop "$cap"
        # The echo requests as vm2 received them: TTL 63, checksum right.
        run tcpdump -r "$cap" -nn -v "icmp[icmptype] == icmp-echo"
        echo "$v: $output"
        assert_output --regexp "ttl 63, .*proto ICMP"
        assert_output --partial "${SY_VM_IP[vm1]} > ${SY_VM_IP[vm2]}: ICMP echo request"
        refute_output --regexp "ttl 64,"
        refute_output --partial "bad cksum"

        # TTL 1 would expire: dropped, so no answer.
        run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 -t 1 "${SY_VM_IP[vm2]}"
        assert_failure
        run ofc $v del-flows "$MGMT" "ip"
        assert_success
    done
}

@test "multi-table: table 0 goto_table:1 (with metadata), table 1 outputs; an empty table 1 drops" {
    local n
    run ofc OpenFlow13 add-flow "$MGMT" "table=0,priority=10,ip,actions=write_metadata:0x7/0xff,goto_table:1"
    assert_success
    run ofc OpenFlow13 add-flow "$MGMT" "table=1,priority=10,metadata=0x7/0xff,ip,nw_dst=${SY_VM_IP[vm2]},actions=output:$P2"
    assert_success
    run ofc OpenFlow13 add-flow "$MGMT" "table=1,priority=10,metadata=0x7/0xff,ip,nw_dst=${SY_VM_IP[vm1]},actions=output:$P1"
    assert_success
    run ofc OpenFlow13 dump-flows "$MGMT"
    echo "$output"
    assert_output --regexp "table=0, .*priority=10,ip actions=write_metadata:0x7/0xff,goto_table:1"
    assert_output --regexp "table=1, .*priority=10,ip,metadata=0x7/0xff,nw_dst=${SY_VM_IP[vm2]} actions=output:\"?$P2\"?"

    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    n=$(of_n_packets OpenFlow13 "$MGMT" "table=1,ip,nw_dst=${SY_VM_IP[vm2]}")
    [ "${n:-0}" -ge 3 ] || fail "table 1 rule counted $n packets"
    n=$(of_n_packets OpenFlow13 "$MGMT" "table=0,ip")
    [ "${n:-0}" -ge 6 ] || fail "table 0 goto rule counted $n packets"
    # The NORMAL rule in table 0 saw only ARP, if anything: never the pings.
    run ofc OpenFlow13 dump-flows "$MGMT" "table=1"
    refute_output --partial "n_packets=0, n_bytes=0, priority=10,ip,metadata=0x7/0xff,nw_dst=${SY_VM_IP[vm2]}"

    # Emptying table 1: IP goes to a table miss there and is dropped.
    run ofc OpenFlow13 del-flows "$MGMT" "table=1"
    assert_success
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure

    # A goto_table to a lower table is refused.
    run ofc OpenFlow13 add-flow "$MGMT" "table=2,actions=goto_table:1"
    assert_failure
    assert_output --partial "OFPBIC_BAD_TABLE_ID"
}

@test "resubmit: OpenFlow 1.3 resubmit(,N) across tables, OpenFlow 1.0 resubmit:PORT in table 0" {
    local n
    # OpenFlow 1.3: table 0 resubmits IP to table 5; table 5 outputs to
    # vm2, or resubmits on to table 6, which outputs to vm1.
    run ofc OpenFlow13 add-flow "$MGMT" "table=0,priority=10,ip,actions=resubmit(,5)"
    assert_success
    run ofc OpenFlow13 add-flow "$MGMT" "table=5,priority=10,ip,nw_dst=${SY_VM_IP[vm2]},actions=output:$P2"
    assert_success
    run ofc OpenFlow13 add-flow "$MGMT" "table=5,priority=10,ip,nw_dst=${SY_VM_IP[vm1]},actions=resubmit(,6)"
    assert_success
    run ofc OpenFlow13 add-flow "$MGMT" "table=6,priority=10,ip,actions=output:$P1"
    assert_success
    run ofc OpenFlow10 dump-flows "$MGMT" "ip"
    assert_output --partial "actions=resubmit(,5)"

    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    n=$(of_n_packets OpenFlow13 "$MGMT" "table=5,ip,nw_dst=${SY_VM_IP[vm2]}")
    [ "${n:-0}" -ge 3 ] || fail "table 5 counted $n packets"
    n=$(of_n_packets OpenFlow13 "$MGMT" "table=6,ip")
    [ "${n:-0}" -ge 3 ] || fail "table 6 counted $n packets"

    # Without table 5's rules the resubmit finds nothing: dropped.
    run ofc OpenFlow13 del-flows "$MGMT" "table=5"
    assert_success
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
    run ofc OpenFlow13 del-flows "$MGMT" "ip"
    assert_success

    # OpenFlow 1.0: resubmit:PORT re-runs table 0 as if the packet had
    # come in on PORT (100, 101: ports that do not exist).
    run ofc OpenFlow10 add-flow "$MGMT" "priority=20,in_port=$P1,ip,actions=resubmit:100"
    assert_success
    run ofc OpenFlow10 add-flow "$MGMT" "priority=20,in_port=$P2,ip,actions=resubmit:101"
    assert_success
    run ofc OpenFlow10 add-flow "$MGMT" "priority=20,in_port=100,ip,actions=output:$P2"
    assert_success
    run ofc OpenFlow10 add-flow "$MGMT" "priority=20,in_port=101,ip,actions=output:$P1"
    assert_success
    run ofc OpenFlow10 dump-flows "$MGMT" "ip"
    assert_output --regexp "actions=resubmit:\"?100\"?"
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    n=$(of_n_packets OpenFlow10 "$MGMT" "in_port=100,ip")
    [ "${n:-0}" -ge 3 ] || fail "in_port=100 rule counted $n packets"
    run ofc OpenFlow10 --strict del-flows "$MGMT" "priority=20,in_port=100,ip"
    assert_success
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
}

@test "OpenFlow 1.0 tables other than 0 (NXT_FLOW_MOD_TABLE_ID): ovs-ofctl and our ofctl add, dump, delete" {
    local v n
    # ovs-ofctl -O OpenFlow10 sends Nicira's NXT_FLOW_MOD_TABLE_ID, then the
    # table in the high byte of the flow_mod command.
    run ofc OpenFlow10 add-flow "$MGMT" "table=3,priority=5,actions=drop"
    assert_success
    run ofc OpenFlow10 add-flow "$MGMT" "table=4,priority=5,actions=drop"
    assert_success
    run ofc OpenFlow10 add-flow "$MGMT" "table=0,priority=50,icmp,actions=resubmit(,3)"
    assert_success
    for v in OpenFlow10 OpenFlow13; do
        run ofc $v dump-flows "$MGMT" table=3
        assert_success
        assert_output --regexp "table=3, .*priority=5 actions=drop"
        refute_output --partial "table=4"
        run sy_sw "$SY_BINDIR/ofctl" -O $v dump-flows br0
        assert_success
        assert_line --regexp "^ cookie=0x0, duration=[0-9.]+s, table=3, n_packets=[0-9]+, n_bytes=[0-9]+, priority=5 actions=drop$"
        assert_line --regexp "^ cookie=0x0, duration=[0-9.]+s, table=4, .*priority=5 actions=drop$"
        assert_line --regexp "^ cookie=0x0, duration=[0-9.]+s, table=0, .*priority=0 actions=NORMAL$"
    done
    # Real packets: table 0 sends ICMP to table 3, which drops it.
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
    n=$(of_n_packets OpenFlow10 "$MGMT" "table=3")
    [ "${n:-0}" -ge 2 ] || fail "table 3 counted $n packets"

    # del-flows table=3 removes table 3's flow only.
    run ofc OpenFlow10 del-flows "$MGMT" table=3
    assert_success
    run ofc OpenFlow13 --no-stats dump-flows "$MGMT"
    refute_output --partial "table=3"
    assert_output --partial "table=4, priority=5 actions=drop"
    assert_output --partial "priority=50,icmp actions=resubmit(,3)"
    assert_output --partial "actions=NORMAL"

    # Our ofctl in OpenFlow 1.0, cross-checked with ovs-ofctl.
    run sy_sw "$SY_BINDIR/ofctl" -O OpenFlow10 add-flow br0 "table=2,priority=7,ip,actions=drop"
    assert_success
    run ofc OpenFlow13 --no-stats dump-flows "$MGMT" table=2
    assert_output --partial "table=2, priority=7,ip actions=drop"
    run sy_sw "$SY_BINDIR/ofctl" -O OpenFlow10 del-flows br0 "table=2"
    assert_success
    run ofc OpenFlow13 --no-stats dump-flows "$MGMT"
    refute_output --partial "table=2"
    assert_output --partial "table=4, priority=5 actions=drop"

    # A plain OpenFlow 1.0 delete (no table) still empties every table.
    run ofc OpenFlow10 del-flows "$MGMT"
    assert_success
    run ofc OpenFlow13 --no-stats dump-flows "$MGMT"
    refute_output --partial "table=4"
    refute_output --partial "resubmit"
}

@test "a deleted rule stops forwarding at once: no stale datapath flow" {
    run portd set-bridge br0 fail-mode=secure
    assert_success
    run ofc OpenFlow13 del-flows "$MGMT"
    assert_success
    run ofc OpenFlow13 add-flow "$MGMT" "priority=10,in_port=$P1,actions=output:$P2"
    assert_success
    run ofc OpenFlow13 add-flow "$MGMT" "priority=10,in_port=$P2,actions=output:$P1"
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    run dp dump-flows br0
    echo "$output"
    assert_line --regexp "^in_port\($P1\).*actions:$P2$"

    run ofc OpenFlow13 --strict del-flows "$MGMT" "priority=10,in_port=$P1"
    assert_success
    # Right away, before any new packet: the datapath flow is gone.
    run dp dump-flows br0
    assert_success
    echo "after del-flows: $output"
    if grep -qE "^in_port\($P1\).*actions:$P2$" <<<"$output"; then
        fail "a datapath flow still forwards by the deleted rule"
    fi
    run sy_ns_exec vm1 ping -n -c 3 -i 0.2 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
    assert_output --partial " 0 received"
    run dp dump-flows br0
    echo "after pings: $output"
    if grep -qE "^in_port\($P1\).*actions:$P2$" <<<"$output"; then
        fail "the deleted rule's datapath flow came back"
    fi
}

@test "idle_timeout and hard_timeout expire rules and send FLOW_REMOVED (send_flow_rem)" {
    local mon=$SY_DIR/monitor.out pid deadline
    ip netns exec "$SY_NS_SW" ovs-ofctl -O OpenFlow13 \
        --unixctl="$SY_DIR/monitor.ctl" monitor "$MGMT" > "$mon" 2>&1 < /dev/null 3>&- &
    pid=$!
    sy_track_pid "$pid"
    sleep 1
    sy_pid_alive "$pid" || fail "ovs-ofctl monitor exited: $(cat "$mon")"

    run ofc OpenFlow13 add-flow "$MGMT" "cookie=0x1d,priority=100,idle_timeout=2,send_flow_rem,icmp,actions=NORMAL"
    assert_success
    run ofc OpenFlow13 add-flow "$MGMT" "cookie=0x4a,priority=100,hard_timeout=3,send_flow_rem,udp,actions=NORMAL"
    assert_success
    run ofc OpenFlow13 add-flow "$MGMT" "cookie=0x99,priority=100,idle_timeout=2,arp,arp_tpa=10.77.0.250,actions=NORMAL"
    assert_success
    run ofc OpenFlow13 dump-flows "$MGMT"
    assert_output --regexp "cookie=0x1d, .*idle_timeout=2.*priority=100,.*icmp"
    assert_output --regexp "cookie=0x4a, .*hard_timeout=3.*priority=100,udp"
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"

    # Both expire (bounded wait; no assertion on exactly when).
    sy_wait_until 30 eval "! ofc OpenFlow13 dump-flows '$MGMT' | grep -q -e cookie=0x1d -e cookie=0x4a -e cookie=0x99" ||
        fail "rules did not expire: $(ofc OpenFlow13 dump-flows "$MGMT")"
    sy_wait_until 10 grep -q "cookie:0x4a\|cookie=0x4a" "$mon" || true
    echo "monitor: $(cat "$mon")"
    run cat "$mon"
    assert_output --regexp "OFPT_FLOW_REMOVED.*reason=idle"
    assert_output --regexp "OFPT_FLOW_REMOVED.*reason=hard"
    assert_output --regexp "OFPT_FLOW_REMOVED.*priority=100,icmp.*reason=idle|cookie:0x1d .*reason=idle|reason=idle.*cookie:0x1d"
    # A rule without send_flow_rem is removed silently.
    refute_output --partial "arp_tpa=10.77.0.250"
    # The NORMAL rule is still there and still works.
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
}

@test "our ofctl against flowd (bridge name, unix:, tcp:), cross-checked with ovs-ofctl" {
    local v t target
    [ -x "$SY_BINDIR/ofctl" ] || skip "no $SY_BINDIR/ofctl"
    t=$(of_tcp_target)
    for v in OpenFlow10 OpenFlow13; do
        for target in br0 "$MGMT" "$t"; do
            run sy_sw "$SY_BINDIR/ofctl" -O $v add-flow "$target" \
                "priority=100,icmp,nw_dst=${SY_VM_IP[vm2]},actions=drop"
            assert_success
            # ovs-ofctl sees what ours added.
            run ofc $v dump-flows "$MGMT" icmp
            assert_output --partial "priority=100,icmp,nw_dst=${SY_VM_IP[vm2]} actions=drop"
            run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
            assert_failure
            run sy_sw "$SY_BINDIR/ofctl" -O $v dump-flows "$target"
            assert_success
            assert_output --regexp "n_packets=[1-9][0-9]*, .*priority=100,icmp,nw_dst=${SY_VM_IP[vm2]} actions=drop"
            assert_output --partial "priority=0 actions=NORMAL"
            run sy_sw "$SY_BINDIR/ofctl" -O $v show "$target"
            assert_success
            assert_output --partial "${SY_VM_PORT[vm1]}"
            run sy_sw "$SY_BINDIR/ofctl" -O $v dump-ports "$target"
            assert_success
            assert_output --regexp "port +$P1: rx pkts=[1-9]"
            run sy_sw "$SY_BINDIR/ofctl" -O $v del-flows "$target" icmp
            assert_success
            run ofc $v dump-flows "$MGMT"
            refute_output --partial "icmp"
            sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
        done
    done
}

@test "20,000 flows: add-flows, then a dump over many replies lists each once (ovs-ofctl, our ofctl, JSON); OpenFlow 1.0 ends a dump it cannot express with an error" {
    local f=$SY_DIR/flows n
    [ -x "$SY_BINDIR/ofctl" ] || skip "no $SY_BINDIR/ofctl"
    # Table 1 from line 10,001: OpenFlow 1.0 switches NXT_FLOW_MOD_TABLE_ID
    # on in the middle of the batch.
    awk 'BEGIN { for (i = 0; i < 20000; i++)
                   printf "%spriority=%d,udp,nw_src=10.1.%d.%d,tp_dst=%d,actions=output:2\n",
                          i >= 10000 ? "table=1," : "", 100 + i % 7,
                          int(i / 256) % 256, i % 256, 1024 + i }' > "$f"
    run sy_sw "$SY_BINDIR/ofctl" -O OpenFlow10 add-flows br0 "$f"
    assert_success
    for v in OpenFlow10 OpenFlow13; do
        n=$(ofc $v dump-flows "$MGMT" | grep -c 'actions=output:2')
        [ "$n" -eq 20000 ] || fail "ovs-ofctl $v dump-flows listed $n of 20000"
        n=$(sy_sw "$SY_BINDIR/ofctl" -O $v dump-flows br0 | grep 'actions=output:2' |
            sed -E 's/.*(table=[0-9]+).*(priority=.*)/\1 \2/' | sort -u | wc -l)
        [ "$n" -eq 20000 ] || fail "ofctl $v dump-flows listed $n distinct of 20000"
        n=$(sy_sw "$SY_BINDIR/ofctl" -O $v --format=json dump-flows br0 "table=1" | jq length)
        [ "$n" -eq 10000 ] || fail "ofctl $v --format=json dump-flows table=1 listed $n of 10000"
    done
    # An IPv6 match has no OpenFlow 1.0 form: the dump fails, in JSON
    # without printing half a document.
    run sy_sw "$SY_BINDIR/ofctl" -O OpenFlow13 add-flow br0 "priority=9,ipv6,ipv6_src=2001:db8::1,actions=drop"
    assert_success
    run sy_sw "$SY_BINDIR/ofctl" -O OpenFlow10 dump-flows br0
    assert_failure 1
    assert_output --partial "OFPBRC_BAD_MULTIPART"
    run sy_sw "$SY_BINDIR/ofctl" -O OpenFlow10 --format=json dump-flows br0
    assert_failure 1
    refute_output --partial "["
    run sy_sw "$SY_BINDIR/ofctl" -O OpenFlow13 del-flows br0
    assert_success
    run sy_sw "$SY_BINDIR/ofctl" -O OpenFlow13 dump-aggregate br0
    assert_output --partial "flow_count=0"
}
