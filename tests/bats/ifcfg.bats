#!/usr/bin/env bats
# ifcfg.bats: ifcfg/ifup-ovs and ifcfg/ifdown-ovs, the network-scripts
# hooks, on ifcfg files written for Open vSwitch's Red Hat network scripts.
#
# Each test writes real ifcfg files into a sandbox directory that plays
# /etc/sysconfig/network-scripts (NETWORK_SCRIPTS_DIR), brings them up the
# way the network service does at boot (every file, in name order, with
# "boot": ports pull up their bridges), checks what portd made of them and
# that traffic flows, and takes them down again.

load helpers

setup() {
    sy_setup
    sy_start_daemons
    NSD=$SY_DIR/network-scripts
    mkdir -p "$NSD"
}

# ifup / ifdown CONFIG...: the hooks, in the switch namespace, finding
# portd and tunnel on PATH as an installed system would.
ifup() {
    sy_sw env PATH="$SY_BINDIR:$PATH" NETWORK_SCRIPTS_DIR="$NSD" TIMEOUT=20 \
        "$SY_SRCDIR/ifcfg/ifup-ovs" "$@"
}

ifdown() {
    sy_sw env PATH="$SY_BINDIR:$PATH" NETWORK_SCRIPTS_DIR="$NSD" TIMEOUT=20 \
        "$SY_SRCDIR/ifcfg/ifdown-ovs" "$@"
}

# ifcfg NAME LINE...: writes $NSD/ifcfg-NAME.
ifcfg() {
    local name=$1
    shift
    printf '%s\n' "DEVICE=$name" "$@" > "$NSD/ifcfg-$name"
}

# ifup_all: every ifcfg file with DEVICETYPE=ovs in name order, as the
# network service does (initscripts' ifup hands only those to ifup-ovs).
ifup_all() {
    local f
    for f in "$NSD"/ifcfg-*; do
        grep -qx 'DEVICETYPE=ovs' "$f" || continue
        run ifup "${f##*/}" boot
        [ "$status" -eq 0 ] || fail "ifup-ovs ${f##*/} boot: exit $status: $output"
    done
}

# ifdown_all: the reverse order.
ifdown_all() {
    local f
    for f in $(ls -r "$NSD"/ifcfg-*); do
        grep -qx 'DEVICETYPE=ovs' "$f" || continue
        run ifdown "${f##*/}"
        [ "$status" -eq 0 ] || fail "ifdown-ovs ${f##*/}: exit $status: $output"
    done
}

# port_json BR PORT: PORT's object from portd show -j.
port_json() {
    portd show -j | jq -c --arg br "$1" --arg p "$2" \
        '.bridges[] | select(.name == $br) | .ports[] | select(.name == $p)'
}

# port_field BR PORT JQ: one value of PORT.
port_field() {
    port_json "$1" "$2" | jq -r "$3"
}

# A bridge with an internal port carrying an address and two VM ports
# with VLAN tags, in the OVS documentation's own style.
write_vlan_files() {
    ifcfg br0 ONBOOT=yes DEVICETYPE=ovs TYPE=OVSBridge BOOTPROTO=none \
        'OVS_EXTRA="set bridge $DEVICE fail_mode=standalone -- br-set-external-id $DEVICE bridge-id $DEVICE"'
    ifcfg mgmt0 ONBOOT=yes DEVICETYPE=ovs TYPE=OVSIntPort OVS_BRIDGE=br0 \
        BOOTPROTO=static IPADDR=10.77.0.1 NETMASK=255.255.255.0 HOTPLUG=no \
        'OVS_OPTIONS="tag=10"' \
        'OVS_EXTRA="set Interface $DEVICE external-ids:iface-id=mgmt0-vif"'
    ifcfg "$SY_ID-vm1" ONBOOT=yes DEVICETYPE=ovs TYPE=OVSPort OVS_BRIDGE=br0 \
        BOOTPROTO=none 'OVS_OPTIONS="tag=10"'
    ifcfg "$SY_ID-vm2" ONBOOT=yes DEVICETYPE=ovs TYPE=OVSPort OVS_BRIDGE=br0 \
        BOOTPROTO=none 'OVS_OPTIONS="tag=20"'
}

