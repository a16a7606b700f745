/* Sweep specs and CSV files (experiments/sweep.h):
 *   - a spec with every key, comments, spaces, lists and ranges parses to
 *     the expected models, bit-widths, ranges and modes (canonical), with
 *     the defaults where keys are missing;
 *   - every class of bad spec is refused with its file, line and reason;
 *   - the points: the count, the order (the repetition slowest), every key
 *     distinct, and each point's string decoded back to the same point;
 *     malformed point strings refused;
 *   - one spelling per circuit: `lookup` is `lookup:8` in a spec, a point
 *     and a row read back (an older zkm's "lookup" rows are the same
 *     points), so listing both is refused;
 *   - a point's paths may hold spaces, quotes and '#' (an absolute path
 *     --emit-jobs makes), never ';' or a control character;
 *   - input_sample=K: sample K of a data set alone (any K costs one sample
 *     of the shapes task), the same as sample K of the first K + 1;
 *   - torn lines (sw_complete_len), key fields (sw_key_len), row keys
 *     checked and canonical (sw_row_key), the key set against a naive list
 *     on random keys, sw_csv_keys's header and rows;
 *   - summaries: medians over odd and even numbers of runs, empty values,
 *     the order of the groups, the stacked boxes of the nodes with
 *     "(other)", and the gnuplot variables; old and new spellings of a
 *     range in one series; a word that could break summary.gpi refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net.h"
#include "sweep.h"
#include "synth.h"
#include "testutil.h"

static uint64_t g_seed;

static zkm_status parse_str(const char *text, sw_spec *s, zkm_err *e)
{
    zkm_err_clear(e);
    return sw_parse(text, strlen(text), "t.sweep", s, e);
}

/* The point's key as a fresh string. */
static char *key_of(const sw_point *p)
{
    zkm_strbuf b = {0};
    sw_point_key(p, &b);
    assert_false(b.failed);
    return b.s;
}

/* ------------------------------------------------------------- parsing */

