/* Sweeps (zkm sweep): the spec format, the points a spec names, and the
 * CSV files a sweep writes and summarises.  experiments/SWEEP.md describes
 * the format for users; in short, a spec is lines of `key = value`:
 *
 *   model = PATH [name=LABEL] (weights=FILE | seed=N) [dataset=SPEC]
 *           [input=FILE | input_seed=N | input_sample=K]
 *                                           one line per model, at least one
 *   bits = 4,6,8..12,16                     bit-widths ZKM_BITS_MIN..ZKM_BITS_MAX
 *                                           (lang/model.h; required); a width
 *                                           listed twice (4..8, 6) is run once
 *   range = bits, lookup, lookup:L          default bits; L ZKM_LIMB_MIN..
 *                                           ZKM_LIMB_MAX (layers/net.h);
 *                                           lookup is lookup:ZKM_LIMB_DEFAULT
 *   mode = committed, committed+zk, ...     default public
 *   reps = N                                1..1000, default 1
 *   drift_inputs = N                        0..100000, default 100 (0: no drift)
 *   threads = N                             1..1024, default zkm's (the CPUs)
 *
 * A point is (model, bits, range, mode, rep); its key, the first five
 * columns of every row, is "name,bits,range,mode,rep" with the range and
 * mode in their canonical spelling (sw_range_str, sw_mode_str: one spelling
 * per circuit, so `lookup` and `lookup:8` are one point, "lookup:8").  Rows
 * are read with their keys canonical too (sw_row_key): a row an older zkm
 * wrote as "lookup" is the point "lookup:8".  A point travels alone as a
 * string "name=...;model=...;bits=8;..." (sw_point_encode, sw_point_decode)
 * so that one command runs it without the spec.
 *
 * Library code: no output, no exits, no global state. */
#ifndef ZKM_SWEEP_H
#define ZKM_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "zkm_err.h"
#include "zkm_strbuf.h"

#define SW_MAX_MODELS 256
#define SW_MAX_LIST 16          /* ranges, modes                          */
#define SW_MAX_REPS 1000
#define SW_MAX_DRIFT_INPUTS 100000
#define SW_MAX_THREADS 1024
#define SW_MAX_POINTS 1000000
#define SW_MAX_NAME 64          /* a model's name, NUL included            */
#define SW_DEFAULT_DRIFT_INPUTS 100
#define SW_MAX_KEY 192          /* a key "name,bits,range,mode,rep", NUL
                                   included                                */

/* One model line.  Strings are owned by the spec. */
typedef struct {
    char *name;          /* the model column: [A-Za-z0-9_.-], default the
                            file's name less ".zkm"                        */
    char *path;          /* MODEL.zkm                                      */
    char *weights;       /* --weights FILE, or NULL for --seed seed         */
    uint64_t seed;
    char *input;         /* prove's --input FILE, or NULL: --input-seed     */
    uint64_t input_seed; /* default 1; drift's first seed too              */
    int has_input_seed;  /* input_seed was written                          */
    char *dataset;       /* drift's --dataset SPEC, or NULL: seeded inputs  */
    uint64_t input_sample; /* with has_input_sample: prove on sample K      */
    int has_input_sample;  /* (from 0) of dataset instead                   */
    unsigned line;       /* in the spec (0 for a decoded point)            */
} sw_model;

/* A range strategy: bit decomposition, or lookup with a limb size. */
typedef struct {
    int lookup;
    uint32_t limb;       /* with lookup: ZKM_LIMB_MIN..ZKM_LIMB_MAX (a spec's
                            bare `lookup`: ZKM_LIMB_DEFAULT); else 0        */
} sw_range;

/* A proof mode: flags as zkm prove's options. */
enum {
    SW_COMMITTED = 1u << 0,     /* --commitment (zkm commit first)         */
    SW_PRIVATE_INPUT = 1u << 1, /* --private-input                         */
    SW_CLEAR_ADVICE = 1u << 2,  /* --advice clear                          */
    SW_ZK = 1u << 3             /* --zk (not with the advice in the clear) */
};
typedef unsigned sw_mode;

