# switchyard: one top-level GNU Makefile.
#
#   make            build every program into build/bin/
#   make check      install test deps, build with ASan+UBSan, run unit tests,
#                   fuzz-corpus regressions and the Bats suite
#   make demo       a bridge between three namespaces, step by step
#   make deps       apt-get the Debian packages the build and tests need
#   make install    PREFIX=/usr/local DESTDIR=
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

CC         ?= cc
PKGS       := libnl-3.0 libnl-genl-3.0 libnl-route-3.0 openssl libedit
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

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
# whatever BUILDDIR's compiler is.
FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -Ilibcommon $(PKG_CFLAGS) \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
fuzz-build: $(FUZZ_BINS)
$(BUILDDIR)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(wildcard libcommon/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(PKG_LIBS) -lpthread

-include $(shell find $(BUILDDIR)/obj -name '*.d' 2>/dev/null)

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
	$(MAKE) check-unit check-fuzz check-bats

check-unit:
	@tests/run-unit.sh $(ASAN_DIR)/tests

check-fuzz:
	$(MAKE) -j$(NPROC) BUILDDIR=$(ASAN_DIR) fuzz-build
	@tests/run-fuzz.sh regress $(ASAN_DIR)/fuzz

check-bats:
	SY_BINDIR=$(CURDIR)/$(ASAN_DIR)/bin tests/run-bats.sh

check-vm:
	SY_BINDIR=$(CURDIR)/$(ASAN_DIR)/bin SY_VM_TESTS=1 tests/run-bats.sh tests/bats/vm-*.bats

FUZZ_SECONDS ?= 60
fuzz: deps-build
	$(MAKE) BUILDDIR=$(ASAN_DIR) fuzz-build
	@tests/run-fuzz.sh explore $(ASAN_DIR)/fuzz $(FUZZ_SECONDS)

# ---- the main job -------------------------------------------------------

demo: deps
	$(MAKE) all
	@tests/demo.sh $(CURDIR)/$(BUILDDIR)/bin

bench: deps
	$(MAKE) all
	@bench/run.sh $(CURDIR)/$(BUILDDIR)/bin

# ---- install ------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	           $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(BUILDDIR)/bin/flowd $(BUILDDIR)/bin/portd $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(BUILDDIR)/bin/dp $(BUILDDIR)/bin/ofctl $(BUILDDIR)/bin/tunnel $(DESTDIR)$(BINDIR)/
	for m in man/*.8; do [ -e "$$m" ] && install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man8/; done; true
	for c in completions/*; do [ -e "$$c" ] && install -m 0644 "$$c" $(DESTDIR)$(BASHCOMPDIR)/; done; true
	for f in ifcfg/ifup-ovs ifcfg/ifdown-ovs; do [ -e "$$f" ] && install -m 0755 "$$f" $(DESTDIR)$(LIBEXECDIR)/; done; true

clean:
	rm -rf build build-asan
