#!/usr/bin/env bats
# ipfix: a bridge exports IPFIX (RFC 7011) to two collectors on 127.0.0.1
# in the switch namespace: tshark's cflow dissector reads what is captured
# for the first, nfcapd (nfdump's collector) receives the second. A known
# count of pings and UDP datagrams between two VMs must come out as data
# records whose addresses, ports, protocol and packet and octet counts match
# what crossed the switch, for IPv4 and IPv6; templates come first and are
# sent again every template interval; bad settings are refused.

load helpers

IPFIX_PORT=14739
NFCAPD_PORT=14740

setup() {
    command -v tshark >/dev/null || skip "no tshark"
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    for vm in vm1 vm2; do
        sy_vm "$vm"
        sy_attach br0 "$vm"
    done
    IPFIX_CAP=$SY_DIR/ipfix.pcap
    NF_DIR=$SY_DIR/nfcapd
    mkdir -p "$NF_DIR"
}

capture_start() {
    ip netns exec "$SY_NS_SW" tshark -q -i lo -f "udp dst port $IPFIX_PORT" -w "$IPFIX_CAP" \
        > "$SY_DIR/tshark.out" 2>&1 < /dev/null 3>&- &
    CAP_PID=$!
    sy_track_pid "$CAP_PID"
    sy_wait_until 20 grep -q "Capturing on" "$SY_DIR/tshark.out" ||
        fail "tshark did not start: $(cat "$SY_DIR/tshark.out")"
    sleep 0.5
}

capture_stop() {
    sleep 0.5
    kill -TERM "$CAP_PID" 2>/dev/null || true
    sy_wait_until 10 eval '! sy_pid_alive "$CAP_PID"' || fail "tshark did not stop"
}

nf_start() {
    ip netns exec "$SY_NS_SW" nfcapd -b 127.0.0.1 -p "$NFCAPD_PORT" -w "$NF_DIR" -t 3600 \
        > "$SY_DIR/nfcapd.out" 2>&1 < /dev/null 3>&- &
    NF_PID=$!
    sy_track_pid "$NF_PID"
    sy_wait_until 10 eval 'sy_sw ss -Hlun "sport = :$NFCAPD_PORT" | grep -q .' ||
        fail "nfcapd is not listening: $(cat "$SY_DIR/nfcapd.out")"
}

nf_stop() {
    kill -TERM "$NF_PID" 2>/dev/null || true
    sy_wait_until 10 eval '! sy_pid_alive "$NF_PID"' || fail "nfcapd did not stop"
}

# records FIELD...: one line per IPFIX data record with FIELDs separated by
# '|' (tshark prints a message's records as lists; they are split here, so
# every FIELD must be present in every record).
records() {
    local args=() f
    for f in "$@"; do
        args+=(-e "$f")
    done
    tshark -r "$IPFIX_CAP" -d "udp.port==$IPFIX_PORT,cflow" -Y "cflow.flowset_id >= 256" \
        -T fields -E separator='|' -E aggregator=';' -E occurrence=a "${args[@]}" 2>/dev/null |
        awk -F'|' '{
            n = split($1, first, ";")
            for (i = 1; i <= n; i++) {
                line = ""
                for (f = 1; f <= NF; f++) {
                    split($f, v, ";")
                    line = line (f > 1 ? "|" : "") v[i]
                }
                print line
            }
        }'
}

# sum SRC DST PROTO [ICMP_TYPE_CODE]: "records packets octets" over the
# records of a flow (ICMP type and code as tshark prints them, 0x0000 if
# not given).
sum() {
    records cflow.srcaddr cflow.dstaddr cflow.protocol cflow.packets cflow.octets \
        cflow.icmp_type_code_ipv4 |
        awk -F'|' -v s="$1" -v d="$2" -v p="$3" -v t="${4:-0x0000}" '
            $1 == s && $2 == d && $3 == p && $6 == t { n++; pk += $4; oc += $5 }
            END { printf "%d %d %d\n", n, pk, oc }'
}

# udp_send FROM DST_IP SPORT DPORT COUNT SIZE
udp_send() {
    sy_ns_exec "$1" /usr/bin/python3 -c '
import socket, sys, time
dst, sport, dport, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", sport))
for i in range(count):
    s.sendto(b"x" * size, (dst, dport))
    time.sleep(0.01)
' "$2" "$3" "$4" "$5" "$6"
}

