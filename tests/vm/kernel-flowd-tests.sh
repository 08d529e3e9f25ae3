#!/bin/sh
# kernel-flowd-tests.sh: flowd on a kernel datapath bridge, run inside the
# QEMU guest by kernel-init after kernel-tests.sh; same "SY-KTEST" lines.
#
# flowd and portd run as they would on a host with the openvswitch module:
# `portd add-br` picks the kernel datapath by itself. Two hosts, namespaces
# h1 (10.0.1.1) and h2 (10.0.1.2), hang off ports k1 and k2 of bridge kbr.
# The checks: ping across, MAC learning (flowd fdb-show), the megaflows in
# the kernel (dp and Debian's ovs-dpctl), an OpenFlow drop rule with its
# counters, a burst of new flows (iperf3 with 100 UDP streams under NetFlow,
# which makes every 5-tuple a flow of its own), a flowd restart under a
# running ping (no loss; the new flowd takes the kernel's flows over), a
# device unplugged and plugged back, idle expiry, deleting a port and the
# bridge; then tunnel ports (vxlan, geneve, gre, and key=flow with
# set_field tun_id) on a second kernel bridge against the kernel's own
# tunnel devices; then bonds on a third one against Linux's own bonding
# driver (active-backup with a failover, and LACP with 802.3ad).

. /ktest-lib.sh

export SY_CONFDIR=/tmp/sy/conf SY_RUNDIR=/run/sy SY_LOGDIR=/tmp/sy/log
export ASAN_OPTIONS="log_path=$SY_LOGDIR/asan:detect_leaks=1"
export UBSAN_OPTIONS="log_path=$SY_LOGDIR/ubsan:print_stacktrace=1:halt_on_error=1"
mkdir -p "$SY_CONFDIR" "$SY_RUNDIR" "$SY_LOGDIR"

