# zkm — build, test, bench, demo, install.
#
#   make            library build/libzkm.a and command build/zkm
#   make check      build and run every test (SAN=1: with ASan + UBSan)
#   make demo       prove and verify LeNet-5 (lang/examples/lenet5.zkm)
#   make bench      JSON lines of timings (one per measurement)
#   make install    PREFIX=/usr/local DESTDIR= (make uninstall undoes it)
#   make fuzz       libFuzzer on the proof decoder and the parser (needs clang)
#   make models     retrain the drift example models (experiments/models/)
#   make experiments  the default sweep (experiments/default.sweep) and its charts
#   make clean
#
# The first step of every target checks the Debian packages zkm needs and, as
# root, installs the missing ones (scripts/deps.sh).

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?= 0
NATIVE  ?= 1

ifeq ($(SAN),1)
BUILD   := build-san
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN   := -fsanitize=address,undefined
else
BUILD   := build
OPT     := -O2 -g
LDSAN   :=
endif
ifeq ($(NATIVE),1)
OPT     += -march=native
endif

CFLAGS   ?=
CPPFLAGS += -I. -Icommon -Igkr -Ilang -Iparser -Ilayers -Iexperiments -I$(BUILD)/parser \
            -I$(BUILD)/gen -MMD -MP -D_GNU_SOURCE
# -fopenmp: g1_msm_var runs its threads as an OpenMP team (compile and link)
ZKM_CFLAGS := -std=c11 $(OPT) -fopenmp -Wall -Wextra -Wshadow -Wstrict-prototypes $(CFLAGS)
LDLIBS   := -lsodium -ljansson -lmpfr -lgmp -lm
TESTLIBS := -lcmocka

