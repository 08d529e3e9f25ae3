#!/usr/bin/env bats
# tunnel-mesh: three simulated hosts in a full mesh of VXLAN ports with
# key=flow; OpenFlow rules put each VM's traffic on its tenant's VNI
# (set_field:VNI->tun_id) and deliver what comes out of the tunnels by
# tun_id. VMs of one tenant reach each other on every host; the other
# tenant's VMs are not reachable. Then a VM moves between hosts.

load helpers
load tunnel-helpers

setup() {
    sy_setup
    TH_HOSTS=()
    th_host a
    th_host b
    th_host c
    th_underlay a 192.0.2.1 b 192.0.2.2
    th_underlay a 198.51.100.1 c 198.51.100.3
    th_underlay b 203.0.113.2 c 203.0.113.3
}

teardown() {
    th_teardown
}

ofctl_on() {
    local host=$1
    shift
    th_prog "$host" ofctl "$@"
}

# mesh_host HOST N REMOTE1 REMOTE2: VMs v1 (tenant 100, 10.1.0.N) and v2
# (tenant 200, 10.1.0.N+10) on br0, key=flow tunnels t1 and t2 to the
# other two hosts, and rules that steer by tun_id.
mesh_host() {
    local host=$1 n=$2 r1=$3 r2=$4
    th_vm "$host" v1 "10.1.0.$n/24" "02:aa:00:00:01:0$n"
    th_vm "$host" v2 "10.1.0.$((n + 10))/24" "02:aa:00:00:02:0$n"
    th_prog "$host" portd add-br br0
    th_prog "$host" portd add-port br0 "$host-v1" ofport=1
    th_prog "$host" portd add-port br0 "$host-v2" ofport=2
    run th_prog "$host" tunnel add br0 t1 type=vxlan remote_ip="$r1" key=flow ofport=11
    assert_success
    run th_prog "$host" tunnel add br0 t2 type=vxlan remote_ip="$r2" key=flow ofport=12
    assert_success
    ofctl_on "$host" del-flows br0
    ofctl_on "$host" add-flows br0 - <<'RULES'
priority=100,in_port=1,actions=set_field:100->tun_id,output:11,output:12
priority=100,in_port=2,actions=load:200->NXM_NX_TUN_ID[],output:11,output:12
priority=100,tun_id=100,actions=output:1
priority=100,tun_id=200,actions=output:2
RULES
}

@test "mesh: key=flow tunnels and rules steer each tenant's traffic by tun_id" {
    mesh_host a 1 192.0.2.2 198.51.100.3
    mesh_host b 2 192.0.2.1 203.0.113.3
    mesh_host c 3 198.51.100.1 203.0.113.2

    th_ping_ok a v1 10.1.0.2
    th_ping_ok a v1 10.1.0.3
    th_ping_ok b v1 10.1.0.3
    th_ping_ok a v2 10.1.0.12
    th_ping_ok c v2 10.1.0.12
    # Tenant 100 does not reach tenant 200, wherever it is.
    run th_ping a v1 10.1.0.12 3
    assert_failure
    run th_ping c v1 10.1.0.11 3
    assert_failure

    # The datapath flows: set(tunnel(tun_id=...)) before each tunnel
    # output, and received packets matched by their tunnel metadata.
    run th_prog a dp dump-flows br0
    assert_success
    echo "$output"
    assert_output --partial "set(tunnel(tun_id=0x64,dst=192.0.2.2"
    assert_output --partial "set(tunnel(tun_id=0xc8,dst=198.51.100.3"
    assert_output --regexp "tunnel\(tun_id=0x64,src=192.0.2.2,dst=192.0.2.1"
    # The rules' counters show the traffic went where tun_id said.
    run ofctl_on b dump-flows br0 tun_id=200
    assert_success
    assert_output --regexp "n_packets=[1-9]"
}