@test "pings and UDP datagrams become IPFIX records that tshark and nfcapd decode" {
    local ip1=${SY_VM_IP[vm1]} ip2=${SY_VM_IP[vm2]} p1 p2
    command -v nfcapd >/dev/null || skip "no nfcapd (package nfdump)"
    p1=$(sy_ofport br0 "${SY_VM_PORT[vm1]}")
    p2=$(sy_ofport br0 "${SY_VM_PORT[vm2]}")
    # A mirror copies everything to a monitor: the records still name the
    # flows' own output ports, not the copies.
    sy_vm mon 10.77.9.1/24
    sy_attach br0 mon
    run portd add-mirror br0 span select-all=true output-port="${SY_VM_PORT[mon]}"
    assert_success
    sy_ping vm1 "$ip2" || fail "vm1 cannot reach vm2"
    capture_start
    nf_start
    run portd set-bridge br0 ipfix=127.0.0.1:$IPFIX_PORT,127.0.0.1:$NFCAPD_PORT \
        ipfix-obs-domain-id=42 flow-idle-timeout=1000
    assert_success

    run sy_ns_exec vm1 ping -n -c 10 -i 0.1 "$ip2"
    assert_output --partial "10 received"
    udp_send vm1 "$ip2" 40000 5000 25 100
    # Idle expiry (1 s) exports them.
    sleep 3
    capture_stop
    nf_stop

    # Well-formed IPFIX of observation domain 42, templates first.
    run --separate-stderr tshark -r "$IPFIX_CAP" -d "udp.port==$IPFIX_PORT,cflow" -T fields -e cflow.version \
        -e cflow.od_id
    echo "$output" | head -3
    [ "$(echo "$output" | sort -u)" = "10	42" ]
    run --separate-stderr tshark -r "$IPFIX_CAP" -d "udp.port==$IPFIX_PORT,cflow" -c 1 -T fields -e cflow.template_id
    [ "$output" = "256,257" ]
    run --separate-stderr tshark -r "$IPFIX_CAP" -d "udp.port==$IPFIX_PORT,cflow" \
        -Y "_ws.malformed || _ws.expert.severity >= warning"
    assert_output ""

    records cflow.srcaddr cflow.dstaddr cflow.protocol cflow.srcport cflow.dstport \
        cflow.packets cflow.octets cflow.inputint cflow.outputint cflow.flow_end_reason \
        cflow.icmp_type_code_ipv4
    # Echo requests and replies: 10 packets of 84 bytes each way.
    [ "$(sum "$ip1" "$ip2" 1 0x0800)" = "1 10 840" ]
    [ "$(sum "$ip2" "$ip1" 1 0x0000)" = "1 10 840" ]
    # UDP: 25 datagrams of 128 bytes of IP, from port 40000 to 5000, vm1's
    # port in, vm2's out, ended by the idle timeout.
    [ "$(sum "$ip1" "$ip2" 17)" = "1 25 3200" ]
    records cflow.srcaddr cflow.protocol cflow.srcport cflow.dstport cflow.inputint \
        cflow.outputint cflow.flow_end_reason |
        grep -qx "$ip1|17|40000|5000|$p1|$p2|1" || fail "no UDP record with its ports"
    # ICMP errors are told apart by type and code: vm2's port unreachables.
    run sum "$ip2" "$ip1" 1 0x0303
    [ "${output%% *}" -eq 1 ]
    # Start and end times are this year's wall clock.
    records cflow.abstimestart cflow.abstimeend
    records cflow.abstimestart cflow.abstimeend | grep -q . || fail "no times"
    ! records cflow.abstimestart cflow.abstimeend | grep -v "$(date -u +%Y).*|.*$(date -u +%Y)" || fail "a time outside this year"

    # portd show counts what went out: every record, each message to both
    # collectors.
    run --separate-stderr portd show br0 --format=json
    echo "$output" | jq .bridges[0].exports
    [ "$(echo "$output" | jq .bridges[0].exports.ipfix.records)" -eq "$(records cflow.protocol | wc -l)" ]
    [ "$(echo "$output" | jq .bridges[0].exports.ipfix.datagrams)" -eq \
      "$((2 * $(tshark -r "$IPFIX_CAP" 2>/dev/null | wc -l)))" ]
    run portd show br0
    assert_line --regexp "^    ipfix_stats: datagrams=[0-9]+ records=[0-9]+ errors=0$"

    # nfdump reads the same flows from nfcapd's IPFIX.
    run nfdump -R "$NF_DIR" -q -N -o 'fmt:%sa|%da|%pr|%dp|%pkt|%byt'
    echo "$output"
    assert_line --regexp "^ *$ip1 *\| *$ip2 *\| *17 *\| *5000 *\| *25 *\| *3200 *$"
    assert_line --regexp "^ *$ip1 *\| *$ip2 *\| *1 *\| *8\.0 *\| *10 *\| *840 *$"
}

