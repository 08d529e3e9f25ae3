#!/usr/bin/env bats
# security: who may program the switch. The unix sockets are root's
# (mode 0600), a client of another user is refused even when the file
# mode lets it through (SO_PEERCRED), SY_GROUP opens them to one group,
# nothing listens on TCP unless configured, and TLS controller connections
# authenticate both ends against the CA, refusing expired and foreign
# certificates and TLS older than 1.2. Certificates are made here with
# openssl req/x509/ca; openssl s_client and s_server are the peers.

load helpers

setup() {
    sy_setup
    command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
    id nobody >/dev/null 2>&1 || skip "no user nobody"
}

ofctl() { sy_sw "$SY_BINDIR/ofctl" "$@"; }

# as_nobody CMD...: CMD in the switch namespace as user nobody, no groups
# (extra setpriv options before CMD, e.g. --groups=N, replace that).
as_nobody() {
    local groups=--clear-groups
    if [[ ${1:-} == --groups=* ]]; then
        groups=$1
        shift
    fi
    sy_sw setpriv --reuid=nobody --regid="$(id -g nobody)" "$groups" -- "$@"
}

# open_path: let other users reach the sockets in SY_RUNDIR through the
# test's directories (the sockets' own modes still apply).
open_path() {
    local d=$SY_RUNDIR
    while [ "$d" != / ]; do
        chmod o+x "$d"
        d=$(dirname "$d")
    done
}

