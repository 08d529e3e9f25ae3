#!/usr/bin/env bats
# controller-osken: OpenStack's OpenFlow controller framework os-ken
# (Debian's python3-os-ken, osken-manager on /usr/bin/python3) in front of
# two switchyard hosts, running the learning switch of
# tests/controller/learning_switch.py (PACKET_IN and FLOW_MOD, no NORMAL).
#
#   host h1 (namespace sy-ID-sw)              host h2 (namespace sy-ID-h2)
#   flowd + portd, SY_*DIR under SY_DIR/      flowd + portd, SY_*DIR under SY_DIR/h2/
#   osken-manager on 0.0.0.0:PORT
#   br0 fail-mode=secure                      br0 fail-mode=secure
#     controller=tcp:127.0.0.1:PORT             controller=tcp:10.77.250.1:PORT
#     vm1, vm2, vx0 (VXLAN) ===================== vx0 (VXLAN), vm3
#   ID-ul 10.77.251.1 ---- underlay (veth) ---- ID-ul 10.77.251.2
#   ID-mg 10.77.250.1 ---- management (veth) -- ID-mg 10.77.250.2
#
# Both bridges are secure: without flows from the controller they forward
# nothing. The hosts are joined by a VXLAN tunnel over a routed underlay
# (link_hosts_by_vxlan), or, in one test, by the underlay veth itself as a
# plain system port on each bridge (link_hosts_by_veth). The controller
# reaches h2's switch out of band, over the management link.

load helpers

H2_NET=10.77.250
UNDERLAY_NET=10.77.251

setup() {
    if ! [ -x /usr/bin/osken-manager ] || ! /usr/bin/python3 -c 'import os_ken' 2>/dev/null; then
        skip "os-ken is not installed (Debian package python3-os-ken; make deps)"
    fi
    sy_setup

    H2_NS=sy-$SY_ID-h2
    H2_DIR=$SY_DIR/h2
    mkdir -p "$H2_DIR/conf" "$H2_DIR/run" "$H2_DIR/log"
    sy_netns_add "$H2_NS"
    on_h2 sy_start_daemons
    sy_start_daemons

    # Management network, out of band: h2's switch reaches the controller.
    ip -n "$SY_NS_SW" link add "$SY_ID-mg" type veth peer name "$SY_ID-mg" netns "$H2_NS"
    ip -n "$SY_NS_SW" addr add "$H2_NET.1/24" dev "$SY_ID-mg"
    ip -n "$H2_NS" addr add "$H2_NET.2/24" dev "$SY_ID-mg"
    ip -n "$SY_NS_SW" link set "$SY_ID-mg" up
    ip -n "$H2_NS" link set "$SY_ID-mg" up

    CTL_PORT=$((20000 + RANDOM % 20000))
    run portd add-br br0 fail-mode=secure
    assert_success
    run on_h2 portd add-br br0 fail-mode=secure
    assert_success
    run portd set-bridge br0 "controller=tcp:127.0.0.1:$CTL_PORT"
    assert_success
    run on_h2 portd set-bridge br0 "controller=tcp:$H2_NET.1:$CTL_PORT"
    assert_success

    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br0 vm2
    on_h2 sy_vm vm3
    on_h2 sy_attach br0 vm3
}

