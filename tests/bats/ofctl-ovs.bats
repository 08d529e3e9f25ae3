#!/usr/bin/env bats
# ofctl-ovs.bats: our ofctl against a real Open vSwitch (Debian's
# openvswitch-switch), in OpenFlow 1.0 and 1.3: add-flow, add-flows,
# dump-flows, del-flows, mod-flows, show, dump-ports, dump-tables, errors.
#
# Each test starts a private OVS (tests/lib/ovs-sandbox.sh) in its own
# namespace with bridge br0 (datapath_type=netdev) listening on
# ptcp:6653:127.0.0.1, and runs ofctl inside that namespace.

load helpers
. "$SY_SRCDIR/tests/lib/ovs-sandbox.sh"

setup() {
    command -v ovs-vswitchd >/dev/null || skip "openvswitch-switch is not installed"
    sy_setup
    [ -x "$SY_BINDIR/ofctl" ] || fail "no $SY_BINDIR/ofctl: build first (make)"
    ovs_sandbox_start "$SY_DIR/ovs" "$SY_NS_SW"
    ovs_sandbox_add_br br0
    ovs_sandbox_set_controller br0 ptcp:6653:127.0.0.1
    OVS_TARGET=tcp:127.0.0.1:6653
}

teardown() {
    ovs_sandbox_stop
    sy_teardown
}

ofctl() { sy_sw "$SY_BINDIR/ofctl" "$@"; }

# ovs_flows VERSION: OVS's own view of br0's flows, stats stripped.
ovs_flows() {
    ovs_sandbox_ofctl -O "$1" --no-stats dump-flows br0
}

@test "add-flow, dump-flows and del-flows in OpenFlow 1.0 and 1.3" {
    local v
    for v in OpenFlow10 OpenFlow13; do
        run ofctl -O $v add-flow $OVS_TARGET \
            "priority=100,ip,nw_dst=10.0.0.0/24,tcp,tp_dst=80,actions=mod_vlan_vid:10,output:2"
        assert_success
        run ovs_flows $v
        assert_output --partial "priority=100,tcp,nw_dst=10.0.0.0/24,tp_dst=80"
        assert_output --partial "output:2"

        run ofctl -O $v dump-flows $OVS_TARGET
        assert_success
        assert_output --partial "priority=100,tcp,nw_dst=10.0.0.0/24,tp_dst=80 actions="
        assert_output --partial "priority=0 actions=NORMAL"
        assert_line --regexp '^ cookie=0x0, duration=[0-9.]+s, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL$'

        run ofctl -O $v dump-flows $OVS_TARGET "tcp,tp_dst=80"
        assert_success
        refute_output --partial "NORMAL"

        run ofctl -O $v del-flows $OVS_TARGET "tcp"
        assert_success
        run ovs_flows $v
        refute_output --partial "tp_dst=80"
        assert_output --partial "actions=NORMAL"
    done
}

@test "OpenFlow 1.0 tables other than 0 through NXT_FLOW_MOD_TABLE_ID, as Open vSwitch reads it" {
    run ofctl -O OpenFlow10 add-flow $OVS_TARGET "table=2,priority=7,ip,actions=drop"
    assert_success
    run ofctl -O OpenFlow10 add-flow $OVS_TARGET "table=5,priority=8,arp,actions=drop"
    assert_success
    # (Open vSwitch marks OpenFlow 1.0 adds reset_counts.)
    run ovs_flows OpenFlow13
    assert_line --regexp "^ table=2, (reset_counts )?priority=7,ip actions=drop$"
    assert_line --regexp "^ table=5, (reset_counts )?priority=8,arp actions=drop$"
    run ofctl -O OpenFlow10 dump-flows $OVS_TARGET
    assert_success
    assert_line --regexp '^ cookie=0x0, duration=[0-9.]+s, table=2, n_packets=0, n_bytes=0, priority=7,ip actions=drop$'
    assert_line --regexp '^ cookie=0x0, duration=[0-9.]+s, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL$'
    run ofctl -O OpenFlow10 dump-flows $OVS_TARGET table=5
    assert_success
    assert_output --partial "table=5, n_packets=0, n_bytes=0, priority=8,arp actions=drop"
    refute_output --partial "table=2"

    # Deleting in table 2 leaves table 5 and table 0 alone; a delete
    # without table= (after the extension is on) still reaches every table.
    run ofctl -O OpenFlow10 del-flows $OVS_TARGET "table=2"
    assert_success
    run ovs_flows OpenFlow13
    refute_output --partial "table=2"
    assert_line --regexp "^ table=5, (reset_counts )?priority=8,arp actions=drop$"
    assert_output --partial "actions=NORMAL"
    run ofctl -O OpenFlow10 del-flows $OVS_TARGET "arp"
    assert_success
    run ovs_flows OpenFlow13
    refute_output --partial "table=5"
}