typedef struct {
    sw_model *models;
    uint32_t n_models;
    uint32_t bits[ZKM_BITS_MAX - ZKM_BITS_MIN + 1]; /* ascending, each once */
    uint32_t n_bits;
    sw_range ranges[SW_MAX_LIST];
    uint32_t n_ranges;
    sw_mode modes[SW_MAX_LIST];
    uint32_t n_modes;
    uint32_t reps;
    uint32_t drift_inputs;
    uint32_t threads;           /* 0: zkm's default                        */
} sw_spec;

typedef struct {
    const sw_model *model;      /* borrowed from a spec                    */
    uint32_t bits;
    sw_range range;
    sw_mode mode;
    uint32_t rep;               /* 1..reps                                 */
    uint32_t drift_inputs, threads;
} sw_point;

/* Parse a spec (text of len bytes; file names it in messages).  On success
 * *s holds the spec (free with sw_spec_free); on failure ZKM_EFORMAT with
 * "FILE:LINE: ..." in e and *s empty.  Refused: an unknown key, a key given
 * twice (but model), a malformed or out-of-range value, a range strategy or
 * mode listed twice (`lookup` and `lookup:8` among them), a model name used
 * twice, no model or no bits line, more than SW_MAX_POINTS points, a NUL
 * byte.  Bit-widths may overlap (4..8, 6): each runs once. */
zkm_status sw_parse(const char *text, size_t len, const char *file, sw_spec *s, zkm_err *e);
void sw_spec_free(sw_spec *s);

/* Number of points: models x bits x ranges x modes x reps. */
uint64_t sw_count(const sw_spec *s);

/* Point k (0 <= k < sw_count): the repetition varies slowest, so a
 * partial sweep covers every configuration once before repeating; then
 * model, bits, range, mode. */
void sw_point_at(const sw_spec *s, uint64_t k, sw_point *p);

/* "bits" or "lookup:L" into buf. */
const char *sw_range_str(sw_range r, char *buf, size_t n);
/* "public" or "committed", then "+private-input", "+clear-advice", "+zk"
 * (zkm prove's spelling) into buf. */
const char *sw_mode_str(sw_mode m, char *buf, size_t n);

/* Append the point's key "name,bits,range,mode,rep" to b. */
void sw_point_key(const sw_point *p, zkm_strbuf *b);

/* Append the point as "name=..;model=..;(weights|seed)=..;
 * (input|input_seed|input_sample)=..;[dataset=..;]bits=..;range=..;mode=..;rep=..;drift_inputs=..[;threads=..]"
 * to b.  Paths are written as they are: any byte but ';' (the separator)
 * and control characters (a point is one line of --emit-jobs), so spaces,
 * quotes and '#' are fine.  ZKM_EFORMAT naming the path for one that holds
 * those (sw_parse's paths never do; an absolute path made from them may),
 * b then unchanged. */
zkm_status sw_point_encode(const sw_point *p, zkm_strbuf *b, zkm_err *e);

/* Parse such a string: *one receives the one model (free with
 * sw_spec_free) and *p the point, its model in *one.  ZKM_EFORMAT with a
 * message for an unknown, missing or repeated field or a bad value.  A bare
 * range=lookup is lookup:ZKM_LIMB_DEFAULT, as in a spec. */
zkm_status sw_point_decode(const char *str, sw_spec *one, sw_point *p, zkm_err *e);

/* ------------------------------------------------------------ CSV files */

/* results.csv: one row per run.  The first five columns are the key. */
#define SW_RESULTS_HEADER                                                                   \
    "model,bits,range,mode,rep,prove_s,witness_s,commit_s,verify_s,proof_bytes,"            \
    "peak_rss_bytes,verify_peak_rss_bytes,threads,layers,ops,advice_values,advice_bits,"    \
    "public_values,drift_inputs,drift_max_abs,drift_rms,drift_rel_l2,drift_top1,"           \
    "drift_accuracy,ref_accuracy,drift_failed,host,cpu,cores,commit,timestamp"
/* nodes.csv: per run, one row per model node: the time proving the circuit
 * layers it lowers to (zkm prove --json's "nodes"), the node's name made a
 * word by sw_node_word. */
#define SW_NODES_HEADER "model,bits,range,mode,rep,node,prove_s"
#define SW_KEY_FIELDS 5

