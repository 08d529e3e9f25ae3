# bench/lib.sh: topologies and measurements for bench/run.sh (sourced).
# shellcheck shell=bash
# shellcheck disable=SC2034 # TOPO_* and BENCH_* are set here for the caller
#
# A topology is built fresh for every path and round:
#
#   VM "a"  ns syb-ID-N-a   eth0 10.88.0.1/24  02:88:00:00:00:01
#   VM "b"  ns syb-ID-N-b   eth0 10.88.0.2/24  02:88:00:00:00:02
#   switch  ns syb-ID-N-sw  the bridge, with the VMs' veth peers ID-N-a, ID-N-b
#                           (no switch namespace for the plain veth pair,
#                           where a's eth0 is b's eth0's peer)
#
# N counts topologies, so a namespace being torn down never meets its
# successor. Everything a topology starts is recorded in its state file
# ("ns NAME", "pid PID", "sy DIR", "ovs DIR"); topo_teardown and
# bench_cleanup_all end exactly those processes, by PID, and delete those
# namespaces.

BENCH_IP_A=10.88.0.1
BENCH_IP_B=10.88.0.2
BENCH_IPERF_PORT=5201

log() { printf '%s bench: %s\n' "$(date +%T)" "$*" >&2; }

bench_pid_alive() {
    local state
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
    state=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# bench_kill_pid PID: TERM, up to 3 s, then KILL.
bench_kill_pid() {
    local pid=$1 i
    bench_pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 30); do
        bench_pid_alive "$pid" || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 20); do
        bench_pid_alive "$pid" || return 0
        sleep 0.1
    done
}

# ---- state -------------------------------------------------------------------

# _bench_teardown_state FILE: undo what FILE lists, newest first.
_bench_teardown_state() {
    local state=$1 kind what pid
    [ -s "$state" ] || return 0
    while read -r kind what; do
        case $kind in
            pid) bench_kill_pid "$what" ;;
            sy)
                # portd, then flowd, by their pid files.
                for pid in "$what/run/portd.pid" "$what/run/flowd.pid"; do
                    [ -s "$pid" ] && bench_kill_pid "$(cat "$pid")"
                done ;;
            ovs) OVS_SB_DIR=$what ovs_sandbox_stop ;;
        esac
    done < <(tac "$state")
    # Anything still running inside our namespaces was started by us.
    while read -r kind what; do
        [ "$kind" = ns ] || continue
        for pid in $(ip netns pids "$what" 2>/dev/null); do
            bench_kill_pid "$pid"
        done
        ip netns del "$what" 2>/dev/null || true
    done < <(tac "$state")
    : > "$state"
}

bench_cleanup_all() {
    local state
    for state in "$BENCH_TMP"/topo-*/state; do
        [ -e "$state" ] && _bench_teardown_state "$state"
    done
}

_track() { echo "$*" >> "$TOPO_STATE"; }

# ---- topologies ----------------------------------------------------------------

BENCH_TOPO_N=0

_ns_add() {
    ip netns add "$1" || return 1
    _track ns "$1"
    ip -n "$1" link set lo up
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}

_vm_addr() {
    local ns=$1 n=$2 ip=$3
    ip -n "$ns" link set eth0 address "$(printf '02:88:00:00:00:%02x' "$n")"
    ip -n "$ns" addr add "$ip/24" dev eth0
    ip -n "$ns" link set eth0 up
}