static void test_parse_full(void **state)
{
    (void)state;
    const char *text =
        "# a comment line\n"
        "\n"
        "model = a/b/net.zkm seed=3   # trailing comment\n"
        "model=m2.zkm weights=w.safetensors name=second input=in.npy dataset=shapes\n"
        "  model =  c.zkm\tseed=0 input_seed=7 name=third\r\n"
        "model = d.zkm seed=1 dataset=shapes:train input_sample=5\n"
        "bits = 8..10, 4 , 16, 9\n"
        "range = lookup:6, bits,lookup\n"
        "mode = public, committed+zk, committed+clear-advice+private-input\n"
        "reps = 3\n"
        "drift_inputs = 0\n"
        "threads = 2";
    sw_spec s;
    zkm_err e;
    assert_int_equal(parse_str(text, &s, &e), ZKM_OK);
    assert_int_equal(s.n_models, 4);
    assert_string_equal(s.models[0].name, "net");
    assert_string_equal(s.models[0].path, "a/b/net.zkm");
    assert_null(s.models[0].weights);
    assert_int_equal(s.models[0].seed, 3);
    assert_int_equal(s.models[0].input_seed, 1); /* the default */
    assert_int_equal(s.models[0].line, 3);
    assert_string_equal(s.models[1].name, "second");
    assert_string_equal(s.models[1].weights, "w.safetensors");
    assert_string_equal(s.models[1].input, "in.npy");
    assert_string_equal(s.models[1].dataset, "shapes");
    assert_string_equal(s.models[2].name, "third");
    assert_int_equal(s.models[2].input_seed, 7);
    assert_true(s.models[2].has_input_seed);
    assert_true(s.models[3].has_input_sample);
    assert_int_equal(s.models[3].input_sample, 5);
    const uint32_t bits[] = {4, 8, 9, 10, 16};
    assert_int_equal(s.n_bits, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(s.bits[i], bits[i]);
    char buf[64];
    assert_int_equal(s.n_ranges, 3);
    assert_string_equal(sw_range_str(s.ranges[0], buf, sizeof buf), "lookup:6");
    assert_string_equal(sw_range_str(s.ranges[1], buf, sizeof buf), "bits");
    /* a bare lookup is zkm's default limb: one spelling per circuit */
    assert_string_equal(sw_range_str(s.ranges[2], buf, sizeof buf), "lookup:8");
    assert_int_equal(s.ranges[2].limb, ZKM_LIMB_DEFAULT);
    assert_int_equal(s.n_modes, 3);
    assert_string_equal(sw_mode_str(s.modes[0], buf, sizeof buf), "public");
    assert_string_equal(sw_mode_str(s.modes[1], buf, sizeof buf), "committed+zk");
    assert_string_equal(sw_mode_str(s.modes[2], buf, sizeof buf),
                        "committed+private-input+clear-advice");
    assert_int_equal(s.reps, 3);
    assert_int_equal(s.drift_inputs, 0);
    assert_int_equal(s.threads, 2);
    assert_int_equal(sw_count(&s), 4 * 5 * 3 * 3 * 3);
    sw_spec_free(&s);
    sw_spec_free(&s); /* safe twice */
}

static void test_parse_defaults(void **state)
{
    (void)state;
    sw_spec s;
    zkm_err e;
    assert_int_equal(parse_str("model = x.zkm seed=1\nbits = 8", &s, &e), ZKM_OK);
    assert_int_equal(s.n_ranges, 1);
    assert_false(s.ranges[0].lookup);
    assert_int_equal(s.n_modes, 1);
    assert_int_equal(s.modes[0], 0);
    assert_int_equal(s.reps, 1);
    assert_int_equal(s.drift_inputs, SW_DEFAULT_DRIFT_INPUTS);
    assert_int_equal(s.threads, 0);
    assert_int_equal(sw_count(&s), 1);
    sw_spec_free(&s);
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"model = x.zkm seed=1\nbits = 8\ncolour = red", "t.sweep:3: unknown key 'colour'"},
        {"model = x.zkm seed=1\nbits 8", "t.sweep:2: expected 'key = value'"},
        {"model = x.zkm seed=1\nbits = 33", "t.sweep:2: bits: '33': expected bit-widths"},
        {"model = x.zkm seed=1\nbits = 1", "t.sweep:2: bits: '1'"},
        {"model = x.zkm seed=1\nbits = 8..4", "t.sweep:2: bits: '8..4'"},
        {"model = x.zkm seed=1\nbits = 4,,8", "t.sweep:2: bits: an empty item"},
        {"model = x.zkm seed=1\nbits = 4,", "t.sweep:2: bits: an empty item"},
        {"model = x.zkm seed=1\nbits = eight", "t.sweep:2: bits: 'eight'"},
        {"model = x.zkm seed=1\nbits =", "t.sweep:2: bits: no value"},
        {"model = x.zkm seed=1\nbits = 8\nbits = 9", "t.sweep:3: bits: given twice (first on "
                                                     "line 2)"},
        {"model = x.zkm seed=1\nbits = 8\nrange = bitz", "t.sweep:3: range: 'bitz'"},
        {"model = x.zkm seed=1\nbits = 8\nrange = lookup:0", "t.sweep:3: range: 'lookup:0'"},
        {"model = x.zkm seed=1\nbits = 8\nrange = lookup:21",
         "t.sweep:3: range: 'lookup:21': expected bits, lookup or lookup:L with a limb size L "
         "from 2 to 20"},
        {"model = x.zkm seed=1\nbits = 8\nrange = lookup:1", "range: 'lookup:1'"},
        {"model = x.zkm seed=1\nbits = 8\nrange = lookup:", "t.sweep:3: range: 'lookup:'"},
        {"model = x.zkm seed=1\nbits = 8\nrange = bits, bits", "listed twice"},
        {"model = x.zkm seed=1\nbits = 8\nrange = lookup, lookup:8",
         "t.sweep:3: range: 'lookup:8' listed twice (lookup is lookup:8)"},
        {"model = x.zkm seed=1\nbits = 8\nrange = lookup:8, bits, lookup", "'lookup' listed twice"},
        {"model = x.zkm seed=1\nbits = 8\nmode = secret", "t.sweep:3: mode: 'secret'"},
        {"model = x.zkm seed=1\nbits = 8\nmode = zk", "t.sweep:3: mode: 'zk'"},
        {"model = x.zkm seed=1\nbits = 8\nmode = public+zk+zk", "a word given twice"},
        {"model = x.zkm seed=1\nbits = 8\nmode = committed+clear-advice+zk",
         "zk needs the advice committed"},
        {"model = x.zkm seed=1\nbits = 8\nmode = public+fast", "'public+fast'"},
        {"model = x.zkm seed=1\nbits = 8\nmode = committed+zk, committed+zk", "listed twice"},
        {"model = x.zkm seed=1\nbits = 8\nmode = zk+committed", "expected public or committed"},
        {"model = x.zkm seed=1\nbits = 8\nreps = 0", "t.sweep:3: reps: '0': expected an "
                                                     "integer from 1 to 1000"},
        {"model = x.zkm seed=1\nbits = 8\nreps = 1001", "reps: '1001'"},
        {"model = x.zkm seed=1\nbits = 8\nreps = -1", "reps: '-1'"},
        {"model = x.zkm seed=1\nbits = 8\nreps = 99999999999999999999999", "reps: '9999"},
        {"model = x.zkm seed=1\nbits = 8\ndrift_inputs = 100001", "drift_inputs: '100001'"},
        {"model = x.zkm seed=1\nbits = 8\nthreads = 0", "threads: '0'"},
        {"model = x.zkm\nbits = 8", "t.sweep:1: model: x.zkm: give the weights"},
        {"model = x.zkm seed=1 weights=w\nbits = 8", "not both"},
        {"model = x.zkm seed=1 input=a.npy input_seed=2\nbits = 8", "give one of input=FILE"},
        {"model = x.zkm seed=1 input_sample=2\nbits = 8", "give dataset=SPEC"},
        {"model = x.zkm seed=1 colour=red\nbits = 8", "unknown option 'colour'"},
        {"model = x.zkm seed=1 seed=2\nbits = 8", "seed given twice"},
        {"model = x.zkm seed=one\nbits = 8", "seed 'one'"},
        {"model = x.zkm seed=1 weights=\nbits = 8", "weights needs a value"},
        {"model = x.zkm seed\nbits = 8", "'seed': expected OPTION=VALUE"},
        {"model = seed=1\nbits = 8", "the first word is the model's .zkm file"},
        {"model = a;b.zkm seed=1\nbits = 8", "a path without ';'"},
        {"model = x.zkm seed=1 name=a/b\nbits = 8", "name 'a/b'"},
        {"model = x+y.zkm seed=1\nbits = 8", "give name=LABEL"},
        {"model = x.zkm seed=1\nmodel = y/x.zkm seed=2\nbits = 8",
         "t.sweep:2: model: model name 'x' already used on line 1"},
        {"bits = 8", "t.sweep: no model line"},
        {"model = x.zkm seed=1", "t.sweep: no bits line"},
        {"model = x.zkm seed=1\nbits = 2..32\nreps = 1000\nrange = bits, lookup, lookup:4, "
         "lookup:2, lookup:3\nmode = public, committed, public+zk, committed+zk, "
         "public+private-input, committed+private-input, public+clear-advice",
         "points, more than"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_spec s;
        zkm_err e;
        const zkm_status st = parse_str(cases[i].text, &s, &e);
        if (st != ZKM_EFORMAT || !strstr(e.msg, cases[i].msg))
            fail_msg("case %zu: status %d, message '%s', wanted '%s'", i, st, e.msg, cases[i].msg);
        assert_int_equal(s.n_models, 0); /* emptied */
        assert_null(s.models);
    }
    /* a NUL byte */
    sw_spec s;
    zkm_err e;
    const char nul[] = "model = x.zkm seed=1\nbits = 8\0\n";
    assert_int_equal(sw_parse(nul, sizeof nul - 1, "t.sweep", &s, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "t.sweep:2: a NUL byte"));
}

