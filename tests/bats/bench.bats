#!/usr/bin/env bats
# bench.bats: bench/run.sh's OpenFlow phase (issue 3 targets 5 and 6) in a
# tiny quick mode, against a real Open vSwitch: it must run, clean up, and
# measure what it claims to. No speed is asserted here (CI machines are
# shared); only that flowgen's stream made one datapath flow per 5-tuple in
# switchyard, that both switches' figures are there and that every target
# line is printed.

load helpers

setup() {
    command -v ovs-vswitchd >/dev/null || skip "openvswitch-switch is not installed"
    command -v jq >/dev/null || skip "jq is not installed"
    [ -x "$SY_BINDIR/flowd" ] || fail "no $SY_BINDIR/flowd: build first (make)"
}

# The bench cleans up after itself (by PID, its own namespaces), even when
# it fails; there is nothing of helpers.bash's to tear down.
teardown() {
    :
}

@test "bench: the OpenFlow phase sets up one datapath flow per 5-tuple and times add/dump/del-flows on both switches" {
    local json=$BATS_TEST_TMPDIR/results.json
    run env BENCH_QUICK=1 BENCH_PHASES=openflow BENCH_NO_INSTALL=1 BENCH_SECONDS=1 \
        BENCH_FLOW_PPS=2000 BENCH_OF_FLOWS=2000 BENCH_OUT="$json" \
        timeout 600 "$SY_SRCDIR/bench/run.sh" "$SY_BINDIR"
    assert_success
    for target in flow-setup add-flows flows-rss; do
        [[ $output == *"bench: PASS $target: "* || $output == *"bench: FAIL $target: "* ]] ||
            fail "no PASS/FAIL line for $target in: $output"
    done
    [[ $output == *"bench: SKIP tcp-offloads-on: not measured"* ]] || fail "traffic targets not SKIP: $output"

    # switchyard: every frame went up to the pipeline and became its own
    # datapath flow (the rules make the megaflow include both ports).
    local upcalls flows
    upcalls=$(jq '.paths.switchyard.flow_setup_upcalls.median' "$json")
    flows=$(jq '.paths.switchyard.flow_setup_dp_flows.median' "$json")
    [ "$upcalls" -ge 100 ] || fail "switchyard saw $upcalls upcalls"
    [ $((upcalls - flows)) -le 5 ] && [ $((flows - upcalls)) -le 5 ] ||
        fail "switchyard: $upcalls upcalls but $flows datapath flows"
    # Open vSwitch carried the stream too, and both dumped every rule
    # (measure_control_plane gives no figures otherwise).
    [ "$(jq '.paths.ovs.flow_setup_upcalls.median' "$json")" -ge 100 ]
    for path in ovs switchyard; do
        jq -e ".paths[\"$path\"].ofctl_total_s.median > 0 and .paths[\"$path\"].rss_mib.median > 0" \
            "$json" >/dev/null || fail "$path: no control-plane figures"
    done

    # Nothing of the bench is left: namespaces and daemons are gone.
    run ip netns list
    [[ $output != *syb-* ]] || fail "namespaces left: $output"
}