# topo_build PATH: veth | linux-bridge | ovs | ovs-tso | switchyard |
# switchyard-user (flow-offload=false: every packet through flowd).
# Sets TOPO_NS_A, TOPO_NS_B, TOPO_NS_SW, TOPO_DIR, TOPO_DAEMON_PID (the
# process whose idle CPU is measured, empty for the kernel paths).
topo_build() {
    local path=$1 id
    BENCH_TOPO_N=$((BENCH_TOPO_N + 1))
    id=$BENCH_ID-$BENCH_TOPO_N
    TOPO_PATH=$path
    TOPO_DIR=$BENCH_TMP/topo-$BENCH_TOPO_N
    mkdir -p "$TOPO_DIR"
    TOPO_STATE=$TOPO_DIR/state
    : > "$TOPO_STATE"
    TOPO_NS_A=syb-$id-a
    TOPO_NS_B=syb-$id-b
    TOPO_NS_SW=
    TOPO_DAEMON_PID=
    TOPO_PORT_A=$id-a
    TOPO_PORT_B=$id-b

    _ns_add "$TOPO_NS_A" && _ns_add "$TOPO_NS_B" || return 1
    if [ "$path" = veth ]; then
        ip -n "$TOPO_NS_A" link add eth0 type veth peer name eth0 netns "$TOPO_NS_B" || return 1
    else
        TOPO_NS_SW=syb-$id-sw
        _ns_add "$TOPO_NS_SW" || return 1
        ip -n "$TOPO_NS_SW" link add "$TOPO_PORT_A" type veth peer name eth0 netns "$TOPO_NS_A" &&
        ip -n "$TOPO_NS_SW" link add "$TOPO_PORT_B" type veth peer name eth0 netns "$TOPO_NS_B" &&
        ip -n "$TOPO_NS_SW" link set "$TOPO_PORT_A" up &&
        ip -n "$TOPO_NS_SW" link set "$TOPO_PORT_B" up || return 1
    fi
    _vm_addr "$TOPO_NS_A" 1 "$BENCH_IP_A" && _vm_addr "$TOPO_NS_B" 2 "$BENCH_IP_B" || return 1

    case $path in
        veth) ;;
        linux-bridge) _topo_linux_bridge ;;
        ovs) _topo_ovs ;;
        ovs-tso) _topo_ovs userspace-tso-enable=true ;;
        switchyard) _topo_switchyard ;;
        switchyard-user) _topo_switchyard flow-offload=false ;;
        *) log "unknown path \"$path\""; return 1 ;;
    esac
}

_topo_linux_bridge() {
    local sw=$TOPO_NS_SW
    ip -n "$sw" link add br0 type bridge stp_state 0 forward_delay 0 &&
    ip -n "$sw" link set "$TOPO_PORT_A" master br0 &&
    ip -n "$sw" link set "$TOPO_PORT_B" master br0 &&
    ip -n "$sw" link set br0 up
}

_topo_ovs() {
    local dir=$TOPO_DIR/ovs
    mkdir -p "$dir"
    _track ovs "$dir"
    ovs_sandbox_start "$dir" "$TOPO_NS_SW" "$@" &&
    ovs_sandbox_add_br br0 &&
    ovs_sandbox_add_port br0 "$TOPO_PORT_A" 1 &&
    ovs_sandbox_add_port br0 "$TOPO_PORT_B" 2 || return 1
    TOPO_DAEMON_PID=$(ovs_sandbox_pid ovs-vswitchd)
}

# sy CMD ARGS...: a switchyard program in the switch namespace, with this
# topology's directories.
sy() {
    local prog=$1
    shift
    env SY_CONFDIR="$TOPO_DIR/sy/conf" SY_RUNDIR="$TOPO_DIR/sy/run" SY_LOGDIR="$TOPO_DIR/sy/log" \
        ip netns exec "$TOPO_NS_SW" "$BENCH_BINDIR/$prog" "$@"
}

