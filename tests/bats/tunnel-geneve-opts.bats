#!/usr/bin/env bats
# tunnel-geneve-opts: Geneve options as OpenFlow fields between two
# simulated hosts. Host a's rules put option {class=0xffff,type=0x80,len=4}
# = 0xa (tun_metadata0 through the TLV map) on one VM's traffic; tshark
# decodes that option on the underlay; host b's rules deliver only tunnel
# traffic that carries it, so the other VM on a cannot reach b. Bad option
# lists are dropped and counted, and flowd survives them.

load helpers
load tunnel-helpers

MAP="{class=0xffff,type=0x80,len=4}->tun_metadata0"

setup() {
    th_setup_two_hosts
    th_vm a v1 10.1.0.1/24 02:aa:00:00:00:01
    th_vm a v3 10.1.0.3/24 02:aa:00:00:00:03
    th_vm b v2 10.1.0.2/24 02:aa:00:00:00:02
    th_prog a portd add-br br0
    th_prog b portd add-br br0
    th_prog a portd add-port br0 a-v1
    th_prog a portd add-port br0 a-v3
    th_prog b portd add-port br0 b-v2
    run th_prog a tunnel add br0 t0 type=geneve remote_ip=192.0.2.2 key=100
    assert_success
    run th_prog b tunnel add br0 t0 type=geneve remote_ip=192.0.2.1 key=100
    assert_success
}

teardown() {
    th_teardown
}

# program: the TLV map on both hosts; a marks v1's traffic, b delivers
# tunnel traffic only with the mark.
program() {
    local host
    for host in a b; do
        run th_prog $host ofctl add-tlv-map br0 "$MAP"
        assert_success
    done
    run th_prog a ofctl add-flow br0 \
        "priority=100,dl_src=02:aa:00:00:00:01,actions=set_field:0xa->tun_metadata0,NORMAL"
    assert_success
    run th_prog b ofctl add-flow br0 "priority=100,tun_metadata0=0xa,actions=NORMAL"
    assert_success
    run th_prog b ofctl add-flow br0 "priority=50,tun_dst=192.0.2.2,actions=drop"
    assert_success
}

@test "geneve options: the TLV map is shown, and unmapped fields are refused" {
    run th_prog a ofctl add-flow br0 "tun_metadata0=0xa,actions=NORMAL"
    assert_failure
    assert_output --partial "OFPBMC_BAD_FIELD"
    run th_prog a ofctl add-flow br0 "actions=set_field:0xa->tun_metadata1,NORMAL"
    assert_failure
    assert_output --partial "OFPBAC_BAD_SET_ARGUMENT"
    run th_prog a ofctl add-tlv-map br0 "$MAP"
    assert_success
    run th_prog a ofctl dump-tlv-map br0
    assert_success
    assert_output --regexp "0xffff +0x80 +4 +tun_metadata0"
    # Mapped twice, another field for the same option, bad syntax.
    run th_prog a ofctl add-tlv-map br0 "$MAP"
    assert_failure
    run th_prog a ofctl add-tlv-map br0 "{class=0xffff,type=0x80,len=4}->tun_metadata1"
    assert_failure
    run th_prog a ofctl add-tlv-map br0 "{class=0xffff,type=0x80}->tun_metadata1"
    [ "$status" -eq 2 ]
    assert_output --partial "class, type and len"
    # A value wider than the option is refused; one that fits is kept.
    run th_prog a ofctl add-flow br0 "tun_metadata0=0x123456789,actions=NORMAL"
    assert_failure
    run th_prog a ofctl add-flow br0 "tun_metadata0=0xa/0xff,actions=NORMAL"
    assert_success
    run th_prog a ofctl dump-flows br0
    assert_output --partial "tun_metadata0=0xa/0xff"
    run th_prog a ofctl del-tlv-map br0
    assert_success
    run th_prog a ofctl dump-tlv-map br0
    refute_output --partial "tun_metadata0"
}

@test "geneve options: a's mark reaches b, tshark decodes it, b delivers only marked traffic" {
    program
    th_ping_ok a v1 10.1.0.2
    run th_ping a v3 10.1.0.2 3
    assert_failure

    th_capture_start a u-b "$SY_DIR/u.pcap" udp port 6081
    run th_vm_exec a v1 ping -n -c 3 -i 0.2 10.1.0.2
    assert_success
    th_capture_stop "$SY_DIR/u.pcap"
    run tshark -r "$SY_DIR/u.pcap" -o udp.check_checksum:TRUE -Y "ip.src == 192.0.2.1" \
        -T fields -E occurrence=f -e geneve.vni -e geneve.option.class -e geneve.option.type \
        -e geneve.option.length -e geneve.option.unknown.data -e geneve.flags.critical
    assert_success
    echo "$output"
    # VNI 100, class 0xffff, type 0x80 (critical), 4 bytes of value (+4 of
    # header: tshark counts the whole option), value 0x0000000a.
    assert_line --regexp "^0x000064[[:space:]]+0xffff[[:space:]]+0x80[[:space:]]+8[[:space:]]+0000000a[[:space:]]+(True|1)$"
    run th_prog b dp dump-flows br0
    echo "$output"
}

@test "geneve options: malformed option lists are dropped and counted, flowd survives" {
    program
    th_ping_ok a v1 10.1.0.2
    th_capture_start b b-v2 "$SY_DIR/vm.pcap" ether src 02:aa:00:00:00:99
    th a python3 - <<'PY'
import socket, struct
eth = bytes.fromhex("02aa0000000202aa00000099") + b"\x08\x00" + bytes(28)
def geneve(opts, c=0x40, vni=100, words=None):
    n = len(opts) // 4 if words is None else words
    return bytes([n, c]) + struct.pack(">HI", 0x6558, vni << 8) + opts + eth
opt = bytes.fromhex("ffff8001") + bytes.fromhex("0000000a")
bad = [
    geneve(bytes.fromhex("ffff8002") + bytes.fromhex("0000000a")),  # value past the list
    geneve(bytes.fromhex("ffff801f")),                              # 124 bytes in 4
    geneve(opt, words=1),                                           # list cut short
    geneve(opt, c=0),                                               # critical, no C bit
    geneve(bytes.fromhex("01028001") + bytes(4)),                   # unmapped critical
]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    for p in bad:
        s.sendto(p, ("192.0.2.2", 6081))
PY
    th_ping_ok a v1 10.1.0.2
    th_capture_stop "$SY_DIR/vm.pcap"
    run tcpdump -nn -r "$SY_DIR/vm.pcap"
    refute_output --partial "02:aa:00:00:00:99"
    # b's t0 counted them (tunnel ports' RX dropped, in dp show).
    run th_prog b dp show br0
    assert_success
    echo "$output"
    dropped=$(echo "$output" | awk '/: t0 /{t=1; next} t && /RX dropped:/{sub(/.*dropped:/, ""); print; exit}')
    [ -n "$dropped" ] && [ "$dropped" -ge 3 ] || fail "t0 counted $dropped drops"
}
