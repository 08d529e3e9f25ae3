#!/usr/bin/env bats
# completions.bats: the bash completions in completions/ and the man pages
# in man/.
#
# A completion is driven the way bash drives it: COMP_WORDS split at blanks
# and at the "=" and ":" of COMP_WORDBREAKS, COMP_CWORD, COMP_LINE and
# COMP_POINT set, then the function "complete -p PROG" names is called and
# COMPREPLY is what the user would be offered. Each case runs twice: with
# the bash-completion package's _init_completion (how a distribution's
# shell runs them) and without it (a bare bash), where they fall back on
# COMP_WORDS. Names come from the running daemons: bridges and ports that
# portd knows in this test's SY_CONFDIR/SY_RUNDIR.

load helpers

export BASH_COMPLETION_LIB=/usr/share/bash-completion/bash_completion

setup() {
    sy_setup
    sy_start_daemons
    sy_vm vm1
    sy_vm vm2
    run portd add-br br0
    assert_success
    run portd add-br br1
    assert_success
    sy_attach br0 vm1
    sy_attach br0 vm2
    run portd add-port br1 "$SY_ID-in" type=internal
    assert_success
    export PATH="$SY_BINDIR:$PATH"
}

# comp_in MODE LINE...: what bash offers for each LINE (the cursor at its
# end), one a line, as the whole words the line would then end in. MODE is
# "lib" (bash-completion loaded) or "bare".
comp_in() {
    local mode=$1
    shift
    [ "$mode" = bare ] || [ -r "$BASH_COMPLETION_LIB" ] ||
        skip "the bash-completion package is not installed (make deps)"
    bash --norc --noprofile -c '
        mode=$1
        shift
        if [ "$mode" = lib ]; then
            . "$BASH_COMPLETION_LIB" || exit 99
        fi
        for f in "$SY_SRCDIR"/completions/*; do
            . "$f" || exit 98
        done
        split_re="^([=:(@]+|[^=:(@]+)(.*)\$" head_re="^(.*[=:(@])"
        for line in "$@"; do
            # COMP_WORDS as bash splits them: at blanks, and the "=", ":",
            # "(" and "@" of COMP_WORDBREAKS are words of their own.
            words=()
            read -ra parts <<< "$line"
            for part in "${parts[@]}"; do
                while [ -n "$part" ]; do
                    [[ $part =~ $split_re ]] || exit 97
                    words+=("${BASH_REMATCH[1]}")
                    part=${BASH_REMATCH[2]}
                done
            done
            [[ $line == *" " || ${#words[@]} -eq 0 ]] && words+=("")
            COMP_WORDS=("${words[@]}")
            COMP_CWORD=$((${#words[@]} - 1))
            COMP_LINE=$line
            COMP_POINT=${#line}
            spec=$(complete -p "${words[0]}" 2>/dev/null) || exit 96
            [[ $spec =~ -F\ ([^ ]+) ]] || exit 95
            COMPREPLY=()
            "${BASH_REMATCH[1]}" "${words[0]}" "${words[COMP_CWORD]}" \
                "${words[COMP_CWORD - 1]}" 2>/dev/null
            # What the user gets: readline replaces the part of the word
            # after its last "=", ":", "(" or "@" with each reply. Print
            # whole words.
            word=${line##*[[:blank:]]}
            head=""
            [[ $word =~ $head_re ]] && head=${BASH_REMATCH[1]}
            for reply in "${COMPREPLY[@]}"; do
                printf "%s\n" "$head$reply"
            done
        done
    ' comp "$mode" "$@"
}

# comp LINE: the same in both modes, which must agree.
comp() {
    local lib bare
    lib=$(comp_in lib "$1") || fail "completing \"$1\" (with bash-completion) failed: $lib"
    bare=$(comp_in bare "$1") || fail "completing \"$1\" (bare bash) failed: $bare"
    [ "$lib" = "$bare" ] || fail "completing \"$1\": bash-completion offers
$lib
but a bare bash offers
$bare"
    printf '%s\n' "$lib"
}

# offers LINE WORD...: completing LINE offers each (whole) WORD.
offers() {
    local line=$1 got word
    shift
    got=$(comp "$line") || fail "$got"
    for word in "$@"; do
        grep -qxF -- "$word" <<<"$got" ||
            fail "completing \"$line\" does not offer \"$word\"; it offers:
$got"
    done
}

# offers_only LINE WORD...: exactly these words, in any order.
offers_only() {
    local line=$1 got want
    shift
    got=$(comp "$line" | sort) || fail "$got"
    want=$(printf '%s\n' "$@" | sort)
    [ "$got" = "$want" ] || fail "completing \"$line\" offers
$got
instead of
$want"
}

# help_commands PROG: the commands PROG --help lists (the first word of
# each indented line of its "Commands:" block, else the a|b|c of its usage).
help_commands() {
    local help
    help=$("$SY_BINDIR/$1" --help 2>&1)
    if grep -q '^Commands:' <<<"$help"; then
        sed -n '/^Commands:/,/^$/{/^  [a-z]/{s/^  \([a-z][a-z0-9-]*\).*/\1/;p}}' <<<"$help"
    else
        sed -n "1s/^usage: $1 \([a-z|-]*\).*/\1/p" <<<"$help" | tr '|' '\n'
    fi
}

