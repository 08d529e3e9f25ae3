#!/usr/bin/env bats
# openflow-errors: bad input over OpenFlow. Garbage streams, truncated and
# malformed messages (written byte by byte with a small Python client,
# /usr/bin/python3, as no OpenFlow client sends them) and refused flows
# that Debian's ovs-ofctl does send: each gets the OpenFlow error it should
# (or the connection closed), and the switch keeps forwarding, keeps its
# flows and keeps answering ovs-ofctl.
#
# OpenFlow error numbers used below (the same in 1.0 and 1.3):
#   type 1 OFPET_BAD_REQUEST: code 0 BAD_VERSION, 1 BAD_TYPE,
#          3 BAD_VENDOR/EXPERIMENTER, 4 BAD_SUBTYPE/EXP_TYPE, 6 BAD_LEN
# and in OpenFlow 1.0: type 3 OFPET_FLOW_MOD_FAILED, code 4 BAD_COMMAND.

load helpers

setup() {
    command -v ovs-ofctl >/dev/null || skip "ovs-ofctl (openvswitch-common) is not installed"
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br0 vm2
    MGMT=unix:$SY_RUNDIR/br0.mgmt
    of_raw_script > "$SY_DIR/of-raw.py"
}

ofc() {
    local v=$1
    shift
    sy_sw ovs-ofctl -O "$v" "$@"
}

# of_raw TARGET OP...: a raw OpenFlow connection to TARGET (unix:PATH or
# tcp:HOST:PORT) from the switch namespace. OPs, in order:
#   hex:HEX      send these bytes
#   random:N     send N bytes of /dev/urandom (os.urandom)
#   zeros:N      send N zero bytes
#   read:SECS    print each message that arrives ("ERROR version=V xid=X
#                type=T code=C", "ECHO_REPLY version=V xid=X", ...) until
#                0.5 s after the last one or SECS; "CLOSED" at end of stream
of_raw() {
    sy_sw /usr/bin/python3 "$SY_DIR/of-raw.py" "$@"
}

of_raw_script() {
    cat <<'PY'
import os, socket, struct, sys, time

NAMES = {0: "HELLO", 1: "ERROR", 2: "ECHO_REQUEST", 3: "ECHO_REPLY",
         6: "FEATURES_REPLY"}

def connect(target):
    if target.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(target[5:])
    else:
        host, port = target[4:].rsplit(":", 1)
        s = socket.create_connection((host, int(port)))
    return s

buf = b""
closed = False

def read(s, wait):
    global buf, closed
    deadline = time.time() + wait
    quiet = None
    while not closed and time.time() < min(deadline, quiet or deadline):
        s.settimeout(max(0.05, min(deadline, quiet or deadline) - time.time()))
        try:
            data = s.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        if not data:
            closed = True
            print("CLOSED")
            break
        buf += data
        while len(buf) >= 8:
            version, type_, length, xid = struct.unpack("!BBHI", buf[:8])
            if length < 8 or len(buf) < length:
                break
            msg, buf = buf[:length], buf[length:]
            line = "%s version=%d xid=%d" % (NAMES.get(type_, "TYPE%d" % type_),
                                             version, xid)
            if type_ == 1 and length >= 12:
                line += " type=%d code=%d" % struct.unpack("!HH", msg[8:12])
            print(line)
            quiet = time.time() + 0.5
    sys.stdout.flush()

s = connect(sys.argv[1])
for op in sys.argv[2:]:
    kind, _, arg = op.partition(":")
    try:
        if kind == "random":
            s.sendall(os.urandom(int(arg)))
        elif kind == "zeros":
            s.sendall(bytes(int(arg)))
        elif kind == "hex":
            s.sendall(bytes.fromhex(arg))
        elif kind == "read":
            read(s, float(arg))
        else:
            sys.exit("of-raw: unknown op " + op)
    except (BrokenPipeError, ConnectionResetError):
        if not closed:
            closed = True
            print("CLOSED")
PY
}

HELLO13=0400000800000001
HELLO10=0100000800000001
ECHO13=0402000800000009

