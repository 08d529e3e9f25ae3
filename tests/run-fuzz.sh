#!/usr/bin/env bash
# run-fuzz.sh: run the libFuzzer targets (DIR/fuzz-*, from tests/fuzz/).
#
#   run-fuzz.sh regress DIR          replay each target's corpus
#                                    (tests/fuzz/corpus/NAME/, NAME with or
#                                    without the fuzz- prefix) once, no
#                                    mutation; fail on any crash
#   run-fuzz.sh explore DIR SECONDS  fuzz each target for SECONDS, new inputs
#                                    go to a scratch corpus; print executions
#                                    and crashes per target; crash inputs are
#                                    kept as crash-* in the current directory
set -uo pipefail

usage() { echo "usage: $0 regress DIR | explore DIR SECONDS" >&2; exit 2; }
[ $# -ge 2 ] || usage
mode=$1 dir=$2
srcdir=$(cd "$(dirname "$0")/.." && pwd)
case $mode in
    regress) [ $# -eq 2 ] || usage ;;
    explore) [ $# -eq 3 ] || usage; seconds=$3 ;;
    *) usage ;;
esac

corpus_of() {
    local name=$1 c
    for c in "$srcdir/tests/fuzz/corpus/$name" "$srcdir/tests/fuzz/corpus/${name#fuzz-}"; do
        [ -d "$c" ] && { echo "$c"; return; }
    done
}

passed=0 failed=0
for target in "$dir"/fuzz-*; do
    [ -f "$target" ] && [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus=$(corpus_of "$name")
    log=$(mktemp)
    case $mode in
    regress)
        if [ -n "$corpus" ]; then
            count=$(find "$corpus" -type f | wc -l)
            "$target" -runs=0 "$corpus" > "$log" 2>&1
        else
            # No corpus yet: a short, seeded run still checks the target
            # starts and survives simple inputs.
            count="no corpus; 200 generated"
            empty=$(mktemp -d)
            "$target" -runs=200 -seed=1 "$empty" > "$log" 2>&1
            rm -rf "$empty"
        fi
        status=$?
        if [ $status -eq 0 ]; then
            echo "$name: ok ($count inputs)"
            passed=$((passed + 1))
        else
            echo "$name: FAILED (exit $status) replaying $count inputs:"
            tail -n 60 "$log"
            failed=$((failed + 1))
        fi
        ;;
    explore)
        work=$(mktemp -d)
        "$target" -max_total_time="$seconds" -print_final_stats=1 \
            -artifact_prefix="$PWD/$name-" "$work" ${corpus:+"$corpus"} > "$log" 2>&1
        status=$?
        execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
        found=$(find "$work" -type f | wc -l)
        rm -rf "$work"
        if [ $status -eq 0 ]; then
            echo "$name: ${execs:-?} executions, 0 crashes, $found new corpus inputs"
            passed=$((passed + 1))
        else
            echo "$name: ${execs:-?} executions, 1 crash (exit $status):"
            grep -E 'ERROR|SUMMARY|artifact|Test unit written' "$log" | head -n 20
            failed=$((failed + 1))
        fi
        ;;
    esac
    rm -f "$log"
done

[ $((passed + failed)) -gt 0 ] || echo "run-fuzz.sh: no fuzz-* targets in $dir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