# _topo_switchyard [BRIDGE_SETTING...]: flowd and portd, br0 with two ports.
_topo_switchyard() {
    local d=$TOPO_DIR/sy name
    mkdir -p "$d/conf" "$d/run" "$d/log"
    _track sy "$d"
    for name in flowd portd; do
        if ! sy "$name" run --detach >> "$d/$name.out" 2>&1 < /dev/null 3>&-; then
            log "switchyard: $name run --detach failed: $(tail -n 5 "$d/$name.out")"
            return 1
        fi
        bench_pid_alive "$(cat "$d/run/$name.pid" 2>/dev/null)" || {
            log "switchyard: $name is not running after start"
            return 1
        }
    done
    sy portd add-br br0 datapath=user "$@" >> "$d/portd.out" 2>&1 &&
    sy portd add-port br0 "$TOPO_PORT_A" >> "$d/portd.out" 2>&1 &&
    sy portd add-port br0 "$TOPO_PORT_B" >> "$d/portd.out" 2>&1 || {
        log "switchyard: bridge set-up failed: $(tail -n 5 "$d/portd.out")"
        return 1
    }
    TOPO_DAEMON_PID=$(cat "$d/run/flowd.pid")
}

topo_teardown() {
    _bench_teardown_state "$TOPO_STATE"
}

# in_a / in_b CMD...: run CMD in VM a / b.
in_a() { ip netns exec "$TOPO_NS_A" "$@"; }
in_b() { ip netns exec "$TOPO_NS_B" "$@"; }

# topo_wait_ready: a answers b's ping within 10 s (ARP, flow set-up).
topo_wait_ready() {
    local i
    for i in $(seq 10); do
        in_a ping -n -c 1 -W 1 "$BENCH_IP_B" >/dev/null 2>&1 && return 0
    done
    return 1
}

# topo_offloads on|off: the VMs' tso/gso/gro/tx-checksumming.
topo_offloads() {
    local ns
    for ns in "$TOPO_NS_A" "$TOPO_NS_B"; do
        ip netns exec "$ns" ethtool -K eth0 tso "$1" gso "$1" gro "$1" tx "$1" >/dev/null 2>&1 ||
            log "ethtool -K eth0 ... $1 failed in $ns"
    done
}

# ---- measurements: each prints one number (empty = no figure) ------------------------

# _iperf_server: iperf3 -s -1 in b, tracked; sets IPERF_SERVER_PID once it listens.
_iperf_server() {
    local i
    # Started directly, so that $! is iperf3's PID (ip netns exec execs it).
    ip netns exec "$TOPO_NS_B" iperf3 -s -1 -p "$BENCH_IPERF_PORT" \
        > "$TOPO_DIR/iperf-server.out" 2>&1 < /dev/null 3>&- &
    IPERF_SERVER_PID=$!
    _track pid "$IPERF_SERVER_PID"
    for _ in $(seq 50); do
        in_b ss -Hltn "sport = :$BENCH_IPERF_PORT" 2>/dev/null | grep -q . && return 0
        sleep 0.1
    done
    log "iperf3 server did not listen in $TOPO_NS_B"
    return 1
}

# _iperf_client OUT ARGS...: iperf3 client in a, JSON into OUT, bounded in time.
_iperf_client() {
    local out=$1
    shift
    _iperf_server || return 1
    timeout -k 2 $((BENCH_SECONDS + 20)) \
        ip netns exec "$TOPO_NS_A" iperf3 -c "$BENCH_IP_B" -p "$BENCH_IPERF_PORT" \
        --connect-timeout 3000 -J "$@" > "$out" 2>&1 < /dev/null
    local rc=$?
    bench_kill_pid "$IPERF_SERVER_PID"
    return $rc
}

# measure_tcp TAG: Gbit/s received (0 when nothing got through).
measure_tcp() {
    local out=$TOPO_DIR/tcp-$1.json v
    _iperf_client "$out" -t "$BENCH_SECONDS" -O 1
    v=$(jq -r '.end.sum_received.bits_per_second // empty' "$out" 2>/dev/null)
    if [ -z "$v" ]; then
        log "$TOPO_PATH: TCP ($1) failed: $(jq -r '.error // empty' "$out" 2>/dev/null | head -c 200)"
        echo 0
        return
    fi
    awk -v b="$v" 'BEGIN { printf "%.3f\n", b / 1e9 }'
}