@test "OpenFlow 1.3: tables, registers, metadata, set_field, load, move, resubmit, goto_table" {
    run ofctl -O OpenFlow13 add-flow $OVS_TARGET \
        "table=0,priority=10,in_port=LOCAL,actions=load:0x5->NXM_NX_REG0[0..15],write_metadata:0x1/0xff,goto_table:3"
    assert_success
    run ofctl -O OpenFlow13 add-flow $OVS_TARGET \
        "table=3,priority=20,reg0=5,metadata=0x1/0xff,udp6,ipv6_dst=2001:db8::/32,actions=dec_ttl,set_field:10->tcp_dst,move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],resubmit(,4),output:7"
    [ "$status" -eq 1 ] # set_field tcp_dst under udp6: OVS must refuse it
    assert_output --partial "OFPET_BAD_ACTION"
    run ofctl -O OpenFlow13 add-flow $OVS_TARGET \
        "table=3,priority=20,reg0=5,metadata=0x1/0xff,udp6,ipv6_dst=2001:db8::/32,actions=dec_ttl,move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],resubmit(,4),output:7"
    assert_success
    run ovs_flows OpenFlow13
    assert_output --partial "table=3"
    assert_output --partial "reg0=0x5"
    assert_output --partial "ipv6_dst=2001:db8::/32"
    assert_output --partial "goto_table:3"

    run ofctl -O OpenFlow13 dump-flows $OVS_TARGET "table=3"
    assert_success
    assert_output --partial "reg0=0x5"
    assert_output --partial "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]"
    assert_output --partial "resubmit(,4)"

    run ofctl -O OpenFlow13 dump-flows $OVS_TARGET "table=0"
    assert_output --partial "load:0x5->NXM_NX_REG0[0..15]"
    assert_output --partial "goto_table:3"
}

@test "mod-flows, --strict del-flows and dump-aggregate" {
    ofctl add-flow $OVS_TARGET "priority=5,arp,actions=FLOOD"
    ofctl add-flow $OVS_TARGET "priority=6,arp,arp_op=1,actions=FLOOD"
    run ofctl mod-flows $OVS_TARGET "arp,actions=drop"
    assert_success
    run ovs_flows OpenFlow13
    refute_output --partial "FLOOD"
    run ofctl --strict del-flows $OVS_TARGET "priority=5,arp"
    assert_success
    run ovs_flows OpenFlow13
    refute_output --partial "priority=5,"
    assert_output --partial "priority=6,arp,arp_op=1"
    run ofctl dump-aggregate $OVS_TARGET
    assert_success
    assert_output --partial "flow_count=2"
}

@test "add-flows from a file, diff-flows and replace-flows" {
    local i f=$SY_DIR/flows
    for i in $(seq 1 2000); do
        echo "priority=$((i % 100 + 1)),ip,nw_dst=10.$((i / 250)).$((i % 250)).0/24,actions=output:$((i % 8 + 1))"
    done > "$f"
    echo "# a comment" >> "$f"
    run ofctl add-flows $OVS_TARGET "$f"
    assert_success
    run ofctl dump-aggregate $OVS_TARGET
    assert_output --partial "flow_count=2001"
    run ofctl diff-flows $OVS_TARGET "$f"
    [ "$status" -eq 1 ]
    assert_output "-table=0,priority=0,actions=NORMAL"

    printf 'priority=0,actions=NORMAL\npriority=9,tcp,actions=drop\n' > "$f"
    run ofctl replace-flows $OVS_TARGET "$f"
    assert_success
    run ofctl diff-flows $OVS_TARGET "$f"
    assert_success
    run ofctl dump-aggregate $OVS_TARGET
    assert_output --partial "flow_count=2"
}