@test "ifup-ovs: bridge, internal port with an address, VLAN ports; a VM pings the internal port" {
    sy_vm vm1
    sy_vm vm2
    write_vlan_files
    ifup_all

    run portd list-br
    assert_output br0
    [ "$(portd show -j | jq -r '.bridges[0].fail_mode')" = standalone ]
    [ "$(portd show -j | jq -r '.bridges[0].options["external_ids:bridge-id"]')" = br0 ] ||
        fail "br-set-external-id not applied: $(portd show -j)"
    [ "$(port_field br0 mgmt0 .type)" = internal ]
    [ "$(port_field br0 mgmt0 .tag)" = 10 ]
    [ "$(port_field br0 mgmt0 '.options["external_ids:iface-id"]')" = mgmt0-vif ]
    [ "$(port_field br0 "$SY_ID-vm1" .type)" = system ]
    [ "$(port_field br0 "$SY_ID-vm1" .tag)" = 10 ]
    [ "$(port_field br0 "$SY_ID-vm2" .tag)" = 20 ]

    # The internal port's device, up, with its address.
    run sy_sw ip -o addr show dev mgmt0
    assert_output --partial "inet 10.77.0.1/24"
    run sy_sw ip -o link show dev mgmt0
    assert_output --partial ",UP"

    # VLAN 10 reaches the internal port; VLAN 20 does not.
    sy_ping_ok vm1 10.77.0.1
    run sy_ns_exec vm2 ping -n -c 2 -i 0.3 -W 1 10.77.0.1
    assert_failure

    # A second ifup changes nothing: same ports, same ofport numbers.
    local before after
    before=$(portd show -j | jq -c '[.bridges[].ports[] | {name, ofport, tag}]')
    run ifup mgmt0
    assert_success
    run ifup "ifcfg-$SY_ID-vm1"
    assert_success
    after=$(portd show -j | jq -c '[.bridges[].ports[] | {name, ofport, tag}]')
    [ "$before" = "$after" ] || fail "second ifup changed ports: $before -> $after"
    sy_ping_ok vm1 10.77.0.1
}

@test "ifdown-ovs takes everything away and leaves nothing behind" {
    sy_vm vm1
    sy_vm vm2
    write_vlan_files
    ifup_all
    sy_ping_ok vm1 10.77.0.1

    # A port first: it leaves the bridge, its device stays (it is the VM's).
    run ifdown "$SY_ID-vm2"
    assert_success
    run portd list-ports br0
    refute_line "$SY_ID-vm2"
    sy_sw ip link show dev "$SY_ID-vm2" >/dev/null

    # The internal port's device goes with the port.
    run ifdown mgmt0
    assert_success
    run sy_sw ip link show dev mgmt0
    assert_failure

    ifdown_all
    run portd list-br
    assert_output ""
    run find "$SY_CONFDIR/bridges" -mindepth 1
    assert_output ""
    run sy_sw ip -o link show
    refute_output --partial "br0"
    refute_output --partial "mgmt0"
    # Only what the test made is left: lo and the two VM ends.
    [ "$(sy_sw ip -o link show | wc -l)" -eq 3 ] || fail "devices left: $(sy_sw ip -o link show)"

    # ifdown of what is already down is no error (network service stop).
    ifdown_all
}

