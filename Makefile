# autoscale-sim - one GNU Makefile: dependencies, libraries, simrun, tests, bench.
#
#   make deps    install the Debian packages the project needs (only if missing)
#   make         build bin/simrun (core, traces and sim as static libraries)
#   make run     run the bundled default scenario (scenarios/spike.ini)
#   make test    build and run the Criterion test suite
#   make asan    the test suite under AddressSanitizer + UBSan
#   make bench   forecast/decision latency and simulation throughput
#
# Sources are found by wildcard: a new .c file in core/, core/*/, traces/,
# sim/ or plots/ joins its library; a new tests/test_*.c joins the suite.

CC      ?= gcc
MODE    ?= release
BUILD   := build/$(MODE)
PKGS    := hdf5 gsl inih jansson yaml-0.1
# Debian packages: headers and tools the build, the tests and the reports use.
DEB_PKGS := build-essential pkg-config libhdf5-dev hdf5-tools libgsl-dev libcriterion-dev \
            libinih-dev libjansson-dev libyaml-dev gnuplot-nox python3-h5py python3-pandas

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) criterion 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_LIBS  := $(shell pkg-config --libs criterion 2>/dev/null)

# Messages go into fixed buffers and are cut on purpose: -Wno-format-truncation.
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wold-style-definition -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
CFLAGS_release := -O2 -g -DNDEBUG
CFLAGS_test    := -O1 -g
CFLAGS_asan    := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS_asan   := -fsanitize=address,undefined
CFLAGS  := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS_$(MODE)) $(PKG_CFLAGS) -Icore -Itraces -Isim -Iplots -MMD -MP
LDFLAGS := $(LDFLAGS_$(MODE))
LDLIBS  := $(PKG_LIBS) -lpthread -lm

CORE_SRC   := $(wildcard core/*.c core/*/*.c)
TRACES_SRC := $(wildcard traces/*.c)
SIM_SRC    := $(filter-out sim/main.c,$(wildcard sim/*.c)) $(wildcard plots/*.c)
TEST_SRC   := $(wildcard tests/test_*.c)
BENCH_SRC  := $(wildcard bench/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIBCORE   := $(BUILD)/libascore.a
LIBTRACES := $(BUILD)/libtraces.a
LIBSIM    := $(BUILD)/libsim.a
LIBS      := $(LIBSIM) $(LIBTRACES) $(LIBCORE)

.PHONY: all deps bench-deps run test asan bench quality clean check
all: bin/simrun

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@printf '  CC      %s\n' $<
	@$(CC) $(CFLAGS) -c $< -o $@

# the results file records which revision wrote it
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
$(BUILD)/sim/sim_results.o: CFLAGS += -DAS_GIT_REV='"$(GIT_REV)"' 

$(LIBCORE): $(call obj,$(CORE_SRC))
$(LIBTRACES): $(call obj,$(TRACES_SRC))
$(LIBSIM): $(call obj,$(SIM_SRC))
$(LIBS):
	@mkdir -p $(dir $@)
	@printf '  AR      %s\n' $@
	@rm -f $@ && ar rcs $@ $^

bin/simrun: $(BUILD)/sim/main.o $(LIBS)
	@mkdir -p bin
	@printf '  LD      %s\n' $@
	@$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# simrun of a given mode (the sanitizer suite runs an instrumented one)
$(BUILD)/simrun: $(BUILD)/sim/main.o $(LIBS)
	@printf '  LD      %s\n' $@
	@$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/run_tests: $(call obj,$(TEST_SRC)) $(LIBS)
	@printf '  LD      %s\n' $@
	@$(CC) $(LDFLAGS) $^ $(LDLIBS) $(CRIT_LIBS) -o $@

$(BUILD)/bench/run_bench: $(call obj,$(BENCH_SRC)) $(LIBS)
	@printf '  LD      %s\n' $@
	@$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Installs only what is missing, so that it costs nothing on a ready machine.
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

run: deps
	$(MAKE) bin/simrun
	bin/simrun --force scenarios/spike.ini

# The suite runs from the project root (tests open scenarios/ and tests/data/).
test: deps
	$(MAKE) bin/simrun
	$(MAKE) MODE=test build/test/tests/run_tests
	SIMRUN=bin/simrun build/test/tests/run_tests --jobs 2

# The whole suite, and the simrun it starts, under AddressSanitizer (leaks
# included) and UndefinedBehaviorSanitizer.
asan: deps
	$(MAKE) MODE=asan build/asan/tests/run_tests build/asan/simrun
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	    UBSAN_OPTIONS=print_stacktrace=1 SIMRUN=build/asan/simrun \
	    build/asan/tests/run_tests --jobs 2

bench: deps
	$(MAKE) MODE=release build/release/bench/run_bench bin/simrun
	build/release/bench/run_bench

# The Python tools people use today, run side by side in make bench.
BENCH_DEB_PKGS := python3-sklearn python3-statsmodels python3-pandas python3-simpy
bench-deps: deps
	@missing=$$(for p in $(BENCH_DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The scaling-quality gate: every scenario of tests/quality against its baseline.
quality: deps
	$(MAKE) bin/simrun
	bin/simrun check --baseline tests/quality/baseline.csv tests/quality/*.ini

check: test

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
