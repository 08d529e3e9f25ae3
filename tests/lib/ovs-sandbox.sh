# shellcheck shell=bash
# ovs-sandbox.sh: a private Open vSwitch (Debian's openvswitch-switch) in a
# temp dir, inside a network namespace, for benchmarks and interop tests.
#
#   . tests/lib/ovs-sandbox.sh
#   ovs_sandbox_start DIR NETNS [KEY=VALUE...]   KEY=VALUE go to other_config
#                                                before ovs-vswitchd starts
#   ovs_sandbox_add_br br0                       datapath_type=netdev
#   ovs_sandbox_add_port br0 veth1 [ofport]      (ofport_request when given)
#   ovs_sandbox_tso on|off                       other_config:userspace-tso-enable
#                                                (restarts ovs-vswitchd: OVS reads
#                                                it only once, at start)
#   ovs_sandbox_set_controller br0 ptcp:6653[:IP]  and wait until it listens
#   ovs_sandbox_vsctl ARGS...  ovs_sandbox_ofctl ARGS...  ovs_sandbox_appctl ARGS...
#   ovs_sandbox_pid ovsdb-server|ovs-vswitchd   the daemon's PID
#   ovs_sandbox_stop                             kill both by PID, wait
#
# Everything lives in DIR: conf.db, db.sock, the pid files, the logs, the
# unixctl sockets and the bridges' BR.mgmt/BR.snoop sockets (OVS_RUNDIR=DIR),
# so several sandboxes and a system OVS never meet. ovs-vswitchd runs in
# NETNS (ip netns exec), and so do the netdev ports and the bridge's own
# tap device; the caller creates and deletes NETNS. No systemd, no service
# scripts. Stopping kills the sandbox's two daemons by the PIDs in their
# pid files, nothing else.
#
# The functions act on the sandbox in $OVS_SB_DIR (set by ovs_sandbox_start);
# to drive several at once, set OVS_SB_DIR to the one meant before a call.
# They return non-zero with a message on stderr on failure (set -e friendly).

: "${OVS_SB_TIMEOUT:=20}"

# ovs_sandbox_env CMD...: run CMD with the OVS_* dirs pointing into the sandbox.
ovs_sandbox_env() {
    env OVS_RUNDIR="$OVS_SB_DIR" OVS_LOGDIR="$OVS_SB_DIR" \
        OVS_DBDIR="$OVS_SB_DIR" OVS_SYSCONFDIR="$OVS_SB_DIR/etc" "$@"
}

# ovs_sandbox_ns: the sandbox's namespace name.
ovs_sandbox_ns() {
    cat "$OVS_SB_DIR/netns"
}

ovs_sandbox_vsctl() {
    ovs_sandbox_env ovs-vsctl --db="unix:$OVS_SB_DIR/db.sock" \
        --timeout="$OVS_SB_TIMEOUT" "$@"
}

# ovs_sandbox_ofctl ARGS...: ovs-ofctl; a bridge name as the switch means
# unix:DIR/BR.mgmt (OVS_RUNDIR).
ovs_sandbox_ofctl() {
    ovs_sandbox_env ovs-ofctl "$@"
}

# ovs_sandbox_appctl ARGS...: ovs-appctl to ovs-vswitchd (ovs-appctl -t
# ovsdb-server ... works too, with "-t DIR/ovsdb-server.ctl").
ovs_sandbox_appctl() {
    local target=$OVS_SB_DIR/ovs-vswitchd.ctl
    if [ "${1:-}" = -t ]; then
        target=$2
        shift 2
    fi
    ovs_sandbox_env ovs-appctl -t "$target" --timeout="$OVS_SB_TIMEOUT" "$@"
}

# ovs_sandbox_pid NAME: PID of ovsdb-server or ovs-vswitchd (empty if none).
ovs_sandbox_pid() {
    cat "$OVS_SB_DIR/$1.pid" 2>/dev/null || true
}