/* -------------------------------------------------------------- points */

static const char *const grid =
    "model = m1.zkm seed=1\n"
    "model = dir/m2.zkm weights=w.st dataset=shapes input_sample=3 name=two\n"
    "model = m3.zkm seed=18446744073709551615 input=i.npy\n"
    "bits = 4, 8..9\n"
    "range = bits, lookup:6\n"
    "mode = public, committed+private-input+zk\n"
    "reps = 2\n"
    "drift_inputs = 5\n"
    "threads = 3\n";

static void test_points(void **state)
{
    (void)state;
    sw_spec s;
    zkm_err e;
    assert_int_equal(parse_str(grid, &s, &e), ZKM_OK);
    const uint64_t n = sw_count(&s);
    assert_int_equal(n, 3 * 3 * 2 * 2 * 2);
    char **keys = calloc(n, sizeof *keys);
    assert_non_null(keys);
    for (uint64_t k = 0; k < n; k++) {
        sw_point p;
        sw_point_at(&s, k, &p);
        /* the repetition varies slowest, then model, bits, range, mode */
        assert_int_equal(p.rep, 1 + k / (n / 2));
        assert_ptr_equal(p.model, &s.models[k / 12 % 3]);
        assert_int_equal(p.bits, s.bits[k / 4 % 3]);
        assert_int_equal(p.mode, s.modes[k % 2]);
        assert_int_equal(p.drift_inputs, 5);
        assert_int_equal(p.threads, 3);
        keys[k] = key_of(&p);
        for (uint64_t j = 0; j < k; j++)
            assert_string_not_equal(keys[j], keys[k]);

        /* the point's string decodes to the same point */
        zkm_strbuf b = {0};
        assert_int_equal(sw_point_encode(&p, &b, &e), ZKM_OK);
        assert_false(b.failed);
        sw_spec one;
        sw_point q;
        if (sw_point_decode(b.s, &one, &q, &e) != ZKM_OK)
            fail_msg("decode '%s': %s", b.s, e.msg);
        char *qk = key_of(&q);
        assert_string_equal(qk, keys[k]);
        assert_string_equal(q.model->path, p.model->path);
        assert_int_equal(!!q.model->weights, !!p.model->weights);
        if (p.model->weights)
            assert_string_equal(q.model->weights, p.model->weights);
        assert_int_equal(q.model->seed, p.model->seed);
        assert_int_equal(!!q.model->input, !!p.model->input);
        assert_int_equal(q.model->input_seed, p.model->input_seed);
        assert_int_equal(q.model->has_input_sample, p.model->has_input_sample);
        assert_int_equal(q.model->input_sample, p.model->input_sample);
        assert_int_equal(!!q.model->dataset, !!p.model->dataset);
        assert_int_equal(q.drift_inputs, p.drift_inputs);
        assert_int_equal(q.threads, p.threads);
        assert_int_equal(sw_count(&one), q.rep); /* one point, repetition rep */
        free(qk);
        free(b.s);
        sw_spec_free(&one);
    }
    assert_string_equal(keys[0], "m1,4,bits,public,1");
    assert_string_equal(keys[n - 1], "m3,9,lookup:6,committed+private-input+zk,2");
    for (uint64_t k = 0; k < n; k++)
        free(keys[k]);
    free(keys);
    sw_spec_free(&s);
}