@test "mesh: a VM that moves to another host is reached there within a second" {
    mesh_host a 1 192.0.2.2 198.51.100.3
    mesh_host b 2 192.0.2.1 203.0.113.3
    mesh_host c 3 198.51.100.1 203.0.113.2
    # NORMAL after the tenant's tun_id is set: hosts learn MACs.
    for host in a b c; do
        ofctl_on "$host" del-flows br0
        ofctl_on "$host" add-flows br0 - <<'RULES'
priority=100,in_port=1,actions=set_field:100->tun_id,NORMAL
priority=100,tun_id=100,actions=NORMAL
priority=90,in_port=11,actions=drop
priority=90,in_port=12,actions=drop
RULES
    done
    th_ping_ok c v1 10.1.0.1

    # Move a's VM v1 to b: its veth is made again on b with the same MAC
    # and address, and b's port gets a's port settings (from portd show).
    local settings
    settings=$(th_prog a portd show --format=json |
        jq -r '.bridges[0].ports[] | select(.name == "a-v1") | "ofport=\(.ofport)"')
    [ "$settings" = "ofport=1" ] || fail "a-v1 settings: $settings"
    th_prog a portd del-port br0 a-v1
    ip netns del "sy-$SY_ID-a-v1"
    th_prog b portd del-port br0 b-v1
    ip netns del "sy-$SY_ID-b-v1"
    th_vm b v1 10.1.0.1/24 02:aa:00:00:01:01
    th_prog b portd add-port br0 b-v1 $settings
    # The VM announces itself (a gratuitous ARP).
    th_vm_exec b v1 arping -q -U -c 1 -I eth0 10.1.0.1 || true

    # c reaches it at b at once (c still has its MAC in its ARP cache, so
    # only the MAC tables can send it to b), and its MAC table moved it to
    # the tunnel to b (t2 on c).
    th_ping c v1 10.1.0.1 3 || fail "c cannot reach the moved VM at b"
    run th_prog c flowd fdb-show br0
    assert_output --regexp "12 +[0-9]+ +02:aa:00:00:01:01"
    run th_prog b flowd fdb-show br0
    assert_line --regexp "^ +1 +[0-9]+ +02:aa:00:00:01:01"
    # a, where the VM was, sends it to b now (t1 on a).
    run th_prog a flowd fdb-show br0
    assert_line --regexp "^ +11 +[0-9]+ +02:aa:00:00:01:01"
}

@test "mesh: one remote_ip=flow port reaches every host, OpenFlow picking tun_dst" {
    mesh_host b 2 192.0.2.1 203.0.113.3
    mesh_host c 3 198.51.100.1 203.0.113.2
    th_vm a v1 10.1.0.1/24 02:aa:00:00:01:01
    th_prog a portd add-br br0
    th_prog a portd add-port br0 a-v1 ofport=1
    run th_prog a tunnel add br0 any type=vxlan remote_ip=flow key=flow ofport=10
    assert_success
    ofctl_on a del-flows br0
    ofctl_on a add-flows br0 - <<'RULES'
priority=100,in_port=1,dl_dst=02:aa:00:00:01:02,actions=set_field:100->tun_id,set_field:192.0.2.2->tun_dst,output:10
priority=100,in_port=1,dl_dst=02:aa:00:00:01:03,actions=set_field:100->tun_id,set_field:198.51.100.3->tun_dst,output:10
priority=90,in_port=1,actions=set_field:100->tun_id,set_field:192.0.2.2->tun_dst,output:10,set_field:198.51.100.3->tun_dst,output:10
priority=100,in_port=10,tun_id=100,actions=output:1
RULES
    th_ping_ok a v1 10.1.0.2
    th_ping_ok a v1 10.1.0.3
    run th_prog a dp dump-flows br0
    assert_output --partial "set(tunnel(tun_id=0x64,dst=198.51.100.3"
    assert_output --partial "set(tunnel(tun_id=0x64,dst=192.0.2.2"
    # What comes back from either host arrives on the one port.
    run ofctl_on a dump-flows br0 in_port=10
    assert_output --regexp "n_packets=[1-9]"
}