@test "add-flows refuses a file with one bad line and changes nothing" {
    local f=$SY_DIR/flows
    printf 'priority=1,ip,actions=drop\npriority=2,ip,nw_dst=10.0.0.300,actions=drop\n' > "$f"
    run ofctl add-flows $OVS_TARGET "$f"
    [ "$status" -eq 2 ]
    assert_output --partial "flows:2:"
    assert_output --partial "10.0.0.300"
    run ovs_flows OpenFlow13
    refute_output --partial "priority=1,"
}

@test "show, dump-ports, dump-port-desc, dump-tables in both versions" {
    local v
    for v in OpenFlow10 OpenFlow13; do
        run ofctl -O $v show $OVS_TARGET
        assert_success
        assert_output --partial "OFPT_FEATURES_REPLY"
        assert_output --partial "n_tables:254"
        assert_output --partial "LOCAL(br0): addr:"
        run ofctl -O $v dump-ports $OVS_TARGET
        assert_success
        assert_output --partial "port LOCAL: rx pkts="
        run ofctl -O $v dump-ports $OVS_TARGET LOCAL
        assert_success
        assert_output --partial "1 ports"
        run ofctl -O $v dump-port-desc $OVS_TARGET
        assert_success
        assert_output --partial "LOCAL(br0)"
        run ofctl -O $v dump-tables $OVS_TARGET
        assert_success
        assert_output --partial "table 0"
    done
    run ofctl --format=json show $OVS_TARGET
    assert_success
    run jq -r '.ports[0].name' <<<"$output"
    assert_output br0
    run ofctl --format=json dump-flows $OVS_TARGET
    run jq -r '.[0].actions' <<<"$output"
    assert_output NORMAL
}

@test "add-flows of 100,000 flows: Open vSwitch holds every one" {
    local f=$SY_DIR/flows
    awk 'BEGIN { for (i = 1; i <= 100000; i++)
                   printf "priority=%d,ip,nw_dst=10.%d.%d.%d,actions=output:%d\n",
                          i % 60000, int(i / 65536), int(i / 256) % 256, i % 256, i % 8 + 1 }' > "$f"
    # No timing assertion (speed is bench/'s business): all must arrive.
    run ofctl add-flows $OVS_TARGET "$f"
    assert_success
    run ofctl dump-aggregate $OVS_TARGET
    assert_output --partial "flow_count=100001"
}

@test "errors from the switch, bad usage and unreachable switches" {
    run ofctl -O OpenFlow13 add-flow $OVS_TARGET "table=300,actions=drop"
    [ "$status" -eq 2 ]
    assert_output --partial "table=300"
    run ofctl -O OpenFlow13 add-flow $OVS_TARGET "actions=group:5"
    [ "$status" -eq 1 ]
    assert_output --partial "OFPET_"
    run ofctl -O OpenFlow10 add-flow $OVS_TARGET "ipv6,ipv6_src=::1,actions=drop"
    [ "$status" -eq 1 ]
    assert_output --partial "OpenFlow 1.0"
    run ofctl add-flow tcp:127.0.0.1:1 "actions=drop"
    [ "$status" -eq 1 ]
    assert_output --partial "Connection refused"
    run ofctl frobnicate $OVS_TARGET
    [ "$status" -eq 2 ]
    run ofctl -O OpenFlow99 show $OVS_TARGET
    [ "$status" -eq 2 ]
}

@test "ovs-ofctl's flows dump and load back through our ofctl unchanged" {
    ovs_sandbox_ofctl -O OpenFlow13 add-flow br0 "priority=7,tcp,nw_src=192.168.0.0/16,tp_src=22,actions=mod_nw_dst:10.1.1.1,output:3"
    ovs_sandbox_ofctl -O OpenFlow13 add-flow br0 "priority=8,dl_vlan=5,actions=strip_vlan,output:4"
    ofctl -O OpenFlow13 dump-flows $OVS_TARGET | sed -E 's/^ cookie=[^,]*, duration=[^,]*, table=([0-9]+), n_packets=[0-9]+, n_bytes=[0-9]+, /table=\1,/' > "$SY_DIR/dumped"
    ofctl del-flows $OVS_TARGET
    run ofctl -O OpenFlow13 add-flows $OVS_TARGET "$SY_DIR/dumped"
    assert_success
    run ovs_flows OpenFlow13
    # OVS prints OpenFlow 1.3 actions by their 1.3 names.
    assert_output --partial "priority=7,tcp,nw_src=192.168.0.0/16,tp_src=22 actions=set_field:10.1.1.1->ip_dst,output:3"
    assert_output --partial "priority=8,dl_vlan=5 actions=pop_vlan,output:4"
}