static void test_point_errors(void **state)
{
    (void)state;
    static const struct {
        const char *s, *msg;
    } cases[] = {
        {"name=a;seed=1;bits=8;range=bits;mode=public;rep=1;drift_inputs=0", "no model=PATH"},
        {"model=a.zkm;seed=1;bits=8;range=bits;mode=public;rep=1;drift_inputs=0",
         "no name=LABEL"},
        {"name=a;model=a.zkm;bits=8;range=bits;mode=public;rep=1;drift_inputs=0",
         "give the weights"},
        {"name=a;model=a.zkm;seed=1;range=bits;mode=public;rep=1;drift_inputs=0", "no bits="},
        {"name=a;model=a.zkm;seed=1;bits=8;mode=public;rep=1;drift_inputs=0", "no range="},
        {"name=a;model=a.zkm;seed=1;bits=8;range=bits;rep=1;drift_inputs=0", "no mode="},
        {"name=a;model=a.zkm;seed=1;bits=8;range=bits;mode=public;drift_inputs=0", "no rep="},
        {"name=a;model=a.zkm;seed=1;bits=8;range=bits;mode=public;rep=1", "no drift_inputs="},
        {"name=a;model=a.zkm;seed=1;bits=1;range=bits;mode=public;rep=1;drift_inputs=0",
         "--point: bits: '1'"},
        {"name=a;model=a.zkm;seed=1;bits=8;range=x;mode=public;rep=1;drift_inputs=0",
         "range: 'x'"},
        {"name=a;model=a.zkm;seed=1;bits=8;range=bits;mode=x;rep=1;drift_inputs=0",
         "mode: 'x'"},
        {"name=a;model=a.zkm;seed=1;bits=8;range=bits;mode=public;rep=0;drift_inputs=0",
         "rep: '0'"},
        {"name=a;model=a.zkm;seed=1;bits=8;bits=9;range=bits;mode=public;rep=1;drift_inputs=0",
         "bits given twice"},
        {"name=a;model=a.zkm;model=b.zkm;seed=1;bits=8;range=bits;mode=public;rep=1;"
         "drift_inputs=0", "model given twice"},
        {"name=a;model=a.zkm;seed=1;bits=8;range=bits;mode=public;rep=1;drift_inputs=0;x=1",
         "unknown option 'x'"},
        {"name=a;model=a.zkm;seed=1;bits=8;range=bits;mode=public;rep=1;drift_inputs=0;junk",
         "'junk': expected KEY=VALUE"},
        {"", "no model=PATH"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sw_spec one;
        sw_point p;
        zkm_err e;
        zkm_err_clear(&e);
        const zkm_status st = sw_point_decode(cases[i].s, &one, &p, &e);
        if (st != ZKM_EFORMAT || !strstr(e.msg, cases[i].msg))
            fail_msg("case %zu: status %d, message '%s', wanted '%s'", i, st, e.msg, cases[i].msg);
        assert_null(one.models);
        assert_null(p.model);
    }
}

/* lookup and lookup:8 are one circuit: one key, in a spec and in a point */
static void test_range_canonical(void **state)
{
    (void)state;
    sw_spec s, one;
    sw_point p, q;
    zkm_err e;
    assert_int_equal(parse_str("model = x.zkm seed=1\nbits = 8\nrange = lookup", &s, &e), ZKM_OK);
    sw_point_at(&s, 0, &p);
    char *k = key_of(&p);
    assert_string_equal(k, "x,8,lookup:8,public,1");
    zkm_strbuf b = {0};
    assert_int_equal(sw_point_encode(&p, &b, &e), ZKM_OK);
    assert_non_null(strstr(b.s, ";range=lookup:8;"));
    free(b.s);
    /* a point string written with a bare lookup (an older --emit-jobs) */
    assert_int_equal(sw_point_decode("name=x;model=x.zkm;seed=1;input_seed=1;bits=8;"
                                     "range=lookup;mode=public;rep=1;drift_inputs=0",
                                     &one, &q, &e),
                     ZKM_OK);
    char *qk = key_of(&q);
    assert_string_equal(qk, k);
    free(qk);
    free(k);
    sw_spec_free(&one);
    sw_spec_free(&s);
}

/* A point's paths: spaces, quotes, '#' carried; ';' and control characters
 * refused, by the encoder (nothing written) and the decoder. */
static void test_point_paths(void **state)
{
    (void)state;
    sw_spec s, one;
    sw_point p, q;
    zkm_err e;
    assert_int_equal(parse_str("model = m.zkm weights=w.st name=m\nbits = 8", &s, &e), ZKM_OK);
    sw_point_at(&s, 0, &p);
    sw_model m = *p.model;
    char path[32] = "/a dir/it's #1/m.zkm", weights[] = "/a dir/it's #1/\"w\".st";
    m.path = path;
    m.weights = weights;
    p.model = &m;
    zkm_strbuf b = {0};
    assert_int_equal(sw_point_encode(&p, &b, &e), ZKM_OK);
    if (sw_point_decode(b.s, &one, &q, &e) != ZKM_OK)
        fail_msg("decode '%s': %s", b.s, e.msg);
    assert_string_equal(q.model->path, m.path);
    assert_string_equal(q.model->weights, m.weights);
    sw_spec_free(&one);
    static const char *const refused[] = {"/a;b/m.zkm", "/a\nb/m.zkm", "/a\tb.zkm", "/a\x7f"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(path, sizeof path, "%s", refused[i]);
        const size_t len = b.len;
        zkm_err_clear(&e);
        assert_int_equal(sw_point_encode(&p, &b, &e), ZKM_EFORMAT);
        assert_non_null(strstr(e.msg, "cannot carry"));
        assert_int_equal(b.len, len);
    }
    free(b.s);
    assert_int_equal(sw_point_decode("name=m;model=/a\tb.zkm;seed=1;bits=8;range=bits;"
                                     "mode=public;rep=1;drift_inputs=0",
                                     &one, &q, &e),
                     ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "control characters"));
    sw_spec_free(&s);
}

