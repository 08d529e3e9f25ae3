#!/usr/bin/env bash
# run-unit.sh DIR: run every test-* binary in DIR (built from
# tests/unit/test-*.c), show what each printed, and close with the sum of
# their "N passed, N failed" lines. A binary that dies before printing its
# count (a crash, a sanitizer report) counts as one failure. Exits non-zero
# if anything failed.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1

passed=0 failed=0 binaries=0
for test in "$dir"/test-*; do
    [ -f "$test" ] && [ -x "$test" ] || continue
    binaries=$((binaries + 1))
    name=$(basename "$test")
    echo "== $name"
    out=$(mktemp)
    "$test" > "$out" 2>&1
    status=$?
    cat "$out"
    counts=$(sed -nE 's/^(.*: )?([0-9]+) passed, ([0-9]+) failed.*$/\2 \3/p' "$out" | tail -n 1)
    rm -f "$out"
    if [ -n "$counts" ]; then
        set -- $counts
        passed=$((passed + $1))
        failed=$((failed + $2))
        if [ "$status" -ne 0 ] && [ "$2" -eq 0 ]; then
            echo "$name: exit status $status although no test failed"
            failed=$((failed + 1))
        fi
    else
        echo "$name: exit status $status without a \"N passed, N failed\" line"
        failed=$((failed + 1))
    fi
done

[ "$binaries" -gt 0 ] || echo "run-unit.sh: no test-* binaries in $dir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
