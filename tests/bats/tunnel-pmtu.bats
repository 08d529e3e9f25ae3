#!/usr/bin/env bats
# tunnel-pmtu: path MTU discovery for VMs behind a tunnel (userspace
# datapath). Two simulated hosts joined by an underlay of MTU 1500, VMs of
# MTU 1500 on each: a VM's full-size packet does not fit the tunnel once
# encapsulated. The VM hears so as it would from a router (ICMP
# "fragmentation needed", ICMPv6 "packet too big", from the packet's own
# destination), its route cache learns the MTU and TCP gets through;
# packets that allow fragmentation are dropped and counted, or sent as
# outer fragments with df_default=false; malformed too-big frames get no
# answer and no read past their end.

load helpers
load tunnel-helpers

setup() {
    th_setup_two_hosts
}

teardown() {
    th_teardown
}

# pmtu_host HOST REMOTE N TYPE [OPTIONS...]: VM v1 (10.1.0.N, fd00::N) on
# br0 with a tunnel port t0 of TYPE to REMOTE.
pmtu_host() {
    local host=$1 remote=$2 n=$3 type=$4 ns
    shift 4
    th_vm "$host" v1 "10.1.0.$n/24" "02:aa:00:00:00:0$n"
    ns=sy-$SY_ID-$host-v1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
        net.ipv6.conf.eth0.disable_ipv6=0
    ip -n "$ns" addr add "fd00::$n/64" dev eth0 nodad
    th_prog "$host" portd add-br br0 datapath=user
    th_prog "$host" portd add-port br0 "$host-v1"
    run th_prog "$host" tunnel add br0 t0 type="$type" remote_ip="$remote" key=100 "$@"
    assert_success
}

# stat HOST NAME: tunnel t0's counter NAME on HOST.
stat() {
    th_prog "$1" tunnel show -j br0 t0 | jq -r ".tunnels[0].statistics.$2"
}

@test "pmtu: a VM's too-big IPv4 packet with DF is answered with fragmentation needed; the VM learns the MTU" {
    pmtu_host a 192.0.2.2 1 vxlan
    pmtu_host b 192.0.2.1 2 vxlan
    th_ping_ok a v1 10.1.0.2

    # 1472 bytes of data: a 1500-byte packet, 1550 once in VXLAN.
    run th_vm_exec a v1 ping -n -c 1 -W 2 -M do -s 1472 10.1.0.2
    assert_failure
    assert_output --partial "From 10.1.0.2 icmp_seq=1 Frag needed and DF set (mtu = 1450)"
    # The VM's route cache has it: its stack now keeps below 1450.
    run th_vm_exec a v1 ip route get 10.1.0.2
    assert_success
    assert_output --partial "mtu 1450"
    run th_vm_exec a v1 ping -n -c 1 -W 2 -M do -s 1472 10.1.0.2
    assert_failure
    assert_output --partial "mtu=1450"
    run th_vm_exec a v1 ping -n -c 2 -i 0.2 -W 2 -M do -s 1422 10.1.0.2
    assert_success

    [ "$(stat a tx_too_big_replies)" -ge 1 ] || fail "$(th_prog a tunnel show br0 t0)"
    [ "$(stat a tx_dropped)" -eq 0 ] || fail "$(th_prog a tunnel show br0 t0)"
    run th_prog a tunnel show br0 t0
    assert_output --partial "too big for the path, answered: "
    grep -q "tunnel t0: a 1514-byte frame does not fit the path MTU to the remote once encapsulated: told its sender to use an MTU of 1450" \
        "$SY_DIR/a/log/flowd.log" || fail "no log line: $(tail "$SY_DIR/a/log/flowd.log")"
}

@test "pmtu: the MTU announced is the path's less each encapsulation's headers" {
    # GRE with a key: 20 + 8 bytes outside, 14 of inner Ethernet.
    pmtu_host a 192.0.2.2 1 gre
    pmtu_host b 192.0.2.1 2 gre
    th_ping_ok a v1 10.1.0.2
    run th_vm_exec a v1 ping -n -c 1 -W 2 -M do -s 1472 10.1.0.2
    assert_output --partial "Frag needed and DF set (mtu = 1458)"
    # A smaller underlay (a route MTU) shrinks it with it.
    th a ip route replace 192.0.2.2/32 dev u-b mtu 1400
    th_vm_exec a v1 ip route flush cache
    sy_wait_until 20 eval 'th_vm_exec a v1 ping -n -c 1 -W 1 -M do -s 1400 10.1.0.2 |
        grep -q "mtu = 1358"' || fail "no answer naming 1358"
}

