# tunnel-helpers: a test bed of several simulated hosts for the tunnel
# tests, on top of helpers.bash. Each host is a network namespace
# sy-ID-HOST running its own flowd and portd with its own SY_CONFDIR,
# SY_RUNDIR and SY_LOGDIR (under $SY_DIR/HOST); its VMs are namespaces
# sy-ID-HOST-VM wired to it by veth pairs; hosts are linked by an underlay
# veth pair that is on no bridge (the hosts route over it).

# th HOST CMD...: run CMD on HOST, with HOST's directories.
th() {
    local host=$1
    shift
    SY_CONFDIR=$SY_DIR/$host/conf SY_RUNDIR=$SY_DIR/$host/run SY_LOGDIR=$SY_DIR/$host/log \
        ip netns exec "sy-$SY_ID-$host" "$@"
}

# th_prog HOST PROG ARGS...: one of our programs on HOST.
th_prog() {
    local host=$1 prog=$2
    shift 2
    th "$host" "$SY_BINDIR/$prog" "$@"
}

# th_host HOST: create HOST and start its flowd and portd.
th_host() {
    local host=$1 dir=$SY_DIR/$1 d
    sy_netns_add "sy-$SY_ID-$host"
    mkdir -p "$dir/conf" "$dir/run" "$dir/log"
    for d in flowd portd; do
        th_prog "$host" "$d" run --detach >> "$dir/$d.out" 2>&1 3>&- ||
            fail "$host: $d run --detach failed: $(cat "$dir/$d.out")"
        [ -s "$dir/run/$d.pid" ] || fail "$host: no $d.pid"
        sy_track_pid "$(cat "$dir/run/$d.pid")"
    done
    TH_HOSTS+=("$host")
}

# th_setup_two_hosts: sy_setup, then the usual bed: hosts a and b with
# an underlay link, a at 192.0.2.1 and b at 192.0.2.2.
th_setup_two_hosts() {
    sy_setup
    TH_HOSTS=()
    th_host a
    th_host b
    th_underlay a 192.0.2.1 b 192.0.2.2
}

# th_underlay HOST_A IP_A HOST_B IP_B: a /24 link between two hosts (the
# devices are called u-HOST_B on A and u-HOST_A on B).
th_underlay() {
    local a=$1 ip_a=$2 b=$3 ip_b=$4
    ip link add "u-$b" netns "sy-$SY_ID-$a" type veth peer name "u-$a" netns "sy-$SY_ID-$b"
    ip -n "sy-$SY_ID-$a" addr add "$ip_a/24" dev "u-$b"
    ip -n "sy-$SY_ID-$b" addr add "$ip_b/24" dev "u-$a"
    ip -n "sy-$SY_ID-$a" link set "u-$b" up
    ip -n "sy-$SY_ID-$b" link set "u-$a" up
}

# th_vm HOST VM IP/LEN MAC: a VM namespace sy-ID-HOST-VM with eth0, its
# other end HOST-VM (in HOST) up but on no bridge.
th_vm() {
    local host=$1 vm=$2 ip=$3 mac=$4 ns=sy-$SY_ID-$1-$2 port=$1-$2
    sy_netns_add "$ns"
    ip -n "sy-$SY_ID-$host" link add "$port" type veth peer name eth0 netns "$ns"
    ip -n "$ns" link set eth0 address "$mac"
    ip -n "$ns" addr add "$ip" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "sy-$SY_ID-$host" link set "$port" up
}

# th_vm_exec HOST VM CMD...
th_vm_exec() {
    local host=$1 vm=$2
    shift 2
    ip netns exec "sy-$SY_ID-$host-$vm" "$@"
}

# th_ping HOST VM IP [TRIES]: true once one echo is answered.
th_ping() {
    local host=$1 vm=$2 ip=$3 tries=${4:-10} i
    for i in $(seq "$tries"); do
        th_vm_exec "$host" "$vm" ping -n -c 1 -W 1 "$ip" >/dev/null 2>&1 && return 0
    done
    return 1
}

# th_ping_ok HOST VM IP: warm up, then 3 echoes that must all come back.
th_ping_ok() {
    th_ping "$@" || fail "$1/$2 cannot ping $3"
    run th_vm_exec "$1" "$2" ping -n -c 3 -i 0.2 -W 2 "$3"
    [ "$status" -eq 0 ] || fail "$1/$2 -> $3: $output"
}

# th_capture_start HOST DEV FILE [FILTER...]: tcpdump on HOST's DEV into FILE
# until th_capture_stop FILE; returns once tcpdump listens.
th_capture_start() {
    local host=$1 dev=$2 file=$3 pid
    shift 3
    SY_CONFDIR= ip netns exec "sy-$SY_ID-$host" tcpdump -i "$dev" -nn -U --immediate-mode \
        -w "$file" "$@" > "$file.log" 2>&1 < /dev/null 3>&- &
    pid=$!
    sy_track_pid "$pid"
    echo "$pid" > "$file.pid"
    sy_wait_until 10 grep -q "listening on" "$file.log" ||
        fail "tcpdump on $host/$dev did not start: $(cat "$file.log")"
}

th_capture_stop() {
    sy_capture_stop "$1"
}

# th_teardown: stop every host's daemons (a crash fails the test), show
# their logs on failure, then the usual teardown.
th_teardown() {
    local host d status=0 pid
    for host in "${TH_HOSTS[@]}"; do
        for d in portd flowd; do
            [ -s "$SY_DIR/$host/run/$d.pid" ] || continue
            pid=$(cat "$SY_DIR/$host/run/$d.pid")
            if ! sy_pid_alive "$pid"; then
                echo "---- $host: $d (pid $pid) had died"
                status=1
            fi
            sy_kill_pid "$pid"
        done
        if [ -z "${BATS_TEST_COMPLETED:-}" ] || [ $status -ne 0 ]; then
            for d in "$SY_DIR/$host"/log/*.log "$SY_DIR/$host"/*.out; do
                [ -s "$d" ] || continue
                echo "---- $d (last 30 lines)"
                tail -n 30 "$d"
            done
        fi
    done
    sy_teardown || status=1
    return $status
}
