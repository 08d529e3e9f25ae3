#!/usr/bin/env bash
# bench/run-classifier.sh [SECONDS]: builds and runs bench/classifier.c,
# issue 3's micro-benchmark of flowd's OpenFlow table (10,000 rules over
# 20 masks, a mostly-hot traffic mix with some misses). Prints lookups/s
# and subtables probed per lookup.
#
# Compiled by bench/build-tool.sh with the Makefile's own CFLAGS, from only
# the sources the table needs: cmd/flowd/oftable.c and a few libcommon
# modules.
#
#   BUILDDIR=build    where the binary goes ($BUILDDIR/bench/classifier)
#   CC=cc
set -euo pipefail

SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRCDIR"
: "${BUILDDIR:=build}"

srcs=(bench/classifier.c cmd/flowd/oftable.c)
for m in ofmatch of-fields ofpact buf hash hmap util; do
    srcs+=("libcommon/$m.c")
done

bench/build-tool.sh "$BUILDDIR" "${srcs[@]}"
exec "$BUILDDIR/bench/classifier" "$@"