@test "IPv6 flows use the IPv6 template" {
    local vm
    for vm in vm1 vm2; do
        sy_ns_exec "$vm" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0
    done
    sy_ns_exec vm1 ip -6 addr add fd77::1/64 dev eth0 nodad
    sy_ns_exec vm2 ip -6 addr add fd77::2/64 dev eth0 nodad
    sy_wait_until 20 sy_ns_exec vm1 ping -6 -n -c 1 -W 1 fd77::2 || fail "no IPv6 between the VMs"
    capture_start
    run portd set-bridge br0 ipfix=127.0.0.1:$IPFIX_PORT flow-idle-timeout=1000
    assert_success
    run sy_ns_exec vm1 ping -6 -n -c 5 -i 0.1 -s 100 fd77::2
    assert_output --partial "5 received"
    sleep 3
    capture_stop

    records cflow.srcaddrv6 cflow.dstaddrv6 cflow.protocol cflow.packets cflow.octets
    # Echo requests: 5 packets of 40 + 8 + 100 bytes.
    records cflow.srcaddrv6 cflow.dstaddrv6 cflow.protocol cflow.packets cflow.octets |
        grep -qx "fd77::1|fd77::2|58|5|740" || fail "no record of the echo requests"
    records cflow.srcaddrv6 cflow.dstaddrv6 cflow.protocol cflow.packets cflow.octets |
        grep -qx "fd77::2|fd77::1|58|5|740" || fail "no record of the echo replies"
    run --separate-stderr tshark -r "$IPFIX_CAP" -d "udp.port==$IPFIX_PORT,cflow" \
        -Y "_ws.malformed || _ws.expert.severity >= warning"
    assert_output ""
}

@test "a long flow is reported every active timeout, and templates are refreshed" {
    local ip2=${SY_VM_IP[vm2]} n
    sy_ping vm1 "$ip2" || fail "vm1 cannot reach vm2"
    capture_start
    run portd set-bridge br0 ipfix=127.0.0.1:$IPFIX_PORT ipfix-active-timeout=1 \
        ipfix-template-interval=1
    assert_success
    run sy_ns_exec vm1 ping -n -c 20 -i 0.2 "$ip2"
    assert_output --partial "20 received"
    # Removing the bridge reports what is left (forced end).
    run portd del-br br0
    assert_success
    sleep 1
    capture_stop

    run sum "${SY_VM_IP[vm1]}" "$ip2" 1 0x0800
    echo "requests: $output"
    n=${output%% *}
    [ "$n" -ge 3 ] || fail "expected a record at least every second, got $n"
    [ "$(echo "$output" | cut -d' ' -f2,3)" = "20 1680" ]
    records cflow.flow_end_reason | sort | uniq -c
    records cflow.flow_end_reason | grep -qx 2 || fail "no active timeout record"
    # The rest (if any packets were left) ended with the bridge: forced end.
    ! records cflow.flow_end_reason | grep -vx '[24]' || fail "unexpected end reason"
    # Templates about every second over the 4 s or more of the ping.
    n=$(tshark -r "$IPFIX_CAP" -d "udp.port==$IPFIX_PORT,cflow" -Y "cflow.flowset_id == 2" \
        2>/dev/null | wc -l)
    [ "$n" -ge 3 ] || fail "templates sent $n times"
    # Sequence numbers count the data records sent before each message.
    run --separate-stderr tshark -r "$IPFIX_CAP" -d "udp.port==$IPFIX_PORT,cflow" -T fields -e cflow.sequence \
        -e cflow.packets -E occurrence=a
    echo "$output" | awk -F'\t' '
        { if ($1 != seen) { print "sequence " $1 ", expected " seen; bad = 1 }
          if ($2 != "") seen += split($2, r, ",") }
        END { exit bad }'
}

@test "bad IPFIX settings are refused and change nothing" {
    local before
    run portd set-bridge br0 ipfix=127.0.0.1:$IPFIX_PORT
    assert_success
    before=$(sy_config_sum)

    run portd set-bridge br0 ipfix=collector-without-port
    [ "$status" -eq 2 ]
    assert_output --partial "has no port"
    run portd set-bridge br0 ipfix=127.0.0.1:0
    [ "$status" -eq 2 ]
    run portd set-bridge br0 ipfix-obs-domain-id=4294967296
    [ "$status" -eq 2 ]
    assert_output --partial "ipfix-obs-domain-id=4294967296"
    run portd set-bridge br0 ipfix-active-timeout=0
    [ "$status" -eq 2 ]
    run portd set-bridge br0 ipfix-template-interval=x
    [ "$status" -eq 2 ]
    [ "$(sy_config_sum)" = "$before" ]
    run portd show br0 --format=json
    [ "$(echo "$output" | jq -r '.bridges[0].options.ipfix')" = "127.0.0.1:$IPFIX_PORT" ]
}