/* input_sample=K proves sample K of the data set: made alone, not as the
 * last of K + 1 (an input_sample of 2^40 would ask for 2^40 samples). */
static void test_input_sample(void **state)
{
    (void)state;
    syn_set set;
    zkm_tensor_set a, b;
    zkm_err e;
    assert_int_equal(syn_open("shapes:train", 6, &set, &e), ZKM_OK);
    assert_int_equal(syn_sample(&set, 5, "x", &a, &e), ZKM_OK);
    assert_int_equal(syn_open_sample("shapes:train", 5, "x", &b, &e), ZKM_OK);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.t[0].name, "x");
    assert_int_equal(a.t[0].count, b.t[0].count);
    assert_memory_equal(a.t[0].data, b.t[0].data, a.t[0].count * sizeof(double));
    zkm_tensor_set_free(&b);
    assert_int_equal(syn_open_sample("shapes:train", 4, "x", &b, &e), ZKM_OK);
    assert_memory_not_equal(a.t[0].data, b.t[0].data, a.t[0].count * sizeof(double));
    zkm_tensor_set_free(&b);
    zkm_tensor_set_free(&a);
    syn_free(&set);
    assert_int_equal(syn_open_sample("shapes", (uint64_t)1 << 40, "x", &b, &e), ZKM_OK);
    zkm_tensor_set_free(&b);
    assert_int_equal(syn_open_sample("shapes:dev", 0, "x", &b, &e), ZKM_EFORMAT);
    zkm_tensor_set_free(&b);
    assert_int_not_equal(syn_open_sample("shapes", UINT64_MAX, "x", &b, &e), ZKM_OK);
    zkm_tensor_set_free(&b);
}

/* ---------------------------------------------------------------- CSV */

static void test_csv_lines(void **state)
{
    (void)state;
    assert_int_equal(sw_complete_len("", 0), 0);
    assert_int_equal(sw_complete_len("abc", 3), 0);
    assert_int_equal(sw_complete_len("a\nb", 3), 2);
    assert_int_equal(sw_complete_len("a\nb\n", 4), 4);
    assert_int_equal(sw_key_len("a,b,c,d,e,f\n", 12, 5), 9);
    assert_int_equal(sw_key_len("a,b,c,d,e\n", 10, 5), 9);
    assert_int_equal(sw_key_len("a,b,c,d,e", 9, 5), 9);
    assert_int_equal(sw_key_len("a,b,c,d\n,e", 10, 5), 0); /* the line ends first */
    assert_int_equal(sw_key_len("a,b,,d,e,f", 10, 5), 0);  /* an empty field */
    assert_int_equal(sw_key_len("a,b,c,d,", 8, 5), 0);
    assert_int_equal(sw_key_len("abc", 3, 1), 3);
}

