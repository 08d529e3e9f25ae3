#!/usr/bin/env bats
# port-bond: a bond of two veths from the switch to a namespace where a
# Linux bridge joins the other ends (the "upstream switch", with an
# address of its own). Traffic keeps flowing when the active link goes
# down, in active-backup and balance-slb mode.

load helpers

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    # The upstream switch: namespace "up" with Linux bridge lbr over b0, b1.
    UP=sy-$SY_ID-up
    sy_netns_add "$UP"
    ip -n "$UP" link add lbr type bridge
    ip -n "$UP" link set lbr up
    ip -n "$UP" addr add 10.77.0.50/24 dev lbr
    for i in 0 1; do
        ip -n "$SY_NS_SW" link add "$SY_ID-a$i" type veth peer name "b$i" netns "$UP"
        ip -n "$UP" link set "b$i" master lbr
        ip -n "$UP" link set "b$i" up
        ip -n "$SY_NS_SW" link set "$SY_ID-a$i" up
    done
}

active_member() {
    flowd bond-show br0 | sed -nE 's/^bond bond0: .*active member (.*)$/\1/p'
}

active_is() {
    [ "$(active_member)" = "$1" ]
}

# failover_keeps_traffic: take the active member's link down, check that
# the other one took over and traffic flows; bring it back.
failover_keeps_traffic() {
    local first other
    sy_wait_until 10 eval '[ "$(active_member)" != "(none)" ] && [ -n "$(active_member)" ]' ||
        fail "no active member: $(flowd bond-show br0)"
    sy_ping_ok vm1 10.77.0.50
    first=$(active_member)
    if [ "$first" = "$SY_ID-a0" ]; then other=$SY_ID-a1; else other=$SY_ID-a0; fi

    # A ping running across the failover loses at most a few echoes.
    ip -n "$SY_NS_SW" link set "$first" down
    sy_wait_until 10 active_is "$other" || fail "no failover: $(flowd bond-show br0)"
    sy_ping_ok vm1 10.77.0.50
    run flowd bond-show br0
    assert_output --partial "member $first: carrier down"
    assert_output --partial "member $other: carrier up, active"

    ip -n "$SY_NS_SW" link set "$first" up
    sy_wait_until 10 eval "flowd bond-show br0 | grep -q 'member $first: carrier up'"
    # The active member stays where it is: no flapping back.
    assert_equal "$(active_member)" "$other"
    sy_ping_ok vm1 10.77.0.50
    # And failing back works too.
    ip -n "$SY_NS_SW" link set "$other" down
    sy_wait_until 10 active_is "$first" || fail "no failover back: $(flowd bond-show br0)"
    sy_ping_ok vm1 10.77.0.50
}

@test "active-backup bond: traffic continues when the active link goes down" {
    run portd add-bond br0 bond0 "$SY_ID-a0" "$SY_ID-a1" bond_mode=active-backup
    assert_success
    run portd show br0 --format=json
    assert_success
    echo "$output" | jq -e '.bridges[0].ports[] | select(.name == "bond0")
        | .type == "bond" and .options.members == "'"$SY_ID-a0,$SY_ID-a1"'"'
    failover_keeps_traffic
    grep -q "active member is now" "$SY_LOGDIR/flowd.log"
    # The bond's counters are its members' together.
    run dp show br0 --format=json
    echo "$output" | jq -e '.. | objects | select(.name? == "bond0") | .rx_packets > 0 and .tx_packets > 0'

    # portd saw the carrier changes of the members (rtnetlink).
    grep -q "bond bond0: member device $SY_ID-a0" "$SY_LOGDIR/portd.log" ||
        grep -q "bond bond0: member device $SY_ID-a1" "$SY_LOGDIR/portd.log"
}

@test "active-backup bond: a flowd restart keeps the active member where it was" {
    run portd add-bond br0 bond0 "$SY_ID-a0" "$SY_ID-a1" bond_mode=active-backup
    assert_success
    sy_wait_until 10 active_is "$SY_ID-a0" || fail "$(flowd bond-show br0)"
    ip -n "$SY_NS_SW" link set "$SY_ID-a0" down
    sy_wait_until 10 active_is "$SY_ID-a1" || fail "no failover: $(flowd bond-show br0)"
    ip -n "$SY_NS_SW" link set "$SY_ID-a0" up
    sy_wait_until 10 eval "flowd bond-show br0 | grep -q 'member $SY_ID-a0: carrier up'"
    # The far side (an active-backup bond takes nothing in on its backups)
    # stays on the second link too: the new flowd must not go back.
    sy_stop_daemon flowd
    sy_start_daemon flowd
    sy_wait_until 10 eval 'flowd bond-show br0 | grep -q "carrier up, active"' ||
        fail "no active member after the restart: $(flowd bond-show br0)"
    assert_equal "$(active_member)" "$SY_ID-a1"
    grep -q "bond bond0: member $SY_ID-a1 was active before" "$SY_LOGDIR/flowd.log"
    sy_ping_ok vm1 10.77.0.50

    # A deleted bond leaves no memory of its active member behind: one
    # made again under its name starts on its first member.
    [ -f "$SY_RUNDIR/br0.bond0.bond-active" ]
    run portd del-port br0 bond0
    assert_success
    sy_wait_until 10 eval '[ ! -e "$SY_RUNDIR/br0.bond0.bond-active" ]' ||
        fail "br0.bond0.bond-active is still there"
    run portd add-bond br0 bond0 "$SY_ID-a0" "$SY_ID-a1" bond_mode=active-backup
    assert_success
    sy_wait_until 10 active_is "$SY_ID-a0" || fail "$(flowd bond-show br0)"
}