# Hosts h1 and h2 behind veth pairs k1/e1 and k2/e2.
setup_flowd_hosts() {
    for i in 1 2; do
        ip netns add h$i &&
        ip link add k$i type veth peer name e$i &&
        ip link set e$i netns h$i &&
        ip -n h$i link set lo up &&
        ip -n h$i addr add 10.0.1.$i/24 dev e$i &&
        ip -n h$i link set e$i address 02:00:00:00:01:0$i &&
        ip -n h$i link set e$i up &&
        ip link set k$i up || return 1
    done
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_for() {
    tries=$(($1 * 5))
    shift
    while [ "$tries" -gt 0 ]; do
        "$@" > /dev/null 2>&1 && return 0
        tries=$((tries - 1))
        sleep 0.2
    done
    "$@"
}

# upcalls_restored_since BR N: flowd has logged more than N times that it
# put per-vport upcalls back on BR's datapath, or the datapath is gone.
restored_count() {
    grep -c "$1: .*per-vport upcalls restored" "$SY_LOGDIR/flowd.log" 2>/dev/null
}
upcalls_restored_since() {
    [ "$(restored_count "$1")" -gt "$2" ] || ! dp show "$1" > /dev/null 2>&1
}

# ovs_dpctl BR ARGS...: Debian's ovs-dpctl ARGS... on the datapath flowd
# runs for bridge BR (its output and status), then waits for flowd to put
# per-vport upcalls back: Open vSwitch switches a datapath it opens to
# per-CPU upcall dispatch, and every miss and sFlow sample until flowd
# notices (within a second, as man/flowd.8 says) is lost, which a later
# check that counts packets or lost upcalls would see. Every ovs-dpctl use
# on a flowd datapath goes through here.
ovs_dpctl() {
    odp_br=$1
    shift
    odp_before=$(restored_count "$odp_br")
    ovs-dpctl "$@"
    odp_status=$?
    if ! wait_for 30 upcalls_restored_since "$odp_br" "${odp_before:-0}"; then
        echo "flowd did not put per-vport upcalls back on $odp_br after ovs-dpctl $*" >&2
        odp_status=1
    fi
    return $odp_status
}

# listening NS PORT: a TCP socket of namespace NS listens on PORT (for
# iperf3 -s -D, which returns before its socket listens).
listening() {
    hex=$(printf ':%04X ' "$2")
    ip netns exec "$1" cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        awk -v p="$hex" '$4 == "0A" && index($2 " ", p)' | grep -q .
}

# start_daemon NAME: NAME run --detach, its output to a file (a detached
# daemon keeps what it inherited open: a pipe would never close).
start_daemon() {
    "$1" run --detach > "$SY_LOGDIR/$1.out" 2>&1 && [ -s "$SY_RUNDIR/$1.pid" ] ||
        { cat "$SY_LOGDIR/$1.out"; return 1; }
}

flowd_running() {
    [ -s "$SY_RUNDIR/flowd.pid" ] && kill -0 "$(cat "$SY_RUNDIR/flowd.pid")" 2>/dev/null
}

stop_flowd() {
    pid=$(cat "$SY_RUNDIR/flowd.pid")
    kill -TERM "$pid" && wait_for 10 sh -c "! kill -0 $pid"
}

ping12() {
    ip netns exec h1 ping -c "${1:-2}" -W 2 10.0.1.2
}

# The kernel megaflow of h1's packets to h2, as dp prints it.
H1_TO_H2='^in_port\(1\),eth\(src=02:00:00:00:01:01,dst=02:00:00:00:01:02\),.*actions:2$'

check veth-setup-flowd setup_flowd_hosts
check flowd-start start_daemon flowd
check portd-start start_daemon portd
check add-br portd add-br kbr
expect_grep add-br-kernel 'datapath: kernel' "$(portd show kbr 2>&1)"
check add-port-k1 portd add-port kbr k1
check add-port-k2 portd add-port kbr k2
show=$(dp show kbr 2>&1)
echo "$show" | sed 's/^/sy-ktest: dp show kbr: /'
expect_grep kbr-port-local '^  port 0: kbr \(internal\)' "$show"
expect_grep kbr-port-k1 '^  port 1: k1 \(netdev\)' "$show"
expect_grep kbr-port-k2 '^  port 2: k2 \(netdev\)' "$show"

# L2 basics: learning, forwarding by kernel megaflows.
check kbr-ping wait_for 10 ping12 1
check kbr-ping-again ping12 3
fdb=$(flowd fdb-show kbr 2>&1)
echo "$fdb" | sed 's/^/sy-ktest: flowd fdb-show: /'
expect_grep kbr-fdb-h1 '^ +1 +0 +02:00:00:00:01:01 ' "$fdb"
expect_grep kbr-fdb-h2 '^ +2 +0 +02:00:00:00:01:02 ' "$fdb"
flows=$(dp dump-flows kbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: dp dump-flows kbr: /'
expect_grep kbr-megaflow-1to2 "$H1_TO_H2" "$flows"
expect_grep kbr-megaflow-2to1 '^in_port\(2\),eth\(src=02:00:00:00:01:02,dst=02:00:00:00:01:01\),.*actions:1$' "$flows"
expect_grep kbr-megaflow-hits '^in_port\(1\),eth\(src=02:00:00:00:01:01,dst=02:00:00:00:01:02\),.*eth_type\(0x0800\).*packets:[1-9]' "$flows"
expect_grep kbr-ofctl-show 'k1' "$(ofctl show kbr 2>&1)"

# An OpenFlow rule takes effect on the kernel's flows at once, and counts
# the packets the kernel dropped by it.
check of-add-drop ofctl add-flow kbr 'priority=100,icmp,actions=drop'
check of-drop-no-ping sh -c '! /usr/sbin/ip netns exec h1 ping -c 3 -W 1 10.0.1.2'
flows=$(dp dump-flows kbr 2>&1)
expect_grep of-drop-megaflow '^in_port\(1\),.*eth_type\(0x0800\),ipv4\(.*proto=1.*actions:drop$' "$flows"
expect_grep of-drop-counted 'n_packets=([2-9]|[1-9][0-9]+),.*priority=100,icmp.*actions=drop' \
    "$(ofctl dump-flows kbr 2>&1)"
check of-del-drop ofctl del-flows kbr icmp
check of-ping-back wait_for 10 ping12 1

# sFlow: the kernel cannot call flowd's sampler, so each flow starts with
# a sample action whose userspace() action sends flowd the packet. With
# sampling 1 every packet is a flow sample; tcpdump decodes the datagrams.
# Pings of 777 bytes make frames of 819, told apart from anything else.
sflow_samples() {
    tcpdump -Z root -r /tmp/sflow.pcap -n -vv 2>/dev/null | awk '
        /flow sample \(1\)/ {
            io = ""; rate = ""
            for (i = 1; i < NF; i++) {
                if ($i == "input") io = $(i + 1) "-" $(i + 3)
                if ($i == "rate") rate = $(i + 1)
            }
        }
        /protocol Ethernet \(1\), length 819,/ { n[io "@" rate]++ }
        END { printf "1to2:%d 2to1:%d\n", n["1-2@1,"], n["2-1@1,"] }'
}
check sflow-warm ping12 1
tcpdump -Z root -i lo -n -U -w /tmp/sflow.pcap udp port 6343 > /tmp/tcpdump.out 2>&1 &
tcpdump_pid=$!
check sflow-capture wait_for 10 grep -q 'listening on' /tmp/tcpdump.out
check sflow-on portd set-bridge kbr sflow=127.0.0.1:6343 sflow-sampling=1 sflow-polling=600 \
    sflow-agent=192.0.2.7
check sflow-ping ip netns exec h1 ping -c 5 -i 0.2 -s 777 -W 2 10.0.1.2
flows=$(dp dump-flows kbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: sflow: /'
expect_grep sflow-sample-action '^in_port\(1\),eth\(src=02:00:00:00:01:01,dst=02:00:00:00:01:02\),.*actions:sample\(sample=100\.0%,actions\(userspace\(pid=[0-9]+,userdata\(0x776c4673[0-9a-f]{16}\)\)\)\),2$' "$flows"
# (No ovs-dpctl while sampling: in the second until flowd puts per-vport
# upcalls back every sample would be lost; kbr-ovs-dpctl below reads this
# datapath.) The last samples reach tcpdump, or time does.
sflow_captured() {
    [ "$(sflow_samples)" = "1to2:5 2to1:5" ]
}
wait_for 15 sflow_captured > /dev/null 2>&1
kill "$tcpdump_pid"
wait "$tcpdump_pid"
samples=$(sflow_samples)
echo "sy-ktest: sflow: $samples; $(tcpdump -Z root -r /tmp/sflow.pcap -n -vv 2>&1 | head -n 8 | tr '\n' ' ')"
[ "$samples" = "1to2:5 2to1:5" ]
result sflow-every-packet $? "flow samples of the 819-byte frames by direction, rate 1: $samples, expected 5 each way"
expect_grep sflow-agent 'sFlowv5, IPv4 agent 192\.0\.2\.7,' "$(tcpdump -Z root -r /tmp/sflow.pcap -n -v 2>&1)"
# Another rate replaces the flows; sFlow off takes the sample actions away.
check sflow-rate portd set-bridge kbr sflow-sampling=400
check sflow-rate-ping ping12 1
expect_grep sflow-rate-action '^in_port\(1\),.*actions:sample\(sample=0\.25%,actions\(userspace' \
    "$(dp dump-flows kbr 2>&1)"
check sflow-off portd set-bridge kbr sflow=
check sflow-off-ping ping12 1
check sflow-off-no-sample sh -c '! dp dump-flows kbr | grep -q "sample("'
# No upcall was lost to the samples (the burst below counts from here).
expect_grep sflow-none-lost '^  lookups: hit:[0-9]+ missed:[0-9]+ lost:0$' "$(dp show kbr 2>&1)"

# Mirrors: no copy goes to a mirror output port that is admin_state=down
# (the kernel would send it: translation leaves it out, as the userspace
# datapath drops it); back up, the copies go again. Host h3 on port k3
# counts what arrives (k3 itself sends nothing: no IPv6 on it).
setup_mirror_host() {
    ip netns add h3 && ip link add k3 type veth peer name e3 &&
    echo 1 > /proc/sys/net/ipv6/conf/k3/disable_ipv6 &&
    ip link set e3 netns h3 && ip -n h3 link set e3 up && ip link set k3 up
}
e3_rx() {
    ip netns exec h3 cat /sys/class/net/e3/statistics/rx_packets
}
check mirror-setup setup_mirror_host
check mirror-port portd add-port kbr k3
k3=$(dp show kbr 2>/dev/null | sed -n 's/^  port \([0-9]*\): k3 .*/\1/p')
check mirror-add portd add-mirror kbr span select-all=true output-port=k3
check mirror-down portd set-port kbr k3 admin_state=down
rx=$(e3_rx)
check mirror-down-ping ping12 3
flows=$(dp dump-flows kbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: mirror to a down port: /'
expect_grep mirror-down-flow "$H1_TO_H2" "$flows"
check mirror-down-no-copy sh -c "! dp dump-flows kbr | grep -Eq 'actions:(.*,)?${k3:-none}(,|\$)'"
[ -n "$rx" ] && [ "$(e3_rx)" = "$rx" ]
result mirror-down-nothing-sent $? "e3 received $rx packets before the pings, $(e3_rx) after"
check mirror-up portd set-port kbr k3 admin_state=up
rx=$(e3_rx)
check mirror-up-ping ping12 3
flows=$(dp dump-flows kbr 2>&1)
expect_grep mirror-up-copy "^in_port\(1\),eth\(src=02:00:00:00:01:01,dst=02:00:00:00:01:02\),.*actions:${k3:-none},2\$" "$flows"
[ -n "$rx" ] && [ "$(e3_rx)" -ge $((rx + 6)) ]
result mirror-up-copies-sent $? "e3 received $rx packets before the pings, $(e3_rx) after, expected 6 more"
check mirror-del sh -c 'portd del-mirror kbr span && portd del-port kbr k3'
ip netns del h3

# A burst of new flows: with NetFlow on, each UDP stream is its own
# megaflow; all of them must be set up through upcalls and installed.
# The idle timeout is ten minutes meanwhile: a guest slowed down or
# stopped for a while by a loaded host (iperf3's 100 streams take long
# to set up and report here) must not see the first streams' flows
# expire before they are counted.
check netflow-on portd set-bridge kbr netflow=127.0.0.1:9 flow-idle-timeout=600000
check iperf-server ip netns exec h2 iperf3 -s -D -1
check iperf-listening wait_for 30 listening h2 5201
out=$(ip netns exec h1 iperf3 -c 10.0.1.2 -u -P 100 -b 8k -l 100 -t 2 2>&1)
result burst-iperf $? "$out"
udp_flows() {
    dp dump-flows kbr 2>&1 | grep -cE 'udp\(src=[0-9]+,dst=5201\).*actions:2$'
}
burst_flows_in() {
    [ "$(udp_flows)" -ge 100 ]
}
wait_for 20 burst_flows_in > /dev/null 2>&1
n=$(udp_flows)
show=$(dp show kbr 2>&1)
if [ "$n" -lt 100 ]; then
    dp dump-flows kbr 2>&1 | head -n 5 | sed 's/^/sy-ktest: burst: /'
    echo "$show" | sed 's/^/sy-ktest: burst: /'
    tail -n 10 "$SY_LOGDIR/flowd.log" | sed 's/^/sy-ktest: burst: flowd.log: /'
fi
[ "$n" -ge 100 ]
result burst-flows $? "$n kernel flows for the 100 UDP streams, expected 100 or more"
expect_grep burst-no-loss '^  lookups: hit:[0-9]+ missed:[0-9]+ lost:0$' "$show"
check netflow-off portd set-bridge kbr netflow= flow-idle-timeout=

# Debian's ovs-dpctl reads the kernel's flows. Here, after the last check
# that counts lost upcalls: Open vSwitch switches a datapath it opens to
# per-CPU upcalls, which would leave flowd deaf and lose a stray miss
# (an IPv6 multicast, an ARP) until flowd switches it back (ovs_dpctl
# waits for that).
check ovs-dpctl-warm ping12 1
expect_grep kbr-ovs-dpctl 'in_port\(1\),eth\(src=02:00:00:00:01:01,dst=02:00:00:00:01:02\),.*actions:2' \
    "$(ovs_dpctl kbr dump-flows system@kbr 2>&1)"
check kbr-upcalls-restored grep -q 'kbr: .*per-vport upcalls restored' "$SY_LOGDIR/flowd.log"

# Restart: the kernel forwards on while flowd is away, and the new flowd
# takes over its flows (they keep their counters) instead of flushing.
check restart-warm ping12 2
ip netns exec h1 ping -i 0.2 -c 40 10.0.1.2 > /tmp/restart-ping.out 2>&1 &
ping_pid=$!
sleep 2
check restart-stop stop_flowd
flows=$(dp dump-flows kbr 2>&1)
expect_grep restart-flows-stay "$H1_TO_H2" "$flows"
sleep 1
check restart-start start_daemon flowd
wait "$ping_pid"
ping_out=$(cat /tmp/restart-ping.out)
expect_grep restart-no-loss ' 0% packet loss' "$ping_out"
check restart-running flowd_running
# The new flowd revalidates the kernel's flows on its first dump, learning
# the MACs they carry (no packet has reached it since it started).
check restart-adopted wait_for 10 grep -Eq \
    'kbr: revalidated kernel flows flowd had not installed: [1-9][0-9]* kept' \
    "$SY_LOGDIR/flowd.log"
fdb_has_h2() {
    flowd fdb-show kbr | grep -Eq '^ +2 +0 +02:00:00:00:01:02 '
}
check restart-fdb wait_for 5 fdb_has_h2
flows=$(dp dump-flows kbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: after restart: /'
# 2 + 40 echo requests: a flow installed anew after the restart would
# have counted 30 at most.
expect_grep restart-counters '^in_port\(1\),eth\(src=02:00:00:00:01:01,dst=02:00:00:00:01:02\),.*eth_type\(0x0800\).*packets:(3[6-9]|[4-9][0-9]|[1-9][0-9][0-9]+),' "$flows"
check restart-ping ping12 2

# A device that goes takes its vport with it; when it comes back, flowd
# adds the vport again under the same number.
vport_k1() {
    dp show kbr | grep -q '^  port 1: k1 (netdev)'
}
check replug-del ip link del k1
check replug-vport-gone wait_for 10 sh -c '! dp show kbr | grep -q "port 1: k1"'
check replug-add sh -c '/usr/sbin/ip link add k1 type veth peer name e1 &&
    /usr/sbin/ip link set e1 netns h1 &&
    /usr/sbin/ip -n h1 addr add 10.0.1.1/24 dev e1 &&
    /usr/sbin/ip -n h1 link set e1 address 02:00:00:00:01:01 &&
    /usr/sbin/ip -n h1 link set e1 up && /usr/sbin/ip link set k1 up'
check replug-vport-back wait_for 10 vport_k1
check replug-ping wait_for 10 ping12 1

# admin_state=down on a kernel port: the kernel still receives on the vport,
# so translation drops what comes in (a drop flow) and sends it nothing;
# the change replaces the kernel's flows at once.
ping21() {
    ip netns exec h2 ping -c "${1:-2}" -W 2 10.0.1.1
}
check admin-down portd set-port kbr k2 admin_state=down
check admin-down-no-ping sh -c '! /usr/sbin/ip netns exec h2 ping -c 2 -W 1 10.0.1.1'
check admin-down-no-ping-in sh -c '! /usr/sbin/ip netns exec h1 ping -c 2 -W 1 10.0.1.2'
flows=$(dp dump-flows kbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: admin down: /'
expect_grep admin-down-drop-flow '^in_port\(2\),.*packets:[1-9].*actions:drop$' "$flows"
check admin-down-shown sh -c 'ofctl show kbr | grep -A1 "(k2)" | grep -q "config: *PORT_DOWN"'
check admin-up portd set-port kbr k2 admin_state=up
check admin-up-ping wait_for 10 ping21 1

# iperf_kbps IPERF3-CLIENT-ARGS...: h2 -> h1, what h1 received, in kbit/s.
iperf_kbps() {
    ip netns exec h1 iperf3 -s -D -1 -p 5202 > /dev/null 2>&1
    wait_for 30 listening h1 5202 > /dev/null 2>&1
    ip netns exec h2 iperf3 -c 10.0.1.1 -p 5202 -t 4 -f k "$@" 2>&1 |
        awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Kbits/sec") print int($(i - 1)) }'
}
# rate_near NAME MEASURED CONFIGURED: within 50%..150% (the bands check
# that the configured rate is what limits the traffic, not the speed of
# this emulated machine).
rate_near() {
    [ -n "$2" ] && [ "$2" -ge $(($3 / 2)) ] && [ "$2" -le $(($3 * 3 / 2)) ]
    result "$1" $? "measured ${2:-nothing} kbit/s, configured $3 kbit/s"
}

# Ingress policing: a kernel meter, run first by every flow from the port.
check police-set portd set-port kbr k2 ingress_policing_rate=2000 ingress_policing_burst=200
rate=$(iperf_kbps -u -b 20M -l 1000)
rate_near police-rate "$rate" 2000
flows=$(dp dump-flows kbr 2>&1)
expect_grep police-meter-action '^in_port\(2\),.*actions:meter\(2\),' "$flows"
# dp reads the meter's counters back (the kernel's meter GET reply).
out=$(dp show kbr -s 2>&1)
echo "$out" | sed 's/^/sy-ktest: policed: /'
echo "$out" | grep -A3 '^  port 2: k2 ' | grep -Eq '^    RX policed:[1-9][0-9]*$'
result police-counted $? "no RX policed count for port 2 in: $out"
echo "$out" | grep -A3 '^  port 1: k1 ' | grep -q 'RX policed'
[ $? -ne 0 ]
result police-only-policed $? "port 1 has no meter, but: $out"
check police-unset portd set-port kbr k2 ingress_policing_rate= ingress_policing_burst=
check police-gone sh -c '! dp dump-flows kbr | grep -q "meter("'

# Egress shaping: tc tbf on the device, which the vport sends through.
check shape-set portd set-port kbr k1 egress_shaping_rate=2000
rate=$(iperf_kbps)
rate_near shape-rate "$rate" 2000
check shape-unset portd set-port kbr k1 egress_shaping_rate=
rate=$(iperf_kbps)
[ -n "$rate" ] && [ "$rate" -gt 4000 ]
result shape-gone $? "measured ${rate:-nothing} kbit/s after unshaping, expected over 4000"

# Patch ports are refused on a kernel bridge, saying why.
out=$(portd add-port kbr kp type=patch peer=kq 2>&1; portd show kbr 2>&1)
expect_grep patch-refused 'patch ports are not supported on the kernel datapath: each' "$out"
check patch-del portd del-port kbr kp

# Idle flows expire from the kernel; a port deleted from the bridge leaves
# the datapath; deleting the bridge deletes the datapath.
check idle-timeout portd set-bridge kbr flow-idle-timeout=1000
check idle-expired wait_for 15 sh -c '! dp dump-flows kbr | grep -q actions'
check del-port portd del-port kbr k2
check del-port-vport-gone wait_for 10 sh -c '! dp show kbr | grep -q "port 2: k2"'
check del-br portd del-br kbr
kbr_gone() {
    ! ovs_dpctl kbr show system@kbr
}
check del-br-datapath-gone wait_for 10 kbr_gone
# Tunnel ports on a kernel bridge, against the kernel's own vxlan, geneve
# and gretap devices. Host v (10.0.9.1) hangs off port tk of bridge tbr;
# namespaces pv, pg and pr each hold one tunnel device with an inner
# address 10.0.9.1N and reach this host's underlay address 192.168.5N.1
# over veth uN/wN. flowd's tunnel ports share one vport per type and UDP
# port (vxlan_sys_4789, genev_sys_6081, gre_sys), as Open vSwitch's do.
setup_tunnel_peers() {
    ip netns add v && ip link add tk type veth peer name tv0 &&
    ip link set tv0 netns v && ip -n v link set lo up &&
    ip -n v addr add 10.0.9.1/24 dev tv0 && ip -n v link set tv0 up &&
    ip link set tk up || return 1
    for p in v:1:vxlan:"id 100 dstport 4789 local 192.168.51.2" g:2:geneve:"id 200" \
             r:3:gretap:"key 300 local 192.168.53.2"; do
        ns=p${p%%:*} n=$(echo "$p" | cut -d: -f2) kind=$(echo "$p" | cut -d: -f3)
        opts=$(echo "$p" | cut -d: -f4)
        ip netns add "$ns" && ip link add u$n type veth peer name w$n &&
        ip link set w$n netns "$ns" && ip addr add 192.168.5$n.1/24 dev u$n &&
        ip link set u$n up && ip -n "$ns" addr add 192.168.5$n.2/24 dev w$n &&
        ip -n "$ns" link set w$n up && ip -n "$ns" link set lo up &&
        ip -n "$ns" link add tun0 type "$kind" $opts remote 192.168.5$n.1 &&
        ip -n "$ns" addr add 10.0.9.1$n/24 dev tun0 && ip -n "$ns" link set tun0 up ||
            return 1
    done
}
vping() {
    ip netns exec v ping -c 1 -W 2 "$1"
}
check tnl-setup setup_tunnel_peers
check tnl-add-br portd add-br tbr datapath=kernel
check tnl-add-port portd add-port tbr tk
check tnl-add-vxlan tunnel add tbr t1 type=vxlan remote_ip=192.168.51.2 key=100 ofport=11
check tnl-add-geneve tunnel add tbr t2 type=geneve remote_ip=192.168.52.2 key=200 ofport=12
check tnl-add-gre tunnel add tbr t3 type=gre remote_ip=192.168.53.2 key=300 ofport=13
show=$(dp show tbr 2>&1)
echo "$show" | sed 's/^/sy-ktest: dp show tbr: /'
expect_grep tnl-vport-vxlan '^  port 652[89][0-9]: vxlan_sys_4789 \(vxlan: dst_port=4789\)' "$show"
expect_grep tnl-vport-geneve '^  port 652[89][0-9]: genev_sys_6081 \(geneve: dst_port=6081\)' "$show"
expect_grep tnl-vport-gre '^  port 652[89][0-9]: gre_sys \(gre\)' "$show"
check tnl-ping-vxlan wait_for 20 vping 10.0.9.11
flows=$(dp dump-flows tbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: dp dump-flows tbr: /'
check tnl-ping-geneve wait_for 20 vping 10.0.9.12
check tnl-ping-gre wait_for 20 vping 10.0.9.13
expect_grep tnl-flow-encap 'set\(tunnel\(tun_id=0x64,dst=192\.168\.51\.2,.*ttl=64.*\)\),(output:)?652[89][0-9]' "$flows"
expect_grep tnl-flow-decap '^tunnel\(tun_id=0x64,src=192\.168\.51\.2,dst=192\.168\.51\.1[,)].*in_port\(652[89][0-9]\).*actions:1$' "$flows"
expect_grep tnl-fdb '^ +11 +0 ' "$(flowd fdb-show tbr 2>&1)"
# tunnel show: up; or why not, e.g. no route to the remote (the kernel
# would route the outer packets by the same tables).
tshow=$(tunnel show tbr t1 2>&1)
echo "$tshow" | sed 's/^/sy-ktest: tunnel show tbr t1: /'
expect_grep tnl-show-up '^    state: up$' "$tshow"
check tnl-noroute-add tunnel add tbr t4 type=vxlan remote_ip=198.51.100.7 key=400 ofport=14
tshow=$(tunnel show tbr t4 2>&1)
echo "$tshow" | sed 's/^/sy-ktest: tunnel show tbr t4: /'
expect_grep tnl-show-noroute '^    state: error \(no_route\): no route to remote_ip 198\.51\.100\.7 ' "$tshow"
check tnl-noroute-del tunnel del tbr t4
# key=flow: an OpenFlow rule gives the VNI (set_field) and matches it.
check tnl-keyflow-del tunnel del tbr t1
check tnl-keyflow-add tunnel add tbr t1 type=vxlan remote_ip=192.168.51.2 key=flow ofport=11
check tnl-keyflow-of sh -c 'ofctl add-flow tbr "priority=10,in_port=1,actions=set_field:100->tun_id,output:11" &&
    ofctl add-flow tbr "priority=10,in_port=11,tun_id=100,actions=output:1" &&
    ofctl add-flow tbr "priority=10,in_port=11,actions=drop"'
check tnl-keyflow-ping wait_for 20 vping 10.0.9.11
flows=$(dp dump-flows tbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: key=flow: /'
expect_grep tnl-keyflow-encap 'in_port\(1\),.*set\(tunnel\(tun_id=0x64,dst=192\.168\.51\.2' "$flows"
expect_grep tnl-keyflow-decap '^tunnel\(tun_id=0x64,.*actions:1$' "$flows"
check tnl-del-br portd del-br tbr
check tnl-vports-gone wait_for 10 sh -c '! /usr/sbin/ip link show vxlan_sys_4789'

# Bonds on a kernel bridge. Host ha (10.0.3.1) hangs off port ka of bridge
# bbr; host hb (10.0.3.2) has a Linux bond, bond0, over bn1 and bn2, whose
# veth peers bm1 and bm2 are the members of flowd's bond bd (ofport 20).
# Each member is a netdev vport of its own (numbered from 65407 up); the
# pipeline sees one port, bd.
setup_bond_hosts() {
    ip netns add ha && ip link add ka type veth peer name ea &&
    ip link set ea netns ha && ip -n ha link set lo up &&
    ip -n ha addr add 10.0.3.1/24 dev ea && ip -n ha link set ea up &&
    ip link set ka up && ip netns add hb && ip -n hb link set lo up || return 1
    for i in 1 2; do
        ip link add bm$i type veth peer name bn$i && ip link set bn$i netns hb &&
        ip link set bm$i up || return 1
    done
}
# linux_bond MODE OPTION...: hb's bond0 (10.0.3.2) over bn1 and bn2.
linux_bond() {
    ip -n hb link del bond0 2> /dev/null
    ip -n hb link add bond0 type bond mode "$@" || return 1
    for i in 1 2; do
        ip -n hb link set bn$i down && ip -n hb link set bn$i master bond0 || return 1
    done
    ip -n hb addr add 10.0.3.2/24 dev bond0 && ip -n hb link set bond0 up
}
bping() {
    ip netns exec ha ping -c 1 -W 2 10.0.3.2
}
# member_vport NAME: the kernel's port number of bond member NAME.
member_vport() {
    dp show bbr | sed -n "s/^  port \([0-9]*\): $1 (netdev)\$/\1/p"
}
# bond_stats_summed: the bond's OpenFlow port counters are its members'
# vport counters added up (flowd reads them once a second: retried).
bond_stats_summed() {
    of=$(ofctl dump-ports bbr 20 | sed -n 's/.*rx pkts=\([0-9]*\),.*/\1/p')
    sum=$(dp show bbr -s | awk '/^  port [0-9]+: bm[12] /{ m = 1; next }
        m && /RX packets:/ { sub(/.*RX packets:/, ""); s += $1 + 0; m = 0 }
        END { print s + 0 }')
    echo "bond rx $of, members rx $sum"
    [ -n "$of" ] && [ "$of" -gt 0 ] && [ "$of" = "$sum" ]
}
bond_active() {
    flowd bond-show bbr | grep -q "active member $1"
}
check bond-setup setup_bond_hosts
check bond-linux-ab linux_bond active-backup miimon 100
check bond-add-br portd add-br bbr
check bond-add-port portd add-port bbr ka ofport=1
check bond-add portd add-bond bbr bd bm1 bm2 bond_mode=active-backup ofport=20
show=$(dp show bbr 2>&1)
echo "$show" | sed 's/^/sy-ktest: dp show bbr: /'
bm1=$(member_vport bm1) bm2=$(member_vport bm2)
expect_grep bond-vports "^  port 654[0-9][0-9]: bm1 \(netdev\)" "$show"
check bond-ping wait_for 20 bping
check bond-active-bm1 bond_active bm1
flows=$(dp dump-flows bbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: bond: /'
# In from the active member as from the bond, out to the active member.
expect_grep bond-flow-in "^in_port\($bm1\),.*eth_type\(0x0800\).*actions:1\$" "$flows"
expect_grep bond-flow-out "^in_port\(1\),.*eth_type\(0x0800\).*actions:$bm1\$" "$flows"
check bond-stats wait_for 10 bond_stats_summed
expect_grep bond-ofctl-one-port '^ *20\(bd\)' "$(ofctl show bbr 2>&1)"
# The active member's link goes down: both bonds fail over to the other
# member, and the ping goes on there; no flow sends to bm1 any more.
check bond-link-down ip link set bm1 down
check bond-failover wait_for 10 bond_active bm2
check bond-ping-failover wait_for 20 bping
check bond-ping-again ip netns exec ha ping -c 2 -i 0.5 -W 2 10.0.3.2
flows=$(dp dump-flows bbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: bond failover: /'
expect_grep bond-flow-out-bm2 "^in_port\(1\),.*eth_type\(0x0800\).*packets:[1-9].*actions:$bm2\$" "$flows"
! echo "$flows" | grep -q "actions:$bm1\$"
result bond-no-flow-to-bm1 $? "$flows"
check bond-link-up ip link set bm1 up
# A flowd restart: bm1 is back, but Linux's bond stays on bn2, and so does
# the new flowd (the active member is kept in the run directory); it takes
# the bond's kernel flows over as they are.
bm1_up() {
    flowd bond-show bbr | grep -q 'member bm1: carrier up'
}
check bond-restart-bm1-up wait_for 10 bm1_up
check bond-restart-warm ip netns exec ha ping -c 2 -i 0.5 -W 2 10.0.3.2
check bond-restart-stop stop_flowd
check bond-restart-start start_daemon flowd
check bond-restart-active wait_for 10 bond_active bm2
check bond-restart-adopted wait_for 10 grep -Eq \
    'bbr: revalidated kernel flows flowd had not installed: [1-9][0-9]* kept' \
    "$SY_LOGDIR/flowd.log"
# The flow to bm2 was kept with its counters (going back to bm1 would have
# deleted it).
flows=$(dp dump-flows bbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: bond restart: /'
expect_grep bond-restart-flow-kept "^in_port\(1\),.*eth_type\(0x0800\).*packets:[1-9].*actions:$bm2\$" "$flows"
check bond-restart-ping wait_for 10 bping
# LACP against Linux's 802.3ad bond: the aggregator forms with both links
# and our system id as partner, LACPDUs reach flowd by a userspace()
# action, and traffic flows.
check lacp-del-bond portd del-port bbr bd
check lacp-linux-bond linux_bond 802.3ad miimon 100 lacp_rate fast
check lacp-add-bond portd add-bond bbr bd bm1 bm2 bond_mode=balance-tcp lacp=active ofport=20
bm1=$(member_vport bm1) bm2=$(member_vport bm2)
lacp_formed() {
    ip netns exec hb cat /proc/net/bonding/bond0 > /tmp/bond0.txt &&
    sed -n '/Active Aggregator Info/,/Partner Mac/p' /tmp/bond0.txt |
        grep -q 'Number of ports: 2' &&
    sed -n '/Active Aggregator Info/,/Partner Mac/p' /tmp/bond0.txt |
        grep -q 'Partner Mac Address: 02:5c:'
}
check lacp-aggregator wait_for 30 lacp_formed
sed 's/^/sy-ktest: hb bond0: /' /tmp/bond0.txt
# flowd's side: both members in use, each partner in sync and collecting.
lacp_partners() {
    [ "$(flowd bond-show bbr | grep -c 'lacp partner: .*state .*sync,collecting')" = 2 ]
}
check lacp-partners wait_for 10 lacp_partners
flowd bond-show bbr 2>&1 | sed 's/^/sy-ktest: bond-show: /'
check lacp-ping wait_for 20 bping
flows=$(dp dump-flows bbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: lacp: /'
# Each member's LACPDUs have a flow of their own, to flowd (a change of
# the members in use replaces the bridge's flows: the next LACPDU brings
# it back).
lacp_flows() {
    [ "$(dp dump-flows bbr | grep -cE "^in_port\(($bm1|$bm2)\),eth_type\(0x8809\), packets:.*actions:userspace\(")" = 2 ]
}
check lacp-flow-userspace wait_for 10 lacp_flows
# balance-tcp: the 5-tuple is in the mask of flows out of the bond.
tcp_mask_flow() {
    ip netns exec ha ping -c 2 -i 0.5 -W 2 10.0.3.2 > /dev/null
    dp dump-flows bbr | grep -Eq "^in_port\(1\),.*ipv4\(src=10\.0\.3\.1[,/].*dst=10\.0\.3\.2[,/].*proto=1[,/)].*icmp\(type=8.*actions:($bm1|$bm2)\$"
}
check lacp-tcp-mask wait_for 10 tcp_mask_flow
dp dump-flows bbr 2>&1 | sed 's/^/sy-ktest: lacp: /'
check lacp-del-br portd del-br bbr
check lacp-vports-gone wait_for 10 sh -c '! dp show bbr'
# balance-slb against a Linux bridge over bn1 and bn2 (a switch that knows
# nothing of the bond): it hands our floods back on the other link, so
# floods come in on the active member only (the other member's get a drop
# flow that matches the multicast bit), and each source MAC goes out on
# one member chosen by its hash.
linux_bridge() {
    ip -n hb link del bond0 && ip -n hb link add br0 type bridge || return 1
    for i in 1 2; do
        ip -n hb link set bn$i master br0 && ip -n hb link set bn$i up || return 1
    done
    ip -n hb addr add 10.0.3.2/24 dev br0 && ip -n hb link set br0 up
}
check slb-linux-bridge linux_bridge
check slb-add-br portd add-br bbr
check slb-add-port portd add-port bbr ka ofport=1
check slb-add-bond portd add-bond bbr bd bm1 bm2 bond_mode=balance-slb ofport=20
bm1=$(member_vport bm1) bm2=$(member_vport bm2)
check slb-ping wait_for 20 bping
check slb-ping-again ip netns exec ha ping -c 3 -i 0.5 -W 2 10.0.3.2
flows=$(dp dump-flows bbr 2>&1)
echo "$flows" | sed 's/^/sy-ktest: slb: /'
expect_grep slb-flood-drop "^in_port\(($bm1|$bm2)\),eth\(.*dst=01:00:00:00:00:00/01:00:00:00:00:00.*actions:drop\$" "$flows"
expect_grep slb-flow-out "^in_port\(1\),eth\(src=.*eth_type\(0x0800\).*actions:($bm1|$bm2)\$" "$flows"
check slb-del-br portd del-br bbr
check flowd-exit stop_flowd
kill "$(cat "$SY_RUNDIR/portd.pid")" 2>/dev/null
sed 's/^/sy-ktest: flowd.log: /' "$SY_LOGDIR/flowd.log" | tail -n 25
grep -E ' (warning|error): ' "$SY_LOGDIR/flowd.log" | tail -n 10 | sed 's/^/sy-ktest: flowd warned: /'
# With a sanitizer build of flowd and portd (SY_BINDIR=build-asan/bin),
# any report fails this check.
reports=$(cat "$SY_LOGDIR"/asan.* "$SY_LOGDIR"/ubsan.* 2>/dev/null)
[ -z "$reports" ]
result no-sanitizer-reports $? "$reports"