@test "a whole host from ifcfg files: VLANs, internal port, bond, patch pair, VXLAN; ifdown leaves nothing" {
    local far=sy-$SY_ID-far vx=sy-$SY_ID-vx i
    sy_vm vm1                   # 10.77.0.11, VLAN 10 on br0
    sy_vm vm2                   # 10.77.0.12, VLAN 20 on br0
    sy_vm vm3                   # 10.77.0.13, on br1
    # A neighbour on VLAN 10 behind two links (the bond): a Linux bridge.
    sy_netns_add "$far"
    ip -n "$far" link add name br type bridge
    ip -n "$far" addr add 10.77.0.50/24 dev br
    for i in 1 2; do
        ip -n "$SY_NS_SW" link add "$SY_ID-b$i" type veth peer name "eth$i" netns "$far"
        ip -n "$far" link set "eth$i" master br up
    done
    ip -n "$far" link set dev br up
    # A host across the underlay with a kernel VXLAN device (VNI 100).
    sy_netns_add "$vx"
    ip -n "$SY_NS_SW" link add "$SY_ID-ul" type veth peer name eth0 netns "$vx"
    ip -n "$SY_NS_SW" addr add 10.77.9.1/24 dev "$SY_ID-ul"
    ip -n "$SY_NS_SW" link set "$SY_ID-ul" up
    ip -n "$vx" addr add 10.77.9.2/24 dev eth0
    ip -n "$vx" link set eth0 up
    ip -n "$vx" link add vx0 type vxlan id 100 remote 10.77.9.1 local 10.77.9.2 dstport 4789
    ip -n "$vx" addr add 10.77.0.60/24 dev vx0
    ip -n "$vx" link set vx0 up

    write_vlan_files
    ifcfg bond0 ONBOOT=yes DEVICETYPE=ovs TYPE=OVSBond OVS_BRIDGE=br0 \
        "BOND_IFACES=\"$SY_ID-b1 $SY_ID-b2\"" \
        'OVS_OPTIONS="tag=10 bond_mode=active-backup lacp=off"'
    ifcfg "$SY_ID-b1" ONBOOT=yes BOOTPROTO=none
    ifcfg "$SY_ID-b2" ONBOOT=yes BOOTPROTO=none
    ifcfg br1 ONBOOT=yes DEVICETYPE=ovs TYPE=OVSUserBridge
    ifcfg patch-br0 ONBOOT=yes DEVICETYPE=ovs TYPE=OVSPatchPort OVS_BRIDGE=br0 \
        OVS_PATCH_PEER=patch-br1 'OVS_OPTIONS="tag=20"'
    ifcfg patch-br1 ONBOOT=yes DEVICETYPE=ovs TYPE=OVSPatchPort OVS_BRIDGE=br1 \
        OVS_PATCH_PEER=patch-br0
    ifcfg "$SY_ID-vm3" ONBOOT=yes DEVICETYPE=ovs TYPE=OVSPort OVS_BRIDGE=br1
    ifcfg vx0 ONBOOT=yes DEVICETYPE=ovs TYPE=OVSTunnel OVS_BRIDGE=br1 OVS_TUNNEL_TYPE=vxlan \
        'OVS_TUNNEL_OPTIONS="options:remote_ip=10.77.9.2 options:key=100"'
    # Not at boot.
    ifcfg br9 ONBOOT=no DEVICETYPE=ovs TYPE=OVSBridge

    ifup_all
    run portd list-br
    assert_output "br0
br1"
    run portd list-ports br0
    assert_output "$(printf '%s\n' "$SY_ID-vm1" "$SY_ID-vm2" bond0 mgmt0 patch-br0 | sort)"
    run portd list-ports br1
    assert_output "$(printf '%s\n' "$SY_ID-vm3" patch-br1 vx0 | sort)"

    # What portd made of the bond, the patch pair and the tunnel.
    [ "$(port_field br0 bond0 .type)" = bond ]
    [ "$(port_field br0 bond0 .tag)" = 10 ]
    [ "$(port_field br0 bond0 .options.members)" = "$SY_ID-b1,$SY_ID-b2" ] ||
        fail "bond0's members: $(port_json br0 bond0)"
    [ "$(port_field br0 bond0 .options.bond_mode)" = active-backup ]
    [ "$(port_field br0 bond0 .options.lacp)" = off ]
    run sy_sw ip -o link show dev "$SY_ID-b2"
    assert_output --partial ",UP"
    [ "$(port_field br0 patch-br0 .type)" = patch ]
    [ "$(port_field br0 patch-br0 .peer)" = patch-br1 ]
    [ "$(port_field br1 patch-br1 .peer)" = patch-br0 ]
    grep -qx 'peer=patch-br1' "$SY_CONFDIR/bridges/br0/ports/patch-br0"
    [ "$(portd show -j | jq -r '.bridges[] | select(.name == "br1") | .datapath')" = user ]
    [ "$(port_field br1 vx0 .type)" = vxlan ]
    [ "$(port_field br1 vx0 .options.remote_ip)" = 10.77.9.2 ] || fail "vx0: $(port_json br1 vx0)"
    [ "$(port_field br1 vx0 .options.key)" = 100 ] || fail "vx0: $(port_json br1 vx0)"
    run sy_sw "$SY_BINDIR/tunnel" list br1
    assert_output --partial vx0

    sy_ping_ok vm1 10.77.0.1                  # VLAN 10: the internal port
    sy_ping_ok vm1 10.77.0.50                 # VLAN 10: over the bond
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"         # VLAN 20: through the patch pair
    sy_ping_ok vm3 10.77.0.60                 # br1: over VXLAN
    sy_ping_ok vm2 10.77.0.60                 # patch pair, then VXLAN

    ifdown_all
    run portd list-br
    assert_output ""
    run find "$SY_CONFDIR/bridges" -mindepth 1
    assert_output ""
    # Only what the test made: lo, the VM ends, the bond's links, the
    # underlay.
    run sy_sw ip -o link show
    [ "$(sy_sw ip -o link show | wc -l)" -eq 7 ] || fail "devices left: $output"
    run sy_sw ip -o link show dev "$SY_ID-b1"
    refute_output --partial ",UP"
}

