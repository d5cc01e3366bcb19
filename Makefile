# volpass build. `make` builds build/volpass and build/libvolpass.a, and the
# unit tests and the benchmark's two helpers (build/unit-tests, bench-floor, bench-phases);
# `make check` runs every test; `make asan` and `make valgrind` run them again
# under AddressSanitizer+UndefinedBehaviorSanitizer and under valgrind.

CC ?= cc
BUILD ?= build
# -O3: 3-5% less wall time than -O2 on the 10,000-template benchmark (gcc 12
# and clang 14 build it warning-free; the suite passes on both).
CFLAGS ?= -O3 -g
WARN = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wformat=2 -Wvla -Werror
CPPFLAGS += -Iinclude -Isrc
LDLIBS = -lyaml -pthread

LIB_SRC = $(sort $(wildcard src/*.c))
LIB_OBJ = $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRC = $(sort $(wildcard tests/unit/*.c))

all: $(BUILD)/volpass $(BUILD)/unit-tests $(BUILD)/bench-floor $(BUILD)/bench-phases

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h) include/volpass.h | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c $< -o $@

$(BUILD)/libvolpass.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/volpass: $(wildcard cli/*.c cli/*.h) include/volpass.h $(BUILD)/libvolpass.a
	$(CC) -Iinclude $(WARN) $(CFLAGS) $(wildcard cli/*.c) $(BUILD)/libvolpass.a $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/unit-tests: $(UNIT_SRC) $(wildcard tests/unit/*.h) $(BUILD)/libvolpass.a
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(UNIT_SRC) $(BUILD)/libvolpass.a $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/obj:
	mkdir -p $@

check: all
	python3 tests/run.py --build $(BUILD) $(TEST_FLAGS)

# The whole suite again, under sanitizers (a separate build tree) and valgrind.
asan:
	$(MAKE) BUILD=build-asan CC=clang \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" TEST_FLAGS=--instrumented check

valgrind: all
	python3 tests/run.py --build $(BUILD) --wrapper "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all --show-leak-kinds=all --suppressions=$(CURDIR)/tests/valgrind.supp" $(VALGRIND_FLAGS)

# The README's first command ends here: build and convert the bundled example.
demo: all
	$(BUILD)/volpass --input examples/train-pipeline.yaml --volume "persistentVolumeClaim: {claimName: my-pvc}"

# What CI runs (.ci/run): every test, plain and with sanitizers; under
# valgrind, every other test of each file, over a fifth of Argo's examples
# and of the simulation's hand-written cases and generated workflows (the
# sanitizers see all of them, and valgrind would take twenty minutes more;
# `make valgrind` runs them all);
# then each fuzz target for 30 s from a fixed seed, so that runs mutate
# alike (how far one gets still varies with the machine's speed; a failure
# leaves its input in build-fuzz/crashes/). The whole takes about 11
# minutes. The long, open-ended runs are done by hand: `make fuzz
# FUZZ_SECONDS=1800`.
CI_FUZZ_SECONDS ?= 30
ci: check asan
	$(MAKE) valgrind VALGRIND_FLAGS="--corpus-every=5 --every-test=2"
	$(MAKE) fuzz FUZZ_LIMIT="-seed=1 -max_total_time=$(CI_FUZZ_SECONDS)"

clean:
	rm -rf build build-asan

.PHONY: all check asan valgrind demo ci clean

# ---- fuzzing (fuzz/) ----------------------------------------------------
# `make fuzz-build` builds the libFuzzer targets with clang in build-fuzz/;
# `make fuzz FUZZ_SECONDS=60` runs each in turn for that long, with the
# dictionary and the seed corpus, and fails when one finds a crash (its
# input is left in build-fuzz/crashes/TARGET/). The inputs that once crashed
# are kept in fuzz/regressions/TARGET/ and run by `make check`, without
# libFuzzer, through fuzz/driver.c.

FUZZ_CC ?= clang
FUZZ_BUILD = build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_LIMIT ?= -max_total_time=$(FUZZ_SECONDS)
FUZZ_TARGETS = fuzz_load fuzz_volume fuzz_rewrite fuzz_halves
FUZZ_CFLAGS = -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_OBJ = $(LIB_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_SEEDS = ../shared/corpus/argo-examples tests/data examples

$(FUZZ_BUILD)/obj/%.o: src/%.c $(wildcard src/*.h) include/volpass.h | $(FUZZ_BUILD)/obj
	$(FUZZ_CC) $(CPPFLAGS) $(WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h include/volpass.h $(FUZZ_OBJ)
	$(FUZZ_CC) -Iinclude -Isrc $(WARN) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $< $(FUZZ_OBJ) $(LDLIBS) -o $@

$(FUZZ_BUILD)/obj:
	mkdir -p $@

.SECONDARY: $(FUZZ_OBJ) # made through a pattern rule, yet worth keeping

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)

# Seeds: every document we have, copied (flattened names) into the
# git-ignored fuzz/corpus/docs/; each target grows fuzz/corpus/TARGET/.
fuzz-corpus:
	rm -rf fuzz/corpus/docs && mkdir -p fuzz/corpus/docs
	find $(FUZZ_SEEDS) -type f | while read -r f; do \
	  cp "$$f" "fuzz/corpus/docs/$$(echo "$$f" | sed 's|^\.\./shared/corpus/||; s|/|_|g')"; done

fuzz: fuzz-build fuzz-corpus
	set -e; for t in $(FUZZ_TARGETS); do \
	  case $$t in fuzz_volume) seeds=fuzz/seeds/volume;; *) seeds=fuzz/corpus/docs;; esac; \
	  echo "== $$t ($(FUZZ_LIMIT))"; \
	  fuzz/run-target $(FUZZ_BUILD) $$t $$seeds $(FUZZ_LIMIT); \
	done

# The regression driver: each target's logic with a plain main(), built
# like the rest of $(BUILD) (so `make asan` and `make valgrind` cover it).
FUZZ_REGRESS = $(FUZZ_TARGETS:%=$(BUILD)/fuzz-regress/%)

$(BUILD)/fuzz-regress/fuzz_%: fuzz/fuzz_%.c fuzz/driver.c fuzz/fuzz.h $(BUILD)/libvolpass.a
	mkdir -p $(BUILD)/fuzz-regress
	$(CC) -Iinclude -Isrc $(WARN) $(CFLAGS) $< fuzz/driver.c $(BUILD)/libvolpass.a $(LDFLAGS) $(LDLIBS) -o $@

check valgrind: $(FUZZ_REGRESS)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

clean: fuzz-clean

.PHONY: fuzz-build fuzz-corpus fuzz fuzz-clean

# ---- benchmark (bench/) -------------------------------------------------
# `make bench` generates workflows of 100 to 100,000 templates into the
# git-ignored bench/out/ and times volpass on them against the reference and
# against bench-floor, a bare libyaml parse-and-emit round trip, and shows
# where the time goes with bench-phases; `make bench-smoke` does the smallest
# size only. bench/README.md reads the table.

BENCH_COMMON = bench/roundtrip.c bench/roundtrip.h

$(BUILD)/bench-floor: bench/floor.c $(BENCH_COMMON) | $(BUILD)/obj
	$(CC) $(WARN) $(CFLAGS) bench/floor.c bench/roundtrip.c $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/bench-phases: bench/phases.c $(BENCH_COMMON) include/volpass.h $(BUILD)/libvolpass.a
	$(CC) -Iinclude $(WARN) $(CFLAGS) bench/phases.c bench/roundtrip.c $(BUILD)/libvolpass.a $(LDFLAGS) $(LDLIBS) -o $@

bench: $(BUILD)/volpass $(BUILD)/bench-floor $(BUILD)/bench-phases
	python3 bench/run.py --build $(BUILD)

bench-smoke: $(BUILD)/volpass $(BUILD)/bench-floor $(BUILD)/bench-phases
	python3 bench/run.py --build $(BUILD) --smoke

.PHONY: bench bench-smoke
