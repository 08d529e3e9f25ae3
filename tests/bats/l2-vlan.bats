#!/usr/bin/env bats
# l2-vlan: 802.1Q access ports (tag=) and trunk ports (trunks=) on br0.
#
#   vm1, vm2   tag=10        10.77.0.11, .12
#   vm3        tag=20        10.77.0.13   same subnet, other VLAN
#   trunk      trunks=10,20  no address: this kernel has no 802.1Q
#                            devices, so tags are read with tcpdump -e and
#                            written with scapy (Debian's /usr/bin/python3)

load helpers

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_attach br0 vm1 tag=10
    sy_vm vm2
    sy_attach br0 vm2 tag=10
    sy_vm vm3
    sy_attach br0 vm3 tag=20
    sy_vm trunk 10.77.9.1/32
    sy_attach br0 trunk trunks=10,20
}

@test "two access ports on VLAN 10 talk" {
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_ping_ok vm2 "${SY_VM_IP[vm1]}"

    run flowd fdb-show br0
    assert_line --regexp "^ *[0-9]+ +10 +${SY_VM_MAC[vm1]} "
    assert_line --regexp "^ *[0-9]+ +10 +${SY_VM_MAC[vm2]} "
}

@test "a port on VLAN 20 cannot reach VLAN 10" {
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    run sy_ns_exec vm3 ping -n -c 3 -i 0.3 -W 1 "${SY_VM_IP[vm1]}"
    assert_failure
    run sy_ns_exec vm1 ping -n -c 3 -i 0.3 -W 1 "${SY_VM_IP[vm3]}"
    assert_failure
    # vm3 never even resolved vm1's address.
    run sy_ns_exec vm3 ip neigh show "${SY_VM_IP[vm1]}"
    refute_output --partial "${SY_VM_MAC[vm1]}"
}

@test "the trunk receives each VLAN's broadcasts tagged with its VID" {
    local cap=$SY_DIR/trunk.pcap
    sy_capture_start trunk "$cap"
    # ARP requests (broadcast) for addresses nobody has, one per VLAN.
    sy_ns_exec vm1 ping -n -c 2 -i 0.5 -W 1 10.77.0.98 || true
    sy_ns_exec vm3 ping -n -c 2 -i 0.5 -W 1 10.77.0.99 || true
    sy_capture_stop "$cap"

    run sy_capture_read "$cap"
    echo "$output"
    assert_line --regexp "${SY_VM_MAC[vm1]} > ff:ff:ff:ff:ff:ff, ethertype 802\.1Q \(0x8100\).*vlan 10,.*ARP.*who-has 10\.77\.0\.98"
    assert_line --regexp "${SY_VM_MAC[vm3]} > ff:ff:ff:ff:ff:ff, ethertype 802\.1Q \(0x8100\).*vlan 20,.*ARP.*who-has 10\.77\.0\.99"
    # Never the wrong tag, never untagged.
    refute_line --regexp "vlan 20,.*who-has 10\.77\.0\.98"
    refute_line --regexp "vlan 10,.*who-has 10\.77\.0\.99"
    refute_line --regexp "${SY_VM_MAC[vm1]} > ff:ff:ff:ff:ff:ff, ethertype ARP"
}

@test "a frame tagged VID 10 from the trunk reaches VLAN 10 untagged, not VLAN 20" {
    local vm tmac=02:77:00:00:00:aa
    for vm in vm1 vm2 vm3 trunk; do
        sy_capture_start "$vm" "$SY_DIR/$vm.pcap"
    done

    # Who has vm1's address? asks 10.77.0.50 (MAC tmac) on VLAN 10.
    sy_ns_exec trunk /usr/bin/python3 - "$tmac" "${SY_VM_IP[vm1]}" <<'PY'
import sys
from scapy.all import ARP, Dot1Q, Ether, sendp
src, target = sys.argv[1], sys.argv[2]
frame = (Ether(src=src, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=10) /
         ARP(op=1, hwsrc=src, psrc="10.77.0.50", pdst=target))
sendp(frame, iface="eth0", count=2, inter=0.2, verbose=False)
PY
    sleep 0.5
    for vm in vm1 vm2 vm3 trunk; do
        sy_capture_stop "$SY_DIR/$vm.pcap"
    done

    # VLAN 10 access ports get it untagged.
    for vm in vm1 vm2; do
        run sy_capture_read "$SY_DIR/$vm.pcap"
        echo "$vm: $output"
        assert_line --regexp "$tmac > ff:ff:ff:ff:ff:ff, ethertype ARP \(0x0806\).*who-has ${SY_VM_IP[vm1]} tell 10\.77\.0\.50"
        refute_output --partial "802.1Q"
    done
    # The VLAN 20 port gets nothing from that MAC.
    run sy_capture_read "$SY_DIR/vm3.pcap"
    echo "vm3: $output"
    refute_output --partial "$tmac"

    # vm1 answered; its reply went back to the trunk tagged VID 10.
    run sy_capture_read "$SY_DIR/trunk.pcap"
    echo "trunk: $output"
    assert_line --regexp "${SY_VM_MAC[vm1]} > $tmac, ethertype 802\.1Q \(0x8100\).*vlan 10,.*ARP.*Reply ${SY_VM_IP[vm1]} is-at ${SY_VM_MAC[vm1]}"

    # and the switch learned the trunk's MAC on VLAN 10.
    run flowd fdb-show br0
    assert_line --regexp "^ *$(sy_ofport br0 "${SY_VM_PORT[trunk]}") +10 +$tmac "
}
