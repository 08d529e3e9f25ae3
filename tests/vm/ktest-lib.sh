# ktest-lib.sh: what the guest's test scripts (kernel-tests.sh,
# kernel-flowd-tests.sh) share: the "SY-KTEST NAME PASS|FAIL" lines that
# tests/bats/kernel-dp.bats reads, and small checks that print them.

# iproute2's ip: busybox's shell would run its own applet for a bare "ip".
ip() {
    /usr/sbin/ip "$@"
}

# result NAME STATUS DETAIL...
result() {
    name=$1 status=$2
    shift 2
    if [ "$status" -eq 0 ]; then
        echo "SY-KTEST $name PASS"
    else
        echo "SY-KTEST $name FAIL $(echo "$*" | tr '\n' ' ' | cut -c1-300)"
    fi
}

# check NAME COMMAND...: PASS if COMMAND succeeds.
check() {
    name=$1
    shift
    out=$("$@" 2>&1)
    result "$name" $? "$out"
}

# expect_grep NAME PATTERN TEXT: PASS if TEXT has a line matching PATTERN.
expect_grep() {
    echo "$3" | grep -Eq -- "$2"
    result "$1" $? "no line matches /$2/ in: $3"
}