# measure_udp: "RX_PPS LOSS_PERCENT" for 64-byte UDP paced at BENCH_UDP_PPS.
measure_udp() {
    local out=$TOPO_DIR/udp.json bits
    bits=$((BENCH_UDP_PPS * 64 * 8))
    _iperf_client "$out" -u -l 64 -b "$bits" -w 4M -t "$BENCH_SECONDS"
    jq -r '.end.sum | select(.packets != null)
           | "\((.packets - .lost_packets) / .seconds | floor) \(.lost_percent * 100 | round / 100)"' \
        "$out" 2>/dev/null || true
}

# measure_ping: median RTT in ms of BENCH_PINGS echoes 10 ms apart.
measure_ping() {
    local out=$TOPO_DIR/ping.out
    in_a ping -n -c "$BENCH_PINGS" -i 0.01 -W 1 "$BENCH_IP_B" > "$out" 2>&1 < /dev/null
    sed -nE 's/.* time=([0-9.]+) ms.*/\1/p' "$out" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR) printf "%.4f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure_idle_cpu PID: percent of one core PID used over BENCH_IDLE_SECONDS.
_cpu_ticks() {
    # utime + stime: fields 14 and 15, counted after the ")" of the name.
    sed -E 's/^.*\) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}
measure_idle_cpu() {
    local pid=$1 t0 t1 s0 s1 hz
    hz=$(getconf CLK_TCK)
    t0=$(_cpu_ticks "$pid"); s0=$(date +%s.%N)
    sleep "$BENCH_IDLE_SECONDS"
    t1=$(_cpu_ticks "$pid"); s1=$(date +%s.%N)
    [ -n "$t0" ] && [ -n "$t1" ] || return 0
    awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s0="$s0" -v s1="$s1" \
        'BEGIN { printf "%.2f\n", (b - a) / hz / (s1 - s0) * 100 }'
}

# machine_busy SECONDS: percent of all cores busy (everyone's work) over SECONDS.
machine_busy() {
    local a b
    a=$(awk '/^cpu / { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat)
    sleep "$1"
    b=$(awk '/^cpu / { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y);
        d = y[2] - x[2]; printf "%.0f\n", (d > 0 ? (y[1] - x[1]) / d * 100 : 0) }'
}

# measure_udp_max: "RX_PPS LOSS_PERCENT" for 64-byte-payload UDP frames sent
# as fast as trafgen (one CPU, AF_PACKET TX_RING) can from a, counted on
# the devices: b's eth0 received against a's eth0 sent. No receiving
# application: this is the path's forwarding capacity.
_link_counter() { # NS DIR (rx|tx)
    ip -n "$1" -s -j link show eth0 2>/dev/null | jq -r ".[0].stats64.$2.packets // empty"
}
measure_udp_max() {
    local cfg=$TOPO_DIR/udp64.trafgen tx0 rx0 tx1 rx1 t0 t1 sink
    command -v trafgen >/dev/null || return 0
    cat > "$cfg" <<'CFG'
{
  0x02, 0x88, 0x00, 0x00, 0x00, 0x02,
  0x02, 0x88, 0x00, 0x00, 0x00, 0x01,
  0x08, 0x00,
  0x45, 0x00, const16(92), const16(1), 0x40, 0x00, 64, 17, csumip(14, 33),
  10, 88, 0, 1,
  10, 88, 0, 2,
  const16(40000), const16(9), const16(72), const16(0),
  fill(0x41, 64)
}
CFG
    # A socket on b's port 9 that never reads: once its small buffer is
    # full, b drops each frame cheaply in UDP, instead of answering it with
    # an ICMP port unreachable after a route lookup (work that would land
    # on whoever delivers the frame: the sender for the kernel paths, the
    # switch daemon for the userspace ones).
    ip netns exec "$TOPO_NS_B" python3 -c 'import socket, signal
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(("'"$BENCH_IP_B"'", 9))
signal.pause()' < /dev/null > /dev/null 2>&1 3>&- &
    sink=$!
    _track pid "$sink"
    sleep 0.3
    tx0=$(_link_counter "$TOPO_NS_A" tx); rx0=$(_link_counter "$TOPO_NS_B" rx)
    t0=$(date +%s.%N)
    timeout -s INT -k 2 "$BENCH_SECONDS" ip netns exec "$TOPO_NS_A" \
        trafgen -o eth0 -i "$cfg" -P 1 -q > "$TOPO_DIR/trafgen.out" 2>&1 < /dev/null
    t1=$(date +%s.%N)
    sleep 0.5      # let the switch drain its queues
    tx1=$(_link_counter "$TOPO_NS_A" tx); rx1=$(_link_counter "$TOPO_NS_B" rx)
    bench_kill_pid "$sink"
    [ -n "$tx0" ] && [ -n "$tx1" ] && [ -n "$rx0" ] && [ -n "$rx1" ] || return 0
    awk -v tx=$((tx1 - tx0)) -v rx=$((rx1 - rx0)) -v t0="$t0" -v t1="$t1" 'BEGIN {
        if (tx <= 0) exit
        loss = (1 - rx / tx) * 100; if (loss < 0) loss = 0
        printf "%d %.2f\n", rx / (t1 - t0), loss }'
}

# ---- OpenFlow targets: flow setup (5) and control plane (6) ------------------------
#
# Only for the paths with an OpenFlow switch: "ovs" (ovs-ofctl, ovs-appctl)
# and "switchyard" (ofctl, dp).

BENCH_FLOW_DPORT=9000               # flowgen's first destination port

# topo_ofctl ARGS...: the path's own OpenFlow client against its bridge
# (a bare "br0" names the bridge's management socket for both).
topo_ofctl() {
    case $TOPO_PATH in
        # Over the unix socket, outside the switch namespace, as ovs-ofctl
        # runs: `ip netns exec` alone takes 70-130 ms on a busy machine,
        # most of a del-flows.
        switchyard)
            env SY_CONFDIR="$TOPO_DIR/sy/conf" SY_RUNDIR="$TOPO_DIR/sy/run" \
                SY_LOGDIR="$TOPO_DIR/sy/log" "$BENCH_BINDIR/ofctl" "$@" ;;
        ovs|ovs-tso) ovs_sandbox_ofctl "$@" ;;
        *) log "$TOPO_PATH: no OpenFlow client"; return 1 ;;
    esac
}