LIB_SRC  := $(wildcard common/*.c) $(wildcard gkr/*.c) $(wildcard lang/*.c) \
            $(wildcard parser/*.c) $(wildcard layers/*.c) $(wildcard experiments/*.c)
# parser/grammar.y (bison) and parser/scanner.l (flex) are generated into
# $(BUILD)/parser and compiled with the library.
GRAMMAR  := $(wildcard parser/grammar.y)
SCANNER  := $(wildcard parser/scanner.l)
GEN_C    := $(GRAMMAR:parser/%.y=$(BUILD)/parser/%.tab.c) $(SCANNER:parser/%.l=$(BUILD)/parser/%.yy.c)
GEN_H    := $(GRAMMAR:parser/%.y=$(BUILD)/parser/%.tab.h) $(SCANNER:parser/%.l=$(BUILD)/parser/%.yy.h)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(GEN_C:%.c=%.o)
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TESTUTIL_OBJ := $(BUILD)/tests/testutil.o $(BUILD)/tests/refnet.o
BENCH_SRC := $(wildcard bench/*.c)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/%.o)

# The Hyrax generators (gkr/hyrax.h), derived at build time by hashing to the
# curve (tools/gen_generators.c) into a table the library links.
GEN_TOOL := $(BUILD)/tools/gen_generators
GENS_C   := $(BUILD)/gen/hyrax_generators.c
LIB_OBJ  += $(GENS_C:.c=.o)

LIB := $(BUILD)/libzkm.a
ZKM := $(BUILD)/zkm
BENCH := $(BUILD)/zkm-bench

.PHONY: all deps check demo bench fuzz install uninstall clean models experiments FORCE
.DEFAULT_GOAL := all
# keep intermediate objects (tests are built through a chain of rules)
.SECONDARY:

all: $(LIB) $(ZKM)

deps:
	@./scripts/deps.sh

$(BUILD)/%.o: %.c | deps $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ZKM_CFLAGS) -c $< -o $@

$(BUILD)/parser/%.tab.c $(BUILD)/parser/%.tab.h: parser/%.y | deps
	@mkdir -p $(dir $@)
	bison -Wall -Werror --defines=$(BUILD)/parser/$*.tab.h -o $(BUILD)/parser/$*.tab.c $<

$(BUILD)/parser/%.yy.c $(BUILD)/parser/%.yy.h: parser/%.l | deps
	@mkdir -p $(dir $@)
	flex --header-file=$(BUILD)/parser/$*.yy.h -o $(BUILD)/parser/$*.yy.c $<

# generated code: our warnings minus the ones flex and bison's skeletons trip
$(BUILD)/parser/%.o: $(BUILD)/parser/%.c | deps $(GEN_H)
	$(CC) $(CPPFLAGS) $(ZKM_CFLAGS) -Wno-unused-function -Wno-sign-compare \
	    -Wno-unused-parameter -Wno-shadow -Wno-strict-prototypes -c $< -o $@

$(GEN_TOOL): $(BUILD)/tools/gen_generators.o $(BUILD)/gkr/g1.o $(BUILD)/gkr/fq.o \
    $(BUILD)/gkr/fr.o
	$(CC) $(ZKM_CFLAGS) $(LDSAN) -o $@ $^ $(LDLIBS)

$(GENS_C): $(GEN_TOOL)
	@mkdir -p $(dir $@)
	./$(GEN_TOOL) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CPPFLAGS) $(ZKM_CFLAGS) -c $< -o $@

# What zkm sweep records as the build in its commit column: `git describe
# --always --dirty` of this source tree (a tag, or the commit's short hash;
# "-dirty" with uncommitted changes), which names the exact source a row was
# measured with.  The version is derived from git, not written here: VERSION
# is only the fallback outside a git checkout (a release tarball, no git),
# "zkm-VERSION"; give a release's with make VERSION=...  Only characters
# safe in a C string and a CSV field are kept (a tag may hold '"').
# Rewritten only when it changes, so that only then cli/cmd_sweep.c is
# compiled again.
VERSION := 0.1
$(BUILD)/gen/describe.h: FORCE
	@mkdir -p $(dir $@)
	@d=$$( { [ -e .git ] && git describe --always --dirty 2>/dev/null; } || echo "zkm-$(VERSION)"); \
	d=$$(printf '%s' "$$d" | tr -cd 'A-Za-z0-9._+/-'); \
	printf '#define ZKM_DESCRIBE "%s"\n' "$${d:-unknown}" > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/cli/cmd_sweep.o: $(BUILD)/gen/describe.h

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(ZKM): $(CLI_OBJ) $(LIB)
	$(CC) $(ZKM_CFLAGS) $(LDSAN) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TESTUTIL_OBJ) $(LIB)
	$(CC) $(ZKM_CFLAGS) $(LDSAN) -o $@ $< $(TESTUTIL_OBJ) $(LIB) $(TESTLIBS) $(LDLIBS)

$(BENCH): $(BENCH_OBJ) $(LIB)
	$(CC) $(ZKM_CFLAGS) $(LDSAN) -o $@ $(BENCH_OBJ) $(LIB) $(LDLIBS)

check: $(TEST_BIN) $(ZKM)
	@ZKM=$(ZKM) ./tests/run.sh $(TEST_BIN) tests/test_cli.sh tests/test_e2e.sh tests/test_drift.sh \
	    tests/test_sweep.sh

# deps first (as root it installs what is missing), then the demo from the
# repository's root, where lang/examples/lenet5.zkm is.
demo: $(ZKM) | deps
	./$(ZKM) demo

bench: $(BENCH)
	@./$(BENCH)

# The drift experiments' example models (experiments/models/*.zkm), trained
# on the synthetic shapes task by zkm-train (tools/train.c: SGD in double,
# deterministic); their weights are shipped, and this rewrites them.
TRAIN := $(BUILD)/zkm-train
$(TRAIN): $(BUILD)/tools/train.o $(LIB)
	$(CC) $(ZKM_CFLAGS) $(LDSAN) -o $@ $< $(LIB) $(LDLIBS)

models: $(TRAIN)
	./$(TRAIN) experiments/models/shapes_mlp.zkm -o experiments/models/shapes_mlp.safetensors \
	    --train 16000 --epochs 30 --batch 16 --lr 0.1 --decay 0.95 --seed 1 \
	    --clip 0.9 --range 0.5 --penalty 1
	./$(TRAIN) experiments/models/shapes_cnn.zkm -o experiments/models/shapes_cnn.safetensors \
	    --train 8000 --epochs 30 --batch 16 --lr 0.1 --decay 0.93 --seed 1 \
	    --clip 0.9 --range 0.5 --penalty 0.1

# The default sweep (experiments/default.sweep: the shapes MLP and CNN and
# LeNet-5, bit-widths 4..16, range checks by bits and by lookup, committed
# and committed+zk, 3 repetitions) into EXP_DIR, then every chart
# (experiments/*.gp) as PNG and SVG there.  Run again, it resumes: only the
# points missing from EXP_DIR/results.csv run.  Points that fail (listed
# on stderr and in EXP_DIR/failures.csv) leave gaps in the charts but do
# not stop them; bad usage does.
EXP_SPEC ?= experiments/default.sweep
EXP_DIR  ?= build/sweep
EXP_JOBS ?= 2
experiments: $(ZKM) | deps
	@st=0; ./$(ZKM) sweep $(EXP_SPEC) --out $(EXP_DIR) --jobs $(EXP_JOBS) || st=$$?; \
	[ $$st -le 1 ] || exit $$st; \
	for gp in experiments/*.gp; do for fmt in png svg; do \
	    gnuplot -e "dir='$(EXP_DIR)'; fmt='$$fmt'" $$gp || exit 1; \
	done; done; \
	echo "charts: $$(cd $(EXP_DIR) && ls *.png *.svg | tr '\n' ' ')"; \
	[ $$st -eq 0 ] || echo "make experiments: some points failed (above, and" \
	    "$(EXP_DIR)/failures.csv): the charts leave them out" >&2

# Coverage-guided fuzzing (clang's libFuzzer) of the proof decoder and
# verifier, then of the .zkm parser and checker.  FUZZ_SECONDS bounds each
# run; findings land in build-fuzz/.
FUZZ_SECONDS ?= 60
fuzz: $(ZKM) $(GEN_C) $(GENS_C) | deps
	@command -v clang >/dev/null || { echo "make fuzz needs clang and libFuzzer:" \
	    "apt-get install clang libclang-rt-14-dev" >&2; exit 2; }
	@mkdir -p build-fuzz/corpus
	clang -std=c11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I. -Icommon -Igkr \
	    -o build-fuzz/fuzz_proof tests/fuzz_proof.c $(wildcard common/*.c gkr/*.c) $(GENS_C) \
	    $(LDLIBS)
	./$(ZKM) demo --samples --size 4 --out build-fuzz/corpus >/dev/null
	cd build-fuzz && ./fuzz_proof -max_total_time=$(FUZZ_SECONDS) corpus
	@mkdir -p build-fuzz/parser-corpus
	cp lang/examples/*.zkm build-fuzz/parser-corpus/
	clang -std=c11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I. -Icommon \
	    -Igkr -Ilang -Iparser -I$(BUILD)/parser -o build-fuzz/fuzz_parser tests/fuzz_parser.c \
	    $(wildcard lang/*.c parser/*.c common/*.c) $(GEN_C) $(LDLIBS)
	cd build-fuzz && ./fuzz_parser -dict=../tests/fuzz_parser.dict \
	    -max_total_time=$(FUZZ_SECONDS) parser-corpus

install: $(LIB) $(ZKM)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/zkm/examples
	install -m 755 $(ZKM) $(DESTDIR)$(PREFIX)/bin/zkm
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libzkm.a
	install -m 644 zkm.1 $(DESTDIR)$(PREFIX)/share/man/man1/zkm.1
	install -m 644 lang/examples/*.zkm $(DESTDIR)$(PREFIX)/share/zkm/examples/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/zkm $(DESTDIR)$(PREFIX)/lib/libzkm.a \
	    $(DESTDIR)$(PREFIX)/share/man/man1/zkm.1
	rm -rf $(DESTDIR)$(PREFIX)/share/zkm

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
