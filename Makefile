# volpass build. `make` builds build/volpass and build/libvolpass.a;
# `make check` runs every test; `make asan` and `make valgrind` run them again
# under AddressSanitizer+UndefinedBehaviorSanitizer and under valgrind.

CC ?= cc
BUILD ?= build
CFLAGS ?= -O2 -g
WARN = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wformat=2 -Wvla -Werror
CPPFLAGS += -Iinclude -Isrc
LDLIBS = -lyaml

LIB_SRC = $(sort $(wildcard src/*.c))
LIB_OBJ = $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRC = $(sort $(wildcard tests/unit/*.c))

all: $(BUILD)/volpass $(BUILD)/unit-tests

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h) include/volpass.h | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -c $< -o $@

$(BUILD)/libvolpass.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/volpass: cli/main.c include/volpass.h $(BUILD)/libvolpass.a
	$(CC) -Iinclude $(WARN) $(CFLAGS) cli/main.c $(BUILD)/libvolpass.a $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/unit-tests: $(UNIT_SRC) $(wildcard tests/unit/*.h) $(BUILD)/libvolpass.a
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(UNIT_SRC) $(BUILD)/libvolpass.a $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/obj:
	mkdir -p $@

check: all
	python3 tests/run.py --build $(BUILD)

# The whole suite again, under sanitizers (a separate build tree) and valgrind.
asan:
	$(MAKE) BUILD=build-asan CC=clang \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" check

valgrind: all
	python3 tests/run.py --build $(BUILD) --wrapper "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all --show-leak-kinds=all"

# The README's first command ends here: build and convert the bundled example.
demo: all
	$(BUILD)/volpass --input examples/train-pipeline.yaml --volume "persistentVolumeClaim: {claimName: my-pvc}"

# What CI runs (.ci/run): every test, plain, with sanitizers, under valgrind.
ci: check asan valgrind

clean:
	rm -rf build build-asan

.PHONY: all check asan valgrind demo ci clean
