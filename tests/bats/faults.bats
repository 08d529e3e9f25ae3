#!/usr/bin/env bats
# faults: the daemons die, the disk refuses writes; the configuration
# survives and forwarding comes back (or never stops).
#
#   br0: vm2, vm3 (VLAN 20); vm1 is wired but not on br0 until a test adds it
#
# Recovery times are printed, not asserted: a loaded CI machine may be slow,
# so the waits are generous bounded polls.

load helpers

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_vm vm2
    sy_attach br0 vm2 tag=20
    sy_vm vm3
    sy_attach br0 vm3 tag=20
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"
}

daemon_pid() {
    cat "$SY_RUNDIR/$1.pid"
}

# kill9 NAME: SIGKILL the daemon and wait until it is gone.
kill9() {
    local pid
    pid=$(daemon_pid "$1")
    kill -KILL "$pid"
    sy_wait_until 10 eval '! sy_pid_alive "$pid"' || fail "$1 (pid $pid) survived SIGKILL"
}

now_ms() {
    date +%s%3N
}

# wait_forwarding FROM TO_IP SECONDS: poll single pings until one is
# answered; prints the milliseconds it took.
wait_forwarding() {
    local from=$1 to=$2 start deadline
    start=$(now_ms)
    deadline=$((SECONDS + $3))
    until sy_ns_exec "$from" ping -n -c 1 -W 0.2 "$to" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
    done
    echo $(($(now_ms) - start))
}

@test "kill -9 flowd during traffic: the configuration is intact and forwarding comes back" {
    local sum show ms round
    sum=$(sy_config_sum)
    show=$(portd show)
    # Traffic while it dies.
    sy_ns_exec vm2 ping -n -i 0.05 -w 20 "${SY_VM_IP[vm3]}" > "$SY_DIR/ping.out" 2>&1 &
    sy_track_pid $!
    for round in 1 2 3; do
        sleep 0.5
        kill9 flowd
        sy_start_daemon flowd
        ms=$(wait_forwarding vm2 "${SY_VM_IP[vm3]}" 30) ||
            fail "no forwarding 30 s after flowd was restarted"
        echo "round $round: forwarding back ${ms} ms after flowd was started again"
    done
    assert_equal "$(sy_config_sum)" "$sum"
    assert_equal "$(portd show)" "$show"
    sy_ping_ok vm3 "${SY_VM_IP[vm2]}"
}

@test "kill -9 portd: forwarding is not disturbed, and portd comes back with the same configuration" {
    local sum show
    sum=$(sy_config_sum)
    show=$(portd show)
    # 40 echoes, portd killed in the middle: every one is answered (-w
    # only bounds the wait for late replies).
    sy_ns_exec vm2 ping -n -c 40 -i 0.1 -w 60 "${SY_VM_IP[vm3]}" > "$SY_DIR/ping.out" 2>&1 &
    local ping=$!
    sy_track_pid $ping
    sleep 1
    kill9 portd
    wait $ping || true
    cat "$SY_DIR/ping.out" | tail -n 2
    grep -q " 40 received" "$SY_DIR/ping.out" || fail "pings were lost: $(tail -n 2 "$SY_DIR/ping.out")"
    sy_pid_alive "$(daemon_pid flowd)" || fail "flowd died with portd"

    assert_equal "$(sy_config_sum)" "$sum"
    sy_start_daemon portd
    assert_equal "$(portd show)" "$show"
    run portd add-port br0 "${SY_VM_PORT[vm1]}" tag=20
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
}

# portd_private: restart portd in a mount namespace of its own in which
# SY_CONFDIR is a bind mount, so that the test can make that read-only
# or full for portd alone.
portd_private() {
    sy_stop_daemon portd || true
    sy_sw unshare -m --propagation private sh -c \
        'mount --bind "$1" "$1" && exec "$2" run --detach' sh "$SY_CONFDIR" "$SY_BINDIR/portd" \
        >> "$SY_DIR/portd.out" 2>&1 3>&- || fail "portd did not start: $(cat "$SY_DIR/portd.out")"
    sy_pid_alive "$(daemon_pid portd)" || fail "portd is not running"
}

# in_portd_ns CMD...: CMD in portd's mount namespace.
in_portd_ns() {
    nsenter -t "$(daemon_pid portd)" -m "$@"
}

