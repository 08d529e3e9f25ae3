#!/usr/bin/env bats
# l2-restart: the configuration outlives the daemons. Stop flowd and
# portd, start them again: the bridge and its ports come back as they
# were and the VMs ping again.

load helpers

setup() {
    sy_setup
    sy_start_daemons
    run portd add-br br0
    assert_success
    sy_vm vm1
    sy_attach br0 vm1
    sy_vm vm2
    sy_attach br0 vm2 tag=10
    sy_vm vm3
    sy_attach br0 vm3 tag=10
}

@test "after a restart of both daemons ping works and portd show is unchanged" {
    local before before_json
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"
    run portd show
    assert_success
    before=$output
    run portd show --format=json
    assert_success
    before_json=$output
    echo "$before_json" | jq -e . >/dev/null

    sy_stop_daemons || fail "a daemon had to be killed with SIGKILL"
    [ ! -e "$SY_RUNDIR/flowd.pid" ] && [ ! -e "$SY_RUNDIR/portd.pid" ]

    sy_start_daemons
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"
    sy_ping_ok vm3 "${SY_VM_IP[vm2]}"

    run portd show
    assert_success
    assert_equal "$output" "$before"
    run portd show --format=json
    assert_equal "$output" "$before_json"
    run portd list-ports br0
    assert_success
    assert_line "${SY_VM_PORT[vm1]}"
    assert_line "${SY_VM_PORT[vm2]}"
    assert_line "${SY_VM_PORT[vm3]}"

    # The VLAN config came back too: vm1 (untagged) stays apart.
    run sy_ns_exec vm1 ping -n -c 2 -i 0.3 -W 1 "${SY_VM_IP[vm2]}"
    assert_failure
}

@test "portd started before flowd: the bridge still comes back" {
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"
    sy_stop_daemons
    sy_start_daemon portd
    sy_start_daemon flowd
    sy_ping_ok vm2 "${SY_VM_IP[vm3]}"
}
