# switchyard: one top-level GNU Makefile.
#
#   make            build every program into build/bin/
#   make check      install test deps, build with ASan+UBSan, run unit tests,
#                   fuzz-corpus regressions and the Bats suite
#   make fuzz       run each libFuzzer target FUZZ_SECONDS (60) and count crashes
#   make soak       SOAK_SECONDS (600) of traffic and churn under ASan: RSS, errors
#   make demo       a bridge between three namespaces, step by step
#   make deps       apt-get the Debian packages the build and tests need
#   make install    PREFIX=/usr/local DESTDIR= (and make uninstall; see below)
#   make dist       build/switchyard-$(VERSION).tar.gz of HEAD, for switchyard.spec
#
# Sources are found by layout, so adding a file needs no Makefile edit:
#   libcommon/*.c          -> $(BUILDDIR)/libcommon.a
#   cmd/PROG/*.c           -> $(BUILDDIR)/bin/PROG
#   tests/unit/test-*.c    -> $(BUILDDIR)/tests/test-*   (each links libcommon;
#                             test-flowd-* also links flowd's modules)
#   tests/fuzz/fuzz-*.c    -> $(BUILDDIR)/fuzz/fuzz-*    (clang libFuzzer)

VERSION    := 0.1.0
PROGRAMS   := dp ofctl flowd portd tunnel
BUILDDIR   ?= build
SANITIZE   ?= 0

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
LIBEXECDIR ?= $(PREFIX)/libexec/switchyard
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
LOGROTATEDIR ?= $(SYSCONFDIR)/logrotate.d
# Where Fedora/RHEL network-scripts' ifup looks for ifup-$DEVICETYPE.
NETWORK_SCRIPTS_DIR ?= $(SYSCONFDIR)/sysconfig/network-scripts

CC         ?= cc
PKGS       := libnl-3.0 libnl-genl-3.0 libnl-route-3.0 openssl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libedit, for the interactive shell (libcommon/shell.c), is linked only
# into the programs that have one; sources include <editline/readline.h>.
EDIT_LIBS  := $(shell pkg-config --libs libedit 2>/dev/null || echo -ledit)
SHELL_PROGRAMS := ofctl dp

CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
              -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes \
              -D_GNU_SOURCE -DSY_VERSION='"$(VERSION)"' -Ilibcommon $(PKG_CFLAGS)
LDLIBS     += $(PKG_LIBS) -lpthread

ifeq ($(SANITIZE),1)
CFLAGS     += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS    += -fsanitize=address,undefined
endif