# _dp_counters: "UPCALLS FLOWS" of the bridge's datapath: packets that went
# up to the pipeline so far, and flows it holds. Both print "lookups:
# hit:H missed:M lost:L" and "flows: N" (OVS's dpctl/show and dp show share
# the format), with different meanings: switchyard counts every miss in
# "missed" and those it could not install (flow-limit) again in "lost";
# Open vSwitch counts the misses whose flow it did not install (its
# flow limit, which starts at 10,000 and adapts) in "lost" instead of
# "missed". Both forward such packets.
_dp_counters() {
    local ovs=1
    [ "$TOPO_PATH" = switchyard ] && ovs=0
    case $TOPO_PATH in
        switchyard) sy dp show br0 ;;
        ovs|ovs-tso) ovs_sandbox_appctl dpctl/show ;;
    esac 2>/dev/null | awk -v ovs="$ovs" '
        /lookups:/ {
            for (i = 1; i <= NF; i++) {
                v = $i; sub(/^[a-z]+:/, "", v)
                if ($i ~ /^missed:/) m = v
                if ($i ~ /^lost:/) l = v
            }
        }
        $1 == "flows:" { f = $2 }
        END { if (m != "" && f != "") print m + (ovs ? l : 0), f }'
}

# The rules of the flow-setup test: an L4 ACL and an L4 rule whose actions
# read both UDP ports (into registers) before switching normally. Reading
# a field puts it into the megaflow in both switches, so every new 5-tuple
# is a new datapath flow. A rule that only matches the ports is not
# enough: Open vSwitch's classifier then un-wildcards only the port bits up
# to the first that differs from the rule's (udp(src=1024/0xfc00)), and one
# megaflow covers a thousand 5-tuples.
bench_flow_setup_rules() {
    printf '%s\n' \
        'priority=20,udp,tp_dst=53,actions=drop' \
        'priority=10,udp,actions=move:NXM_OF_UDP_SRC[]->NXM_NX_REG0[0..15],move:NXM_OF_UDP_DST[]->NXM_NX_REG1[0..15],NORMAL'
}

