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
#   BENCH_PATHS="veth linux-bridge ovs ovs-tso switchyard switchyard-user"
#                           (switchyard-user: flow-offload=false, every
#                           packet through flowd's userspace fast path)
#   BENCH_PHASES="traffic openflow classifier"  traffic: targets 1-4 on
#                           BENCH_PATHS; openflow: flow setup (5) and control
#                           plane (6), Open vSwitch against switchyard;
#                           classifier: bench/run-classifier.sh (7)
#   BENCH_FLOW_PPS=0        offered rate of new 5-tuples (0: unpaced, the
#                           capacity; a rate caps what the ratio can show)
#   BENCH_OF_FLOWS=100000   rules for add-flows / dump-flows / del-flows
#   BENCH_QUICK=1           smoke test: 1 round, 2 s tests, 10,000 rules
#                           (each setting above still wins when given)
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
    : "${BENCH_QUICK:=0}"
    if [ "$BENCH_QUICK" = 1 ]; then
        : "${BENCH_ROUNDS:=1}" "${BENCH_SECONDS:=2}" "${BENCH_PINGS:=20}"
        : "${BENCH_IDLE_SECONDS:=1}" "${BENCH_OF_FLOWS:=10000}"
    fi
    : "${BENCH_ROUNDS:=3}" "${BENCH_SECONDS:=5}" "${BENCH_UDP_PPS:=150000}" "${BENCH_PINGS:=200}"
    : "${BENCH_IDLE_SECONDS:=5}" "${BENCH_OUT:=$BENCH_DIR/results.json}"
    : "${BENCH_PATHS:=veth linux-bridge ovs ovs-tso switchyard switchyard-user}"
    : "${BENCH_PHASES:=traffic openflow classifier}"
    : "${BENCH_FLOW_PPS:=0}" "${BENCH_OF_FLOWS:=100000}"
    : "${BENCH_STRICT:=0}" "${BENCH_KEEP:=0}" "${BENCH_NO_INSTALL:=0}"
    export BENCH_ROUNDS BENCH_SECONDS BENCH_UDP_PPS BENCH_PINGS BENCH_IDLE_SECONDS
    export BENCH_FLOW_PPS BENCH_OF_FLOWS
    for v in BENCH_ROUNDS BENCH_SECONDS BENCH_UDP_PPS BENCH_PINGS BENCH_IDLE_SECONDS \
             BENCH_FLOW_PPS BENCH_OF_FLOWS; do
        [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench: $v=${!v}: expected a whole number" >&2; exit 2; }
    done

    if [ "$BENCH_NO_INSTALL" != 1 ]; then
        "$BENCH_DIR/install-deps.sh" || exit 1
    fi

    # shellcheck source=../tests/lib/ovs-sandbox.sh
    . "$SRCDIR/tests/lib/ovs-sandbox.sh"
    # shellcheck source=lib.sh
    . "$BENCH_DIR/lib.sh"

    BENCH_TMP=$(mktemp -d /tmp/sy-bench.XXXXXX)
    # flowgen, the sender of the flow-setup test (bench/flowgen.c).
    # shellcheck disable=SC2034 # read by lib.sh
    BENCH_FLOWGEN=$(dirname "$BENCH_BINDIR")/bench/flowgen
    if [[ " $BENCH_PHASES " == *" openflow "* ]]; then
        "$BENCH_DIR/build-tool.sh" "$(dirname "$BENCH_BINDIR")" bench/flowgen.c ||
            { echo "bench: could not build bench/flowgen.c" >&2; exit 1; }
    fi
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
    [[ " $BENCH_PHASES " == *" traffic "* ]] || n=0
    # Targets 5 and 6: Open vSwitch (without its TSO option: no TCP here)
    # against switchyard, rounds interleaved (A B, B A, ...), each test on
    # a fresh topology so that neither sees the other's flows or memory.
    openflow_phase() {
        local ofpaths=(ovs switchyard) flows=$BENCH_TMP/flows.txt a b c d e
        bench_flow_file "$flows" "$BENCH_OF_FLOWS"
        for ((ROUND = 1; ROUND <= BENCH_ROUNDS; ROUND++)); do
            for ((i = 0; i < 2; i++)); do
                path=${ofpaths[$(((i + ROUND - 1) % 2))]}
                log "round $ROUND/$BENCH_ROUNDS: $path flow setup"
                if topo_build "$path" && topo_wait_ready; then
                    read -r a b c d e < <(measure_flow_setup) || a=
                    if [ -n "${a:-}" ]; then
                        rec flow_setup_fps "$a"
                        rec flow_setup_loss_pct "$b"
                        rec flow_setup_upcalls "$c"
                        rec flow_setup_dp_flows "$d"
                        rec flow_setup_sent "$e"
                    fi
                else
                    log "$path: topology did not come up (no ping); no flow-setup figures"
                fi
                topo_teardown
                log "round $ROUND/$BENCH_ROUNDS: $path control plane ($BENCH_OF_FLOWS rules)"
                if topo_build "$path"; then
                    read -r a b c d e < <(measure_control_plane "$flows" "$BENCH_OF_FLOWS") || a=
                    if [ -n "${a:-}" ]; then
                        rec ofctl_add_s "$a"
                        rec ofctl_dump_s "$b"
                        rec ofctl_del_s "$c"
                        rec ofctl_total_s "$(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "%.3f", a + b + c }')"
                        rec rss_mib "$d"
                        rec rss_idle_mib "$e"
                    fi
                else
                    log "$path: topology did not come up; no control-plane figures"
                fi
                topo_teardown
            done
        done
    }

    busy_before=$(machine_busy 2)
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    log "phases: $BENCH_PHASES; $n traffic paths x $BENCH_ROUNDS rounds, ${BENCH_SECONDS}s per test; machine ${busy_before}% busy before start (load $load_before)"
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

    [[ " $BENCH_PHASES " != *" openflow "* ]] || openflow_phase

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
        --argjson flow_pps "$BENCH_FLOW_PPS" --argjson of_flows "$BENCH_OF_FLOWS" \
        --arg phases "$BENCH_PHASES" --arg paths "$BENCH_PATHS" \
        '{date: $date, host: $host, kernel: $kernel, cpus: $cpus, switchyard: $rev,
          openvswitch: $ovs, rounds: $rounds, seconds: $seconds,
          udp_offered_pps: $udp_pps, pings: $pings, duration_s: $duration,
          phases: $phases, paths: $paths,
          flow_setup_offered_pps: $flow_pps, control_plane_rules: $of_flows,
          machine_busy_pct_before: $busy_before, machine_busy_pct_after: $busy_after,
          loadavg_before: $load_before, loadavg_after: $load_after}')

    "$BENCH_DIR/report.sh" "$RAW" "$meta" "$BENCH_OUT"
    status=$?

    # The classifier micro-benchmark (issue 3): no namespaces, one process.
    if [[ " $BENCH_PHASES " == *" classifier "* ]]; then
        BUILDDIR=$(dirname "$BENCH_BINDIR") "$BENCH_DIR/run-classifier.sh" ||
            log "classifier micro-benchmark failed"
    fi

    [ "$BENCH_STRICT" = 1 ] || [ $status -ne 1 ] || status=0
    exit $status
}

main "$@"
exit $?