LIB_SRCS   := $(sort $(wildcard libcommon/*.c))
LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILDDIR)/obj/%.o)
LIB        := $(BUILDDIR)/libcommon.a
BINS       := $(PROGRAMS:%=$(BUILDDIR)/bin/%)
UNIT_SRCS  := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILDDIR)/tests/%)
FUZZ_SRCS  := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILDDIR)/fuzz/%)

.PHONY: all unit fuzz-build check check-unit check-fuzz check-bats check-vm \
        deps deps-build deps-test demo install clean fuzz bench
.PHONY: uninstall dist

all: $(BINS)

$(BUILDDIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

define program_rule
$(1)_OBJS := $$(patsubst %.c,$$(BUILDDIR)/obj/%.o,$$(sort $$(wildcard cmd/$(1)/*.c)))
$$(BUILDDIR)/bin/$(1): $$($(1)_OBJS) $$(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$($(1)_OBJS) $$(LIB) $$(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rule,$(p))))
$(SHELL_PROGRAMS:%=$(BUILDDIR)/bin/%): LDLIBS += $(EDIT_LIBS)

unit: $(UNIT_BINS)
FLOWD_MODULES := $(filter-out %/main.o,$(flowd_OBJS))
$(BUILDDIR)/obj/tests/unit/test-flowd-%.o: CFLAGS += -Icmd/flowd
$(BUILDDIR)/tests/test-flowd-%: $(BUILDDIR)/obj/tests/unit/test-flowd-%.o $(FLOWD_MODULES) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(FLOWD_MODULES) $(LIB) $(LDLIBS)
$(BUILDDIR)/tests/%: $(BUILDDIR)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Fuzz targets always build with clang, libFuzzer and both sanitizers,
# whatever BUILDDIR's compiler is. libcommon is compiled once for all of
# them (instrumented, without libFuzzer's main), each target then only
# compiles its own file.
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -Ilibcommon $(PKG_CFLAGS) $(FUZZ_SAN)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILDDIR)/fuzz-obj/%.o)
FUZZ_LIB   := $(BUILDDIR)/libcommon-fuzz.a
fuzz-build: $(FUZZ_BINS)
$(BUILDDIR)/fuzz-obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	rm -f $@
	ar rcs $@ $^
$(BUILDDIR)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(PKG_LIBS) $(EDIT_LIBS) -lpthread

-include $(shell find $(BUILDDIR)/obj $(BUILDDIR)/fuzz-obj -name '*.d' 2>/dev/null)

# ---- set-up -------------------------------------------------------------

deps:
	@tests/install-deps.sh build test

deps-build:
	@tests/install-deps.sh build

# ---- tests --------------------------------------------------------------

ASAN_DIR := build-asan

# Builds use every core; the tests themselves run one after another.
NPROC := $(shell nproc 2>/dev/null || echo 2)

check: deps
	$(MAKE) -j$(NPROC) all
	$(MAKE) -j$(NPROC) BUILDDIR=$(ASAN_DIR) SANITIZE=1 all unit
	$(MAKE) check-unit check-fuzz check-bats check-kernel

check-unit:
	@tests/run-unit.sh $(ASAN_DIR)/tests

check-fuzz:
	$(MAKE) -j$(NPROC) BUILDDIR=$(ASAN_DIR) fuzz-build
	@tests/run-fuzz.sh regress $(ASAN_DIR)/fuzz

check-bats:
	SY_BINDIR=$(CURDIR)/$(ASAN_DIR)/bin tests/run-bats.sh

check-vm:
	SY_BINDIR=$(CURDIR)/$(ASAN_DIR)/bin SY_VM_TESTS=1 tests/run-bats.sh tests/bats/vm-*.bats

# The kernel datapath, in a QEMU guest on a stock Debian kernel (tests/vm/
# build-kernel-image.sh); dp goes in without sanitizers to keep the guest
# small. About 90 s under TCG (image cached; building it first: +10 s).
.PHONY: check-kernel
check-kernel:
	$(MAKE) all
	SY_BINDIR=$(CURDIR)/$(BUILDDIR)/bin SY_KERNEL_TESTS=1 tests/run-bats.sh tests/bats/kernel-*.bats

FUZZ_SECONDS ?= 60
fuzz: deps-build
	$(MAKE) BUILDDIR=$(ASAN_DIR) fuzz-build
	@tests/run-fuzz.sh explore $(ASAN_DIR)/fuzz $(FUZZ_SECONDS)

# Not part of check: SOAK_SECONDS of traffic, flow churn and configuration
# changes against the ASan daemons; prints RSS samples, growth and errors.
SOAK_SECONDS ?= 600
.PHONY: soak
soak: deps
	$(MAKE) -j$(NPROC) BUILDDIR=$(ASAN_DIR) SANITIZE=1 all
	SY_BINDIR=$(CURDIR)/$(ASAN_DIR)/bin SOAK_SECONDS=$(SOAK_SECONDS) \
	    BATS_TEST_TIMEOUT=$$(($(SOAK_SECONDS) + 600)) tests/run-bats.sh tests/soak/soak.bats

# ---- the main job -------------------------------------------------------

demo: deps
	$(MAKE) all
	@tests/demo.sh $(CURDIR)/$(BUILDDIR)/bin

bench: deps
	$(MAKE) all
	@bench/run.sh $(CURDIR)/$(BUILDDIR)/bin

# ---- install ------------------------------------------------------------
#
#   make install [PREFIX=/usr/local] [DESTDIR=] [BINDIR= SBINDIR= MANDIR=
#                BASHCOMPDIR= SYSCONFDIR=/etc UNITDIR= LOGROTATEDIR=
#                NETWORK_SCRIPTS_DIR=]
#
# The systemd units in systemd/ name /usr/sbin and /etc/sysconfig (what a
# distribution package uses); install rewrites both to SBINDIR and
# SYSCONFDIR. Configuration files (sysconfig, logrotate) are installed only
# where none exists yet, and uninstall removes them only when unchanged.

SBIN_PROGRAMS := flowd portd
BIN_PROGRAMS  := dp ofctl tunnel
MANPAGES      := $(notdir $(wildcard man/*.8))
# ifdown-ovs(8) is a name of ifup-ovs(8): a symbolic link to it.
MAN8LINKS     := $(if $(wildcard man/ifup-ovs.8),ifdown-ovs.8)
# Sections 5 (the configuration files) and 7 (the flow syntax).
MAN5PAGES     := $(notdir $(wildcard man/*.5))
MAN7PAGES     := $(notdir $(wildcard man/*.7))
COMPLETIONS   := $(notdir $(wildcard completions/*))
UNITS         := switchyard-flowd.service switchyard-portd.service switchyard.target
IFCFG_HOOKS   := $(notdir $(wildcard ifcfg/ifup-ovs ifcfg/ifdown-ovs))
# What both hooks source, from their own directory.
IFCFG_LIBS    := $(notdir $(wildcard ifcfg/switchyard-functions))

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	           $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR) \
	           $(DESTDIR)$(SYSCONFDIR)/sysconfig $(DESTDIR)$(LOGROTATEDIR)
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/switchyard $(DESTDIR)$(SYSCONFDIR)/switchyard/bridges
	install -m 0755 $(SBIN_PROGRAMS:%=$(BUILDDIR)/bin/%) $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(BIN_PROGRAMS:%=$(BUILDDIR)/bin/%) $(DESTDIR)$(BINDIR)/
	$(if $(MANPAGES),install -m 0644 $(MANPAGES:%=man/%) $(DESTDIR)$(MANDIR)/man8/)
	$(if $(MAN8LINKS),ln -sf ifup-ovs.8 $(DESTDIR)$(MANDIR)/man8/ifdown-ovs.8)
	$(if $(MAN5PAGES),install -d $(DESTDIR)$(MANDIR)/man5)
	$(if $(MAN5PAGES),install -m 0644 $(MAN5PAGES:%=man/%) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN7PAGES),install -d $(DESTDIR)$(MANDIR)/man7)
	$(if $(MAN7PAGES),install -m 0644 $(MAN7PAGES:%=man/%) $(DESTDIR)$(MANDIR)/man7/)
	$(if $(COMPLETIONS),install -m 0644 $(COMPLETIONS:%=completions/%) $(DESTDIR)$(BASHCOMPDIR)/)
	set -e; for u in $(UNITS); do \
	    sed -e 's|/usr/sbin/|$(SBINDIR)/|g' -e 's|/etc/sysconfig/|$(SYSCONFDIR)/sysconfig/|g' \
	        systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u.tmp; \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.tmp; \
	    mv -f $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u; \
	done
	[ -e $(DESTDIR)$(SYSCONFDIR)/sysconfig/switchyard ] || \
	    install -m 0644 systemd/switchyard.sysconfig $(DESTDIR)$(SYSCONFDIR)/sysconfig/switchyard
	[ -e $(DESTDIR)$(LOGROTATEDIR)/switchyard ] || \
	    install -m 0644 systemd/switchyard.logrotate $(DESTDIR)$(LOGROTATEDIR)/switchyard
	$(if $(IFCFG_HOOKS),install -d $(DESTDIR)$(NETWORK_SCRIPTS_DIR))
	$(if $(IFCFG_HOOKS),install -m 0755 $(IFCFG_HOOKS:%=ifcfg/%) $(DESTDIR)$(NETWORK_SCRIPTS_DIR)/)
	$(if $(IFCFG_LIBS),install -m 0644 $(IFCFG_LIBS:%=ifcfg/%) $(DESTDIR)$(NETWORK_SCRIPTS_DIR)/)

uninstall:
	rm -f $(SBIN_PROGRAMS:%=$(DESTDIR)$(SBINDIR)/%) $(BIN_PROGRAMS:%=$(DESTDIR)$(BINDIR)/%) \
	      $(MANPAGES:%=$(DESTDIR)$(MANDIR)/man8/%) $(COMPLETIONS:%=$(DESTDIR)$(BASHCOMPDIR)/%) \
	      $(MAN5PAGES:%=$(DESTDIR)$(MANDIR)/man5/%) $(MAN7PAGES:%=$(DESTDIR)$(MANDIR)/man7/%) \
	      $(MAN8LINKS:%=$(DESTDIR)$(MANDIR)/man8/%) \
	      $(UNITS:%=$(DESTDIR)$(UNITDIR)/%) $(IFCFG_HOOKS:%=$(DESTDIR)$(NETWORK_SCRIPTS_DIR)/%) \
	      $(IFCFG_LIBS:%=$(DESTDIR)$(NETWORK_SCRIPTS_DIR)/%)
	! cmp -s systemd/switchyard.sysconfig $(DESTDIR)$(SYSCONFDIR)/sysconfig/switchyard || \
	    rm -f $(DESTDIR)$(SYSCONFDIR)/sysconfig/switchyard
	! cmp -s systemd/switchyard.logrotate $(DESTDIR)$(LOGROTATEDIR)/switchyard || \
	    rm -f $(DESTDIR)$(LOGROTATEDIR)/switchyard
	rmdir $(DESTDIR)$(SYSCONFDIR)/switchyard/bridges $(DESTDIR)$(SYSCONFDIR)/switchyard 2>/dev/null || true

# ---- release ------------------------------------------------------------
#
# make dist: $(BUILDDIR)/switchyard-$(VERSION).tar.gz, the committed tree
# at HEAD (what `git ls-files` lists there) under switchyard-$(VERSION)/,
# the Source0 of switchyard.spec. Uncommitted changes are not in it.

DIST_NAME    := switchyard-$(VERSION)
DIST_TARBALL := $(BUILDDIR)/$(DIST_NAME).tar.gz

dist:
	@git rev-parse --git-dir >/dev/null 2>&1 || \
	    { echo "make dist: needs the git repository (it packs HEAD)" >&2; exit 1; }
	@git diff --quiet HEAD -- 2>/dev/null || \
	    echo "make dist: note: uncommitted changes are not in the tarball (it packs HEAD)" >&2
	@mkdir -p $(BUILDDIR)
	git archive --format=tar.gz --prefix=$(DIST_NAME)/ -o $(DIST_TARBALL).tmp HEAD
	@mv -f $(DIST_TARBALL).tmp $(DIST_TARBALL)
	@echo "make dist: wrote $(DIST_TARBALL)"

clean:
	rm -rf build build-asan