# help_options PROG: the long options PROG --help names.
help_options() {
    "$SY_BINDIR/$1" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

# expected_keys WHAT: the keys portd accepts, from its own error message
# for an unknown key ("... (expected a, b, c, or a namespaced key ...)").
expected_keys() {
    sed -n 's/.*(expected \(.*\), or a namespaced key.*/\1/p' | tr -d ' ' | tr ',' '\n'
}

@test "completions: every program has one, and it loads in bash with and without bash-completion" {
    local prog f
    for prog in dp ofctl flowd portd tunnel; do
        [ -f "$SY_SRCDIR/completions/$prog" ] || fail "no completions/$prog"
    done
    for f in "$SY_SRCDIR"/completions/*; do
        bash -n "$f" || fail "$f has a syntax error"
        run comp_in bare "${f##*/} "
        assert_success
        run comp_in lib "${f##*/} "
        assert_success
    done
}

@test "completions offer every command and long option that --help lists" {
    local prog command option got
    for prog in dp ofctl flowd portd tunnel; do
        [ -n "$(help_commands "$prog")" ] || fail "no commands found in $prog --help"
        # shellcheck disable=SC2046
        offers "$prog " $(help_commands "$prog")
        # Global options, and those of each command ("dp show --format=").
        # One mode only: the other test cases compare the two, and every
        # line may run portd, which is slow under the sanitizers.
        local lines=("$prog --")
        for command in $(help_commands "$prog"); do
            lines+=("$prog $command --")
        done
        got=$(comp_in lib "${lines[@]}") || fail "$got"
        for option in $(help_options "$prog"); do
            grep -q -- "^$option" <<<"$got" ||
                fail "\"$prog ... --<TAB>\" never offers $option (from $prog --help); it offers:
$(sort -u <<<"$got")"
        done
    done
}