static void test_node_word(void **state)
{
    (void)state;
    char a[] = "fc1/dense", b[] = "a b,c\"d'e\\f|g\001h\377", c[2] = "";
    sw_node_word(a);
    sw_node_word(b);
    sw_node_word(c);
    assert_string_equal(a, "fc1/dense");
    assert_string_equal(b, "a_b_c_d_e_f_g_h_");
    assert_string_equal(c, "_");
}

static void test_row_key(void **state)
{
    (void)state;
    static const struct {
        const char *row, *key; /* key NULL: not a row zkm writes */
    } cases[] = {
        {"a,8,bits,public,1,0.5\n", "a,8,bits,public,1"},
        {"a,8,bits,public,1", "a,8,bits,public,1"},
        {"net.v2-x_y,32,lookup:20,committed,1000,", "net.v2-x_y,32,lookup:20,committed,1000"},
        /* an older zkm's spelling of the default limb, other orders, zeros */
        {"a,8,lookup,public,1,0.5\n", "a,8,lookup:8,public,1"},
        {"a,08,lookup:08,committed+zk+private-input,02,x",
         "a,8,lookup:8,committed+private-input+zk,2"},
        {"a b,8,bits,public,1,0.5", NULL},
        {"a\",8,bits,public,1,0.5", NULL},
        {"a,33,bits,public,1", NULL},
        {"a,1,bits,public,1", NULL},
        {"a,8,lookup:21,public,1", NULL},
        {"a,8,bitz,public,1", NULL},
        {"a,8,bits,zk,1", NULL},
        {"a,8,bits,public,0", NULL},
        {"a,8,bits,public,1001", NULL},
        {"a,8,bits,public\n,1", NULL},
        {"a,8,bits,public,", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[SW_MAX_KEY];
        const size_t n = sw_row_key(cases[i].row, strlen(cases[i].row), buf);
        if (cases[i].key ? n != strlen(cases[i].key) || strcmp(buf, cases[i].key) : n || *buf)
            fail_msg("case %zu '%s': %zu '%s', wanted '%s'", i, cases[i].row, n, buf,
                     cases[i].key ? cases[i].key : "(none)");
    }
}

static void test_keys(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed);
    sw_keys k = {0};
    zkm_err e;
    enum { N = 3000 };
    char (*naive)[24] = calloc(N, sizeof *naive);
    assert_non_null(naive);
    size_t n = 0;
    for (int i = 0; i < N; i++) {
        char key[24];
        const int len = snprintf(key, sizeof key, "m,%llu,bits,public,%d",
                                 (unsigned long long)tu_below(&g, 1500), i % 3);
        int found = 0, added;
        for (size_t j = 0; j < n && !found; j++)
            found = !strcmp(naive[j], key);
        assert_int_equal(sw_keys_has(&k, key, (size_t)len), found);
        assert_int_equal(sw_keys_add(&k, key, (size_t)len, &added, &e), ZKM_OK);
        assert_int_equal(added, !found);
        assert_true(sw_keys_has(&k, key, (size_t)len));
        assert_false(sw_keys_has(&k, key, (size_t)len - 1)); /* a prefix is another key */
        if (!found)
            memcpy(naive[n++], key, sizeof key);
    }
    assert_int_equal(k.n, n);
    free(naive);
    sw_keys_free(&k);
    assert_false(sw_keys_has(&k, "x", 1));
}

static void test_csv_keys(void **state)
{
    (void)state;
    sw_keys k = {0};
    zkm_err e;
    const char *h = "model,bits,range,mode,rep,x";
    const char *good = "model,bits,range,mode,rep,x\na,8,bits,public,1,3\na,8,bits,public,2,4\n";
    assert_int_equal(sw_csv_keys("", 0, h, &k, &e), ZKM_OK);
    assert_int_equal(sw_csv_keys(good, strlen(good), h, &k, &e), ZKM_OK);
    assert_int_equal(k.n, 2);
    assert_true(sw_keys_has(&k, "a,8,bits,public,2", 17));
    const char *other = "model,bits\na,8\n";
    assert_int_equal(sw_csv_keys(other, strlen(other), h, &k, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "not the header"));
    const char *short_row = "model,bits,range,mode,rep,x\na,8,bits,public,1,3\na,8\n";
    assert_int_equal(sw_csv_keys(short_row, strlen(short_row), h, &k, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "line 3"));
    /* an older "lookup" row is the point lookup:8 (a resumed sweep skips it) */
    const char *old = "model,bits,range,mode,rep,x\na,8,lookup,public,1,3\n";
    assert_int_equal(sw_csv_keys(old, strlen(old), h, &k, &e), ZKM_OK);
    assert_true(sw_keys_has(&k, "a,8,lookup:8,public,1", 21));
    assert_false(sw_keys_has(&k, "a,8,lookup,public,1", 19));
    /* a key zkm does not write (it would reach summary.gpi) */
    const char *quote = "model,bits,range,mode,rep,x\na\"b,8,bits,public,1,3\n";
    assert_int_equal(sw_csv_keys(quote, strlen(quote), h, &k, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "line 2: 'a\"b,8,bits,public,1,3': not a row zkm sweep writes"));
    sw_keys_free(&k);
}

