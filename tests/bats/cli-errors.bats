#!/usr/bin/env bats
# cli-errors: bad input to every command gets exit status 1 (the operation
# failed) or 2 (bad usage), a message on stderr, and leaves the
# configuration exactly as it was.

load helpers

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    run portd add-br br1
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br0 vm2 tag=10
    # A device that exists but is on no bridge yet.
    sy_vm vm3
    SUM=$(sy_config_sum)
}

# expect STATUS COMMAND ARGS...: COMMAND exits with STATUS (1, 2, or "1|2"
# when either is fair), says why on stderr, and the configuration is
# unchanged.
expect() {
    local want=$1
    shift
    run --separate-stderr "$@"
    if ! [[ $status =~ ^($want)$ ]]; then
        fail "\"$*\": exit status $status, expected $want; stdout: $output; stderr: $stderr"
    fi
    [ -n "$stderr" ] || fail "\"$*\": exit status $status but no message on stderr"
    echo "$* -> $status: $stderr"
    assert_equal "$(sy_config_sum)" "$SUM"
}

@test "portd: unknown bridge" {
    expect 1 portd add-port nosuchbr "${SY_VM_PORT[vm3]}"
    expect 1 portd del-port nosuchbr "${SY_VM_PORT[vm1]}"
    expect 1 portd del-br nosuchbr
    expect 1 portd list-ports nosuchbr
    expect 1 portd show nosuchbr
}

@test "portd: a port already on a bridge, a bridge that exists" {
    expect 1 portd add-port br1 "${SY_VM_PORT[vm1]}"
    expect 1 portd add-port br0 "${SY_VM_PORT[vm1]}"
    expect 1 portd add-br br0
}

@test "portd: a device that does not exist, a port that is not there" {
    expect 1 portd add-port br0 no-such-dev0
    expect 1 portd del-port br0 "${SY_VM_PORT[vm3]}"
    expect 1 portd del-port br1 "${SY_VM_PORT[vm1]}"
}

@test "portd: bad VLANs" {
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" tag=4095
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" tag=4096
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" tag=-1
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" tag=ten
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" trunks=10,4095
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" trunks=10,,20
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" trunks=a,b
}

@test "portd: malformed key=value" {
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" tag
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" =10
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" tag=
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" no-such-key=1
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" type=warp-drive
    expect "1|2" portd add-br br2 datapath=warp-drive
    expect "1|2" portd add-br br2 fail-mode=sometimes
    expect "1|2" portd add-br br2 datapath
}

@test "portd: bad bridge and port names" {
    expect "1|2" portd add-br ""
    expect "1|2" portd add-br ../escape
    expect "1|2" portd add-br br/0
    expect "1|2" portd add-br this-name-is-far-too-long-for-linux
    expect "1|2" portd add-port br0 ../../etc
}

@test "portd: unknown command, missing and extra arguments" {
    expect 2 portd frobnicate
    expect 2 portd add-br
    expect 2 portd del-br
    expect 2 portd add-port
    expect 2 portd add-port br0
    expect 2 portd del-port br0
    expect 2 portd list-ports
    expect 2 portd del-br br0 extra
    expect 2 portd --no-such-option show
}

@test "flowd: unknown bridge, unknown command, missing arguments" {
    expect 1 flowd fdb-show nosuchbr
    expect 2 flowd fdb-show
    expect 2 flowd frobnicate
    expect 2 flowd --no-such-option fdb-show br0
}

@test "dp: unknown datapath, unknown command" {
    expect 1 dp show nosuchbr
    expect 1 dp dump-flows nosuchbr
    expect 2 dp frobnicate
    expect 2 dp --no-such-option show
}

@test "with the daemons stopped, bad input still changes nothing" {
    sy_stop_daemons
    expect 1 portd add-port nosuchbr "${SY_VM_PORT[vm3]}"
    expect 1 portd add-port br1 "${SY_VM_PORT[vm1]}"
    expect 1 portd add-br br0
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" tag=4095
    expect "1|2" portd add-port br0 "${SY_VM_PORT[vm3]}" tag
    expect 2 portd frobnicate
    expect 2 portd add-port br0
}

@test "the good commands still work after all that" {
    run portd add-port br0 "${SY_VM_PORT[vm3]}" tag=10
    assert_success
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"
    run portd del-port br0 "${SY_VM_PORT[vm3]}"
    assert_success
    run portd del-br br1
    assert_success
    run portd list-br
    assert_output br0
}
