#!/usr/bin/env bash
# bench/build-tool.sh BUILDDIR MAIN.c [MORE.c...]: compiles one of the
# bench's helper programs into BUILDDIR/bench/MAIN (without .c), with the
# Makefile's own CFLAGS (asked from make, so they cannot drift) and
# -Icmd/flowd. Not in the Makefile: only the bench needs these programs.
#
#   CC=cc
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: bench/build-tool.sh BUILDDIR MAIN.c [MORE.c...]" >&2; exit 2; }
builddir=$1
shift
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRCDIR"
: "${CC:=cc}"

# The Makefile's CFLAGS, as it would pass them (without -MMD and friends).
# shellcheck disable=SC2016 # $(CFLAGS) is for make to expand
cflags=$(make -s --no-print-directory -f Makefile -f - BUILDDIR="$builddir" \
             sy-print-cflags <<<'sy-print-cflags: ; @echo $(CFLAGS)' 2>/dev/null) ||
    cflags="-O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
-Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes -D_GNU_SOURCE -Ilibcommon"

mkdir -p "$builddir/bench"
# shellcheck disable=SC2086 # cflags is a list of words
$CC $cflags -Icmd/flowd -o "$builddir/bench/$(basename "$1" .c)" "$@"
