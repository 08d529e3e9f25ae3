#!/usr/bin/env bash
# run-bats.sh [FILES...]: run the Bats suite (tests/bats/*.bats) as root,
# against the programs in $SY_BINDIR (default build/bin).
#
# Without FILES it runs every tests/bats/*.bats, the QEMU guests of
# vm-*.bats included (about a minute); SY_VM_TESTS=0 leaves vm-*.bats out.
# Files given explicitly always run. Bats's summary is the closing line.
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
: "${SY_BINDIR:=$srcdir/build/bin}"
export SY_BINDIR

if [ "$(id -u)" -ne 0 ]; then
    echo "run-bats.sh: the tests create network namespaces; run as root" >&2
    exit 1
fi

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    for f in "$srcdir"/tests/bats/*.bats; do
        case $(basename "$f") in
            vm-*) [ "${SY_VM_TESTS:-1}" = 0 ] && continue ;;
        esac
        files+=("$f")
    done
fi

# A test that hangs fails after this many seconds instead of hanging CI.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

if [ -t 1 ]; then
    exec bats --formatter pretty --timing --print-output-on-failure "${files[@]}"
fi

# Not a terminal (CI, logs): TAP, which has no colours or cursor moves,
# closed by the same summary line the pretty formatter prints.
start=$(date +%s)
set +e
bats --formatter tap --timing --print-output-on-failure "${files[@]}" |
    awk -v start="$start" '
        { print; fflush() }
        /^ok / { tests++; if ($0 ~ / # skip/) skipped++ }
        /^not ok / { tests++; failures++ }
        END {
            "date +%s" | getline now
            line = sprintf("%d test%s, %d failure%s", tests, tests == 1 ? "" : "s",
                           failures, failures == 1 ? "" : "s")
            if (skipped) line = line sprintf(", %d skipped", skipped)
            print line sprintf(" in %d seconds", now - start)
        }'
exit "${PIPESTATUS[0]}"
