#!/usr/bin/env bats
# tunnel-vxlan: two simulated hosts, each a namespace with its own flowd and
# portd, joined by an underlay veth that is on no bridge: VXLAN ports carry
# VMs' traffic between them by the hosts' own routes. Same VNI pings
# across, another VNI does not, and our VXLAN talks to the Linux kernel's
# own vxlan device. (Packets too big for the path: tunnel-pmtu.bats.)

load helpers
load tunnel-helpers

setup() {
    th_setup_two_hosts
}

teardown() {
    th_teardown
}

# A host with two bridges: br0 holds VM 1 and the VNI 100 tunnel, br1 VM 2
# and the VNI 200 tunnel. All four VMs share one IP subnet.
vxlan_host() {
    local host=$1 remote=$2 n1=$3 n2=$4
    th_vm "$host" v1 "10.1.0.$n1/24" "02:aa:00:00:00:0$n1"
    th_vm "$host" v2 "10.1.0.$n2/24" "02:aa:00:00:00:0$n2"
    th_prog "$host" portd add-br br0
    th_prog "$host" portd add-br br1
    th_prog "$host" portd add-port br0 "$host-v1"
    th_prog "$host" portd add-port br1 "$host-v2"
    run th_prog "$host" tunnel add br0 vx100 type=vxlan remote_ip="$remote" key=100
    assert_success
    run th_prog "$host" tunnel add br1 vx200 type=vxlan remote_ip="$remote" key=200
    assert_success
}

@test "vxlan: VMs on the same VNI ping across hosts, other VNIs cannot" {
    vxlan_host a 192.0.2.2 1 3
    vxlan_host b 192.0.2.1 2 4

    th_ping_ok a v1 10.1.0.2
    th_ping_ok a v2 10.1.0.4
    th_ping_ok b v2 10.1.0.4 2>/dev/null || true
    run th_ping a v1 10.1.0.4 3
    assert_failure
    run th_ping b v1 10.1.0.3 3
    assert_failure

    # The counters say so, and show names the port's state.
    run th_prog a tunnel show -j br0 vx100
    assert_success
    [ "$(jq -r '.tunnels[0].state' <<<"$output")" = up ] || fail "$output"
    [ "$(jq -r '.tunnels[0].statistics.tx_packets' <<<"$output")" -gt 0 ] || fail "$output"
    [ "$(jq -r '.tunnels[0].statistics.rx_packets' <<<"$output")" -gt 0 ] || fail "$output"

    # Flows in the datapath carry tunnel metadata.
    run th_prog a dp dump-flows br0
    assert_success
    assert_output --partial "tun_id=0x64"
}

@test "vxlan: the frames on the underlay are VXLAN with VNI, checksummed outer IPv4" {
    vxlan_host a 192.0.2.2 1 3
    vxlan_host b 192.0.2.1 2 4
    th_ping a v1 10.1.0.2 || fail "no ping"

    th_capture_start a u-b "$SY_DIR/u.pcap" udp port 4789
    run th_vm_exec a v1 ping -n -c 3 -i 0.2 10.1.0.2
    assert_success
    th_capture_stop "$SY_DIR/u.pcap"

    # Outer headers (first occurrence): checksum good, DF set; inner ICMP
    # echo requests and replies.
    run tshark -r "$SY_DIR/u.pcap" -o ip.check_checksum:TRUE -T fields -E occurrence=f \
        -e vxlan.vni -e ip.checksum.status -e ip.flags.df -e icmp.type -e ip.dst
    assert_success
    echo "$output"
    assert_line --regexp "^100	1	1	8	192.0.2.2$"
    assert_line --regexp "^100	1	1	0	192.0.2.1$"
    refute_line --regexp "^200"
}

