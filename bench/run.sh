#!/usr/bin/env bash
# bench/run.sh BINDIR: switchyard's userspace datapath against a plain veth
# pair (the limit), the Linux bridge and Open vSwitch's userspace datapath
# (datapath_type=netdev, without and with userspace-tso-enable), same
# traffic, fresh namespaces for every path and round, rounds interleaved
# (A B C D E, B C D E A, ...), medians. See issue 3 and bench/README.md.
#
#   BENCH_ROUNDS=3          rounds (each path once per round)
#   BENCH_SECONDS=5         seconds per iperf3 test
#   BENCH_UDP_PPS=150000    offered rate of the 64-byte UDP test
#   BENCH_PINGS=200         echoes for the RTT (10 ms apart)
#   BENCH_IDLE_SECONDS=5    idle CPU sample of flowd / ovs-vswitchd
#   BENCH_PATHS="veth linux-bridge ovs ovs-tso switchyard"
#   BENCH_OUT=bench/results.json
#   BENCH_STRICT=1          exit 1 when a target FAILs (default: report only)
#   BENCH_KEEP=1            keep the temp dir (iperf3 JSON, logs)
#   BENCH_NO_INSTALL=1      do not install missing packages
#
# Needs root (network namespaces). Whatever it starts is stopped by PID and
# every namespace it made is deleted on exit, Ctrl-C included.
set -uo pipefail

