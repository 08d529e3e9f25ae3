# helpers.bash: what every switchyard Bats test shares.
#
# Each test builds its own small world and tears it down, whatever happens:
#
#   switch namespace  sy-ID-sw     flowd and portd run here (ip netns exec),
#                                  with the switch-side veth/tap ends; every
#                                  client command (portd, flowd, dp) runs here
#   VM namespaces     sy-ID-NAME   one per simulated machine, device eth0,
#                                  an address in 10.77.0.0/16, IPv6 off
#
# ID is a short random id, so several runs never collide and nothing of
# the test touches the host's own network namespace. Switch-side port names
# are "ID-NAME" (at most 15 characters). Files live in the per-test temp
# dir: conf/ (SY_CONFDIR), run/ (SY_RUNDIR), log/ (SY_LOGDIR), and the
# sanitizer logs (asan.log.PID, ubsan.log.PID) of every program the test
# ran, detached daemons included: teardown fails the test if one exists.
#
# A test file does `load helpers`; setup and teardown below are used unless
# the file defines its own (which then call sy_setup / sy_teardown).
#
# Traps of Debian 12 that have bitten this suite:
# - Bats 1.8: `skip` in setup_file fails the whole file; skip in setup.
#   A teardown that leaves early with `return` may count as failed: use ifs.
# - awk is mawk: no \s (use [[:space:]]); it also reads a pipe in blocks.
# - A bare `wait` waits for the detached daemons too: wait for a PID.
# - No timing assertions: poll with sy_wait_until and a generous bound.

bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

SY_SRCDIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
: "${SY_BINDIR:=$SY_SRCDIR/build/bin}"
export SY_BINDIR SY_SRCDIR

setup() {
    sy_setup
}

teardown() {
    sy_teardown
}

# ---- set-up and teardown ---------------------------------------------------