# of_tcp_target: controller=ptcp:PORT:127.0.0.1, print tcp:127.0.0.1:PORT
# once it answers.
of_tcp_target() {
    local port=$((20000 + RANDOM % 20000))
    run portd set-bridge br0 "controller=ptcp:$port:127.0.0.1"
    [ "$status" -eq 0 ] || fail "set-bridge controller=ptcp:$port:127.0.0.1: $output"
    sy_wait_until 15 sy_sw ovs-ofctl -O OpenFlow13 show "tcp:127.0.0.1:$port" ||
        fail "flowd does not answer on tcp:127.0.0.1:$port"
    echo "tcp:127.0.0.1:$port"
}

# switch_is_fine BEFORE: flowd runs, forwards, answers ovs-ofctl in both
# versions, and its flows (--no-stats) are still BEFORE.
switch_is_fine() {
    sy_pid_alive "$(cat "$SY_RUNDIR/flowd.pid")" || fail "flowd died"
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    run ofc OpenFlow10 show "$MGMT"
    assert_success
    assert_output --partial "LOCAL(br0)"
    run ofc OpenFlow13 --no-stats dump-flows "$MGMT"
    assert_success
    [ "$output" = "$1" ] || fail "flows changed: before
$1
after
$output"
}

@test "64 KiB of /dev/urandom on unix: and tcp: is survived, and the connection is closed" {
    local t before i out all_closed=yes
    t=$(of_tcp_target)
    run ofc OpenFlow13 add-flow "$MGMT" "cookie=0x77,priority=50,icmp,actions=NORMAL"
    assert_success
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    before=$(ofc OpenFlow13 --no-stats dump-flows "$MGMT")

    for i in 1 2 3; do
        # Straight in, before any HELLO.
        out=$(of_raw "$MGMT" random:65536 read:3)
        echo "unix: $out"
        grep -q CLOSED <<<"$out" || all_closed=no
        out=$(of_raw "$t" random:65536 read:3)
        echo "tcp: $out"
        grep -q CLOSED <<<"$out" || all_closed=no
        # After a proper HELLO.
        out=$(of_raw "$MGMT" hex:$HELLO13 read:1 random:65536 read:3)
        echo "unix after HELLO: $out"
        grep -q CLOSED <<<"$out" || all_closed=no
    done
    switch_is_fine "$before"
    run ofc OpenFlow13 dump-flows "$t" "icmp"
    assert_output --regexp "cookie=0x77, .*n_packets=[1-9]"

    # Repro: python3 -c 'import os,socket; s=socket.socket(socket.AF_UNIX);
    # s.connect("RUNDIR/br0.mgmt"); s.sendall(os.urandom(65536)); print(s.recv(9999))'
    # then s.recv() again: flowd answers each bogus message with
    # OFPBRC_BAD_VERSION and then waits for the rest of the last one's
    # (random) length; the connection stays open. connmgr.c says a peer that
    # sends garbage is disconnected (Open vSwitch closes it: the first
    # message is not a HELLO).
    if [ $all_closed = no ]; then
        fail "regression: a peer that sends 64 KiB of garbage is answered with BAD_VERSION errors but not disconnected"
    fi
}