/* ----------------------------------------------------------- summaries */

static void test_summary(void **state)
{
    (void)state;
    /* two models (b first), 8 and 4 bits, three runs of one point (median
     * the middle) and two of another (the mean of both), an empty value */
    const char *res =
        "model,bits,range,mode,rep,prove_s,proof_bytes,drift_rel_l2,drift_accuracy,host\n"
        "b,8,bits,public,1,3,100,0.5,,h1\n"
        "b,8,bits,public,2,1,100,0.5,,h2\n"
        "b,8,bits,public,3,2,100,0.5,,h1\n"
        "b,4,bits,public,1,1,80,,,h1\n"
        "a,8,bits,public,1,4,50,0.25,0.9,h1\n"
        "a,8,bits,public,2,6,50,0.25,0.9,h1\n"
        "b,4,bits,public,2,3,80,,,h1\n"
        "torn,4,bi";
    const char *nodes =
        "model,bits,range,mode,rep,node,prove_s\n"
        "b,8,bits,public,1,in,0\n"
        "b,8,bits,public,1,conv,0.5\n"
        "b,8,bits,public,1,fc,0.25\n"
        "b,8,bits,public,2,in,0\n"
        "b,8,bits,public,2,conv,0.7\n"
        "b,8,bits,public,2,fc,0.25\n"
        "a,8,bits,public,1,fc,4\n";
    zkm_strbuf s = {0}, n = {0}, g = {0};
    zkm_err e;
    assert_int_equal(sw_summarize(res, strlen(res), nodes, strlen(nodes), &s, &n, &g, &e),
                     ZKM_OK);
    assert_string_equal(s.s, "model,bits,range,mode,runs,prove_s,proof_bytes,drift_rel_l2,"
                             "drift_accuracy,prove_s_min,prove_s_max\n"
                             "b,4,bits,public,2,2,80,,,1,3\n"
                             "b,8,bits,public,3,2,100,0.5,,1,3\n"
                             "a,8,bits,public,2,5,50,0.25,0.9,4,6\n");
    /* b at 8 bits: conv 0.6, fc 0.25 stacked, then the rest of prove_s 2;
     * "in" never above zero is left out; a's fc takes all of its 5 but 1 */
    assert_string_equal(n.s, "model,bits,range,mode,node,prove_s,lo,hi\n"
                             "b,8,bits,public,conv,0.6,0,0.6\n"
                             "b,8,bits,public,fc,0.25,0.6,0.85\n"
                             "b,8,bits,public,(other),1.15,0.85,2\n"
                             "a,8,bits,public,fc,4,0,4\n"
                             "a,8,bits,public,(other),1,4,5\n");
    assert_non_null(strstr(g.s, "models = \"b a\"\n"));
    assert_non_null(strstr(g.s, "modes = \"public\"\n"));
    assert_non_null(strstr(g.s, "ranges = \"bits\"\n"));
    assert_non_null(strstr(g.s, "bits = \"4 8\"\n"));
    assert_non_null(strstr(g.s, "series = \" b|public|bits a|public|bits \"\n"));
    assert_non_null(strstr(g.s, "drift_models = \" b a \"\n"));
    assert_non_null(strstr(g.s, "accuracy_models = \" a \"\n"));
    assert_non_null(strstr(g.s, "bars = \" b|public|bits a|public|bits \"\n"));
    assert_non_null(strstr(g.s, "array nodes[2]\nnodes[1] = \"conv fc (other)\"\n"
                                "nodes[2] = \"fc (other)\"\n"));
    free(s.s);
    free(n.s);
    free(g.s);

    /* nothing yet */
    memset(&s, 0, sizeof s);
    memset(&n, 0, sizeof n);
    memset(&g, 0, sizeof g);
    assert_int_equal(sw_summarize("", 0, "", 0, &s, &n, &g, &e), ZKM_OK);
    assert_string_equal(s.s, "model,bits,range,mode,runs\n");
    assert_non_null(strstr(g.s, "models = \"\"\n"));
    assert_non_null(strstr(g.s, "array nodes[1]\nnodes[1] = \"\"\n"));
    free(s.s);
    free(n.s);
    free(g.s);

    /* an older zkm's "lookup" and this one's "lookup:8": one series */
    memset(&s, 0, sizeof s);
    memset(&n, 0, sizeof n);
    memset(&g, 0, sizeof g);
    const char *mixed = "model,bits,range,mode,rep,prove_s\n"
                        "a,8,lookup,public,1,1\n"
                        "a,8,lookup:8,public,2,3\n";
    const char *mixed_nodes = "model,bits,range,mode,rep,node,prove_s\n"
                              "a,8,lookup,public,1,fc,0.5\n"
                              "a,8,lookup:8,public,2,fc,1.5\n";
    assert_int_equal(sw_summarize(mixed, strlen(mixed), mixed_nodes, strlen(mixed_nodes), &s, &n,
                                  &g, &e),
                     ZKM_OK);
    assert_string_equal(s.s, "model,bits,range,mode,runs,prove_s,prove_s_min,prove_s_max\n"
                             "a,8,lookup:8,public,2,2,1,3\n");
    assert_string_equal(n.s, "model,bits,range,mode,node,prove_s,lo,hi\n"
                             "a,8,lookup:8,public,fc,1,0,1\n"
                             "a,8,lookup:8,public,(other),1,1,2\n");
    assert_non_null(strstr(g.s, "ranges = \"lookup:8\"\n"));
    free(s.s);
    free(n.s);
    free(g.s);

    /* malformed: a field short or too many, a key column missing, bits
     * not a number; a model, range, mode or node that is not a plain word
     * zkm writes (a quote would end a gnuplot string in summary.gpi, a
     * space split a list) */
    static const struct {
        const char *res, *nodes, *msg;
    } bad[] = {
        {"model,bits,range,mode,rep\na,8,bits,public\n", "", "line 2 has 4 fields"},
        {"model,bits,range,mode,rep\na,8,bits,public,1,2\n", "", "line 2 has 6 fields"},
        {"model,bits,range,rep\na,8,bits,1\n", "", "no column 'mode'"},
        {"model,bits,range,mode,rep\na,eight,bits,public,1\n", "", "bits 'eight'"},
        {"model,bits,range,mode,rep\na\"+system(\"x,8,bits,public,1\n", "",
         "results.csv: line 2: model 'a\"+system(\"x' is not one zkm sweep writes"},
        {"model,bits,range,mode,rep\na b,8,bits,public,1\n", "", "model 'a b'"},
        {"model,bits,range,mode,rep\na,8,lookup:99,public,1\n", "", "range 'lookup:99'"},
        {"model,bits,range,mode,rep\na,8,bits,secret,1\n", "", "mode 'secret'"},
        {"model,bits,range,mode,rep\na,8,bits,public,1\n",
         "model,bits,range,mode,rep,node,prove_s\na,8,bits,public,1,f\"c,1\n",
         "nodes.csv: line 2: node 'f\"c' is not one zkm sweep writes"},
        {"model,bits,range,mode,rep\na,8,bits,public,1\n",
         "model,bits,range,mode,rep,node,prove_s\na,8,bits,public,1,f c,1\n", "node 'f c'"},
        {"model,bits,range,mode,rep\na,8,bits,public,1\n",
         "model,bits,range,mode,rep,node,prove_s\na,8,bits,public,1,f|c,1\n", "node 'f|c'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&s, 0, sizeof s);
        memset(&n, 0, sizeof n);
        memset(&g, 0, sizeof g);
        zkm_err_clear(&e);
        const zkm_status st = sw_summarize(bad[i].res, strlen(bad[i].res), bad[i].nodes,
                                           strlen(bad[i].nodes), &s, &n, &g, &e);
        if (st != ZKM_EFORMAT || !strstr(e.msg, bad[i].msg))
            fail_msg("case %zu: status %d, message '%s', wanted '%s'", i, st, e.msg, bad[i].msg);
        free(s.s);
        free(n.s);
        free(g.s);
    }
}

int main(void)
{
    g_seed = tu_seed("test_sweep");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_full),    cmocka_unit_test(test_parse_defaults),
        cmocka_unit_test(test_parse_errors),  cmocka_unit_test(test_points),
        cmocka_unit_test(test_point_errors),  cmocka_unit_test(test_range_canonical),
        cmocka_unit_test(test_point_paths),   cmocka_unit_test(test_input_sample),
        cmocka_unit_test(test_csv_lines),     cmocka_unit_test(test_node_word),
        cmocka_unit_test(test_row_key),       cmocka_unit_test(test_keys),
        cmocka_unit_test(test_csv_keys),      cmocka_unit_test(test_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