teardown() {
    local status=0
    # h2's daemons first, with the same checks (crash, SIGTERM ignored).
    if [ -n "${H2_DIR:-}" ] && ! on_h2 sy_stop_daemons; then
        echo "---- a daemon of h2 had died during the test or ignored SIGTERM"
        status=1
    fi
    if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
        for log in "${H2_DIR:-/nonexistent}"/log/*.log "${H2_DIR:-/nonexistent}"/*.out \
                   "${SY_DIR:-/nonexistent}"/osken.log; do
            [ -s "$log" ] || continue
            echo "---- $log (last 40 lines)"
            tail -n 40 "$log"
        done
    fi
    sy_teardown || status=1
    return $status
}

# on_h2 CMD...: CMD (a helper or one of the program functions) on host h2:
# its namespace, its configuration, run and log directories.
on_h2() {
    SY_NS_SW=$H2_NS SY_DIR=$H2_DIR SY_CONFDIR=$H2_DIR/conf SY_RUNDIR=$H2_DIR/run \
        SY_LOGDIR=$H2_DIR/log "$@"
}

ofctl() { sy_sw "$SY_BINDIR/ofctl" "$@"; }
tunnel() { sy_sw "$SY_BINDIR/tunnel" "$@"; }

# link_hosts_by_vxlan: the underlay, a veth pair ID-ul between the two
# hosts with an address on each end and on no bridge, and a VXLAN port vx0
# on each bridge towards the other host. UL1 and UL2 are vx0's ofports.
link_hosts_by_vxlan() {
    ip -n "$SY_NS_SW" link add "$SY_ID-ul" type veth peer name "$SY_ID-ul" netns "$H2_NS"
    ip -n "$SY_NS_SW" addr add "$UNDERLAY_NET.1/24" dev "$SY_ID-ul"
    ip -n "$H2_NS" addr add "$UNDERLAY_NET.2/24" dev "$SY_ID-ul"
    ip -n "$SY_NS_SW" link set "$SY_ID-ul" up
    ip -n "$H2_NS" link set "$SY_ID-ul" up
    run tunnel add br0 vx0 type=vxlan "remote_ip=$UNDERLAY_NET.2"
    assert_success
    run on_h2 tunnel add br0 vx0 type=vxlan "remote_ip=$UNDERLAY_NET.1"
    assert_success
    UL1=$(sy_ofport br0 vx0)
    UL2=$(on_h2 sy_ofport br0 vx0)
    { [ -n "$UL1" ] && [ -n "$UL2" ]; } || fail "no ofport for vx0: $(portd show; on_h2 portd show)"
}

# link_hosts_by_veth: the underlay, a veth pair ID-ul between the two
# hosts, a system port on each bridge (no tunnel). UL1 and UL2 are its
# ofports.
link_hosts_by_veth() {
    ip -n "$SY_NS_SW" link add "$SY_ID-ul" type veth peer name "$SY_ID-ul" netns "$H2_NS"
    ip -n "$SY_NS_SW" link set "$SY_ID-ul" up
    ip -n "$H2_NS" link set "$SY_ID-ul" up
    run portd add-port br0 "$SY_ID-ul"
    assert_success
    run on_h2 portd add-port br0 "$SY_ID-ul"
    assert_success
    UL1=$(sy_ofport br0 "$SY_ID-ul")
    UL2=$(on_h2 sy_ofport br0 "$SY_ID-ul")
}

# osken_start: osken-manager with the learning switch in h1's namespace,
# listening on every address there; returns once both switches have
# connected and been programmed (the application logs it).
osken_start() {
    ip netns exec "$SY_NS_SW" /usr/bin/python3 /usr/bin/osken-manager \
        --ofp-tcp-listen-port "$CTL_PORT" --log-file "$SY_DIR/osken.log" --nouse-stderr \
        "$SY_SRCDIR/tests/controller/learning_switch.py" \
        > "$SY_DIR/osken.out" 2>&1 < /dev/null 3>&- &
    sy_track_pid $!
    # flowd retries a controller with a backoff of up to 8 s.
    # shellcheck disable=SC2016 # eval expands it
    sy_wait_until 60 eval '[ "$(grep -c "switch-connected dpid=" "$SY_DIR/osken.log")" -ge 2 ]' ||
        fail "the switches did not connect to os-ken: $(tail -n 30 "$SY_DIR/osken.out" "$SY_DIR/osken.log" 2>/dev/null)"
}

# dpid_of BR [on_h2]: the datapath id os-ken saw for the bridge, from the
# FEATURES_REPLY as ofctl shows it.
dpid_of() {
    "$@" ofctl show br0 | sed -nE 's/.*dpid:?[[:space:]]*(0x)?([0-9a-f]{16}).*/\2/p' | head -n 1
}

# flows_of [on_h2]: the flow table of that host's br0.
flows_of() {
    "$@" ofctl -O OpenFlow13 dump-flows br0
}

