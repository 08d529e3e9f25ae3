#!/usr/bin/env bats
# shell.bats: the interactive shell of ofctl and dp ("ofctl", "ofctl shell
# [BR]", "dp shell [DP]"). A person's terminal is a tmux pane: the test
# types into it with send-keys (TAB included) and reads the screen with
# capture-pane. Without a terminal the shell reads commands from stdin.

load helpers

setup() {
    sy_setup
    command -v tmux >/dev/null || skip "tmux is not installed (make deps)"
    sy_start_daemons
    run portd add-br br0
    assert_success
    run portd add-port br0 "$SY_ID-in" type=internal
    assert_success
    # A server of our own, its socket in the test's directory.
    TMUX_SOCKET=$SY_DIR/tmux.sock
    export HOME=$SY_DIR/home XDG_STATE_HOME=
    mkdir -p "$HOME"
}

teardown() {
    [ -z "${TMUX_SOCKET:-}" ] || tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null || true
    sy_teardown
}

# term_start CMD...: CMD in a new 200x50 terminal, in the switch namespace
# with the test's environment.
term_start() {
    local cmd
    printf -v cmd '%q ' env HOME="$HOME" SY_CONFDIR="$SY_CONFDIR" SY_RUNDIR="$SY_RUNDIR" \
        ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" LSAN_OPTIONS="$LSAN_OPTIONS" \
        ip netns exec "$SY_NS_SW" "$@"
    tmux -S "$TMUX_SOCKET" new-session -d -x 200 -y 50 "$cmd"
}

# term_keys KEY...: type (tmux key names: Tab, Enter, C-u, C-d).
term_keys() {
    tmux -S "$TMUX_SOCKET" send-keys "$@"
}

term_screen() {
    # -N keeps trailing spaces: a completed word is followed by one.
    tmux -S "$TMUX_SOCKET" capture-pane -p -N 2>/dev/null
}

# term_wait TEXT: until the screen shows TEXT (fixed string), at most 20 s.
term_wait() {
    local deadline=$((SECONDS + 20))
    until term_screen | grep -qF -- "$1"; do
        [ $SECONDS -lt $deadline ] || fail "the terminal never showed \"$1\"; it shows:
$(term_screen)"
        sleep 0.1
    done
}

# term_wait_exit: until the program has left (the tmux session ends).
term_wait_exit() {
    local deadline=$((SECONDS + 20))
    while tmux -S "$TMUX_SOCKET" has-session 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || fail "the shell did not exit; the terminal shows:
$(term_screen)"
        sleep 0.1
    done
}

@test "ofctl shell: TAB completes commands, bridges, flow fields and ports; commands run; history is kept" {
    term_start "$SY_BINDIR/ofctl"
    term_wait "ofctl> "

    term_keys "dump-fl" Tab
    term_wait "ofctl> dump-flows "
    term_keys "b" Tab
    term_wait "ofctl> dump-flows br0 "
    term_keys Enter
    term_wait "priority=0 actions=NORMAL"

    # Flow fields complete after a comma; "=" follows, no space.
    term_keys "dump-flows br0 ip,nw_d" Tab
    term_wait "ofctl> dump-flows br0 ip,nw_dst="
    term_keys "10.77.0.1" Enter
    term_wait "ofctl> dump-flows br0 ip,nw_dst=10.77.0.1"

    # Port names of the bridge, for mod-port (the second TAB lists them).
    term_keys "mod-port br0 $SY_ID-" Tab
    term_wait "ofctl> mod-port br0 $SY_ID-in "
    term_keys "d" Tab
    term_wait "mod-port br0 $SY_ID-in down "
    term_keys C-u

    term_keys "bogus" Enter
    term_wait 'command "bogus" is unknown'

    # The history is saved as each line is entered, mode 0600 (libedit
    # writes a space as \040).
    local history=$HOME/.local/state/switchyard/ofctl_history
    [ -f "$history" ] || fail "no history file $history"
    [ "$(stat -c %a "$history")" = 600 ]
    grep -q 'dump-flows\\040br0' "$history" || fail "history: $(cat "$history")"

    term_keys "quit" Enter
    term_wait_exit

    # A new shell has it: up-arrow brings the last command back.
    term_start "$SY_BINDIR/ofctl"
    term_wait "ofctl> "
    term_keys Up
    term_wait "ofctl> quit"
    term_keys C-u C-d
    term_wait_exit
}

@test "ofctl shell BR: commands go to BR by default" {
    term_start "$SY_BINDIR/ofctl" shell br0
    term_wait "ofctl(br0)> "
    term_keys "dump-flows" Enter
    term_wait "priority=0 actions=NORMAL"
    term_keys "show" Enter
    term_wait "$SY_ID-in"
    term_keys "exit" Enter
    term_wait_exit
}

@test "dp shell: completion of commands and ports; EOF leaves" {
    term_start "$SY_BINDIR/dp" shell br0
    term_wait "dp(br0)> "
    term_keys "sh" Tab
    term_wait "dp(br0)> show "
    term_keys Enter
    term_wait "port 1: $SY_ID-in"

    term_keys "del-if br0 $SY_ID" Tab
    term_wait "dp(br0)> del-if br0 $SY_ID-in "
    term_keys C-u "add-flow br0 in_p" Tab
    term_wait "dp(br0)> add-flow br0 in_port("
    term_keys C-u C-d
    term_wait_exit
    grep -q 'show' "$HOME/.local/state/switchyard/dp_history"
}

@test "ofctl and dp shells read commands from stdin without a terminal" {
    run sy_sw sh -c "printf '%s\n' 'dump-flows br0' '# a comment' '' 'show br0' | $SY_BINDIR/ofctl shell"
    assert_success
    assert_output --partial "priority=0 actions=NORMAL"
    assert_output --partial "$SY_ID-in"

    run sy_sw sh -c "echo dump-flows | $SY_BINDIR/ofctl shell br0"
    assert_success
    assert_output --partial "actions=NORMAL"

    run sy_sw sh -c "printf '%s\n' 'show' | $SY_BINDIR/dp shell br0"
    assert_success
    assert_output --partial "port 1: $SY_ID-in"

    # A failing command fails the shell's exit status; later ones still run.
    run sy_sw sh -c "printf '%s\n' 'bogus' 'dump-flows br0' | $SY_BINDIR/ofctl shell"
    assert_failure 2
    assert_output --partial 'command "bogus" is unknown'
    assert_output --partial "actions=NORMAL"

    run sy_sw sh -c "echo \"add-flow br0 'priority=1,actions=drop\" | $SY_BINDIR/ofctl shell"
    assert_failure 2
    assert_output --partial "single quote (') is not closed"

    # Quoted words are one argument.
    run sy_sw sh -c "echo \"add-flow br0 'priority=7, actions=drop'\" | $SY_BINDIR/ofctl shell"
    assert_success
    run sy_sw "$SY_BINDIR/ofctl" dump-flows br0
    assert_output --partial "priority=7 actions=drop"

    # No command and no terminal: usage, as before there was a shell.
    run sy_sw "$SY_BINDIR/ofctl" < /dev/null
    assert_failure 2
    assert_output --partial "usage: ofctl"
    run sy_sw "$SY_BINDIR/dp" < /dev/null
    assert_failure 2
}