@test "ifup-ovs: OVSREQUIRES brings up what a bridge needs; PREFIX, GATEWAY, MTU; HOTPLUG=no" {
    sy_vm vm1
    ifcfg br0 DEVICETYPE=ovs TYPE=OVSBridge "OVSREQUIRES=\"$SY_ID-vm1 mgmt0\""
    ifcfg mgmt0 DEVICETYPE=ovs TYPE=OVSIntPort OVS_BRIDGE=br0 BOOTPROTO=static \
        IPADDR=10.77.0.1 PREFIX=24 GATEWAY=10.77.0.254 MTU=1400
    ifcfg "$SY_ID-vm1" DEVICETYPE=ovs TYPE=OVSPort OVS_BRIDGE=br0
    ifcfg hot0 DEVICETYPE=ovs TYPE=OVSIntPort OVS_BRIDGE=br0 HOTPLUG=no

    # The bridge alone: OVSREQUIRES pulls in its ports, each of which finds
    # the bridge already there (no loop).
    run ifup br0
    assert_success
    run portd list-ports br0
    assert_output "$(printf '%s\n' "$SY_ID-vm1" mgmt0 | sort)"
    run sy_sw ip -o addr show dev mgmt0
    assert_output --partial "inet 10.77.0.1/24"
    run sy_sw ip -o link show dev mgmt0
    assert_output --partial "mtu 1400"
    run sy_sw ip route show default
    assert_output --partial "via 10.77.0.254 dev mgmt0"
    sy_ping_ok vm1 10.77.0.1

    # A hotplug event for a HOTPLUG=no file does nothing; ifup by hand does.
    run sy_sw env IN_HOTPLUG=1 PATH="$SY_BINDIR:$PATH" NETWORK_SCRIPTS_DIR="$NSD" \
        "$SY_SRCDIR/ifcfg/ifup-ovs" hot0
    assert_success
    run portd list-ports br0
    refute_line hot0
    run ifup hot0
    assert_success
    run portd list-ports br0
    assert_line hot0
}

@test "ifup-ovs translates OVS_EXTRA's ovs-vsctl commands and names those it cannot" {
    sy_vm vm1
    ifcfg br0 DEVICETYPE=ovs TYPE=OVSBridge \
        'OVS_EXTRA="set bridge br0 fail_mode=secure -- set-controller br0 tcp:127.0.0.1:6653 -- set bridge br0 protocols=OpenFlow13 stp_enable=true other_config:mac-aging-time=120 -- set Open_vSwitch . other_config:foo=1 -- --id=@nf create NetFlow targets=\"10.0.0.1:2055\""'
    ifcfg "$SY_ID-vm1" DEVICETYPE=ovs TYPE=OVSPort OVS_BRIDGE=br0 \
        'OVS_OPTIONS="vlan_mode=trunk trunks=[10,20]"' \
        'OVS_EXTRA="set Interface $DEVICE ofport_request=7 qos=@q"'

    run ifup br0
    assert_success
    assert_output --partial "protocols=OpenFlow13"
    assert_output --partial "stp_enable=true"
    assert_output --partial "Open_vSwitch"
    assert_output --partial "NetFlow"
    assert_output --partial "no switchyard equivalent"
    local bridge_file=$SY_CONFDIR/bridges/br0/bridge
    grep -qx 'fail-mode=secure' "$bridge_file" || fail "$(cat "$bridge_file")"
    grep -qx 'controller=tcp:127.0.0.1:6653' "$bridge_file" || fail "$(cat "$bridge_file")"
    grep -qx 'mac-aging-time=120' "$bridge_file" || fail "$(cat "$bridge_file")"

    run ifup "$SY_ID-vm1"
    assert_success
    assert_output --partial "qos=@q"
    [ "$(port_field br0 "$SY_ID-vm1" .ofport)" = 7 ]
    [ "$(port_field br0 "$SY_ID-vm1" .vlan_mode)" = trunk ]
    [ "$(port_field br0 "$SY_ID-vm1" '.trunks | join(",")')" = 10,20 ]

    # Removing again: clear, del-controller, del-fail-mode.
    ifcfg br0 DEVICETYPE=ovs TYPE=OVSBridge \
        'OVS_EXTRA="clear bridge br0 controller -- del-fail-mode br0 -- clear Port '"$SY_ID"'-vm1 trunks vlan_mode -- set port '"$SY_ID"'-vm1 tag=30"'
    run ifup br0
    assert_success
    refute_output --partial "warning"
    ! grep -q '^controller=' "$bridge_file" || fail "$(cat "$bridge_file")"
    [ "$(portd show -j | jq -r '.bridges[0].fail_mode')" = standalone ]
    [ "$(port_field br0 "$SY_ID-vm1" .vlan_mode)" = auto ]
    [ "$(port_field br0 "$SY_ID-vm1" '.trunks | join(",")')" = "" ]
    [ "$(port_field br0 "$SY_ID-vm1" .tag)" = 30 ]
}

