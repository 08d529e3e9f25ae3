#!/usr/bin/env bash
# bench/profile.sh BINDIR [tcp|tcp-off|udp|ping|flows|ofctl] [SECONDS]: where flowd spends
# its time. Builds the switchyard topology of bench/run.sh, runs one kind
# of traffic through it and samples flowd with `perf record -g` (software
# cpu-clock event: works in VMs without hardware counters); prints flowd's
# CPU use during the traffic and the top of `perf report`, and keeps
# perf.data (path printed at the end).
#
#   tcp      iperf3 TCP, the veths' default offloads (GSO/TSO frames)
#   tcp-off  iperf3 TCP, offloads off in the VMs (1500-byte frames)
#   udp      trafgen, 64-byte UDP payloads, unpaced (capacity)
#   ping     ping -i 0.002 (latency path: wake-ups)
#   flows    flowgen's new 5-tuples at BENCH_FLOW_PPS (200 k), every packet
#            an upcall and a new megaflow (target 5)
#   ofctl    add-flows, dump-flows, del-flows of BENCH_OF_FLOWS (100 k)
#            rules (target 6); SECONDS is how long perf samples (give 15)
set -uo pipefail

main() {
    [ $# -ge 1 ] || { sed -n '2,/^set /p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }
    # shellcheck disable=SC2034 # BENCH_* are read by lib.sh
    BENCH_BINDIR=$(cd "$1" && pwd) || exit 2
    local kind=${2:-tcp}
    BENCH_SECONDS=${3:-8}
    BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
    command -v perf >/dev/null || { echo "profile: perf is not installed (linux-perf)" >&2; exit 1; }
    [ "$(id -u)" -eq 0 ] || { echo "profile: needs root" >&2; exit 1; }
    # shellcheck source=../tests/lib/ovs-sandbox.sh
    . "$BENCH_DIR/../tests/lib/ovs-sandbox.sh"
    # shellcheck source=lib.sh
    . "$BENCH_DIR/lib.sh"
    BENCH_TMP=$(mktemp -d /tmp/sy-profile.XXXXXX)
    # shellcheck disable=SC2034
    BENCH_ID=$(printf '%04x' $((RANDOM % 65536)))
    trap 'trap "" INT TERM; bench_cleanup_all' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    : "${BENCH_FLOW_PPS:=200000}" "${BENCH_OF_FLOWS:=100000}"
    # shellcheck disable=SC2034 # read by lib.sh
    BENCH_FLOWGEN=$(dirname "$BENCH_BINDIR")/bench/flowgen
    if [ "$kind" = flows ]; then
        "$BENCH_DIR/build-tool.sh" "$(dirname "$BENCH_BINDIR")" bench/flowgen.c || exit 1
    fi
    topo_build switchyard && topo_wait_ready || { log "switchyard did not come up"; exit 1; }
    [ "$kind" = tcp-off ] && topo_offloads off

    local pid=$TOPO_DAEMON_PID data=$BENCH_TMP/perf.data t0 t1 hz tr ts run0 wait0 run1 wait1
    hz=$(getconf CLK_TCK)
    perf record -e cpu-clock -F 2000 -g -p "$pid" -o "$data" -- sleep $((BENCH_SECONDS + 1)) \
        > "$BENCH_TMP/perf.out" 2>&1 &
    tr=$!
    _track pid "$tr"
    # Syscalls per forwarded packet: every packet out is one sendmsg today.
    perf stat -e syscalls:sys_enter_poll,syscalls:sys_enter_ppoll,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_sendmsg,syscalls:sys_enter_sendmmsg,syscalls:sys_enter_sendto,syscalls:sys_enter_recvmsg,syscalls:sys_enter_read,syscalls:sys_enter_readv,syscalls:sys_enter_writev \
        -x, -p "$pid" -o "$BENCH_TMP/syscalls.csv" -- sleep $((BENCH_SECONDS + 1)) \
        > /dev/null 2>&1 &
    ts=$!
    _track pid "$ts"
    sleep 0.5
    t0=$(_cpu_ticks "$pid")
    read -r run0 wait0 _ < "/proc/$pid/schedstat"
    case $kind in
        tcp|tcp-off) log "$kind: $(measure_tcp "$kind") Gbit/s" ;;
        udp) log "udp: $(measure_udp_max) (rx pps, loss %)" ;;
        flows) log "flows: $(measure_flow_setup) (flows/s, loss %, upcalls, dp flows, sent)" ;;
        ofctl)
            bench_flow_file "$BENCH_TMP/flows.txt" "$BENCH_OF_FLOWS"
            log "ofctl: $(measure_control_plane "$BENCH_TMP/flows.txt" "$BENCH_OF_FLOWS") (add s, dump s, del s, RSS MiB, idle MiB)" ;;
        ping)
            in_a ping -n -q -c $((BENCH_SECONDS * 500)) -i 0.002 "$BENCH_IP_B" | tail -n 1 >&2 ;;
        *) log "unknown traffic \"$kind\""; exit 2 ;;
    esac
    t1=$(_cpu_ticks "$pid")
    read -r run1 wait1 _ < "/proc/$pid/schedstat"
    wait "$tr" "$ts"
    log "flowd's main thread: ran $(((run1 - run0) / 10000000 / BENCH_SECONDS))%, waited runnable for a CPU $(((wait1 - wait0) / 10000000 / BENCH_SECONDS))% of the time"
    log "flowd's syscalls during the run: $(awk -F, '$3 ~ /syscalls:/ && $1 > 0 {
        sub(/.*sys_enter_/, "", $3); printf "%s%s %s", sep, $3, $1; sep = ", " }' "$BENCH_TMP/syscalls.csv")"
    log "flowd used $(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$BENCH_SECONDS" \
        'BEGIN { printf "%.0f", (b - a) / hz / s * 100 }')% of a core during the traffic"
    perf report -i "$data" --no-children --sort sym --stdio 2>/dev/null |
        grep -v '^#' | grep -E '^ +[0-9.]+%' | head -n 40
    echo
    log "call graphs: perf report -i $data  (kept: the temp dir is not removed)"
    # Keep the data: the cleanup trap ends processes and namespaces only.
}

main "$@"
exit $?
