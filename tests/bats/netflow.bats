#!/usr/bin/env bats
# netflow: a bridge exports NetFlow v5 to nfcapd (nfdump's collector) on
# 127.0.0.1 in the switch namespace. A known count of pings and UDP
# datagrams between two VMs must come out as flows whose addresses, ports,
# protocol, packet and byte counts and ofport interfaces match what really
# crossed the switch: on idle expiry, every active timeout, and when the
# bridge is removed.

load helpers

NF_PORT=19995

setup() {
    command -v nfcapd >/dev/null || skip "no nfcapd (package nfdump)"
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    for vm in vm1 vm2; do
        sy_vm "$vm"
        sy_attach br0 "$vm"
    done
    NF_DIR=$SY_DIR/nfcapd
    mkdir -p "$NF_DIR"
}

# nf_start: nfcapd listening on 127.0.0.1:NF_PORT in the switch namespace.
nf_start() {
    ip netns exec "$SY_NS_SW" nfcapd -b 127.0.0.1 -p "$NF_PORT" -w "$NF_DIR" -t 3600 \
        > "$SY_DIR/nfcapd.out" 2>&1 < /dev/null 3>&- &
    NF_PID=$!
    sy_track_pid "$NF_PID"
    sy_wait_until 10 nf_listening ||
        fail "nfcapd is not listening: $(cat "$SY_DIR/nfcapd.out")"
}

nf_listening() {
    sy_sw ss -Hlun "sport = :$NF_PORT" | grep -q .
}

# nf_stop: stop nfcapd, which closes its file.
nf_stop() {
    kill -TERM "$NF_PID" 2>/dev/null || true
    sy_wait_until 10 eval '! sy_pid_alive "$NF_PID"' || fail "nfcapd did not stop"
}

# nf_flows: one line per record: src|dst|sport|dport|proto|packets|bytes|in|out
nf_flows() {
    nfdump -R "$NF_DIR" -q -N -o 'fmt:%sa|%da|%sp|%dp|%pr|%pkt|%byt|%in|%out' |
        tr -d ' '
}

# nf_sum SRC DST PROTO DPORT: "records packets bytes in out" summed over
# the records of that flow (PROTO is a number; for ICMP, DPORT is
# type.code as nfdump prints it).
nf_sum() {
    nf_flows | awk -F'|' -v s="$1" -v d="$2" -v p="$3" -v dp="$4" '
        $1 == s && $2 == d && $5 == p && $4 == dp {
            n++; pkts += $6; bytes += $7; i = $8; o = $9
        }
        END { printf "%d %d %d %s %s\n", n, pkts, bytes, i, o }'
}

# udp_send FROM DST_IP SPORT DPORT COUNT SIZE: COUNT datagrams of SIZE bytes.
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

@test "pings and UDP datagrams become NetFlow records with the right counts" {
    local ip1=${SY_VM_IP[vm1]} ip2=${SY_VM_IP[vm2]} p1 p2
    p1=$(sy_ofport br0 "${SY_VM_PORT[vm1]}")
    p2=$(sy_ofport br0 "${SY_VM_PORT[vm2]}")
    run portd set-bridge br0 netflow=127.0.0.1:$NF_PORT flow-idle-timeout=1000
    assert_success
    # ARP first, so that no MAC move splits the flows below; the collector
    # starts once the warm-up ping's flows have expired.
    sy_ping vm1 "$ip2" || fail "vm1 cannot reach vm2"
    sleep 2
    nf_start

    run sy_ns_exec vm1 ping -n -c 10 -i 0.1 -s 56 "$ip2"
    assert_output --partial "10 received"
    udp_send vm1 "$ip2" 40000 5000 25 100
    # Idle expiry (1 s) exports them; give flowd's 250 ms loop some slack.
    sleep 3
    nf_stop

    nf_flows
    # Echo requests: 10 packets of 84 bytes (IP), vm1's port in, vm2's out.
    run nf_sum "$ip1" "$ip2" 1 8.0
    echo "requests: $output"
    [ "$output" = "1 10 840 $p1 $p2" ]
    run nf_sum "$ip2" "$ip1" 1 0.0
    echo "replies: $output"
    [ "$output" = "1 10 840 $p2 $p1" ]
    # UDP: 25 datagrams of 100 bytes = 128 bytes of IP each.
    run nf_sum "$ip1" "$ip2" 17 5000
    echo "udp: $output"
    [ "$output" = "1 25 3200 $p1 $p2" ]
    nf_flows | grep -q "^$ip1|$ip2|40000|5000|17|"

    # Sequence numbers count records without gaps.
    run nfdump -R "$NF_DIR" -I
    echo "$output"
    assert_line --regexp "^Sequence failures: +0$"
    # portd show counts every record sent, the warm-up ping's included.
    run --separate-stderr portd show br0 --format=json
    [ "$(echo "$output" | jq .bridges[0].exports.netflow.records)" -ge "$(nf_flows | wc -l)" ]
    [ "$(echo "$output" | jq .bridges[0].exports.netflow.datagrams)" -ge 1 ]
}

@test "a long flow is reported every active timeout and when its bridge goes" {
    local ip1=${SY_VM_IP[vm1]} ip2=${SY_VM_IP[vm2]} n
    run portd set-bridge br0 netflow=127.0.0.1:$NF_PORT netflow-active-timeout=1 \
        netflow-engine-type=7 netflow-engine-id=9
    assert_success
    # The warm-up ping's record goes out after a second, before the
    # collector listens.
    sy_ping vm1 "$ip2" || fail "vm1 cannot reach vm2"
    sleep 2
    nf_start

    run sy_ns_exec vm1 ping -n -c 20 -i 0.2 "$ip2"
    assert_output --partial "20 received"
    # The flows are still in the datapath (idle timeout 10 s): removing the
    # bridge reports what they carried since their last record.
    run portd del-br br0
    assert_success
    sleep 1
    nf_stop

    nf_flows
    run nf_sum "$ip1" "$ip2" 1 8.0
    echo "requests: $output"
    n=${output%% *}
    [ "$n" -ge 3 ] || fail "expected a record at least every second, got $n"
    [ "$(echo "$output" | cut -d' ' -f2,3)" = "20 1680" ]
    run nf_sum "$ip2" "$ip1" 1 0.0
    [ "$(echo "$output" | cut -d' ' -f2,3)" = "20 1680" ]

    # Engine type and id as configured.
    run nfdump -R "$NF_DIR" -q -o 'fmt:%eng'
    echo "$output"
    assert_line --regexp "^ *7/9 *$"
}

@test "bad NetFlow settings are refused and change nothing" {
    local before
    run portd set-bridge br0 netflow=127.0.0.1:$NF_PORT
    assert_success
    before=$(sy_config_sum)

    run portd set-bridge br0 netflow=collector-without-port
    [ "$status" -eq 2 ]
    assert_output --partial "has no port"
    run portd set-bridge br0 netflow=127.0.0.1:99999
    [ "$status" -eq 2 ]
    assert_output --partial "invalid port"
    run portd set-bridge br0 netflow-active-timeout=0
    [ "$status" -eq 2 ]
    run portd set-bridge br0 netflow-engine-id=256
    [ "$status" -eq 2 ]
    assert_output --partial "netflow-engine-id=256"
    run portd set-bridge br0 flow-idle-timeout=abc
    [ "$status" -eq 2 ]
    [ "$(sy_config_sum)" = "$before" ]
}
