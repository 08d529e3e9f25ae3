#!/usr/bin/env bash
# bench/run-classifier.sh [SECONDS]: builds and runs bench/classifier.c,
# issue 3's micro-benchmark of flowd's OpenFlow table (10,000 rules over
# 20 masks, a mostly-hot traffic mix with some misses). Prints lookups/s
# and subtables probed per lookup.
#
# Compiled here rather than by the Makefile, with the Makefile's own
# CFLAGS (asked from make, so they cannot drift), from only the sources the
# table needs: cmd/flowd/oftable.c and a few libcommon modules.
#
#   BUILDDIR=build    where the binary goes ($BUILDDIR/bench/classifier)
#   CC=cc
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRCDIR"
: "${BUILDDIR:=build}" "${CC:=cc}"

# The Makefile's CFLAGS, as it would pass them (without -MMD and friends).
# shellcheck disable=SC2016 # $(CFLAGS) is for make to expand
cflags=$(make -s --no-print-directory -f Makefile -f - BUILDDIR="$BUILDDIR" \
             sy-print-cflags <<<'sy-print-cflags: ; @echo $(CFLAGS)' 2>/dev/null) ||
    cflags="-O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
-Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes -D_GNU_SOURCE -Ilibcommon"

srcs=(bench/classifier.c cmd/flowd/oftable.c)
for m in ofmatch of-fields ofpact buf hash hmap util; do
    srcs+=("libcommon/$m.c")
done

mkdir -p "$BUILDDIR/bench"
# shellcheck disable=SC2086 # cflags is a list of words
$CC $cflags -Icmd/flowd -o "$BUILDDIR/bench/classifier" "${srcs[@]}"
exec "$BUILDDIR/bench/classifier" "$@"
