# autoscale-sim - one GNU Makefile: dependencies, libraries, simrun, tests, bench.
#
#   make deps    install the Debian packages the project needs (only if missing)
#   make         build bin/simrun (core, traces and sim as static libraries)
#   make run     run the bundled default scenario (scenarios/spike.ini)
#   make test    build and run the Criterion test suite (its fast part)
#   make test-slow  the slow cases of the suite (suites named *_slow)
#   make asan    the test suite under AddressSanitizer + UBSan
#   make tsan    simrun under ThreadSanitizer on a -j 2 batch and a sweep
#   make quality the scaling-quality gate (tests/quality/)
#   make coverage line and branch coverage of the whole suite (gcovr)
#   make bench   forecast/decision latency and simulation throughput
#
# Layers, lowest first, each a static library compiled with the include
# paths of its own layer and those below it, so that a wrong-way include
# fails to compile:
#   core <- traces <- sim/config <- sim/engine <- sim/results <- sim/batch
#        <- sim/tune <- plots <- sim/cli (simrun; tests and bench see every layer)
# Sources are found by wildcard: a new .c file in a layer's folder (or in
# core/*/) joins its library; a new tests/test_*.c joins the suite.

CC      ?= gcc
MODE    ?= release
BUILD   := build/$(MODE)
# make MPI=1: simrun spreads runs over mpirun's ranks (OpenMPI's mpicc)
ifeq ($(MPI),1)
CC      := mpicc
BUILD   := build/mpi-$(MODE)
MPI_FLAGS := -DAS_MPI
endif
PKGS    := hdf5 gsl inih jansson yaml-0.1 zlib
# Debian packages: headers and tools the build, the tests and the reports use.
DEB_PKGS := build-essential pkg-config libhdf5-dev hdf5-tools libgsl-dev libcriterion-dev \
            libinih-dev libjansson-dev libyaml-dev zlib1g-dev gnuplot-nox python3-h5py python3-pandas \
            libopenmpi-dev openmpi-bin gcovr

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) criterion 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_LIBS  := $(shell pkg-config --libs criterion 2>/dev/null)

# Messages go into fixed buffers and are cut on purpose: -Wno-format-truncation.
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wold-style-definition -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
# Link-time optimisation: the per-tick path crosses files (engine -> latency
# model -> trace), and calls that carry a struct out through memory were a
# tenth of a week's instructions; -flto inlines them (a week of
# week3tier.ini: 2.006 G to 1.866 G instructions, the same bits: the build
# stays in ISO C mode, no contraction into fused multiply-adds).
CFLAGS_release := -O2 -g -DNDEBUG -flto=auto
LDFLAGS_release := -O2 -flto=auto
CFLAGS_test    := -O1 -g
CFLAGS_asan    := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS_asan   := -fsanitize=address,undefined
CFLAGS_tsan    := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS_tsan   := -fsanitize=thread
# -O0: the counters map to the lines as written (inlining and merged
# branches would blur the branch figures); asserts on, as in MODE=test
CFLAGS_coverage  := -O0 -g --coverage
LDFLAGS_coverage := --coverage
CFLAGS  := -std=c11 -D_GNU_SOURCE $(MPI_FLAGS) $(WARN) $(CFLAGS_$(MODE)) $(PKG_CFLAGS) -MMD -MP
LDFLAGS := $(LDFLAGS_$(MODE))
LDLIBS  := $(PKG_LIBS) -lpthread -lm

# The layers, lowest first: folder and library name. Each layer's objects
# see the include folders of the layers up to their own (LAYER_INC).
LAYERS      := core traces sim/config sim/engine sim/results sim/batch sim/tune plots sim/cli
layer_inc    = $(foreach d,$(wordlist 1,$(1),$(LAYERS)),-I$(d))
layer_src    = $(wildcard $(1)/*.c $(if $(filter core,$(1)),core/*/*.c))
lib_of       = $(BUILD)/lib$(subst /,,$(1)).a
ALL_INC     := $(call layer_inc,$(words $(LAYERS)))
$(foreach i,1 2 3 4 5 6 7 8 9,$(eval $(BUILD)/$(word $(i),$(LAYERS))/%.o: LAYER_INC = $(call layer_inc,$(i))))
$(BUILD)/tests/%.o $(BUILD)/bench/%.o: LAYER_INC = $(ALL_INC)