_ovs_sb_alive() {
    local state
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
    state=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# _ovs_sb_kill NAME: TERM the daemon NAME by its pid file, wait up to 5 s,
# then KILL.
_ovs_sb_kill() {
    local name=$1 pid
    pid=$(ovs_sandbox_pid "$name")
    [ -n "$pid" ] || return 0
    if _ovs_sb_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            _ovs_sb_alive "$pid" || break
            sleep 0.1
        done
        if _ovs_sb_alive "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 20); do
                _ovs_sb_alive "$pid" || break
                sleep 0.1
            done
        fi
    fi
    rm -f "$OVS_SB_DIR/$name.pid"
}

_ovs_sb_start_vswitchd() {
    local ns
    ns=$(ovs_sandbox_ns)
    if ! ovs_sandbox_env ip netns exec "$ns" ovs-vswitchd "unix:$OVS_SB_DIR/db.sock" \
            --pidfile="$OVS_SB_DIR/ovs-vswitchd.pid" \
            --unixctl="$OVS_SB_DIR/ovs-vswitchd.ctl" \
            --log-file="$OVS_SB_DIR/ovs-vswitchd.log" -vconsole:off -vsyslog:off \
            --no-chdir --detach < /dev/null >> "$OVS_SB_DIR/ovs-vswitchd.out" 2>&1 3>&-; then
        echo "ovs-sandbox: ovs-vswitchd did not start:" >&2
        tail -n 20 "$OVS_SB_DIR/ovs-vswitchd.out" "$OVS_SB_DIR/ovs-vswitchd.log" >&2 2>/dev/null
        return 1
    fi
    _ovs_sb_alive "$(ovs_sandbox_pid ovs-vswitchd)" || {
        echo "ovs-sandbox: ovs-vswitchd is not running after start" >&2
        return 1
    }
    # A change made without --no-wait returns once ovs-vswitchd has applied
    # it (next_cfg == cur_cfg): then it has read the database.
    ovs_sandbox_vsctl set Open_vSwitch . external_ids:sandbox="$OVS_SB_DIR" || {
        echo "ovs-sandbox: ovs-vswitchd did not apply the database within ${OVS_SB_TIMEOUT}s" >&2
        tail -n 20 "$OVS_SB_DIR/ovs-vswitchd.log" >&2 2>/dev/null
        return 1
    }
}

# ovs_sandbox_start DIR NETNS [KEY=VALUE...]: create DIR/conf.db, start
# ovsdb-server and ovs-vswitchd (in NETNS) with everything in DIR.
ovs_sandbox_start() {
    local dir=$1 ns=$2 kv
    shift 2
    if ! command -v ovs-vswitchd >/dev/null || ! command -v ovsdb-server >/dev/null; then
        echo "ovs-sandbox: Open vSwitch is not installed (apt-get install openvswitch-switch)" >&2
        return 1
    fi
    ip netns list | grep -qw "^$ns" || {
        echo "ovs-sandbox: no network namespace \"$ns\"" >&2
        return 1
    }
    mkdir -p "$dir/etc" || return 1
    OVS_SB_DIR=$(cd "$dir" && pwd)
    export OVS_SB_DIR
    echo "$ns" > "$OVS_SB_DIR/netns"

    rm -f "$OVS_SB_DIR/conf.db"
    ovsdb-tool create "$OVS_SB_DIR/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
    if ! ovs_sandbox_env ip netns exec "$ns" ovsdb-server "$OVS_SB_DIR/conf.db" \
            --remote="punix:$OVS_SB_DIR/db.sock" \
            --pidfile="$OVS_SB_DIR/ovsdb-server.pid" \
            --unixctl="$OVS_SB_DIR/ovsdb-server.ctl" \
            --log-file="$OVS_SB_DIR/ovsdb-server.log" -vconsole:off -vsyslog:off \
            --no-chdir --detach < /dev/null >> "$OVS_SB_DIR/ovsdb-server.out" 2>&1 3>&-; then
        echo "ovs-sandbox: ovsdb-server did not start:" >&2
        tail -n 20 "$OVS_SB_DIR/ovsdb-server.out" "$OVS_SB_DIR/ovsdb-server.log" >&2 2>/dev/null
        return 1
    fi
    ovs_sandbox_vsctl --no-wait init || { ovs_sandbox_stop; return 1; }
    for kv in "$@"; do
        ovs_sandbox_vsctl --no-wait set Open_vSwitch . "other_config:$kv" ||
            { ovs_sandbox_stop; return 1; }
    done
    _ovs_sb_start_vswitchd || { ovs_sandbox_stop; return 1; }
}

# ovs_sandbox_stop: ovs-vswitchd, then ovsdb-server, by PID. DIR is kept
# (logs); the caller removes it.
ovs_sandbox_stop() {
    [ -n "${OVS_SB_DIR:-}" ] && [ -d "$OVS_SB_DIR" ] || return 0
    _ovs_sb_kill ovs-vswitchd
    _ovs_sb_kill ovsdb-server
}

# ovs_sandbox_add_br BR: a bridge on the userspace datapath.
ovs_sandbox_add_br() {
    ovs_sandbox_vsctl -- --may-exist add-br "$1" \
        -- set Bridge "$1" datapath_type=netdev
}

# ovs_sandbox_add_port BR IFACE [OFPORT]
ovs_sandbox_add_port() {
    local br=$1 iface=$2 ofport=${3:-}
    if [ -n "$ofport" ]; then
        ovs_sandbox_vsctl -- --may-exist add-port "$br" "$iface" \
            -- set Interface "$iface" ofport_request="$ofport"
    else
        ovs_sandbox_vsctl -- --may-exist add-port "$br" "$iface"
    fi
}

# ovs_sandbox_tso on|off: userspace TSO support. OVS reads the setting once,
# when it starts, so a running ovs-vswitchd is restarted (bridges and ports
# come back from the database).
ovs_sandbox_tso() {
    local v
    case $1 in
        on|true) v=true ;;
        off|false) v=false ;;
        *) echo "ovs_sandbox_tso: expected on or off, got \"$1\"" >&2; return 2 ;;
    esac
    ovs_sandbox_vsctl --no-wait set Open_vSwitch . "other_config:userspace-tso-enable=$v" || return 1
    if _ovs_sb_alive "$(ovs_sandbox_pid ovs-vswitchd)"; then
        _ovs_sb_kill ovs-vswitchd
        _ovs_sb_start_vswitchd
    fi
}

# ovs_sandbox_set_controller BR ptcp:PORT[:IP] (or any OVS controller target;
# for a ptcp: one, wait until ovs-vswitchd listens).
ovs_sandbox_set_controller() {
    local br=$1 target=$2 port
    ovs_sandbox_vsctl set-controller "$br" "$target" || return 1
    case $target in
        ptcp:*)
            port=${target#ptcp:}
            port=${port%%:*}
            for _ in $(seq 100); do
                ip netns exec "$(ovs_sandbox_ns)" ss -Hltn "sport = :$port" 2>/dev/null |
                    grep -q . && return 0
                sleep 0.1
            done
            echo "ovs-sandbox: $br does not listen on $target" >&2
            return 1 ;;
    esac
}
