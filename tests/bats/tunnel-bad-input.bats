#!/usr/bin/env bats
# tunnel-bad-input: what arrives on the tunnel ports' UDP ports and as GRE
# is untrusted. Garbage, truncated headers, wrong flags and versions,
# Geneve critical options, GRE with bad checksums or routing, unknown keys
# and unknown senders are dropped without a crash and without reaching a
# VM, and the tunnels keep working.

load helpers
load tunnel-helpers

setup() {
    th_setup_two_hosts
    th_vm a v1 10.1.0.1/24 02:aa:00:00:00:01
    th_vm b v1 10.1.0.2/24 02:aa:00:00:00:02
    th_prog a portd add-br br0
    th_prog b portd add-br br0
    th_prog a portd add-port br0 a-v1
    th_prog b portd add-port br0 b-v1
    for t in "vxlan key=5" "geneve key=6" "gre key=7 csum=true"; do
        set -- $t
        run th_prog a tunnel add br0 "t-$1" type=$1 remote_ip=192.0.2.2 $2 ${3:-}
        assert_success
        run th_prog b tunnel add br0 "t-$1" type=$1 remote_ip=192.0.2.1 $2 ${3:-}
        assert_success
    done
}

teardown() {
    th_teardown
}

@test "bad input: garbage on the tunnel ports is dropped, flowd survives, tunnels work" {
    th_ping_ok a v1 10.1.0.2
    th_capture_start a a-v1 "$SY_DIR/vm.pcap" ether src 02:aa:00:00:00:99

    # From b's underlay address: every kind of bad packet, twice.
    th b python3 - <<'PY'
import os, socket, struct

eth = bytes.fromhex("02aa0000000102aa00000099") + b"\x08\x00" + bytes(28)
def vxlan(flags, vni, body=eth):
    return bytes([flags, 0, 0, 0]) + struct.pack(">I", vni << 8) + body
def geneve(first, second, proto, vni, opts=b"", body=eth):
    return bytes([first, second]) + struct.pack(">HI", proto, vni << 8) + opts + body
udp = [
    (4789, b""), (4789, b"\x08"), (4789, vxlan(0x08, 5, b"")),     # short
    (4789, vxlan(0x00, 5)),                                       # no I flag
    (4789, vxlan(0x08, 99)),                                      # unknown VNI
    (4789, os.urandom(1400)),
    (6081, geneve(0x40, 0, 0x6558, 6)),                           # version 1
    (6081, geneve(0x01, 0x40, 0x6558, 6, bytes(4))),              # critical option
    (6081, geneve(0x3f, 0, 0x6558, 6)),                           # options past the end
    (6081, geneve(0, 0, 0x0800, 6)),                              # not Ethernet
    (6081, geneve(0, 0, 0x6558, 99)),                             # unknown VNI
    (6081, os.urandom(600)),
]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(2):
    for port, payload in udp:
        s.sendto(payload, ("192.0.2.1", port))

def gre(flags, proto, rest):
    return struct.pack(">HH", flags, proto) + rest
bad_csum = gre(0xA000, 0x6558, b"\x12\x34\x00\x00" + struct.pack(">I", 7) + eth)
grep = [
    b"", b"\x00", gre(0x0000, 0x0800, eth),                       # not Ethernet
    gre(0x4000, 0x6558, eth),                                     # routing bit
    gre(0x0001, 0x6558, eth),                                     # version 1
    bad_csum,
    gre(0x2000, 0x6558, struct.pack(">I", 99) + eth),             # unknown key
    gre(0x2000, 0x6558, b"\x00\x00"),                             # truncated key
    os.urandom(900),
]
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
for _ in range(2):
    for payload in grep:
        r.sendto(payload, ("192.0.2.1", 0))
PY

    # A keyed VXLAN packet from an address no tunnel names is dropped too.
    th b ip addr add 192.0.2.77/24 dev u-a
    th b python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.77", 0))
eth = bytes.fromhex("02aa0000000102aa00000099") + b"\x08\x00" + bytes(28)
s.sendto(bytes([8, 0, 0, 0]) + struct.pack(">I", 5 << 8) + eth, ("192.0.2.1", 4789))'

    th_ping_ok a v1 10.1.0.2
    th_capture_stop "$SY_DIR/vm.pcap"
    # Nothing of it reached the VM (its source MAC 02:aa:00:00:00:99).
    run tcpdump -r "$SY_DIR/vm.pcap" -e -nn
    refute_output --partial "02:aa:00:00:00:99"
    run th_prog a flowd fdb-show br0
    refute_output --partial "02:aa:00:00:00:99"
    # Every tunnel still carries traffic both ways.
    for t in t-vxlan t-geneve t-gre; do
        run th_prog a tunnel show -j br0 "$t"
        [ "$(jq -r '.tunnels[0].state' <<<"$output")" = up ] || fail "$output"
    done
}
