#!/usr/bin/env bats
# soak: `make soak` (not part of `make check`). For SOAK_SECONDS (default
# 600) the daemons of the ASan build carry mixed traffic (pings, iperf3 TCP
# bursts, storms of new flows), flow churn (OpenFlow rules added and
# deleted) and configuration changes (a port removed and added back, bridge
# settings changed), while flowd's and portd's resident set sizes are
# sampled every SOAK_SAMPLE_SECONDS (default 60). It prints the samples,
# the RSS growth from the first sample to the last, and the count of
# errors: failed commands, pings between the steady VMs that got no
# answer, daemons that died, sanitizer reports. The errors must be 0;
# the RSS growth is a figure to watch, not asserted (ASan's quarantine
# alone makes it move).
#
#   br0: vm1, vm2 (steady pair, pinged throughout)
#        vm3, vm4 (iperf3 bursts; vm4's port is removed and added back)
#        vm5      (floods new flows now and then)

load ../bats/helpers

FRAMES=$SY_SRCDIR/tests/lib/hostile-frames.py

setup() {
    sy_setup
    # A smaller quarantine keeps ASan's own memory from hiding a leak.
    export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=16"
    sy_start_daemons
    run portd add-br br0
    assert_success
    for vm in vm1 vm2 vm3 vm4 vm5; do
        sy_vm $vm
        sy_attach br0 $vm
    done
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    SOAK_ERRORS=0
}

say() {
    echo "soak: $*" >&3
}

rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$(cat "$SY_RUNDIR/$1.pid")/status" 2>/dev/null || echo 0
}

# step WHAT CMD...: run CMD; a failure counts as an error and is shown.
step() {
    local what=$1 out
    shift
    if ! out=$("$@" 2>&1); then
        SOAK_ERRORS=$((SOAK_ERRORS + 1))
        say "error: $what: $out"
    fi
}

ofctl() { sy_sw "$SY_BINDIR/ofctl" "$@"; }

# one_cycle N: about ten seconds of traffic, churn and configuration.
one_cycle() {
    local n=$1 p
    # Traffic: an iperf3 burst, a storm of new flows, and the steady pair.
    sy_ns_exec vm3 iperf3 -c "${SY_VM_IP[vm4]}" -t 3 -P 2 > /dev/null 2>&1 &
    p=$!
    sy_ns_exec vm5 python3 "$FRAMES" flows eth0 3000 "${SY_VM_MAC[vm1]}" "${SY_VM_IP[vm1]}" \
        > /dev/null 2>&1
    # Flow churn: OpenFlow rules come and go.
    step "add-flow" ofctl add-flow br0 "cookie=0x$((n % 255 + 1)),priority=$((10 + n % 50)),udp,tp_dst=$((1000 + n)),actions=NORMAL"
    step "add-flow" ofctl add-flow br0 "priority=5,tcp,tp_dst=$((2000 + n)),actions=drop"
    if ((n % 3 == 0)); then
        step "del-flows" ofctl del-flows br0 "tcp"
    fi
    # Configuration: bridge settings, and vm4's port out and back in.
    step "set-bridge" portd set-bridge br0 "flow-idle-timeout=$((2000 + (n % 10) * 1000))"
    if ((n % 2 == 0)); then
        step "del-port" portd del-port br0 "${SY_VM_PORT[vm4]}"
        step "add-port" portd add-port br0 "${SY_VM_PORT[vm4]}"
    fi
    wait "$p" || true
    # The steady pair must talk every cycle.
    if ! sy_ping vm1 "${SY_VM_IP[vm2]}" 5; then
        SOAK_ERRORS=$((SOAK_ERRORS + 1))
        say "error: cycle $n: vm1 cannot ping vm2"
    fi
    sy_ns_exec vm1 ping -n -c 10 -i 0.2 -W 1 "${SY_VM_IP[vm2]}" > /dev/null 2>&1 || true
}

@test "soak: mixed traffic, flow churn and configuration changes under ASan" {
    command -v iperf3 >/dev/null || skip "no iperf3"
    local seconds=${SOAK_SECONDS:-600} sample=${SOAK_SAMPLE_SECONDS:-60}
    local start=$SECONDS next_sample n=0 first_f first_p last_f last_p
    sy_ns_exec vm4 iperf3 -s -D --logfile "$SY_DIR/iperf3.log"

    first_f=$(rss_kib flowd) first_p=$(rss_kib portd)
    say "$(printf 'minute %3s: flowd RSS %7s KiB, portd RSS %7s KiB' 0 "$first_f" "$first_p")"
    next_sample=$((start + sample))
    while ((SECONDS - start < seconds)); do
        n=$((n + 1))
        one_cycle "$n"
        for d in flowd portd; do
            if ! sy_pid_alive "$(cat "$SY_RUNDIR/$d.pid")"; then
                SOAK_ERRORS=$((SOAK_ERRORS + 1))
                say "error: $d died"
                fail "$d died during the soak"
            fi
        done
        if ((SECONDS >= next_sample)); then
            say "$(printf 'minute %3s: flowd RSS %7s KiB, portd RSS %7s KiB (%d cycles)' \
                "$(((SECONDS - start) / 60))" "$(rss_kib flowd)" "$(rss_kib portd)" "$n")"
            next_sample=$((next_sample + sample))
        fi
    done
    last_f=$(rss_kib flowd) last_p=$(rss_kib portd)
    run dp show br0
    say "$(grep -E 'lookups|flows:|limits' <<<"$output" | tr -s ' ' | paste -sd ';')"
    # Sanitizer reports so far (teardown checks again after the daemons stop).
    local reports
    reports=$(find "$SY_DIR" -maxdepth 1 \( -name 'asan.log*' -o -name 'ubsan.log*' \) -size +0 | wc -l)
    SOAK_ERRORS=$((SOAK_ERRORS + reports))
    say "$n cycles in $((SECONDS - start)) s"
    say "RSS growth: flowd $((last_f - first_f)) KiB ($first_f -> $last_f), portd $((last_p - first_p)) KiB ($first_p -> $last_p)"
    say "errors: $SOAK_ERRORS"
    [ "$SOAK_ERRORS" -eq 0 ] || fail "$SOAK_ERRORS errors during the soak"
}