sy_setup() {
    local prog

    [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
    for prog in flowd portd dp; do
        [ -x "$SY_BINDIR/$prog" ] || fail "no $SY_BINDIR/$prog: build first (make)"
    done

    SY_DIR=${BATS_TEST_TMPDIR:-$(mktemp -d /tmp/sy-bats.XXXXXX)}
    SY_ID=$(printf '%04x' $((RANDOM % 65536)))
    # The state file lists what this test created ("ns NAME", "pid N"), so
    # teardown removes it even when it was created in a subshell.
    SY_STATE=$SY_DIR/created
    : > "$SY_STATE"

    export SY_CONFDIR=$SY_DIR/conf SY_RUNDIR=$SY_DIR/run SY_LOGDIR=$SY_DIR/log
    mkdir -p "$SY_CONFDIR" "$SY_RUNDIR" "$SY_LOGDIR"
    export ASAN_OPTIONS="log_path=$SY_DIR/asan.log:detect_leaks=1:abort_on_error=0:strict_string_checks=1"
    export UBSAN_OPTIONS="log_path=$SY_DIR/ubsan.log:print_stacktrace=1:halt_on_error=1"
    export LSAN_OPTIONS="log_path=$SY_DIR/asan.log"

    SY_NS_SW=sy-$SY_ID-sw
    sy_netns_add "$SY_NS_SW"
    SY_VM_COUNT=0
    declare -gA SY_VM_MAC=() SY_VM_IP=() SY_VM_PORT=()
}

sy_teardown() {
    local kind what pid ns log status=0

    # A daemon that died during the test (or would not stop) fails it.
    if ! sy_stop_daemons; then
        echo "---- a daemon had died during the test or ignored SIGTERM"
        status=1
    fi

    # Other processes the test started (tcpdump, qemu), newest first.
    if [ -s "${SY_STATE:-/nonexistent}" ]; then
        while read -r kind what; do
            [ "$kind" = pid ] || continue
            sy_kill_pid "$what"
        done < <(tac "$SY_STATE")
        # Deleting a namespace deletes the veth and tap ends inside it.
        while read -r kind what; do
            [ "$kind" = ns ] || continue
            ip netns pids "$what" 2>/dev/null | while read -r pid; do
                sy_kill_pid "$pid"
            done
            ip netns del "$what" 2>/dev/null || true
        done < <(tac "$SY_STATE")
    fi

    # On failure, show what the daemons said.
    if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -d "${SY_LOGDIR:-/nonexistent}" ]; then
        for log in "$SY_LOGDIR"/*.log "$SY_DIR"/*.out; do
            [ -s "$log" ] || continue
            echo "---- $log (last 40 lines)"
            tail -n 40 "$log"
        done
    fi

    # Any sanitizer report fails the test.
    for log in "${SY_DIR:-/nonexistent}"/asan.log* "${SY_DIR:-/nonexistent}"/ubsan.log*; do
        [ -s "$log" ] || continue
        echo "---- sanitizer report $log"
        cat "$log"
        status=1
    done
    return $status
}

# sy_netns_add NAME: create a namespace, record it for teardown, bring up lo,
# turn IPv6 off (no router solicitations or MLD reports in captures).
sy_netns_add() {
    ip netns add "$1"
    echo "ns $1" >> "$SY_STATE"
    ip -n "$1" link set lo up
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}

# sy_pid_alive PID: PID runs (a zombie does not count: PID 1 here may be
# slow to reap the orphans of daemons and guests).
sy_pid_alive() {
    local state
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
    state=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# sy_kill_pid PID: TERM, wait up to 5 s, then KILL.
sy_kill_pid() {
    local pid=$1 i
    sy_pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        sy_pid_alive "$pid" || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 20); do
        sy_pid_alive "$pid" || return 0
        sleep 0.1
    done
}

# sy_track_pid PID: have teardown end PID.
sy_track_pid() {
    echo "pid $1" >> "$SY_STATE"
}

# ---- the daemons and their clients ---------------------------------------

# sy_sw CMD...: run CMD in the switch namespace.
sy_sw() {
    ip netns exec "$SY_NS_SW" "$@"
}

# The programs, as a test calls them: always in the switch namespace.
flowd() { sy_sw "$SY_BINDIR/flowd" "$@"; }
portd() { sy_sw "$SY_BINDIR/portd" "$@"; }
dp()    { sy_sw "$SY_BINDIR/dp" "$@"; }

# sy_start_daemon NAME: NAME run --detach; its output goes to
# $SY_DIR/NAME.out. Fails unless the pid file names a live process.
sy_start_daemon() {
    local name=$1 pidfile=$SY_RUNDIR/$1.pid
    if ! sy_sw "$SY_BINDIR/$name" run --detach >> "$SY_DIR/$name.out" 2>&1 3>&-; then
        cat "$SY_DIR/$name.out" >&2
        fail "$name run --detach failed"
    fi
    [ -s "$pidfile" ] || fail "$name run --detach returned without $pidfile"
    sy_pid_alive "$(cat "$pidfile")" || fail "$name (pid $(cat "$pidfile")) is not running"
}

# sy_start_daemons: flowd, then portd.
sy_start_daemons() {
    sy_start_daemon flowd
    sy_start_daemon portd
}

# sy_stop_daemon NAME: kill -TERM the pid in NAME.pid, wait until it is
# gone (kill -9 after 5 s). Returns 1 if it had to be killed or had died
# already (a crash).
sy_stop_daemon() {
    local pidfile=$SY_RUNDIR/$1.pid pid i
    [ -s "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if ! sy_pid_alive "$pid"; then
        rm -f "$pidfile"
        echo "$1 (pid $pid) was no longer running" >&2
        return 1
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do
        if ! sy_pid_alive "$pid"; then
            rm -f "$pidfile"
            return 0
        fi
        sleep 0.1
    done
    echo "$1 (pid $pid) ignored SIGTERM for 5 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 20); do
        sy_pid_alive "$pid" || break
        sleep 0.1
    done
    rm -f "$pidfile"
    return 1
}

# sy_stop_daemons: portd, then flowd. Fails if one had to be killed.
sy_stop_daemons() {
    local status=0
    [ -n "${SY_RUNDIR:-}" ] || return 0
    sy_stop_daemon portd || status=1
    sy_stop_daemon flowd || status=1
    return $status
}

# ---- simulated machines ------------------------------------------------------

# sy_vm NAME [IP/LEN]: a namespace sy-ID-NAME with eth0 (MAC 02:77:00:00:00:NN,
# address IP/LEN, default 10.77.0.(10+N)/24), wired by a veth pair to the
# switch namespace, where its end is called ID-NAME and is up but not yet
# on a bridge (sy_attach does that).
sy_vm() {
    local name=$1 ns=sy-$SY_ID-$1 port=$SY_ID-$1 n mac ip
    [ ${#port} -le 15 ] || fail "sy_vm: name \"$name\" too long"
    SY_VM_COUNT=$((SY_VM_COUNT + 1))
    n=$SY_VM_COUNT
    mac=$(printf '02:77:00:00:00:%02x' "$n")
    ip=${2:-10.77.0.$((10 + n))/24}

    sy_netns_add "$ns"
    ip -n "$SY_NS_SW" link add "$port" type veth peer name eth0 netns "$ns"
    ip -n "$ns" link set eth0 address "$mac"
    ip -n "$ns" addr add "$ip" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$SY_NS_SW" link set "$port" up

    SY_VM_MAC[$name]=$mac
    SY_VM_IP[$name]=${ip%/*}
    SY_VM_PORT[$name]=$port
}

# sy_attach BR NAME [KEY=VALUE...]: put VM NAME's switch-side end on BR.
sy_attach() {
    local br=$1 name=$2
    shift 2
    run portd add-port "$br" "${SY_VM_PORT[$name]}" "$@"
    [ "$status" -eq 0 ] || fail "portd add-port $br ${SY_VM_PORT[$name]} $*: exit $status: $output"
}

# sy_ns_exec NAME CMD...: run CMD inside VM NAME's namespace.
sy_ns_exec() {
    local name=$1
    shift
    ip netns exec "sy-$SY_ID-$name" "$@"
}

# sy_ping FROM TO_IP [TRIES]: true once one echo of up to TRIES (default 10)
# is answered; the first packets may wait for ARP and flow set-up.
sy_ping() {
    local from=$1 to=$2 tries=${3:-10} i
    for i in $(seq "$tries"); do
        sy_ns_exec "$from" ping -n -c 1 -W 1 "$to" >/dev/null 2>&1 && return 0
    done
    return 1
}

# sy_ping_ok FROM TO_IP: warm up, then 3 echoes that must all be answered.
sy_ping_ok() {
    sy_ping "$1" "$2" || fail "$1 cannot ping $2"
    run sy_ns_exec "$1" ping -n -c 3 -i 0.2 -W 2 "$2"
    [ "$status" -eq 0 ] || fail "$1 -> $2: $output"
    assert_output --partial "3 received"
}

# sy_wait_until SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
sy_wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    while ! "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}

# ---- captures ----------------------------------------------------------------------

# sy_capture_start NAME FILE [FILTER...]: tcpdump on NAME's eth0 into FILE
# (pcap) until sy_capture_stop; returns once tcpdump is listening.
sy_capture_start() {
    local name=$1 file=$2 pid
    shift 2
    # Started directly (not through a function), so that $! is tcpdump's
    # own PID: ip netns exec execs it. --immediate-mode: packets captured
    # just before the stop are written, not lost in the kernel's buffer.
    ip netns exec "sy-$SY_ID-$name" tcpdump -i eth0 -nn -U --immediate-mode -w "$file" "$@" \
        > "$file.log" 2>&1 < /dev/null 3>&- &
    pid=$!
    sy_track_pid "$pid"
    echo "$pid" > "$file.pid"
    sy_wait_until 10 grep -q "listening on" "$file.log" ||
        fail "tcpdump in $name did not start: $(cat "$file.log")"
}

# sy_capture_stop FILE: stop that tcpdump and wait for it to write FILE.
sy_capture_stop() {
    local file=$1 pid
    pid=$(cat "$file.pid")
    sleep 0.3
    # TERM, not INT: background jobs of a script ignore SIGINT.
    kill -TERM "$pid" 2>/dev/null || true
    sy_wait_until 10 eval '! sy_pid_alive "$pid"' || kill -KILL "$pid" 2>/dev/null || true
}

# sy_capture_read FILE: the capture as text, one frame a line with its
# Ethernet header and 802.1Q tags (tcpdump -e -nn).
sy_capture_read() {
    tcpdump -r "$1" -e -nn 2>/dev/null
}

# ---- switch state ------------------------------------------------------------

# sy_ofport BR PORT: PORT's ofport (= datapath port) number, from
# `portd show --format=json`, falling back to `dp show BR`.
sy_ofport() {
    local br=$1 port=$2 n
    n=$(portd show --format=json 2>/dev/null | jq -r --arg br "$br" --arg port "$port" '
            [.. | objects | select((.name? // .port?) == $port) | .ofport?
             | select(. != null)] | first // empty' 2>/dev/null)
    if [ -z "$n" ]; then
        n=$(dp show "$br" 2>/dev/null |
            sed -nE "s/^[[:space:]]*port ([0-9]+): $port( .*)?\$/\1/p" | head -n 1)
    fi
    [ -n "$n" ] || return 1
    echo "$n"
}

# sy_config_sum: a checksum of every file (names and contents) under
# SY_CONFDIR, to prove a command changed nothing.
sy_config_sum() {
    (cd "$SY_CONFDIR" && find . -print0 | sort -z |
        xargs -0 -I{} sh -c 'echo "{}"; [ -f "{}" ] && cat "{}"; true') | sha256sum
}