@test "pmtu: a VM's too-big IPv6 packet is answered with packet too big; the VM learns the MTU" {
    pmtu_host a 192.0.2.2 1 geneve
    pmtu_host b 192.0.2.1 2 geneve
    th_ping_ok a v1 10.1.0.2
    sy_wait_until 10 th_vm_exec a v1 ping -6 -n -c 1 -W 1 fd00::2 > /dev/null ||
        fail "no IPv6 ping"

    # 1452 bytes of data: a 1500-byte IPv6 packet.
    run th_vm_exec a v1 ping -6 -n -c 1 -W 2 -M do -s 1452 fd00::2
    assert_failure
    assert_output --partial "Packet too big: mtu=1450"
    run th_vm_exec a v1 ip -6 route get fd00::2
    assert_success
    assert_output --partial "mtu 1450"
    run th_vm_exec a v1 ping -6 -n -c 2 -i 0.2 -W 2 -s 1402 fd00::2
    assert_success
    [ "$(stat a tx_too_big_replies)" -ge 1 ] || fail "$(th_prog a tunnel show br0 t0)"
}

@test "pmtu: TCP between VMs of MTU 1500 crosses an underlay of MTU 1500" {
    pmtu_host a 192.0.2.2 1 vxlan
    pmtu_host b 192.0.2.1 2 vxlan
    th_ping_ok a v1 10.1.0.2

    th_vm_exec b v1 iperf3 -s -1 -B 10.1.0.2 > "$SY_DIR/iperf3-server.log" 2>&1 3>&- &
    sy_track_pid $!
    sy_wait_until 10 eval 'th_vm_exec b v1 ss -ltn | grep -q ":5201"' ||
        fail "iperf3 server did not listen: $(cat "$SY_DIR/iperf3-server.log")"
    run th_vm_exec a v1 timeout 60 iperf3 -c 10.1.0.2 -n 4M -J
    assert_success
    [ "$(jq -r '.end.sum_sent.bytes' <<<"$output")" -ge 4194304 ] ||
        fail "sent: $(jq -c '.end.sum_sent' <<<"$output")"
    [ "$(stat a tx_too_big_replies)" -ge 1 ] || fail "$(th_prog a tunnel show br0 t0)"
    run th_vm_exec a v1 ip route get 10.1.0.2
    assert_output --partial "mtu 1450"
}

@test "pmtu: without DF, a too-big packet is dropped and counted; with df_default=false it goes as outer fragments" {
    pmtu_host a 192.0.2.2 1 vxlan
    pmtu_host b 192.0.2.1 2 vxlan
    th_ping_ok a v1 10.1.0.2

    run th_vm_exec a v1 ping -n -c 2 -i 0.2 -W 1 -M dont -s 1472 10.1.0.2
    assert_failure
    refute_output --partial "Frag needed"
    [ "$(stat a tx_dropped)" -ge 2 ] || fail "$(th_prog a tunnel show br0 t0)"
    [ "$(stat a tx_too_big_replies)" -eq 0 ] || fail "$(th_prog a tunnel show br0 t0)"
    grep -q "over the path MTU of 1500 to the remote (the MTU inside must be at most 1450)" \
        "$SY_DIR/a/log/flowd.log" || fail "no log line: $(tail "$SY_DIR/a/log/flowd.log")"

    # Both ends allow outer fragmentation: the big echo and its big reply
    # both cross, in two outer fragments each.
    for host in a b; do
        remote=192.0.2.2
        [ $host = a ] || remote=192.0.2.1
        run th_prog $host tunnel del br0 t0
        assert_success
        run th_prog $host tunnel add br0 t0 type=vxlan remote_ip=$remote key=100 df_default=false
        assert_success
    done
    th_ping_ok a v1 10.1.0.2
    th_capture_start a u-b "$SY_DIR/u.pcap" ip
    run th_vm_exec a v1 ping -n -c 2 -i 0.2 -W 2 -M dont -s 1472 10.1.0.2
    assert_success
    th_capture_stop "$SY_DIR/u.pcap"
    run tshark -r "$SY_DIR/u.pcap" -o ip.defragment:FALSE -T fields -E occurrence=f \
        -e ip.src -e ip.flags.mf -e ip.frag_offset
    assert_success
    echo "$output"
    # (The offset in 8-byte units or bytes, as tshark's version says it.)
    assert_line --regexp "^192\.0\.2\.1	(1|True)	0$"
    assert_line --regexp "^192\.0\.2\.1	(0|False)	(185|1480)$"
    # A DF packet is still answered, not fragmented.
    run th_vm_exec a v1 ping -n -c 1 -W 2 -M do -s 1472 10.1.0.2
    assert_output --partial "Frag needed and DF set (mtu = 1450)"
}

