# dk — Delivery Kit. See README.md; `make help` lists the targets.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
PKGS    := libcurl libgit2 libcjson yaml-0.1 openssl zlib

WARN    := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wvla \
           -Wwrite-strings -Wformat=2 -fno-common
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
ALL_CFLAGS := -std=c11 $(WARN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(CFLAGS) \
              -Icommon/include $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS    := -Wl,--as-needed $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

# dk-deploy links OpenSSL's libcrypto statically where the static library is installed: it
# needs it only for a few template functions (genCA and the like), and loading the shared
# library costs about a millisecond of every render, a tenth of a typical chart's.
CRYPTO_A := $(firstword $(wildcard $(shell pkg-config --variable=libdir libcrypto 2>/dev/null)/libcrypto.a))
ifneq ($(CRYPTO_A),)
$(BUILD)/bin/dk-deploy: LIBS := -Wl,--as-needed \
    $(shell pkg-config --libs libcjson yaml-0.1 zlib 2>/dev/null) $(CRYPTO_A) -ldl -lpthread -lm
endif

ifeq ($(SANITIZE),1)
ALL_CFLAGS += -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC   := $(sort $(wildcard common/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOLS     := $(sort $(notdir $(wildcard tools/dk-*)))
TOOL_BINS := $(TOOLS:%=$(BUILD)/bin/%)
UNIT_SRC  := $(sort $(wildcard tests/unit/t-*.c))
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HEADERS   := $(wildcard common/include/dk/*.h)

.PHONY: all deps test unit bats asan install uninstall demo bench fuzz format format-check clean help
.DELETE_ON_ERROR:

all: $(BUILD)/libdk.a $(TOOL_BINS)

$(BUILD)/common/%.o: common/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libdk.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: tools/%/*.c $(BUILD)/libdk.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c,$^) $(BUILD)/libdk.a $(LDFLAGS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/*.h $(BUILD)/libdk.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libdk.a $(LDFLAGS) $(LIBS)

# Installs what is missing on a Debian machine (quiet when all is there).
deps:
	@scripts/deps.sh

unit: all $(UNIT_BINS)

test: deps
	@$(MAKE) --no-print-directory unit
	@BUILD=$(BUILD) tests/run.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan SANITIZE=1 test

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)/

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%)

demo: deps all
	@BUILD=$(BUILD) examples/demo.sh

bench: deps all
	@BUILD=$(BUILD) bench/run.sh

# Fuzzes the template engine for FUZZ_SECONDS (default 180); fails on a crash. Not in `test`.
fuzz:
	@BUILD=$(BUILD) fuzz/run.sh

FORMAT_SRC = $(wildcard common/*.c common/include/dk/*.h tools/*/*.c tests/unit/*.c tests/unit/*.h)

format:
	clang-format -i $(FORMAT_SRC)

format-check:
	clang-format --dry-run -Werror $(FORMAT_SRC)

clean:
	rm -rf build build-asan

help:
	@echo "make [all]      build libdk.a and the tools into $(BUILD)/"
	@echo "make test       install missing packages, run unit and bats tests"
	@echo "make asan       the same tests under AddressSanitizer + UBSan"
	@echo "make demo       run dk's main job end to end on local defaults"
	@echo "make bench      run the benchmarks (results in docs/benchmarks.md)"
	@echo "make fuzz       fuzz the template engine for FUZZ_SECONDS (default 180)"
	@echo "make install    install the tools (PREFIX, DESTDIR)"
	@echo "make format     apply clang-format"