@test "os-ken learning switch: VMs on two hosts joined by VXLAN ping only through the flows it installs" {
    link_hosts_by_vxlan
    local d1 d2 m1=${SY_VM_MAC[vm1]} m2=${SY_VM_MAC[vm2]} m3=${SY_VM_MAC[vm3]}
    local p1 p2 p3
    p1=$(sy_ofport br0 "${SY_VM_PORT[vm1]}")
    p2=$(sy_ofport br0 "${SY_VM_PORT[vm2]}")
    p3=$(on_h2 sy_ofport br0 "${SY_VM_PORT[vm3]}")

    # Secure bridges without their controller: no flows, no ping.
    run flows_of
    refute_output --partial "actions="
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm3]}"
    assert_failure

    osken_start
    d1=$(dpid_of)
    d2=$(dpid_of on_h2)
    [ -n "$d1" ] && [ -n "$d2" ] || fail "no datapath id from ofctl show: $(ofctl show br0)"
    [ "$d1" != "$d2" ] || fail "both switches have the datapath id $d1"
    run grep "switch-connected" "$SY_DIR/osken.log"
    assert_output --partial "dpid=$d1"
    assert_output --partial "dpid=$d2"

    # The table-miss entry on both, and nothing else yet.
    for h in "" on_h2; do
        run flows_of $h
        assert_success
        assert_line --regexp "cookie=0x5e1f,.*priority=0 actions=CONTROLLER:65535$"
        refute_output --partial "priority=10"
    done

    sy_ping_ok vm1 "${SY_VM_IP[vm3]}"   # through the tunnel
    sy_ping_ok vm3 "${SY_VM_IP[vm2]}"
    sy_ping_ok vm2 "${SY_VM_IP[vm1]}"   # on h1 only

    # What the controller learned and installed, seen by each switch: the
    # paths of the pings, with counters, and no NORMAL anywhere.
    run flows_of
    echo "h1 (dpid $d1):"
    echo "$output"
    assert_line --regexp "cookie=0x5e1f,.*n_packets=[1-9][0-9]*,.*idle_timeout=60,.*priority=10,in_port=\"?$p1\"?,dl_src=$m1,dl_dst=$m3 actions=output:\"?$UL1\"?$"
    assert_line --regexp "n_packets=[1-9][0-9]*,.*priority=10,in_port=\"?$UL1\"?,dl_src=$m3,dl_dst=$m1 actions=output:\"?$p1\"?$"
    assert_line --regexp "n_packets=[1-9][0-9]*,.*priority=10,in_port=\"?$UL1\"?,dl_src=$m3,dl_dst=$m2 actions=output:\"?$p2\"?$"
    assert_line --regexp "n_packets=[1-9][0-9]*,.*priority=10,in_port=\"?$p1\"?,dl_src=$m1,dl_dst=$m2 actions=output:\"?$p2\"?$"
    assert_line --regexp "n_packets=[1-9][0-9]*,.*priority=10,in_port=\"?$p2\"?,dl_src=$m2,dl_dst=$m1 actions=output:\"?$p1\"?$"
    refute_output --partial NORMAL
    run flows_of on_h2
    echo "h2 (dpid $d2):"
    echo "$output"
    assert_line --regexp "n_packets=[1-9][0-9]*,.*priority=10,in_port=\"?$UL2\"?,dl_src=$m1,dl_dst=$m3 actions=output:\"?$p3\"?$"
    assert_line --regexp "n_packets=[1-9][0-9]*,.*priority=10,in_port=\"?$p3\"?,dl_src=$m3,dl_dst=$m1 actions=output:\"?$UL2\"?$"
    assert_line --regexp "n_packets=[1-9][0-9]*,.*priority=10,in_port=\"?$p3\"?,dl_src=$m3,dl_dst=$m2 actions=output:\"?$UL2\"?$"
    refute_output --partial NORMAL
    # h2 never saw vm1 talk to vm2.
    refute_output --partial "dl_src=$m1,dl_dst=$m2"

    # The cross-host pings went through the tunnel ports, both ways.
    for h in "" on_h2; do
        run $h tunnel show -j br0 vx0
        assert_success
        [ "$(jq -r '.tunnels[0].statistics.tx_packets' <<<"$output")" -ge 3 ] || fail "$output"
        [ "$(jq -r '.tunnels[0].statistics.rx_packets' <<<"$output")" -ge 3 ] || fail "$output"
    done

    # Every flow the controller says it installed is in its switch.
    local dpid in_port src dst out n=0
    while read -r dpid in_port src dst out; do
        if [ "$dpid" = "$d1" ]; then run flows_of; else run flows_of on_h2; fi
        assert_line --regexp "priority=10,in_port=\"?$in_port\"?,dl_src=$src,dl_dst=$dst actions=output:\"?$out\"?$"
        n=$((n + 1))
    done < <(sed -nE 's/.*flow-mod dpid=([0-9a-f]+) in_port=([0-9]+) dl_src=([0-9a-f:]+) dl_dst=([0-9a-f:]+) output=([0-9]+).*/\1 \2 \3 \4 \5/p' \
             "$SY_DIR/osken.log")
    [ "$n" -ge 8 ] || fail "the controller logged only $n flow-mods: $(cat "$SY_DIR/osken.log")"
}

@test "datapath ids: two bridges named br0 differ, an id survives restarts, datapath-id= sets it" {
    link_hosts_by_veth
    local d1 d2
    d1=$(dpid_of)
    d2=$(dpid_of on_h2)
    [ -n "$d1" ] && [ -n "$d2" ] || fail "no datapath id from ofctl show: $(ofctl show br0)"
    [ "$d1" != "$d2" ] || fail "both switches have the datapath id $d1"
    # portd picked it at add-br and keeps it in the bridge's file.
    run grep -x "datapath-id=$d1" "$SY_CONFDIR/bridges/br0/bridge"
    assert_success

    sy_stop_daemons
    sy_start_daemons
    [ "$(dpid_of)" = "$d1" ] || fail "the datapath id changed from $d1 to $(dpid_of) across a restart"

    # A new id reaches a connected controller: the switch reconnects.
    osken_start
    run portd set-bridge br0 datapath-id=0x00005E0053000001
    assert_success
    [ "$(dpid_of)" = 00005e0053000001 ] || fail "ofctl show: $(ofctl show br0)"
    sy_wait_until 30 grep -q "switch-connected dpid=00005e0053000001" "$SY_DIR/osken.log" ||
        fail "os-ken never saw the new id: $(cat "$SY_DIR/osken.log")"
    sy_ping_ok vm1 "${SY_VM_IP[vm3]}"

    run portd set-bridge br0 datapath-id=12
    assert_failure 2
    assert_output --partial "datapath-id=12: expected 16 hexadecimal digits"
    [ "$(dpid_of)" = 00005e0053000001 ] || fail "a refused datapath-id= changed the id"
}