daemon_logs() {
    cat "$SY_LOGDIR"/*.log "$SY_DIR"/*.out 2>/dev/null
}

@test "the sockets in RUNDIR are root's, mode 0600, and nobody cannot use them" {
    local sock
    sy_start_daemons
    run portd add-br br0
    assert_success
    for sock in flowd.ctl portd.ctl br0.mgmt; do
        run stat -c '%a %U' "$SY_RUNDIR/$sock"
        echo "$sock: $output"
        assert_output "600 root"
    done
    open_path
    run as_nobody "$SY_BINDIR/portd" list-br
    assert_failure
    echo "$output"
    assert_output --partial "ermission denied"
    run as_nobody "$SY_BINDIR/ofctl" show br0
    assert_failure
    # root still can.
    run portd list-br
    assert_output br0
}

@test "SO_PEERCRED: a client of another user is refused even through a mode 0666 socket" {
    local sock
    sy_start_daemons
    run portd add-br br0
    assert_success
    open_path
    for sock in flowd.ctl portd.ctl br0.mgmt; do
        chmod 0666 "$SY_RUNDIR/$sock"
    done
    run as_nobody "$SY_BINDIR/portd" add-br evil
    assert_failure
    echo "$output"
    assert_output --partial "permission denied"
    run as_nobody "$SY_BINDIR/flowd" fdb-show br0
    assert_failure
    assert_output --partial "permission denied"
    run as_nobody "$SY_BINDIR/ofctl" --timeout=5 add-flow br0 "priority=9,actions=drop"
    assert_failure
    echo "$output"

    # Nothing changed, and the daemons said whom they refused.
    run portd list-br
    assert_output br0
    run ofctl dump-flows br0
    refute_output --partial "priority=9"
    daemon_logs | grep -E 'refused .*client of another user \(uid [0-9]+' | tail -n 3
    daemon_logs | grep -q 'portd.ctl: refused a client of another user (uid ' ||
        fail "portd did not log the refused client"
    daemon_logs | grep -q 'br0.mgmt: refused an OpenFlow client of another user (uid ' ||
        fail "flowd did not log the refused OpenFlow client"
}

@test "SY_GROUP gives the sockets to a group, mode 0660, and lets its members in" {
    local gid=4242
    export SY_GROUP=$gid
    sy_start_daemons
    run portd add-br br0
    assert_success
    run stat -c '%a %g' "$SY_RUNDIR/portd.ctl" "$SY_RUNDIR/br0.mgmt"
    assert_line "660 $gid"
    open_path
    run as_nobody --groups=$gid "$SY_BINDIR/portd" list-br
    assert_success
    assert_output br0
    run as_nobody --groups=$gid "$SY_BINDIR/ofctl" show br0
    assert_success
    # Not in the group: the file mode keeps it out.
    run as_nobody "$SY_BINDIR/portd" list-br
    assert_failure
}

@test "nothing listens on TCP unless a passive controller is configured" {
    local port=$((20000 + RANDOM % 20000))
    sy_start_daemons
    run portd add-br br0
    assert_success
    run sy_sw ss -Hltn
    assert_output ""
    run portd set-bridge br0 "controller=ptcp:$port:127.0.0.1"
    assert_success
    sy_wait_until 10 eval 'sy_sw ss -Hltn | grep -q "127.0.0.1:$port"' ||
        fail "no listener on $port: $(sy_sw ss -Hltn)"
    run portd set-bridge br0 "controller="
    assert_success
    sy_wait_until 10 eval '[ -z "$(sy_sw ss -Hltn)" ]' ||
        fail "still listening: $(sy_sw ss -Hltn)"
}

# ---- TLS ----------------------------------------------------------------------

# pki: under $SY_DIR/pki a CA "ca" and a foreign CA "other"; certificates
# switch, client, controller (signed by ca), stranger (by other) and
# expired (by ca, valid only in January 2020).
pki() {
    local d=$SY_DIR/pki ca name
    mkdir -p "$d/db"
    for ca in ca other; do
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/$ca.key" -out "$d/$ca.pem" \
            -days 2 -subj "/CN=$ca" >/dev/null 2>&1 || fail "openssl: no CA $ca"
    done
    for name in switch:ca client:ca controller:ca stranger:other; do
        openssl req -newkey rsa:2048 -nodes -keyout "$d/${name%:*}.key" -out "$d/${name%:*}.csr" \
            -subj "/CN=${name%:*}" >/dev/null 2>&1
        openssl x509 -req -in "$d/${name%:*}.csr" -CA "$d/${name#*:}.pem" \
            -CAkey "$d/${name#*:}.key" -CAcreateserial -out "$d/${name%:*}.pem" -days 2 \
            >/dev/null 2>&1 || fail "openssl: no certificate ${name%:*}"
    done
    # openssl x509 cannot backdate; openssl ca can.
    touch "$d/db/index.txt"
    echo 01 > "$d/db/serial"
    printf '[ca]\ndefault_ca=d\n[d]\ndir=%s\ndatabase=$dir/index.txt\nnew_certs_dir=$dir\nserial=$dir/serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n' \
        "$d/db" > "$d/ca.cnf"
    openssl req -newkey rsa:2048 -nodes -keyout "$d/expired.key" -out "$d/expired.csr" \
        -subj "/CN=expired" >/dev/null 2>&1
    openssl ca -batch -config "$d/ca.cnf" -cert "$d/ca.pem" -keyfile "$d/ca.key" \
        -in "$d/expired.csr" -out "$d/expired.pem" -notext \
        -startdate 20200101000000Z -enddate 20200102000000Z >/dev/null 2>&1 ||
        fail "openssl ca: no expired certificate"
}

# tls_bridge TARGET: br0 with the switch's key, certificate and CA, and
# controller=TARGET.
tls_bridge() {
    local d=$SY_DIR/pki
    sy_start_daemons
    run portd add-br br0 "ssl-private-key=$d/switch.key" "ssl-certificate=$d/switch.pem" \
        "ssl-ca-cert=$d/ca.pem" "controller=$1"
    assert_success
}

# s_client NAME [OPTIONS...]: openssl s_client to the pssl listener with
# certificate NAME ("none": no certificate), trusting ca; prints what
# happened. TLS 1.2 unless OPTIONS say otherwise: there the server's
# verdict on the client's certificate is part of the handshake.
s_client() {
    local d=$SY_DIR/pki name=$1 cert=()
    shift
    [ "$name" = none ] || cert=(-cert "$d/$name.pem" -key "$d/$name.key")
    sy_sw timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$d/ca.pem" \
        "${cert[@]}" "${@:--tls1_2}" < /dev/null 2>&1
}

@test "pssl: a client with a certificate from the CA gets in; none, expired, foreign CA or TLS 1.1 do not" {
    command -v openssl >/dev/null || skip "no openssl"
    local d=$SY_DIR/pki
    PORT=$((20000 + RANDOM % 20000))
    pki
    tls_bridge "pssl:$PORT:127.0.0.1"
    sy_wait_until 10 eval 'sy_sw ss -Hltn | grep -q "127.0.0.1:$PORT"' || fail "no pssl listener"

    # The real client, and openssl with a good certificate.
    run ofctl --private-key="$d/client.key" --certificate="$d/client.pem" \
        --ca-cert="$d/ca.pem" show "ssl:127.0.0.1:$PORT"
    assert_success
    run s_client client
    echo "$output" | grep -E 'Verify return code|alert|Protocol' | head -n 5
    assert_output --partial "Verify return code: 0 (ok)"
    refute_output --partial "alert"

    run s_client none
    echo "good CA, no certificate: $(grep -m1 -E 'alert|error' <<<"$output")"
    assert_output --regexp "alert (handshake failure|certificate required)"
    run s_client expired
    echo "expired: $(grep -m1 -E 'alert|error' <<<"$output")"
    assert_output --partial "alert certificate expired"
    run s_client stranger
    echo "foreign CA: $(grep -m1 -E 'alert|error' <<<"$output")"
    assert_output --partial "alert unknown ca"
    # A client that offers only TLS 1.1 (allowed on its side with
    # SECLEVEL=0): the switch refuses the protocol version.
    run s_client client -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
    echo "TLS 1.1: $(grep -m1 -E 'alert|error' <<<"$output")"
    assert_output --regexp "alert protocol version|unsupported protocol|wrong version"
    sy_pid_alive "$(cat "$SY_RUNDIR/flowd.pid")" || fail "flowd died"
}

# s_server CERT [OPTIONS...]: openssl s_server as the controller on $PORT
# with certificate CERT, requiring flowd's certificate (-Verify); its output
# goes to $SY_DIR/s_server.out. -www: it serves until killed instead of
# reading stdin.
s_server() {
    local d=$SY_DIR/pki cert=$1
    shift
    : > "$SY_DIR/s_server.out"
    # Started directly, so that $! is openssl's own PID (ip netns exec execs).
    ip netns exec "$SY_NS_SW" openssl s_server -accept "127.0.0.1:$PORT" -www \
        -cert "$d/$cert.pem" -key "$d/$cert.key" -CAfile "$d/ca.pem" -Verify 1 "$@" \
        > "$SY_DIR/s_server.out" 2>&1 < /dev/null 3>&- &
    S_SERVER=$!
    sy_track_pid "$S_SERVER"
    sy_wait_until 10 eval 'sy_sw ss -Hltn | grep -q "127.0.0.1:$PORT"' ||
        fail "s_server did not start: $(cat "$SY_DIR/s_server.out")"
}

s_server_stop() {
    sy_kill_pid "$S_SERVER"
    sy_wait_until 10 eval '! sy_sw ss -Hltn | grep -q "127.0.0.1:$PORT"'
}

s_server_saw() {
    grep -a -qE "$1" "$SY_DIR/s_server.out"
}

@test "ssl: flowd authenticates its controller: good certificate yes, expired, foreign CA or TLS 1.1 no" {
    command -v openssl >/dev/null || skip "no openssl"
    PORT=$((20000 + RANDOM % 20000))
    pki

    # A controller with a certificate from the CA: the handshake completes
    # both ways (s_server verified flowd's certificate too).
    s_server controller
    tls_bridge "ssl:127.0.0.1:$PORT"
    sy_wait_until 20 s_server_saw "CN = switch" ||
        fail "s_server never saw flowd's certificate: $(cat "$SY_DIR/s_server.out")"
    sleep 1
    grep -a -E 'depth|verify|alert' "$SY_DIR/s_server.out" | head -n 4
    ! s_server_saw "alert|ERROR" || fail "a good controller was refused: $(cat "$SY_DIR/s_server.out")"
    s_server_stop

    # Each bad controller in turn; flowd retries with backoff, so wait.
    local cert
    for cert in expired stranger; do
        s_server "$cert"
        sy_wait_until 30 s_server_saw "alert (certificate expired|unknown ca|bad certificate)" ||
            fail "flowd did not refuse controller $cert: $(cat "$SY_DIR/s_server.out")"
        echo "$cert: $(grep -a -m1 -oE 'alert [a-z ]+' "$SY_DIR/s_server.out")"
        s_server_stop
    done
    s_server controller -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
    sy_wait_until 30 s_server_saw "alert protocol version|unsupported protocol|no protocols|version too low" ||
        fail "flowd did not refuse TLS 1.1: $(cat "$SY_DIR/s_server.out")"
    echo "TLS 1.1: $(grep -a -m1 -oE '[a-z ]*(protocol|version)[a-z ]*' "$SY_DIR/s_server.out")"
    ! s_server_saw "CN = switch" || fail "flowd completed a TLS 1.1 handshake"
    s_server_stop
    sy_pid_alive "$(cat "$SY_RUNDIR/flowd.pid")" || fail "flowd died"
}