@test "ifup-ovs hands addresses to the system's ifup-eth when there is one" {
    # initscripts' ifup-eth, as far as the hook can tell: an executable in
    # the network-scripts directory that gets the ifcfg file. This one
    # records how it was called and configures the address itself.
    cat > "$NSD/ifup-eth" <<'EOF'
#!/bin/bash
echo "$PWD $*" >> "$NETWORK_SCRIPTS_DIR/ifup-eth.calls"
. "$1"
ip link set dev "$DEVICE" up && ip addr add "$IPADDR/$PREFIX" dev "$DEVICE"
EOF
    chmod +x "$NSD/ifup-eth"
    ifcfg br0 DEVICETYPE=ovs TYPE=OVSBridge BOOTPROTO=static IPADDR=10.77.0.1 PREFIX=24
    run ifup br0
    assert_success
    run cat "$NSD/ifup-eth.calls"
    assert_output "$NSD $NSD/ifcfg-br0"
    run sy_sw ip -o addr show dev br0
    assert_output --partial "inet 10.77.0.1/24"
}

@test "ifup-ovs and ifdown-ovs refuse bad files with a message, changing nothing" {
    run ifup nosuch
    assert_failure 1
    assert_output --partial "no configuration $NSD/ifcfg-nosuch"

    ifcfg eth9 TYPE=Ethernet BOOTPROTO=none
    run ifup eth9
    assert_failure 1
    assert_output --partial "not ovs"

    ifcfg p1 DEVICETYPE=ovs TYPE=OVSFrobnicator OVS_BRIDGE=br0
    run ifup p1
    assert_failure 1
    assert_output --partial 'unknown TYPE "OVSFrobnicator"'
    run ifdown p1
    assert_failure 1

    ifcfg dpdk0 DEVICETYPE=ovs TYPE=OVSDPDKPort OVS_BRIDGE=br0
    run ifup dpdk0
    assert_failure 1
    assert_output --partial "no switchyard equivalent"

    ifcfg p2 DEVICETYPE=ovs TYPE=OVSIntPort
    run ifup p2
    assert_failure 1
    assert_output --partial "needs OVS_BRIDGE"

    ifcfg pp DEVICETYPE=ovs TYPE=OVSPatchPort OVS_BRIDGE=br0
    run ifup pp
    assert_failure 1
    assert_output --partial "needs OVS_PATCH_PEER"

    # ONBOOT=no: "ifup NAME boot" (the network service) leaves it alone.
    ifcfg br9 DEVICETYPE=ovs TYPE=OVSBridge ONBOOT=no
    run ifup br9 boot
    assert_success

    run ifup
    assert_failure 2

    run portd list-br
    assert_output ""
}

@test "the hooks are clean for shellcheck" {
    command -v shellcheck >/dev/null || skip "shellcheck is not installed (make deps)"
    run shellcheck -x "$SY_SRCDIR/ifcfg/ifup-ovs" "$SY_SRCDIR/ifcfg/ifdown-ovs"
    assert_success
    run shellcheck "$SY_SRCDIR/ifcfg/switchyard-functions"
    assert_success
}