@test "portd completion: bridges and ports from the running portd, every key portd accepts" {
    offers_only "portd del-br " br0 br1
    offers_only "portd set-port b" br0 br1
    offers_only "portd del-port br0 " "$SY_ID-vm1" "$SY_ID-vm2"
    offers_only "portd set-port br1 " "$SY_ID-in"
    offers_only "portd show br" br0 br1

    # The keys of every port type, and of bridges and mirrors, as portd's
    # own "unknown key" message lists them.
    local type keys all_keys=""
    for type in system internal patch vxlan geneve gre bond; do
        keys=$(portd add-port br0 nosuch type=$type bogus=1 2>&1 | expected_keys)
        [ -n "$keys" ] || fail "no key list from portd for type $type"
        all_keys+=" $keys"
    done
    # shellcheck disable=SC2046
    offers "portd set-port br0 $SY_ID-vm1 " $(printf '%s=\n' $all_keys | sort -u)
    # shellcheck disable=SC2046
    offers "portd add-port br0 x type=vxlan " $(printf '%s=\n' $all_keys | sort -u)
    keys=$(portd set-bridge br0 bogus=1 2>&1 | expected_keys)
    [ -n "$keys" ] || fail "no bridge key list from portd"
    # shellcheck disable=SC2046
    offers "portd set-bridge br0 " $(printf '%s=\n' $keys)
    # shellcheck disable=SC2046
    offers "portd add-br br9 " $(printf '%s=\n' $keys)
    keys=$(portd add-mirror br0 m bogus=1 2>&1 | expected_keys)
    [ -n "$keys" ] || fail "no mirror key list from portd"
    for key in $keys; do
        comp "portd add-mirror br0 m " | grep -q "^$key=" ||
            fail "portd add-mirror does not offer $key="
    done

    # Values of keys with a fixed set, and port names as values.
    offers_only "portd set-port br0 $SY_ID-vm1 vlan_mode=" vlan_mode=access vlan_mode=trunk \
        vlan_mode=native-tagged vlan_mode=native-untagged
    offers "portd add-br br9 datapath=" datapath=user datapath=kernel
    offers_only "portd set-bridge br0 fail-mode=s" fail-mode=standalone fail-mode=secure
    offers "portd add-port br0 x type=" type=system type=internal type=patch type=vxlan type=bond
    offers "portd add-mirror br0 m select-src=" "select-src=$SY_ID-vm1" "select-src=$SY_ID-vm2"
    offers "portd --format=" --format=json
}

@test "ofctl completion: switches, ports, flow fields and actions" {
    offers "ofctl " add-flow dump-flows shell
    offers "ofctl dump-flows " br0 br1
    offers "ofctl -O " OpenFlow13
    offers "ofctl dump-flows br0 ip,nw_d" "ip,nw_dst="
    offers "ofctl add-flow br0 " "priority=" "in_port=" "dl_vlan=" "tcp" "actions="
    offers "ofctl add-flow br0 tcp,tp_dst=80,actions=out" "tcp,tp_dst=80,actions=output:"
    offers "ofctl mod-port br0 " "$SY_ID-vm1" "$SY_ID-vm2" LOCAL
    offers "ofctl dump-ports br1 " "$SY_ID-in"
    offers_only "ofctl mod-port br0 $SY_ID-vm1 d" down
    offers "ofctl shell " br0 br1
}

@test "dp completion: datapaths, their ports, options" {
    offers "dp " show dump-flows add-if shell
    offers "dp show " br0 br1
    offers "dp dump-flows br0 --format=" --format=json --format=text
    offers "dp --datapath=" --datapath=kernel --datapath=user
    offers "dp del-if br0 " "$SY_ID-vm1" "$SY_ID-vm2"
    offers "dp add-flow br0 " "in_port(" "eth(" "eth_type(" "ipv4("
    offers "dp shell " br0 br1
}

@test "flowd and tunnel completion: bridges and keys" {
    offers "flowd " run fdb-show trace
    offers_only "flowd fdb-show " br0 br1
    offers "flowd fdb-show br0 --format=" --format=json --format=text
    offers "flowd trace br1 " "in_port(" "eth("
    offers "tunnel " add del list
    offers "tunnel add " br0 br1
    offers "tunnel add br0 vx0 " "type=" "remote_ip="
    offers "tunnel add br0 vx0 type=" type=vxlan type=geneve type=gre
}

@test "man pages: every program has one, and man --warnings finds nothing to say" {
    local prog page out
    for prog in dp ofctl flowd portd tunnel ifup-ovs; do
        [ -f "$SY_SRCDIR/man/$prog.8" ] || fail "no man/$prog.8"
    done
    [ -f "$SY_SRCDIR/man/switchyard-flows.7" ] || fail "no man page for the flow syntax"
    [ -f "$SY_SRCDIR/man/switchyard.conf.5" ] || fail "no man page for the configuration files"
    for page in "$SY_SRCDIR"/man/*.[1-8]; do
        out=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
        [ -z "$out" ] || fail "man --warnings -l ${page##*/}:
$out"
        # It renders, with a NAME section.
        MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q '^NAME' || fail "${page##*/} has no NAME"
    done
}