# _sy_set_upcall_limit N: the bridge's upcall-limit, waiting until flowd has it.
_sy_set_upcall_limit() {
    sy portd set-bridge br0 "upcall-limit=$1" >> "$TOPO_DIR/portd.out" 2>&1 || {
        log "switchyard: set-bridge upcall-limit=$1 failed: $(tail -n 2 "$TOPO_DIR/portd.out")"
        return 1
    }
    for _ in $(seq 50); do
        sy dp show br0 2>/dev/null | grep -q "upcalls:$1/s" && return 0
        sleep 0.1
    done
    log "switchyard: flowd did not take upcall-limit=$1"
    return 1
}

# measure_flow_setup: "FLOWS_PER_S LOSS_PERCENT UPCALLS DP_FLOWS SENT" for
# flowgen's stream of new 5-tuples from a to b, paced at BENCH_FLOW_PPS
# for BENCH_SECONDS: b's eth0 received frames per second of sending, the
# share of sent frames that did not arrive, upcalls (datapath misses) and
# datapath flows at the end. Empty on failure.
measure_flow_setup() {
    local rules=$TOPO_DIR/flow-setup.rules out=$TOPO_DIR/flowgen.out sink c0 c1 rx0 rx1
    local sent secs n_dports
    bench_flow_setup_rules > "$rules"
    topo_ofctl add-flows br0 "$rules" >> "$TOPO_DIR/ofctl.out" 2>&1 || {
        log "$TOPO_PATH: add-flows of the flow-setup rules failed"
        return 0
    }
    # switchyard's per-port upcall-limit (20000/s by default) guards against
    # a flooding VM by dropping misses over it; Open vSwitch has no such
    # guard. Set it above the offered rate, so that the test measures the
    # upcall path and not the guard.
    if [ "$TOPO_PATH" = switchyard ]; then
        _sy_set_upcall_limit 10000000 || return 0
    fi
    # Start from an empty datapath: drop the flows of the readiness ping.
    case $TOPO_PATH in
        switchyard) sy dp del-flows br0 >/dev/null 2>&1 ;;
        ovs|ovs-tso) ovs_sandbox_appctl revalidator/purge >/dev/null 2>&1 ;;
    esac
    # Enough destination ports that no 5-tuple repeats: 64512 source
    # ports each, with room for a sender faster than asked.
    n_dports=$(( (BENCH_FLOW_PPS * BENCH_SECONDS * 2) / 64512 + 1 ))
    [ "$BENCH_FLOW_PPS" -gt 0 ] || n_dports=64
    ip netns exec "$TOPO_NS_B" "$BENCH_FLOWGEN" sink "$BENCH_IP_B" "$BENCH_FLOW_DPORT" "$n_dports" \
        > "$TOPO_DIR/sink.out" 2>&1 < /dev/null 3>&- &
    sink=$!
    _track pid "$sink"
    for _ in $(seq 50); do
        grep -q listening "$TOPO_DIR/sink.out" 2>/dev/null && break
        sleep 0.1
    done
    c0=$(_dp_counters); rx0=$(_link_counter "$TOPO_NS_B" rx)
    timeout -k 2 $((BENCH_SECONDS + 10)) ip netns exec "$TOPO_NS_A" "$BENCH_FLOWGEN" send eth0 \
        02:88:00:00:00:01 02:88:00:00:00:02 "$BENCH_IP_A" "$BENCH_IP_B" \
        "$BENCH_FLOW_DPORT" "$n_dports" "$BENCH_FLOW_PPS" "$BENCH_SECONDS" \
        > "$out" 2>&1 < /dev/null
    sleep 0.5      # let the switch drain its queues
    c1=$(_dp_counters); rx1=$(_link_counter "$TOPO_NS_B" rx)
    bench_kill_pid "$sink"
    read -r sent secs < <(tail -n 1 "$out") || true
    if [ -z "${sent:-}" ] || [ -z "$c0" ] || [ -z "$c1" ] || [ -z "$rx0" ] || [ -z "$rx1" ]; then
        log "$TOPO_PATH: flow-setup test failed: $(head -c 200 "$out")"
        return 0
    fi
    awk -v sent="$sent" -v secs="$secs" -v rx=$((rx1 - rx0)) -v c0="$c0" -v c1="$c1" 'BEGIN {
        split(c0, a); split(c1, b)
        if (sent <= 0 || secs <= 0) exit
        loss = (1 - rx / sent) * 100; if (loss < 0) loss = 0
        printf "%d %.2f %d %d %d\n", rx / secs, loss, b[1] - a[1], b[2], sent }'
}