CORE_SRC   := $(call layer_src,core)
TRACES_SRC := $(call layer_src,traces)
SIM_SRC    := $(foreach l,sim/config sim/engine sim/results sim/batch sim/tune plots,$(call layer_src,$(l)))
CLI_SRC    := $(call layer_src,sim/cli)
TEST_SRC   := $(wildcard tests/test_*.c)
BENCH_SRC  := $(wildcard bench/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
# libraries that have sources, highest first (the link order)
LIBS := $(foreach l,plots sim/tune sim/batch sim/results sim/engine sim/config traces core,\
          $(if $(call layer_src,$(l)),$(call lib_of,$(l))))
CLI_OBJ := $(call obj,$(CLI_SRC))

.PHONY: all deps bench-deps run test test-slow test-readme asan asan-slow tsan bench quality coverage clean check layers
all: bin/simrun

$(BUILD)/%.o: %.c | layers
	@mkdir -p $(dir $@)
	@printf '  CC      %s\n' $<
	@$(CC) $(CFLAGS) $(LAYER_INC) -c $< -o $@

# Include paths keep each layer to those below it; a path in an include
# ("../x.h", "sim/engine/x.h") would walk around them, so none is allowed.
layers:
	@bad=$$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' \
	    $$(find core traces sim plots bench tests -name '*.[ch]') 2>/dev/null); \
	if [ -n "$$bad" ]; then echo "includes with a path (they bypass the layers):"; \
	    echo "$$bad"; exit 1; fi

# the results file records which revision wrote it
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
$(BUILD)/sim/results/sim_results.o: CFLAGS += -DAS_GIT_REV='"$(GIT_REV)"'

$(foreach l,$(LAYERS),$(eval $(call lib_of,$(l)): $(call obj,$(call layer_src,$(l)))))
$(LIBS):
	@mkdir -p $(dir $@)
	@printf '  AR      %s\n' $@
	@rm -f $@ && ar rcs $@ $^

bin/simrun: $(CLI_OBJ) $(LIBS)
	@mkdir -p bin
	@printf '  LD      %s\n' $@
	@$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# simrun of a given mode (the sanitizer suite runs an instrumented one)
$(BUILD)/simrun: $(CLI_OBJ) $(LIBS)
	@printf '  LD      %s\n' $@
	@$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The test binary's own allocation calls (the project's code, not shared
# libraries') go through the wrappers of tests/test_helpers.c: a counter
# (the conformance tests check that no plug-in allocates per call) and the
# failing allocator of the out-of-memory tests; simrun and bench keep
# libc's. criterion_send_assert is wrapped to name the log of a failing
# test (test_helpers.c).
TEST_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=free \
             -Wl,--wrap=criterion_send_assert
$(BUILD)/tests/run_tests: $(call obj,$(TEST_SRC) $(filter-out sim/cli/main.c,$(CLI_SRC))) $(LIBS)
	@printf '  LD      %s\n' $@
	@$(CC) $(LDFLAGS) $(TEST_WRAP) $^ $(LDLIBS) $(CRIT_LIBS) -o $@

$(BUILD)/bench/run_bench: $(call obj,$(BENCH_SRC) $(filter-out sim/cli/main.c,$(CLI_SRC))) $(LIBS)
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

# The README's Usage commands, in order, in a fresh copy after `make run`
# (a few minutes: two full runs of spike.ini; CI runs it).
test-readme: bin/simrun
	tests/readme_usage.sh bin/simrun

# The suite runs from the project root (tests open scenarios/ and tests/data/).
# It is split by suite name: suites named *_slow (long cases) run in
# `make test-slow`, the others in `make test`; CI runs both. Passing tests
# print nothing: each test's output goes to a log that is printed only
# when the test fails (tests/test_helpers.c).
TEST_ENV  := SIMRUN=bin/simrun SIMRUN_MPI=build/mpi-release/simrun
TEST_FAST := --filter '!(*_slow)/*'
TEST_SLOW := --filter '*_slow/*'
test test-slow: deps
	$(MAKE) bin/simrun
	$(MAKE) MPI=1 build/mpi-release/simrun
	$(MAKE) MODE=test build/test/tests/run_tests
	$(TEST_ENV) build/test/tests/run_tests --jobs 2 $(if $(filter test,$@),$(TEST_FAST),$(TEST_SLOW))

# The whole suite, and the simrun it starts, under AddressSanitizer (leaks
# included) and UndefinedBehaviorSanitizer.
# make asan: the suite of make test under the sanitizers (CI); make
# asan-slow: its slow cases too (about 4 more minutes on 2 cores: long
# statistical runs of the code paths the fast cases already cover).
asan asan-slow: deps
	$(MAKE) MODE=asan build/asan/tests/run_tests build/asan/simrun
	ASAN_OPTIONS=detect_leaks=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	    UBSAN_OPTIONS=print_stacktrace=1 SIMRUN=build/asan/simrun \
	    build/asan/tests/run_tests --jobs 2 $(if $(filter asan,$@),$(TEST_FAST))

# simrun under ThreadSanitizer on a -j 2 batch of a scenario and on the
# 200-run sweep of bench/sweep.ini; any report fails it. A batch's workers
# are processes (sim/batch), each checked with all its threads, sharing
# memory with the coordinator only through C11 atomics.
TSAN_RUNS := "scenarios/spike.ini --set scenario.duration=6h" "bench/sweep.ini"
tsan: deps
	$(MAKE) MODE=tsan build/tsan/simrun
	@tmp=$$(mktemp -d); st=0; \
	for args in $(TSAN_RUNS); do \
	    printf '  TSAN    simrun %s -j 2\n' "$$args"; \
	    TSAN_OPTIONS="halt_on_error=1 exitcode=66" build/tsan/simrun $$args -j 2 --force \
	        --no-report -q -o $$tmp/out.h5 2>$$tmp/err; rc=$$?; \
	    if [ $$rc != 0 ] || grep -q ThreadSanitizer $$tmp/err; then \
	        echo "status $$rc:"; cat $$tmp/err; st=1; fi; \
	done; rm -rf $$tmp; \
	if [ $$st = 0 ]; then echo "tsan: no data race, no error"; else echo "tsan: FAILED"; fi; \
	exit $$st

# Line and branch coverage of the whole suite (fast and slow), counting
# the simrun processes it starts as well (they share the objects, and so
# the counters, of build/coverage). Report: build/coverage/html/index.html.
coverage: deps
	$(MAKE) MODE=coverage build/coverage/tests/run_tests build/coverage/simrun
	find build/coverage -name '*.gcda' -delete
	@mkdir -p build/coverage/html
	@st=0; SIMRUN=build/coverage/simrun build/coverage/tests/run_tests --jobs 2 || st=$$?; \
	gcovr --root . --object-directory build/coverage --exclude 'tests/' --exclude 'bench/' \
	    --exclude-unreachable-branches --print-summary \
	    --html-details build/coverage/html/index.html --txt build/coverage/summary.txt; \
	echo "coverage: build/coverage/html/index.html, build/coverage/summary.txt"; exit $$st

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

# The scaling-quality gate (tests/quality/README.md), in two parts: the
# exact one (each scenario gives the same bits with -j 1 and -j 2), then
# the statistical one (every run's metrics over 10 seeds against the
# baseline, tolerances from their spread over the seeds).
quality: deps
	$(MAKE) bin/simrun
	tests/quality/determinism bin/simrun tests/quality/*.ini
	bin/simrun check --baseline tests/quality/baseline.csv tests/quality/*.ini

check: test

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- Robustness: fuzzing and valgrind (tests/fuzz/, tests/bad/) ----------
# make fuzz: every tests/fuzz/fuzz_*.c harness built with clang and libFuzzer
# against the project sources compiled with clang (in build/fuzz/, apart
# from the gcc build), each run for FUZZ_SECONDS (default 60). New inputs go
# to build/fuzz/corpus/NAME (the seeds in tests/fuzz/corpus/NAME stay as
# they are), crashes to build/fuzz/NAME-crash-*. Fails if any harness crashed,
# hung (-timeout) or leaked; an input slower than 10 s but within the timeout
# (libFuzzer's slow-unit file) is reported as "slow" and kept, not a failure.
.PHONY: fuzz fuzz-deps valgrind
# clang and its fuzzer runtime (libFuzzer) for the harnesses: only `make
# fuzz` needs them, so `make deps` leaves them out.
FUZZ_DEB_PKGS := clang libclang-rt-dev
fuzz-deps: deps
	@missing=$$(for p in $(FUZZ_DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

fuzz: FUZZ_SECONDS ?= 60
fuzz: FUZZ_CC ?= clang
fuzz: fuzz-deps
	@set -e; mkdir -p build/fuzz; \
	san='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer'; \
	cflags="-std=c11 -D_GNU_SOURCE -O1 -g $$san $(PKG_CFLAGS) $(ALL_INC)"; \
	newest_h=$$(ls -t $$(find core traces sim plots -name '*.h') 2>/dev/null | head -1); \
	objs=; \
	for src in $(CORE_SRC) $(TRACES_SRC) $(SIM_SRC); do \
	    obj=build/fuzz/obj/$${src%.c}.o; objs="$$objs $$obj"; \
	    if [ ! -f $$obj ] || [ $$src -nt $$obj ] || [ $$newest_h -nt $$obj ]; then \
	        mkdir -p $$(dirname $$obj); printf '  CLANG   %s\n' $$src; \
	        $(FUZZ_CC) $$cflags -fsanitize=fuzzer-no-link -DAS_GIT_REV='"fuzz"' -c $$src -o $$obj; \
	    fi; \
	done; \
	rm -f build/fuzz/libfuzzsim.a; ar rcs build/fuzz/libfuzzsim.a $$objs; \
	for h in tests/fuzz/fuzz_*.c; do \
	    n=$$(basename $$h .c); printf '  FUZZER  %s\n' $$n; \
	    $(FUZZ_CC) $$cflags -Itests/fuzz -fsanitize=fuzzer $$h build/fuzz/libfuzzsim.a \
	        $(PKG_LIBS) -lpthread -lm -o build/fuzz/$$n; \
	done; \
	failed=; \
	for h in tests/fuzz/fuzz_*.c; do \
	    n=$$(basename $$h .c); c=$${n#fuzz_}; \
	    case $$c in results) maxlen=65536;; *) maxlen=8192;; esac; \
	    mkdir -p build/fuzz/corpus/$$c tests/fuzz/corpus/$$c; \
	    rm -f build/fuzz/$$c-crash-*; \
	    printf '  RUN     %s for %ss (-max_len=%s)\n' $$n $(FUZZ_SECONDS) $$maxlen; \
	    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp \
	        build/fuzz/$$n build/fuzz/corpus/$$c tests/fuzz/corpus/$$c \
	        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
	        -max_total_time=$(FUZZ_SECONDS) -max_len=$$maxlen -timeout=10 -rss_limit_mb=2048 \
	        -artifact_prefix=build/fuzz/$$c-crash- </dev/null >build/fuzz/$$c.log 2>&1 || true; \
	    last=$$(grep '^#[0-9]*: cov:' build/fuzz/$$c.log | tail -1); \
	    execs=$$(printf '%s' "$$last" | sed -n 's/^#\([0-9]*\):.*/\1/p'); \
	    cov=$$(printf '%s' "$$last" | sed -n 's/.*\(cov: [0-9]*\).*/\1/p'); \
	    bad=$$(printf '%s' "$$last" | sed -n 's/.*oom\/timeout\/crash: \([0-9\/]*\).*/\1/p'); \
	    if ls build/fuzz/$$c-crash-* 2>/dev/null | grep -qv -- '-slow-unit-'; then st=FOUND; failed="$$failed $$c"; \
	    elif ls build/fuzz/$$c-crash-slow-unit-* >/dev/null 2>&1; then st=slow; else st=ok; fi; \
	    printf '  %-10s %-5s executions %s  %s  oom/timeout/crash %s  (log build/fuzz/%s.log)\n' \
	        $$c $$st "$$execs" "$$cov" "$$bad" $$c; \
	done; \
	if [ -n "$$failed" ]; then \
	    echo "fuzz: inputs that crash, hang or leak in:$$failed:"; ls build/fuzz/*-crash-*; exit 1; fi

# make valgrind: simrun on a short scenario under valgrind: no errors and no
# definite leaks (HDF5 and GSL keep some reachable globals: not counted).
valgrind: bin/simrun
	@tmp=$$(mktemp -d); \
	valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
	    bin/simrun scenarios/spike.ini --set scenario.duration=2h -o $$tmp/out.h5 \
	    --no-report -q -j 2; st=$$?; rm -rf $$tmp; \
	if [ $$st = 0 ]; then echo "valgrind: no errors, no definite leaks"; \
	else echo "valgrind: FAILED (status $$st)"; fi; exit $$st