@test "a truncated flow_mod gets OFPET_BAD_REQUEST/OFPBRC_BAD_LEN and the connection stays usable" {
    local before
    before=$(ofc OpenFlow13 --no-stats dump-flows "$MGMT")

    # OpenFlow 1.3: a FLOW_MOD of 24 bytes (the fixed part alone is 56).
    run of_raw "$MGMT" hex:$HELLO13 read:1 \
        "hex:040e001800000002$(printf '00%.0s' {1..16})" read:2 \
        hex:$ECHO13 read:2
    echo "$output"
    assert_line "HELLO version=4 xid=0"
    assert_line "ERROR version=4 xid=2 type=1 code=6"
    assert_line "ECHO_REPLY version=4 xid=9"
    refute_output --partial CLOSED

    # OpenFlow 1.0: the same (the fixed part is 72 bytes there).
    run of_raw "$MGMT" hex:$HELLO10 read:1 \
        "hex:010e001800000002$(printf '00%.0s' {1..16})" read:2 \
        hex:0102000800000009 read:2
    echo "$output"
    assert_line "ERROR version=1 xid=2 type=1 code=6"
    assert_line "ECHO_REPLY version=1 xid=9"
    refute_output --partial CLOSED

    # Over-long: a FLOW_MOD that says 65535 bytes of zeros. Whatever the
    # decoder makes of it, it is an error, not a flow.
    run of_raw "$MGMT" hex:$HELLO13 read:1 \
        hex:040effff00000004 zeros:65527 read:3 hex:$ECHO13 read:2
    echo "$output"
    assert_line --regexp "^ERROR version=4 xid=4 type=[0-9]+ code=[0-9]+$"
    assert_line "ECHO_REPLY version=4 xid=9"

    switch_is_fine "$before"
}

@test "a message of the wrong version gets BAD_VERSION, an unknown type BAD_TYPE" {
    local before
    before=$(ofc OpenFlow13 --no-stats dump-flows "$MGMT")
    # An OpenFlow 1.0 ECHO_REQUEST on a connection that negotiated 1.3.
    run of_raw "$MGMT" hex:$HELLO13 read:1 hex:0102000800000003 read:2 hex:$ECHO13 read:2
    echo "$output"
    assert_line "ERROR version=4 xid=3 type=1 code=0"
    assert_line "ECHO_REPLY version=4 xid=9"
    # Message type 200.
    run of_raw "$MGMT" hex:$HELLO13 read:1 hex:04c8000800000005 read:2 hex:$ECHO13 read:2
    echo "$output"
    assert_line "ERROR version=4 xid=5 type=1 code=1"
    assert_line "ECHO_REPLY version=4 xid=9"
    switch_is_fine "$before"
}

# of10_flow_mod XID COMMAND16: an OpenFlow 1.0 FLOW_MOD (hex) matching
# everything, priority 5, no actions (drop), with this 16-bit command.
of10_flow_mod() {
    printf '010e0048%08x003fffff%s%s%s0000000000050000ffffffff0000' \
        "$1" "$(printf '00%.0s' {1..36})" "$(printf '00%.0s' {1..8})" "$2"
}

@test "NXT_FLOW_MOD_TABLE_ID: bad vendor messages and bad OpenFlow 1.0 command bytes get their errors" {
    local nx=0104001800000002 body=0100000000000000
    # Vendor 0x2321 (not Nicira), then Nicira subtype 99, then a message cut
    # after the subtype; then a table in the command's high byte before the
    # extension is on: all refused, the connection stays usable.
    run of_raw "$MGMT" hex:$HELLO10 read:1 \
        hex:${nx}000023210000000f$body read:2 \
        hex:01040018000000030000232000000063$body read:2 \
        hex:0104001000000004000023200000000f read:2 \
        "hex:$(of10_flow_mod 5 0300)" read:2 \
        hex:0102000800000009 read:2
    echo "$output"
    assert_line "ERROR version=1 xid=2 type=1 code=3"
    assert_line "ERROR version=1 xid=3 type=1 code=4"
    assert_line "ERROR version=1 xid=4 type=1 code=6"
    assert_line "ERROR version=1 xid=5 type=3 code=4"
    assert_line "ECHO_REPLY version=1 xid=9"
    refute_output --partial CLOSED

    # With the extension on, the high byte is the table, the low byte must
    # still be a command; a good flow mod lands in table 3.
    run of_raw "$MGMT" hex:$HELLO10 read:1 \
        hex:${nx}000023200000000f$body read:2 \
        "hex:$(of10_flow_mod 6 0309)" read:2 \
        "hex:$(of10_flow_mod 7 0300)" read:2 \
        hex:0102000800000009 read:2
    echo "$output"
    refute_line --regexp "^ERROR version=1 xid=[27] "
    assert_line "ERROR version=1 xid=6 type=3 code=4"
    assert_line "ECHO_REPLY version=1 xid=9"
    run ofc OpenFlow13 --no-stats dump-flows "$MGMT"
    assert_line " table=3, priority=5 actions=drop"

    # The extension is per connection: a new one starts with it off.
    run of_raw "$MGMT" hex:$HELLO10 read:1 "hex:$(of10_flow_mod 8 0400)" read:2
    assert_line "ERROR version=1 xid=8 type=3 code=4"
    run ofc OpenFlow13 --no-stats dump-flows "$MGMT"
    refute_output --partial "table=4"
}

