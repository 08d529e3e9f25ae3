#!/usr/bin/env bats
# kernel-absent: on a machine without the openvswitch module (this one, CI)
# `portd add-br` picks the userspace datapath by itself, and a bridge that
# asks for datapath=kernel gets a message that says why it does not run,
# while the other bridges go on forwarding. (With the module, the QEMU
# guest of kernel-dp.bats runs flowd on the kernel datapath.)

load helpers

setup() {
    [ ! -e /sys/module/openvswitch ] || skip "the openvswitch module is loaded here"
    sy_setup
    sy_start_daemons
}

@test "add-br without datapath= picks user; datapath=kernel says the module is missing" {
    run portd add-br br0
    assert_success
    run portd show br0
    assert_line --partial "datapath: user"

    run --separate-stderr portd add-br kbr datapath=kernel
    [ "$status" -eq 1 ] || fail "add-br datapath=kernel: status $status, expected 1"
    [[ $stderr == *"kbr: datapath=kernel: the openvswitch kernel module is not loaded"* ]] ||
        fail "no reason given: $stderr"
    run flowd reconfigure
    assert_failure
    assert_output --partial "kbr: datapath=kernel: the openvswitch kernel module is not loaded"

    # The bridge that can run still does, and the other one can go.
    run portd del-br kbr
    assert_success
    sy_vm vm1
    sy_vm vm2
    sy_attach br0 vm1
    sy_attach br0 vm2
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
}
