#!/usr/bin/env bash
# demo.sh BINDIR: the README's `make demo`. A guided tour for a newcomer:
# start the two daemons in a scratch directory, make bridge br0 on the
# userspace datapath, wire three network namespaces (vm1, vm2, vm3) to it,
# ping between them and look at what the switch learned. Everything it
# creates lives in its own namespaces and temp dir and is removed on exit,
# also on failure or Ctrl-C.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BINDIR" >&2; exit 2; }
BINDIR=$(cd "$1" && pwd)
if [ "$(id -u)" -ne 0 ]; then
    echo "demo.sh: network namespaces need root; run as root" >&2
    exit 1
fi

ID=$(printf '%04x' $((RANDOM % 65536)))
SW=sy-demo-$ID-sw                 # the "host" the switch runs on
VMS=(vm1 vm2 vm3)
WORK=$(mktemp -d /tmp/sy-demo.XXXXXX)
export SY_CONFDIR=$WORK/conf SY_RUNDIR=$WORK/run SY_LOGDIR=$WORK/log
mkdir -p "$SY_CONFDIR" "$SY_RUNDIR" "$SY_LOGDIR"

if [ -t 1 ]; then
    bold=$'\e[1m' dim=$'\e[2m' green=$'\e[32m' red=$'\e[31m' reset=$'\e[0m'
else
    bold= dim= green= red= reset=
fi

step_number=0
# step TITLE EXPLANATION...: a numbered heading and a few words on why.
step() {
    step_number=$((step_number + 1))
    printf '\n%s== %d. %s%s\n' "$bold" "$step_number" "$1" "$reset"
    shift
    local line
    for line in "$@"; do
        printf '   %s\n' "$line"
    done
}

# show CMD...: print the command as a user would type it, then run it in
# the switch's namespace.
show() {
    printf '%s$ %s%s\n' "$dim" "$*" "$reset"
    ip netns exec "$SW" "$BINDIR/$@"
}

# in_vm VM CMD...: print and run CMD inside namespace VM.
in_vm() {
    local vm=$1
    shift
    printf '%s[%s]$ %s%s\n' "$dim" "$vm" "$*" "$reset"
    ip netns exec "sy-demo-$ID-$vm" "$@"
}