@test "read-only configuration directory: a clear error, and the old configuration stays as it was" {
    local sum
    portd_private
    sum=$(sy_config_sum)
    in_portd_ns mount -o remount,bind,ro "$SY_CONFDIR"

    run portd add-port br0 "${SY_VM_PORT[vm1]}" tag=20
    assert_failure 1
    echo "$output"
    assert_output --partial "Read-only file system"
    assert_output --partial "$SY_CONFDIR"
    run portd set-bridge br0 flow-limit=1000
    assert_failure 1
    assert_output --partial "Read-only file system"
    run portd del-br br0
    assert_failure 1
    echo "$output"

    # Nothing changed: files, portd's view, and forwarding.
    assert_equal "$(sy_config_sum)" "$sum"
    run portd list-ports br0
    refute_line "${SY_VM_PORT[vm1]}"
    assert_line "${SY_VM_PORT[vm2]}"
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"

    # Writable again: the same command works.
    in_portd_ns mount -o remount,bind,rw "$SY_CONFDIR"
    run portd add-port br0 "${SY_VM_PORT[vm1]}" tag=20
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm3]}"
}

@test "disk full: a clear error, and the old configuration stays as it was" {
    local space=$SY_DIR/space before
    portd_private
    # A tiny tmpfs with a copy of the configuration, over SY_CONFDIR, for
    # portd only; then filled up.
    mkdir -p "$space"
    in_portd_ns sh -c 'mount -t tmpfs -o size=512k tmpfs "$1" && cp -a "$2"/. "$1"/ &&
                       mount --bind "$1" "$2"' sh "$space" "$SY_CONFDIR"
    before=$(in_portd_ns sh -c 'cd "$1" && find . -type f | sort | xargs sha256sum' sh "$SY_CONFDIR")
    in_portd_ns sh -c 'head -c 1M /dev/zero > "$1/filler"; true' sh "$space"

    run portd add-port br0 "${SY_VM_PORT[vm1]}" tag=20
    assert_failure 1
    echo "$output"
    assert_output --partial "No space left on device"
    run portd add-br br1
    assert_failure 1
    assert_output --partial "No space left on device"
    assert_equal "$(in_portd_ns sh -c 'cd "$1" && find . -type f ! -name filler | sort | xargs sha256sum' sh "$SY_CONFDIR")" "$before"
    # No temporary file was left behind either.
    run in_portd_ns find "$SY_CONFDIR" -name '.*.tmp-*'
    assert_output ""
    run portd list-br
    assert_output br0
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"

    in_portd_ns rm -f "$space/filler"
    run portd add-port br0 "${SY_VM_PORT[vm1]}" tag=20
    assert_success
}

# every_file_parses: with portd stopped, every configuration file is
# whole: portd reads them all without an error, none is empty or lacks
# its final newline.
every_file_parses() {
    local f
    run portd show
    [ "$status" -eq 0 ] || fail "portd show fails on the configuration: $output"
    [[ $output != *error* ]] || fail "portd show reports an error: $output"
    while IFS= read -r -d '' f; do
        [ -s "$f" ] || fail "empty configuration file $f"
        [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || fail "$f does not end with a newline"
    done < <(find "$SY_CONFDIR" -type f ! -name '.*' -print0)
}

@test "kill -9 portd in the middle of configuration writes: never a half-written file" {
    local round writer n=0 ms
    for round in $(seq 10); do
        # A writer changes the configuration as fast as it can...
        (
            i=0
            while :; do
                i=$((i + 1))
                portd set-bridge br0 "flow-idle-timeout=$((1000 + i))" "netflow-active-timeout=$((1 + i % 3600))" ||
                    break
                portd set-port br0 "${SY_VM_PORT[vm2]}" "tag=$((20 + i % 2))" || break
            done
        ) > /dev/null 2>&1 &
        writer=$!
        # ...and portd dies at a random moment in it.
        sleep "0.$((RANDOM % 5))$((RANDOM % 10))"
        kill9 portd
        kill "$writer" 2>/dev/null || true
        wait "$writer" 2>/dev/null || true
        every_file_parses
        n=$((n + 1))
        sy_start_daemon portd
    done
    echo "$n kills during writes, every file whole each time"
    run portd set-port br0 "${SY_VM_PORT[vm2]}" tag=20
    assert_success
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"
}
