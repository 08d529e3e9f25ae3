#!/usr/bin/env bats
# config-errors: a corrupt file in one bridge's configuration is reported
# with FILE:LINE when portd starts, is left as it was, and does not keep
# the other bridge from coming up and forwarding.
#
#   br0: vm1, vm2 (healthy)      br1: vm3, vm4 (one file gets corrupted)

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
    sy_attach br0 vm2
    sy_vm vm3
    sy_attach br1 vm3
    sy_vm vm4
    sy_attach br1 vm4
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_stop_daemons
}

# corrupt_and_restart FILE TEXT: append the line TEXT to FILE, start both
# daemons, and check that portd reported FILE:LINE, left FILE alone and
# br0 forwards.
corrupt_and_restart() {
    local file=$1 text=$2 line sum
    [ -f "$file" ] || fail "no config file $file"
    printf '%s\n' "$text" >> "$file"
    line=$(wc -l < "$file")
    sum=$(sha256sum < "$file")

    sy_start_daemons
    # portd is still running...
    sy_pid_alive "$(cat "$SY_RUNDIR/portd.pid")"
    # ...said where the error is (on its stderr or in its log)...
    sy_wait_until 5 grep -q -F "$file:$line" "$SY_DIR/portd.out" "$SY_LOGDIR/portd.log" ||
        fail "portd did not report $file:$line; it said: $(cat "$SY_DIR/portd.out" "$SY_LOGDIR/portd.log" 2>/dev/null)"
    # ...did not "repair" or drop the file...
    assert_equal "$(sha256sum < "$file")" "$sum"
    # ...and the healthy bridge forwards.
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_ping_ok vm2 "${SY_VM_IP[vm1]}"
    run portd list-br
    assert_line br0
}

@test "a port file with tag=4095 is reported with file:line; br0 still forwards" {
    corrupt_and_restart "$SY_CONFDIR/bridges/br1/ports/${SY_VM_PORT[vm3]}" "tag=4095"
}

@test "a port file line without '=' is reported with file:line; br0 still forwards" {
    corrupt_and_restart "$SY_CONFDIR/bridges/br1/ports/${SY_VM_PORT[vm4]}" "this line has no equals sign"
}

@test "a bridge file with a bad datapath is reported with file:line; br0 still forwards" {
    corrupt_and_restart "$SY_CONFDIR/bridges/br1/bridge" "datapath=warp-drive"
}

@test "a file corrupted while the daemons run does not stop br0" {
    sy_start_daemons
    printf 'tag=4095\n' >> "$SY_CONFDIR/bridges/br1/ports/${SY_VM_PORT[vm3]}"
    run portd show
    sy_ping_ok vm1 "${SY_VM_IP[vm2]}"
    sy_pid_alive "$(cat "$SY_RUNDIR/portd.pid")"
    sy_pid_alive "$(cat "$SY_RUNDIR/flowd.pid")"
}