# pid_alive PID: PID runs (not a zombie waiting for init to reap it).
pid_alive() {
    local state
    state=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# stop_daemon NAME: SIGTERM, wait up to 5 s for it to go, then SIGKILL.
stop_daemon() {
    local pidfile=$SY_RUNDIR/$1.pid pid i
    [ -s "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        pid_alive "$pid" || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$? vm
    trap "" INT TERM        # finish cleaning up, even on a second Ctrl-C
    trap - EXIT
    printf '\n%s== Cleaning up%s\n' "$bold" "$reset"
    stop_daemon portd
    stop_daemon flowd
    for vm in "${VMS[@]}"; do
        ip netns del "sy-demo-$ID-$vm" 2>/dev/null || true
    done
    ip netns del "$SW" 2>/dev/null || true
    if [ $status -ne 0 ]; then
        echo "${red}The demo failed (exit $status).${reset} Daemon logs:"
        tail -n 20 "$SY_LOGDIR"/*.log 2>/dev/null || true
    fi
    rm -rf "$WORK"
    echo "   Daemons stopped, namespaces $SW and sy-demo-$ID-vm{1,2,3} and $WORK removed."
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cat <<EOF
${bold}switchyard demo${reset}
A software switch, like Open vSwitch, made of small programs:
  flowd  the engine: forwards packets (here on its userspace datapath) and
         learns where each MAC address lives
  portd  bridges and ports: keeps the configuration, tells flowd about it
  dp     looks into the datapath: ports, cached flows, statistics
This demo builds one bridge and three "virtual machines" (network
namespaces) and sends pings between them through the switch.
Scratch directory: $WORK
EOF

step "Create a namespace for the switch" \
     "The switch and its ports live in their own network namespace ($SW)," \
     "so the demo never touches this machine's real network."
ip netns add "$SW"
ip -n "$SW" link set lo up
ip netns exec "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1

step "Start the daemons" \
     "flowd first, then portd. Both daemonize and write pid files to" \
     "SY_RUNDIR; their logs go to SY_LOGDIR; the configuration to SY_CONFDIR."
show flowd run --detach
show portd run --detach
echo "   flowd pid $(cat "$SY_RUNDIR/flowd.pid"), portd pid $(cat "$SY_RUNDIR/portd.pid")"

step "Create bridge br0" \
     "There is no openvswitch kernel module here, so portd picks the" \
     "userspace datapath (datapath=user): flowd moves the packets itself," \
     "reading and writing the ports with AF_PACKET sockets. The bridge also" \
     "gets its own internal port, a tap device called br0."
show portd add-br br0 datapath=user

step "Make three VMs and plug them into br0" \
     "Each VM is a namespace with an eth0; the other end of its veth cable" \
     "stays with the switch and becomes a port of br0."
n=0
for vm in "${VMS[@]}"; do
    n=$((n + 1))
    ns=sy-demo-$ID-$vm
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$SW" link add "$vm" type veth peer name eth0 netns "$ns"
    ip -n "$ns" addr add "10.77.0.$n/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$SW" link set "$vm" up
    echo "   $vm: eth0 10.77.0.$n/24, MAC $(ip netns exec "$ns" cat /sys/class/net/eth0/address)"
    show portd add-port br0 "$vm"
done

step "What the switch looks like now" \
     "Every port has an OpenFlow port number (ofport); on the userspace" \
     "datapath it is also the datapath port number."
show portd show

step "Ping between the VMs" \
     "The first packet of each conversation misses the datapath's flow" \
     "table and goes up to flowd's pipeline (the NORMAL action: a learning" \
     "switch). It learns the sender's MAC on its port, floods what it" \
     "cannot place yet (ARP broadcasts) and installs a datapath flow so" \
     "the next packets go straight through."
status=0
for pair in "vm1 10.77.0.2" "vm2 10.77.0.3" "vm3 10.77.0.1"; do
    set -- $pair
    if in_vm "$1" ping -n -c 3 -i 0.2 -W 2 "$2"; then
        echo "   ${green}$1 reached $2${reset}"
    else
        echo "   ${red}$1 could not reach $2${reset}"
        status=1
    fi
done

step "What the switch learned (the FDB)" \
     "Each VM's MAC address, the port it was seen on, its VLAN (0: none)" \
     "and how many seconds ago it was last seen."
show flowd fdb-show br0

step "The datapath's flows" \
     "The cached decisions, in the kernel datapath's text format: what" \
     "matched (in_port, Ethernet addresses...), how many packets and bytes" \
     "used each flow, and where they went (actions: port numbers). Idle" \
     "flows expire after 10 seconds."
show dp dump-flows br0

step "A busy flow goes to the kernel (flow offload)" \
     "Once a flow has matched 8 packets and only sends them out of other" \
     "veth or NIC ports, flowd hands it to the kernel's tc: a u32 filter on" \
     "the input device sends its packets straight out, flowd counts them." \
     "dp dump-flows marks it offloaded:yes, dp:tc."
if ! in_vm vm1 ping -n -q -c 50 -i 0.01 -W 2 10.77.0.2; then
    echo "   ${red}vm1 could not reach 10.77.0.2${reset}"
    status=1
fi
sleep 0.5                           # flowd offloads busy flows every 250 ms.
printf '%s$ %s%s\n' "$dim" "dp dump-flows br0 | grep offloaded" "$reset"
ip netns exec "$SW" "$BINDIR/dp" dump-flows br0 | grep 'offloaded:yes' ||
    echo "   (no flow offloaded yet)"
printf '%s$ %s%s\n' "$dim" "tc filter show dev vm1 ingress" "$reset"
ip netns exec "$SW" tc filter show dev vm1 ingress | grep -E 'match|mirred'

step "The datapath's ports and counters" \
     "The ports' counters include the packets the kernel forwarded for" \
     "offloaded flows."
show dp show br0

if [ $status -eq 0 ]; then
    printf '\n%sAll pings went through br0.%s\n' "$green" "$reset"
fi
exit $status
