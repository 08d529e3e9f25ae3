#!/usr/bin/env bats
# tunnel-cli: "tunnel add|del|list|show": ports land in portd's
# configuration with ofport numbers, list/show read them back (text and
# JSON), and bad input gets a clear message, exit 1 or 2, and leaves the
# configuration exactly as it was.

load helpers

tunnel() { sy_sw "$SY_BINDIR/tunnel" "$@"; }

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    run portd add-br br1
    assert_success
    # An underlay address of this host, for the "tunnel to ourselves" check.
    sy_vm under 192.0.2.2/24
    ip -n "$SY_NS_SW" addr add 192.0.2.1/24 dev "${SY_VM_PORT[under]}"
}

# expect STATUS CMD...: exits with STATUS, says why on stderr, changes nothing.
expect() {
    local want=$1 sum
    shift
    sum=$(sy_config_sum)
    run --separate-stderr "$@"
    if ! [[ $status =~ ^($want)$ ]]; then
        fail "\"$*\": exit status $status, expected $want; stdout: $output; stderr: $stderr"
    fi
    [ -n "$stderr" ] || fail "\"$*\": exit status $status but no message on stderr"
    echo "$* -> $status: $stderr"
    assert_equal "$(sy_config_sum)" "$sum"
    output=$stderr
}

@test "tunnel add: ports get ofports and show up in list, show and portd show" {
    run tunnel add br0 vx1 type=vxlan remote_ip=192.0.2.10 key=100
    assert_success
    run tunnel add br0 gre1 type=gre remote_ip=192.0.2.11 key=4294967295 csum=true ofport=7
    assert_success
    run tunnel add br0 gnv1 type=geneve remote_ip=192.0.2.12 key=flow dst_port=6082
    assert_success

    run tunnel list
    assert_success
    assert_line "br0 vx1 ofport=1 type=vxlan remote_ip=192.0.2.10 key=100"
    assert_line "br0 gre1 ofport=7 type=gre remote_ip=192.0.2.11 key=4294967295 csum=true"
    assert_line "br0 gnv1 ofport=2 type=geneve remote_ip=192.0.2.12 key=flow dst_port=6082"

    run tunnel -j list br0
    assert_success
    assert_equal "$(jq -r '.tunnels | length' <<<"$output")" 3
    assert_equal "$(jq -r '.tunnels[] | select(.name == "vx1") | .ofport' <<<"$output")" 1
    assert_equal "$(jq -r '.tunnels[] | select(.name == "gre1") | .type' <<<"$output")" gre
    run tunnel list --format=json br1
    assert_success
    assert_equal "$(jq -c '.tunnels' <<<"$output")" "[]"

    run tunnel show br0 vx1
    assert_success
    assert_line "Tunnel vx1 (bridge br0)"
    assert_line "    remote_ip: 192.0.2.10"
    # flowd runs: show has its state and counters.
    assert_line --regexp "^    state: "
    assert_line --regexp "^    tx: [0-9]+ packets"
    run tunnel show -j br0 gre1
    assert_success
    assert_equal "$(jq -r '.tunnels[0].csum' <<<"$output")" true
    assert_equal "$(jq -r '.tunnels[0].statistics.tx_packets' <<<"$output")" 0

    run portd show --format=json
    assert_equal "$(jq -r '.bridges[] | select(.name == "br0") | .ports[] |
                   select(.name == "vx1") | .options.remote_ip' <<<"$output")" 192.0.2.10

    run tunnel del br0 vx1
    assert_success
    run tunnel list
    refute_line --partial "vx1"
    assert_line --partial "gre1"
}

@test "tunnel add: bad input is refused with a clear message and changes nothing" {
    run tunnel add br0 vx1 type=vxlan remote_ip=192.0.2.10 key=5
    assert_success

    expect 2 tunnel add br0 vx2 type=vxlan remote_ip=not-an-address
    assert_output --partial "expected an IPv4 address"
    expect 2 tunnel add br0 vx2 type=vxlan remote_ip=192.0.2.20 key=16777216
    assert_output --partial "0..16777215"
    expect 2 tunnel add br0 vx2 type=gre remote_ip=192.0.2.20 key=4294967296
    expect 2 tunnel add br0 vx2 type=vxlan remote_ip=192.0.2.20 key=-1
    expect 2 tunnel add br0 vx2 type=wireguard remote_ip=192.0.2.20
    expect 2 tunnel add br0 vx2 type=system remote_ip=192.0.2.20
    assert_output --partial "unknown tunnel type"
    expect 2 tunnel add br0 vx2 remote_ip=192.0.2.20
    expect 2 tunnel add br0 vx2 type=vxlan
    assert_output --partial "needs remote_ip"
    expect 2 tunnel add br0 vx2 type=vxlan remote_ip=224.0.0.1
    expect 2 tunnel add br0 vx2 type=gre remote_ip=192.0.2.20 dst_port=4789
    expect 2 tunnel add br0 vx2 type=vxlan remote_ip=192.0.2.20 dst_port=70000
    expect 2 tunnel add br0 vx2 type=vxlan remote_ip=192.0.2.20 ttl=0
    expect 2 tunnel add br0 vx2 type=vxlan remote_ip=192.0.2.20 csum=maybe
    expect 2 tunnel add br0 vx2 type=vxlan remote_ip=192.0.2.20 colour=blue
    expect 2 tunnel add br0 "bad/name" type=vxlan remote_ip=192.0.2.20
    expect 2 tunnel add br0
    # A tunnel to this host's own address.
    expect 1 tunnel add br0 vx2 type=vxlan remote_ip=192.0.2.1
    assert_output --partial "tunnel to ourselves"
    # The same receive side as vx1, on this bridge or another.
    expect 1 tunnel add br0 vx2 type=vxlan remote_ip=192.0.2.10 key=5
    assert_output --partial "already receives"
    expect 1 tunnel add br1 vx2 type=vxlan remote_ip=192.0.2.10 key=flow
    expect 1 tunnel add br0 vx1 type=vxlan remote_ip=192.0.2.30
    expect 1 tunnel add nosuchbr vx2 type=vxlan remote_ip=192.0.2.20
    expect 1 tunnel del br0 nosuchport
    expect 1 tunnel del br0 "${SY_VM_PORT[under]}"
    expect 2 tunnel frobnicate
    expect 2 tunnel --format=yaml list

    # Another key or remote is fine.
    run tunnel add br1 vx2 type=vxlan remote_ip=192.0.2.10 key=6
    assert_success
}

@test "tunnel: a bad tunnel port in a configuration file is refused with FILE:LINE" {
    run tunnel add br0 vx1 type=vxlan remote_ip=192.0.2.10
    assert_success
    echo "key=99999999" >> "$SY_CONFDIR/bridges/br0/ports/vx1"
    run --separate-stderr tunnel list
    assert_failure
    assert_equal "$stderr" "$(printf '%s' "$stderr" | grep -m1 .)"
    [[ $stderr == *"key=99999999"* ]] || fail "stderr: $stderr"
}