# A header shorter than a header is answered with OFPBRC_BAD_LEN before the
# close; a failed version negotiation leaves the peer time to send its own
# HELLO_FAILED (Open vSwitch's vconn does), so ovs-ofctl reports the
# failed negotiation, not a broken pipe.
@test "a header shorter than a header gets BAD_LEN, then the connection is closed" {
    local before
    before=$(ofc OpenFlow13 --no-stats dump-flows "$MGMT")
    run of_raw "$MGMT" hex:$HELLO13 read:1 hex:0402000400000007 read:3
    echo "$output"
    assert_line CLOSED
    assert_line --regexp "^ERROR version=4 xid=[0-9]+ type=1 code=6"
    switch_is_fine "$before"
}

@test "a HELLO with no common version gets HELLO_FAILED (ovs-ofctl -O OpenFlow14)" {
    local before
    before=$(ofc OpenFlow13 --no-stats dump-flows "$MGMT")
    run ofc OpenFlow14 show "$MGMT"
    echo "$output"
    assert_failure
    assert_output --partial "version negotiation failed"
    switch_is_fine "$before"
}

@test "refused flows that ovs-ofctl sends get the right OpenFlow error and change nothing" {
    local before
    before=$(ofc OpenFlow13 --no-stats dump-flows "$MGMT")

    # Groups and meters do not exist yet: refused, not ignored.
    run ofc OpenFlow13 add-flow "$MGMT" "actions=group:1"
    assert_failure
    assert_output --partial "OFPT_ERROR (OF1.3)"
    assert_output --partial "OFPBAC_BAD_OUT_GROUP"
    run ofc OpenFlow13 add-flow "$MGMT" "priority=5,actions=meter:1,output:1"
    assert_failure
    assert_output --regexp "OFPBIC_UNSUP_INST|OFPMMFC_INVALID_METER"
    # Output to port 0 (no such port in any version).
    run ofc OpenFlow13 add-flow "$MGMT" "actions=output:0"
    assert_failure
    assert_output --partial "OFPBAC_BAD_OUT_PORT"
    run ofc OpenFlow10 add-flow "$MGMT" "actions=output:0"
    assert_failure
    assert_output --partial "OFPT_ERROR (xid="
    assert_output --partial "OFPBAC_BAD_OUT_PORT"
    # Queues are not supported: set_queue and OpenFlow 1.0's enqueue.
    run ofc OpenFlow13 add-flow "$MGMT" "actions=set_queue:1,output:1"
    assert_failure
    assert_output --regexp "OFPBAC_BAD_TYPE|OFPBAC_BAD_QUEUE|OFPBAC_UNSUPPORTED_ORDER"
    run ofc OpenFlow10 add-flow "$MGMT" "actions=enqueue:1:1"
    assert_failure
    assert_output --regexp "OFPBAC_BAD_TYPE|OFPBAC_BAD_QUEUE"
    # A Nicira action flowd does not implement.
    run ofc OpenFlow10 add-flow "$MGMT" "actions=learn(table=1)"
    assert_failure
    assert_output --regexp "OFPBAC_BAD_VENDOR_TYPE|OFPBAC_BAD_EXPERIMENTER"
    run ofc OpenFlow13 add-flow "$MGMT" "actions=learn(table=1)"
    assert_failure
    assert_output --regexp "OFPBAC_BAD_VENDOR_TYPE|OFPBAC_BAD_EXPERIMENTER"

    switch_is_fine "$before"
}