@test "vxlan: TCP from VMs with segmentation offload crosses, cut to the VMs' MSS" {
    vxlan_host a 192.0.2.2 1 3
    vxlan_host b 192.0.2.1 2 4
    ip -n "sy-$SY_ID-a-v1" link set eth0 mtu 1450
    ip -n "sy-$SY_ID-b-v1" link set eth0 mtu 1450
    # The veth default: the VM hands flowd TCP super-frames.
    run th_vm_exec a v1 ethtool -k eth0
    assert_line "tcp-segmentation-offload: on"
    th_ping_ok a v1 10.1.0.2

    th_vm_exec b v1 iperf3 -s -1 -B 10.1.0.2 > "$SY_DIR/iperf3-server.log" 2>&1 3>&- &
    sy_track_pid $!
    sy_wait_until 10 eval 'th_vm_exec b v1 ss -ltn | grep -q ":5201"' ||
        fail "iperf3 server did not listen: $(cat "$SY_DIR/iperf3-server.log")"
    run th_vm_exec a v1 timeout 60 iperf3 -c 10.1.0.2 -n 8M -J
    assert_success
    [ "$(jq -r '.end.sum_sent.bytes' <<<"$output")" -ge 8388608 ] ||
        fail "sent: $(jq -c '.end.sum_sent' <<<"$output")"
    run th_prog a tunnel show -j br0 vx100
    [ "$(jq -r '.tunnels[0].statistics.tx_dropped' <<<"$output")" -eq 0 ] || fail "$output"
    [ "$(jq -r '.tunnels[0].statistics.tx_packets' <<<"$output")" -gt 1000 ] || fail "$output"
}

@test "vxlan: our port talks to the Linux kernel's own vxlan device" {
    th_vm a v1 10.1.0.1/24 02:aa:00:00:00:01
    th_prog a portd add-br br0
    th_prog a portd add-port br0 a-v1
    run th_prog a tunnel add br0 vx100 type=vxlan remote_ip=192.0.2.2 key=100
    assert_success

    # Host b has no switchyard bridge: a kernel vxlan device with the VM's
    # address on it.
    th b ip link add vx0 type vxlan id 100 remote 192.0.2.1 local 192.0.2.2 dstport 4789 dev u-a
    th b ip addr add 10.1.0.2/24 dev vx0
    th b ip link set vx0 up

    th_ping_ok a v1 10.1.0.2
    run th b ping -n -c 3 -i 0.2 -W 2 10.1.0.1
    assert_success
    # The kernel received real VXLAN: its device counts the packets.
    run th b ip -s -j link show vx0
    [ "$(jq -r '.[0].stats64.rx.packets' <<<"$output")" -ge 3 ] || fail "$output"
}

# tx_packets of HOST's device DEV.
tx_packets() {
    th "$1" ip -s -j link show "$2" | jq -r '.[0].stats64.tx.packets'
}

# moved_to_u2: one ping from a/v1 makes a's second underlay link send.
moved_to_u2() {
    local before
    before=$(tx_packets a u2)
    th_vm_exec a v1 ping -n -c 1 -W 1 10.1.0.2 > /dev/null 2>&1
    [ "$(tx_packets a u2)" -gt "$before" ]
}

@test "vxlan: the outer packets follow the host's routes, through a gateway, as they change" {
    vxlan_host a 203.0.113.2 1 3
    vxlan_host b 203.0.113.1 2 4
    # Each host's tunnel address is on its loopback, reached through the
    # other host as a gateway; a second link between them is unused yet.
    ip link add u2 netns "sy-$SY_ID-a" type veth peer name u2 netns "sy-$SY_ID-b"
    th a ip addr add 198.51.100.1/24 dev u2
    th b ip addr add 198.51.100.2/24 dev u2
    th a ip link set u2 up
    th b ip link set u2 up
    for host in a b; do
        th $host sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    done
    th a ip addr add 203.0.113.1/32 dev lo
    th b ip addr add 203.0.113.2/32 dev lo
    # The routes' source addresses are the tunnels' outer sources.
    th a ip route add 203.0.113.2/32 via 192.0.2.2 src 203.0.113.1
    th b ip route add 203.0.113.1/32 via 192.0.2.1 src 203.0.113.2

    th_ping_ok a v1 10.1.0.2
    run moved_to_u2
    assert_failure
    th a ip route replace 203.0.113.2/32 via 198.51.100.2 dev u2 src 203.0.113.1
    sy_wait_until 20 moved_to_u2 || fail "the tunnel did not follow the new route"
    th_ping_ok a v1 10.1.0.2
}

@test "vxlan: removing the tunnel port stops the traffic; adding it back restores it" {
    vxlan_host a 192.0.2.2 1 3
    vxlan_host b 192.0.2.1 2 4
    th_ping_ok a v1 10.1.0.2
    run th_prog a tunnel del br0 vx100
    assert_success
    run th_ping a v1 10.1.0.2 2
    assert_failure
    run th_prog a tunnel add br0 vx100 type=vxlan remote_ip=192.0.2.2 key=100
    assert_success
    th_ping_ok a v1 10.1.0.2
}