@test "pmtu: malformed or unanswerable too-big frames: no answer, no read past their end" {
    pmtu_host a 192.0.2.2 1 vxlan
    pmtu_host b 192.0.2.1 2 vxlan
    th_ping_ok a v1 10.1.0.2
    # (In the VM: what flowd sends bypasses the capture on its own side.)
    th_capture_start a-v1 eth0 "$SY_DIR/vm.pcap" icmp or icmp6

    # Frames of 1514 bytes from v1 to v2's MAC (learned by the ping): each
    # is too big for the tunnel, each lies in its own way.
    th_vm_exec a v1 python3 - 02:aa:00:00:00:02 02:aa:00:00:00:01 <<'EOF'
import socket, struct, sys

dst = bytes.fromhex(sys.argv[1].replace(":", ""))
src = bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))

def ipv4(total, ihl=5, frag=0x4000, proto=17, saddr="10.1.0.1", first=b""):
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, frag, 64, proto, 0,
                    socket.inet_aton(saddr), socket.inet_aton("10.1.0.2"))
    return h + first

def ipv6(plen, nh, rest):
    return struct.pack("!IHBB16s16s", 0x60000000, plen, nh, 64,
                       socket.inet_pton(socket.AF_INET6, "fd00::1"),
                       socket.inet_pton(socket.AF_INET6, "fd00::2")) + rest

def frame(payload, eth=b"\x08\x00"):
    f = dst + src + eth + payload
    return f + b"\xab" * (1514 - len(f))

frames = [
    # IPv4 whose total length claims more than the frame holds.
    frame(ipv4(65535)),
    # A too-big ICMP error is never answered.
    frame(ipv4(1500, proto=1, first=b"\x03\x04")),
    # A later fragment, a broadcast source.
    frame(ipv4(1500, frag=0x2010)),
    frame(ipv4(1500, saddr="255.255.255.255")),
    # IPv6: extension headers that run past the frame, an ICMPv6 error.
    frame(ipv6(1460, 0, b"\x3a\xff"), b"\x86\xdd"),
    frame(ipv6(1460, 58, b"\x01\x00"), b"\x86\xdd"),
    # An IPv4 header that claims 60 bytes, options all 0xab.
    frame(ipv4(1500, ihl=15)),
    # Three VLAN tags.
    frame(b"\x00\x01\x81\x00\x00\x02\x81\x00\x00\x03\x08\x00" + ipv4(1500), b"\x81\x00"),
]
for f in frames:
    s.send(f)
EOF
    # The IPv4 one with a lying length and the one with options are
    # answered (quotes bounded by the frame and by 576 bytes), the rest are
    # not; flowd is still alive and well.
    sy_wait_until 10 eval '[ "$(stat a tx_too_big_replies)" -ge 2 ]' ||
        fail "$(th_prog a tunnel show br0 t0)"
    th_ping_ok a v1 10.1.0.2
    [ "$(stat a tx_too_big_replies)" -eq 2 ] || fail "$(th_prog a tunnel show br0 t0)"
    th_capture_stop "$SY_DIR/vm.pcap"
    # Answers: from v2 to v1, checksums good, quoting 548 bytes.
    tshark -r "$SY_DIR/vm.pcap" -o ip.check_checksum:TRUE -Y "ip.src == 10.1.0.2 && icmp.type == 3" \
        -T fields -E occurrence=f -e ip.dst -e icmp.type -e icmp.code -e icmp.mtu -e ip.len \
        -e ip.checksum.status -e icmp.checksum.status > "$SY_DIR/answers" 2>/dev/null
    cat "$SY_DIR/answers"
    [ "$(wc -l < "$SY_DIR/answers")" -eq 2 ] || fail "not two answers"
    while read -r line; do
        [ "$line" = "$(printf '10.1.0.1\t3\t4\t1450\t576\t1\t1')" ] || fail "$line"
    done < "$SY_DIR/answers"
}
