#!/usr/bin/env bats
# tunnel-geneve-gre: Geneve and GRE ports between two simulated hosts
# (each a namespace with its own flowd and portd, linked by an underlay
# veth on no bridge): VMs ping across on the same key and not on another,
# and tshark decodes what we put on the underlay as valid Geneve and GRE
# (VNI/key, protocol, checksums). The kernel's own Geneve and GRE devices
# exist only in the QEMU guest, so the peers here are ours.

load helpers
load tunnel-helpers

setup() {
    th_setup_two_hosts
}

teardown() {
    th_teardown
}

# pair TYPE ARGS...: on each host, br0 with a VM (10.1.0.1 on a, .2 on b)
# and a tunnel "t0" of TYPE to the other host; br1 with a VM (.3, .4) and
# a tunnel "t1" with key 7 (so the two differ in key).
pair() {
    local type=$1 host remote n
    shift
    for host in a b; do
        [ $host = a ] && remote=192.0.2.2 n=1 || remote=192.0.2.1 n=2
        th_vm $host v1 "10.1.0.$n/24" "02:aa:00:00:00:0$n"
        th_vm $host v2 "10.1.0.$((n + 2))/24" "02:aa:00:00:00:0$((n + 2))"
        th_prog $host portd add-br br0
        th_prog $host portd add-br br1
        th_prog $host portd add-port br0 "$host-v1"
        th_prog $host portd add-port br1 "$host-v2"
        run th_prog $host tunnel add br0 t0 type="$type" remote_ip=$remote "$@"
        assert_success
        run th_prog $host tunnel add br1 t1 type="$type" remote_ip=$remote key=7
        assert_success
    done
}

# capture_pings FILTER: the underlay frames of 3 pings from a/v1 to b/v1.
capture_pings() {
    th_ping a v1 10.1.0.2 || fail "a/v1 cannot ping b/v1"
    th_capture_start a u-b "$SY_DIR/u.pcap" "$@"
    run th_vm_exec a v1 ping -n -c 3 -i 0.2 10.1.0.2
    assert_success
    th_capture_stop "$SY_DIR/u.pcap"
}

# no_complaints: tshark finds nothing malformed or wrong in the capture
# (expert info of warning or error severity).
no_complaints() {
    run tshark -r "$SY_DIR/u.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
        -Y "_ws.malformed || _ws.expert.severity >= 0x00600000"
    assert_success
    refute_output --regexp "ICMP|Malformed|GRE|Geneve"
}

@test "geneve: same VNI pings across hosts, another VNI cannot" {
    pair geneve key=100
    th_ping_ok a v1 10.1.0.2
    th_ping_ok a v2 10.1.0.4
    run th_ping a v1 10.1.0.4 3
    assert_failure
    run th_prog a dp dump-flows br0
    assert_output --partial "tun_id=0x64"
}

@test "geneve: tshark decodes our frames as Geneve, VNI 100, Ethernet inside" {
    pair geneve key=100 csum=true
    capture_pings udp port 6081
    run tshark -r "$SY_DIR/u.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
        -T fields -E occurrence=f -e geneve.vni -e geneve.proto_type -e geneve.version \
        -e udp.checksum.status -e ip.checksum.status -e icmp.type
    assert_success
    echo "$output"
    # Requests and replies, each with a good outer UDP and IPv4 checksum.
    assert_line "0x000064	0x6558	0	1	1	8"
    assert_line "0x000064	0x6558	0	1	1	0"
    refute_line --regexp "^0x000007"
    no_complaints
}

@test "gre: same key pings across hosts, another key cannot, no key is its own" {
    pair gre key=100
    th_ping_ok a v1 10.1.0.2
    th_ping_ok a v2 10.1.0.4
    run th_ping a v1 10.1.0.4 3
    assert_failure
    # A keyless GRE port on each side works too, apart from the keyed ones.
    th_vm a v3 10.1.0.5/24 02:aa:00:00:00:05
    th_vm b v3 10.1.0.6/24 02:aa:00:00:00:06
    for host in a b; do
        th_prog $host portd add-br br2
        th_prog $host portd add-port br2 "$host-v3"
    done
    run th_prog a tunnel add br2 t2 type=gre remote_ip=192.0.2.2
    assert_success
    run th_prog b tunnel add br2 t2 type=gre remote_ip=192.0.2.1
    assert_success
    th_ping_ok a v3 10.1.0.6
    run th_ping a v3 10.1.0.2 3
    assert_failure
}

@test "gre: tshark decodes our frames as GRE with key 100 and a good checksum" {
    pair gre key=100 csum=true
    capture_pings ip proto 47
    run tshark -r "$SY_DIR/u.pcap" -o ip.check_checksum:TRUE \
        -T fields -E occurrence=f -e gre.key -e gre.proto -e gre.checksum.status \
        -e ip.checksum.status -e ip.flags.df -e icmp.type
    assert_success
    echo "$output"
    assert_line "0x00000064	0x6558	1	1	1	8"
    assert_line "0x00000064	0x6558	1	1	1	0"
    no_complaints
}