/* Make the node name s (of at least 2 bytes, NUL included) a word that
 * nodes.csv and summary.gpi can hold: a space, a comma, a quote, a
 * backslash, '|' and every byte outside printable ASCII become '_' (""
 * becomes "_"). */
void sw_node_word(char *s);

/* The length of buf's complete lines: up to and including the last '\n'
 * (0 if none).  What follows is a torn line, a crash's half-written row. */
size_t sw_complete_len(const char *buf, size_t len);

/* The length of the first `fields` comma-separated fields of the line at
 * line (up to len or the first '\n'), without the comma after them; 0 if
 * the line has fewer fields or an empty one among them. */
size_t sw_key_len(const char *line, size_t len, unsigned fields);

/* The key of the row at line (up to len or the first '\n'), its first
 * SW_KEY_FIELDS fields, checked and spelled canonically into buf (a model
 * name, bits, a range and a mode as a spec gives them, a repetition; the
 * range and mode as sw_range_str and sw_mode_str write them, so an older
 * "lookup" reads "lookup:8"); its length, or 0 (buf "") for a row whose key
 * is not one zkm sweep writes. */
size_t sw_row_key(const char *line, size_t len, char buf[SW_MAX_KEY]);

/* A set of keys (byte strings). */
typedef struct {
    char **slot;     /* open addressing, NULL empty; each key NUL-ended    */
    size_t cap, n;   /* cap a power of two or 0                            */
} sw_keys;

/* Add key[0..n) if absent; *added (if not NULL) says whether it was. */
zkm_status sw_keys_add(sw_keys *k, const char *key, size_t n, int *added, zkm_err *e);
int sw_keys_has(const sw_keys *k, const char *key, size_t n);
void sw_keys_free(sw_keys *k);

/* Check that the CSV text (complete lines only: see sw_complete_len)
 * starts with the line `header` (or is empty) and add the key of every
 * row (sw_row_key: canonical) to *keys.  ZKM_EFORMAT for another header or
 * a row without a valid key (naming its line). */
zkm_status sw_csv_keys(const char *csv, size_t len, const char *header, sw_keys *keys,
                       zkm_err *e);

/* Summaries for the charts, from the text of results.csv and nodes.csv
 * (either may be empty; complete lines only):
 *   summary.csv: one row per (model, bits, range, mode): the key less rep,
 *     "runs", then the median over the reps of every numeric column of
 *     results.csv (empty where no run has a value), and prove_s_min,
 *     prove_s_max.  Rows are grouped by model, mode and range (in order of
 *     first appearance), bits ascending within: each line of a chart is a
 *     contiguous run of rows.
 *   nodes_summary.csv: model,bits,range,mode,node,prove_s,lo,hi: the median
 *     time per node, and the node's box in a stacked bar (lo: the sum of the
 *     medians of the nodes before it, hi = lo + prove_s); nodes in order of
 *     first appearance, nodes never above zero left out; on top of each bar
 *     the node "(other)": the rest of the median prove_s of summary.csv
 *     (the commitments and their opening, the witness), when positive.
 *   summary.gpi: gnuplot variables: models, modes, ranges, bits (lists of
 *     words); series, the "model|mode|range" with rows in summary.csv,
 *     drift_models and accuracy_models, the models with drift values and
 *     with an accuracy (labelled data), and bars, the
 *     "model|mode|range" with rows in nodes_summary.csv (each word with a
 *     space before and after); the array nodes[i], the nodes of word i of
 *     models, in the model's order.
 * Ranges are read canonically (sw_row_key), so "lookup" and "lookup:8" rows
 * are one series.  ZKM_EFORMAT for a header without the key columns or a
 * malformed row: a short or long one, or one whose model, bits, range,
 * mode or node is not what zkm sweep writes (every word of summary.gpi is
 * a plain word: no space, quote, backslash or '|' can reach gnuplot). */
zkm_status sw_summarize(const char *results, size_t results_len, const char *nodes,
                        size_t nodes_len, zkm_strbuf *summary, zkm_strbuf *nodes_summary,
                        zkm_strbuf *gpi, zkm_err *e);

#endif