# bench_flow_file FILE N: N distinct rules over a few masks and priorities
# (UDP between /32 addresses to a port, as an ACL compiler writes them),
# the same file for both clients.
bench_flow_file() {
    awk -v n="$2" 'BEGIN {
        for (i = 0; i < n; i++)
            printf "priority=%d,udp,nw_src=10.%d.%d.%d,nw_dst=10.99.%d.%d,tp_dst=%d,actions=output:2\n",
                100 + i % 7, int(i / 65536) % 256, int(i / 256) % 256, i % 256,
                int(i / 256) % 256, i % 256, 1024 + i % 5000 }' > "$1"
}

# _time_cmd OUT CMD...: run CMD (stdout to OUT), print its wall time in s;
# nothing if it failed.
_time_cmd() {
    local out=$1 t0 t1
    shift
    t0=$(date +%s.%N)
    "$@" > "$out" 2>> "$TOPO_DIR/ofctl.out" < /dev/null || return 0
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

_vm_rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null; }

# measure_control_plane FILE N: "ADD_S DUMP_S DEL_S RSS_MIB RSS0_MIB" for
# add-flows of FILE (N rules), dump-flows, del-flows through the path's
# own client, and the daemon's resident memory with the rules in and
# before. Empty on failure (or when dump-flows did not list all N rules).
measure_control_plane() {
    local file=$1 n=$2 dump=$TOPO_DIR/dump-flows.out add dumped del rss rss0 listed
    rss0=$(_vm_rss_kib "$TOPO_DAEMON_PID")
    add=$(_time_cmd /dev/null topo_ofctl add-flows br0 "$file")
    [ -n "$add" ] || { log "$TOPO_PATH: add-flows failed: $(tail -n 3 "$TOPO_DIR/ofctl.out")"; return 0; }
    rss=$(_vm_rss_kib "$TOPO_DAEMON_PID")
    dumped=$(_time_cmd "$dump" topo_ofctl dump-flows br0)
    listed=$(grep -c 'actions=output:2' "$dump")
    rm -f "$dump"
    if [ -z "$dumped" ] || [ "$listed" -lt "$n" ]; then
        log "$TOPO_PATH: dump-flows listed $listed of $n rules"
        return 0
    fi
    del=$(_time_cmd /dev/null topo_ofctl del-flows br0)
    if [ -z "$del" ] || [ -z "$rss" ]; then
        log "$TOPO_PATH: del-flows failed"
        return 0
    fi
    awk -v a="$add" -v d="$dumped" -v x="$del" -v r="$rss" -v r0="$rss0" \
        'BEGIN { printf "%s %s %s %.1f %.1f\n", a, d, x, r / 1024, r0 / 1024 }'
}