# All of it in a function, so that bash has read the whole script before it
# runs: editing this file during a run does not derail the run.
main() {

    usage() {
        sed -n '2,/^set /p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
        exit 2
    }
    [ $# -eq 1 ] || usage
    case $1 in -h|--help) usage ;; esac

    BENCH_BINDIR=$(cd "$1" 2>/dev/null && pwd) || { echo "bench: no directory $1" >&2; exit 2; }
    for prog in flowd portd dp; do
        [ -x "$BENCH_BINDIR/$prog" ] || { echo "bench: no $BENCH_BINDIR/$prog: build first (make)" >&2; exit 2; }
    done
    [ "$(id -u)" -eq 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }

    BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
    SRCDIR=$(cd "$BENCH_DIR/.." && pwd)
    : "${BENCH_ROUNDS:=3}" "${BENCH_SECONDS:=5}" "${BENCH_UDP_PPS:=150000}" "${BENCH_PINGS:=200}"
    : "${BENCH_IDLE_SECONDS:=5}" "${BENCH_OUT:=$BENCH_DIR/results.json}"
    : "${BENCH_PATHS:=veth linux-bridge ovs ovs-tso switchyard}"
    : "${BENCH_STRICT:=0}" "${BENCH_KEEP:=0}" "${BENCH_NO_INSTALL:=0}"
    export BENCH_ROUNDS BENCH_SECONDS BENCH_UDP_PPS BENCH_PINGS BENCH_IDLE_SECONDS

    if [ "$BENCH_NO_INSTALL" != 1 ]; then
        "$BENCH_DIR/install-deps.sh" || exit 1
    fi

    # shellcheck source=../tests/lib/ovs-sandbox.sh
    . "$SRCDIR/tests/lib/ovs-sandbox.sh"
    # shellcheck source=lib.sh
    . "$BENCH_DIR/lib.sh"

    BENCH_TMP=$(mktemp -d /tmp/sy-bench.XXXXXX)
    # shellcheck disable=SC2034 # read by lib.sh
    BENCH_ID=$(printf '%04x' $((RANDOM % 65536)))

    cleanup() {
        trap '' INT TERM
        bench_cleanup_all
        if [ "$BENCH_KEEP" = 1 ]; then
            log "kept $BENCH_TMP"
        else
            rm -rf "$BENCH_TMP"
        fi
    }
    trap cleanup EXIT
    trap 'log "interrupted"; exit 130' INT
    trap 'log "terminated"; exit 143' TERM

    RAW=$BENCH_TMP/raw.tsv
    : > "$RAW"
    rec() {
        [ -n "$2" ] || return 0
        printf '%s\t%s\t%s\t%s\n' "$ROUND" "$TOPO_PATH" "$1" "$2" >> "$RAW"
    }

    read -r -a paths <<<"$BENCH_PATHS"
    n=${#paths[@]}
    busy_before=$(machine_busy 2)
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    log "$n paths x $BENCH_ROUNDS rounds, ${BENCH_SECONDS}s per test; machine ${busy_before}% busy before start (load $load_before)"
    start=$SECONDS

    for ((ROUND = 1; ROUND <= BENCH_ROUNDS; ROUND++)); do
        for ((i = 0; i < n; i++)); do
            path=${paths[$(((i + ROUND - 1) % n))]}
            log "round $ROUND/$BENCH_ROUNDS: $path"
            if ! topo_build "$path" || ! topo_wait_ready; then
                log "$path: topology did not come up (no ping); no figures this round"
                topo_teardown
                continue
            fi
            if [ -n "$TOPO_DAEMON_PID" ]; then
                sleep 1
                rec idle_cpu_pct "$(measure_idle_cpu "$TOPO_DAEMON_PID")"
            fi
            rec ping_ms "$(measure_ping)"
            rec tcp_on_gbps "$(measure_tcp on)"
            topo_offloads off
            rec tcp_off_gbps "$(measure_tcp off)"
            # UDP with offloads off too: iperf3's control connection is TCP,
            # which OVS without its TSO option does not carry with them on.
            read -r pps loss < <(measure_udp) || { pps=; loss=; }
            [ -n "${pps:-}" ] || log "$path: UDP test failed"
            rec udp_pps "${pps:-}"
            rec udp_loss_pct "${loss:-}"
            read -r pps loss < <(measure_udp_max) || { pps=; loss=; }
            rec udp_max_pps "${pps:-}"
            rec udp_max_loss_pct "${loss:-}"
            if [ -n "$TOPO_DAEMON_PID" ] && ! bench_pid_alive "$TOPO_DAEMON_PID"; then
                log "$path: the daemon (pid $TOPO_DAEMON_PID) died during the round"
            fi
            topo_teardown
        done
    done

    busy_after=$(machine_busy 2)
    meta=$(jq -n \
        --arg date "$(date -u +%FT%TZ)" \
        --arg host "$(uname -n)" --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
        --arg rev "$(git -C "$SRCDIR" describe --always --dirty 2>/dev/null || echo unknown)" \
        --arg ovs "$(ovs-vswitchd --version 2>/dev/null | head -n 1 | awk '{ print $NF }')" \
        --arg load_before "$load_before" --arg load_after "$(cut -d' ' -f1-3 /proc/loadavg)" \
        --argjson busy_before "$busy_before" --argjson busy_after "$busy_after" \
        --argjson rounds "$BENCH_ROUNDS" --argjson seconds "$BENCH_SECONDS" \
        --argjson udp_pps "$BENCH_UDP_PPS" --argjson pings "$BENCH_PINGS" \
        --argjson duration "$((SECONDS - start))" \
        '{date: $date, host: $host, kernel: $kernel, cpus: $cpus, switchyard: $rev,
          openvswitch: $ovs, rounds: $rounds, seconds: $seconds,
          udp_offered_pps: $udp_pps, pings: $pings, duration_s: $duration,
          machine_busy_pct_before: $busy_before, machine_busy_pct_after: $busy_after,
          loadavg_before: $load_before, loadavg_after: $load_after}')

    "$BENCH_DIR/report.sh" "$RAW" "$meta" "$BENCH_OUT"
    status=$?

    # The classifier micro-benchmark (issue 3): no namespaces, one process.
    BUILDDIR=$(dirname "$BENCH_BINDIR") "$BENCH_DIR/run-classifier.sh" ||
        log "classifier micro-benchmark failed"

    [ "$BENCH_STRICT" = 1 ] || [ $status -ne 1 ] || status=0
    exit $status
}

main "$@"
exit $?