# make_cert NAME CA: a key and a certificate for NAME signed by CA.
make_cert() {
    local d=$SY_DIR/pki
    openssl req -newkey rsa:2048 -nodes -keyout "$d/$1.key" -out "$d/$1.csr" \
        -subj "/CN=$1" >/dev/null 2>&1
    openssl x509 -req -in "$d/$1.csr" -CA "$d/$2.pem" -CAkey "$d/$2.key" \
        -CAcreateserial -out "$d/$1.pem" -days 2 >/dev/null 2>&1
}

@test "ssl: mutual authentication with a test CA; other CAs are refused" {
    local d=$SY_DIR/pki ca
    command -v openssl >/dev/null || skip "no openssl command"
    mkdir -p "$d"
    for ca in ca other; do
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/$ca.key" -out "$d/$ca.pem" \
            -days 2 -subj "/CN=$ca" >/dev/null 2>&1
    done
    make_cert switch ca
    make_cert client ca
    make_cert stranger other
    ovs_sandbox_vsctl set-ssl "$d/switch.key" "$d/switch.pem" "$d/ca.pem"
    ovs_sandbox_set_controller br0 pssl:6654:127.0.0.1
    sleep 1

    run ofctl --private-key="$d/client.key" --certificate="$d/client.pem" \
        --ca-cert="$d/ca.pem" -O OpenFlow13 add-flow ssl:127.0.0.1:6654 "priority=3,arp,actions=FLOOD"
    assert_success
    run ofctl --private-key="$d/client.key" --certificate="$d/client.pem" \
        --ca-cert="$d/ca.pem" dump-flows ssl:127.0.0.1:6654
    assert_success
    assert_output --partial "priority=3,arp actions=FLOOD"

    # A client whose certificate the switch's CA did not sign.
    run ofctl --timeout=5 --private-key="$d/stranger.key" --certificate="$d/stranger.pem" \
        --ca-cert="$d/ca.pem" dump-flows ssl:127.0.0.1:6654
    [ "$status" -eq 1 ]
    assert_output --partial "TLS"
    # A switch whose certificate our CA did not sign.
    run ofctl --timeout=5 --private-key="$d/client.key" --certificate="$d/client.pem" \
        --ca-cert="$d/other.pem" dump-flows ssl:127.0.0.1:6654
    [ "$status" -eq 1 ]
    assert_output --partial "certificate verify failed"
    # No key at all.
    run ofctl dump-flows ssl:127.0.0.1:6654
    [ "$status" -eq 1 ]
    assert_output --partial "--private-key"
}

@test "packet-out through the table reaches monitor as a packet-in; mod-port shows up too" {
    local pkt=ffffffffffff5054000000010800450000200001000040110000c0a80001c0a80002003500350008000000000000
    ofctl add-flow $OVS_TARGET "priority=10,udp,actions=controller:100"
    local monitor
    sy_sw timeout 5 "$SY_BINDIR/ofctl" monitor $OVS_TARGET > "$SY_DIR/monitor.out" 2>&1 &
    monitor=$!
    sleep 1
    run ofctl -O OpenFlow13 packet-out $OVS_TARGET CONTROLLER table $pkt
    assert_success
    run ofctl -O OpenFlow10 packet-out $OVS_TARGET CONTROLLER output:TABLE $pkt
    assert_success
    run ofctl --names mod-port $OVS_TARGET br0 up
    assert_success
    # Only the monitor: a bare wait would also wait for the daemons.
    wait "$monitor" || true
    run cat "$SY_DIR/monitor.out"
    assert_output --partial "OFPT_PACKET_IN"
    assert_output --partial "total_len=46"
    assert_output --partial "OFPT_PORT_STATUS"
    run ofctl --names dump-flows $OVS_TARGET "udp"
    assert_output --partial "n_packets=2"
}