@test "balance-slb bond: no broadcast comes back through the other member, and failover works" {
    run portd add-bond br0 bond0 "$SY_ID-a0" "$SY_ID-a1" bond_mode=balance-slb
    assert_success
    failover_keeps_traffic
    # The bridge on the far side floods our broadcasts back on the other
    # link; the bond must not take them in, or vm1's MAC would move to it.
    sy_ns_exec vm1 ip neigh flush all
    sy_ping_ok vm1 10.77.0.50
    run flowd fdb-show br0
    assert_output --regexp "$(sy_ofport br0 "${SY_VM_PORT[vm1]}") +[0-9]+ +${SY_VM_MAC[vm1]}"
}

@test "add-bond refuses a missing member, a member on a bridge, and a lone member" {
    local before
    before=$(sy_config_sum)
    run portd add-bond br0 bond0 "$SY_ID-a0" nosuchdev
    assert_failure 1
    assert_output --partial 'no network device "nosuchdev"'
    run portd add-bond br0 bond0 "$SY_ID-a0" "${SY_VM_PORT[vm1]}"
    assert_failure 1
    assert_output --partial "already exists on bridge br0"
    run portd add-bond br0 bond0 "$SY_ID-a0"
    assert_failure 2
    run portd add-bond br0 bond0 "$SY_ID-a0" "$SY_ID-a1" bond_mode=round-robin
    assert_failure 2
    assert_output --partial "bond_mode=round-robin: expected active-backup, balance-slb or balance-tcp"
    assert_equal "$(sy_config_sum)" "$before"
}

@test "lacp=active: tshark decodes our LACPDUs, and a bond without an LACP partner carries nothing" {
    local cap=$SY_DIR/lacp.pcap port
    run portd add-bond br0 bond0 "$SY_ID-a0" "$SY_ID-a1" lacp=active
    assert_success
    ip netns exec "$UP" tcpdump -i b0 -nn -U -w "$cap" ether proto 0x8809 \
        > "$cap.log" 2>&1 < /dev/null 3>&- &
    sy_track_pid $!
    sy_wait_until 10 grep -q "listening on" "$cap.log"
    sy_wait_until 10 eval "flowd bond-show br0 | grep -q 'tx [2-9]'"
    sleep 1
    run --separate-stderr tshark -r "$cap" -Y lacp -T fields -e lacp.actor.key -e lacp.actor.port \
        -e lacp.actor.sysid -e lacp.actor.state.activity -e lacp.actor.state.timeout \
        -e lacp.actor.state.aggregation
    echo "$output"
    port=$(sy_ofport br0 bond0)
    assert_line --regexp "^$port	1	02:5c:[0-9a-f:]{11}	(1|True)	(1|True)	(1|True)$"
    # The Linux bridge speaks no LACP: no member is in use, nothing passes.
    run flowd bond-show br0
    assert_output --partial "active member (none)"
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 10.77.0.50
    assert_failure
}

@test "bond_downdelay and bond_updelay hold a carrier change before the bond acts on it" {
    run portd add-bond br0 bond0 "$SY_ID-a0" "$SY_ID-a1" bond_updelay=1500 bond_downdelay=1000
    assert_success
    sy_wait_until 10 eval '[ "$(active_member)" = "$SY_ID-a0" ]' ||
        fail "no active member: $(flowd bond-show br0)"
    sy_ping_ok vm1 10.77.0.50
    ip -n "$SY_NS_SW" link set "$SY_ID-a0" down
    sy_wait_until 10 active_is "$SY_ID-a1" || fail "no failover: $(flowd bond-show br0)"
    sy_ping_ok vm1 10.77.0.50
    ip -n "$SY_NS_SW" link set "$SY_ID-a0" up
    sy_wait_until 10 eval "flowd bond-show br0 | grep -q 'member $SY_ID-a0: carrier up'"
    grep -q "member $SY_ID-a0: carrier down (after bond_downdelay)" "$SY_LOGDIR/flowd.log"
    grep -q "member $SY_ID-a0: carrier up (after bond_updelay)" "$SY_LOGDIR/flowd.log"
    run portd set-port br0 bond0 bond_updelay=fast
    assert_failure 2
}
