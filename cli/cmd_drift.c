/* zkm drift: how far quantization moves a model's values, against an MPFR
 * reference (experiments/drift.h).  Thin: parse the options, build the
 * model at every bit-width, call dr_measure, print. */
#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "drift.h"
#include "eval.h"
#include "load.h"
#include "progress.h"
#include "synth.h"
#include "zkm_file.h"
#include "zkm_strbuf.h"

#define DEFAULT_INPUTS 100
#define MAX_INPUTS 1000000
#define DEFAULT_BITS "4,6,8,10,12,16"

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm drift MODEL.zkm (--weights FILE | --seed N)\n"
            "                 [--dataset SPEC | --input-seed N] [--inputs N] [--bits LIST]\n"
            "                 [--formats LIST] [--prec P] [--csv FILE] [--json]\n\n"
            "Measure how far each arithmetic moves the model's values from a reference\n"
            "computed with MPFR at P bits on the float weights: IEEE float64 and float32 in\n"
            "C, bfloat16, float16, fp8 E4M3 and E5M2 emulated with MPFR (round to nearest\n"
            "even after every operation, subnormals; E4M3 saturates at 448), and the\n"
            "circuit's fixed-point values at each bit-width (the integers zkm run computes).\n"
            "Each bit-width's drift is also split in two against a second MPFR reference on\n"
            "the circuit's own integer weights, biases and input (qB-ref): what quantizing\n"
            "them does, and what rounding the activations after every operation does.\n"
            "Per node and at the output, over all inputs: max |error|, RMS error, relative\n"
            "L2 error, max error in ulps of the format (fixed point: in steps 2^-frac), the\n"
            "top-1 agreement with the reference, and with labelled data the accuracy.\n\n"
            "options:\n"
            "  --weights FILE    weights: a safetensors file, a .npy file, or a directory of\n"
            "                    .npy files, named as in PyTorch's state_dict\n"
            "  --seed N          seeded random weights instead (PyTorch's default ranges)\n"
            "  --dataset SPEC    labelled inputs: 'shapes' (the synthetic task's test split,\n"
            "                    experiments/synth.h; also shapes:train) or a safetensors\n"
            "                    file or .npy directory with tensors x [N, ...] and y [N]\n"
            "  --input-seed N    without --dataset: seeded inputs uniform in [0, 1), seeds\n"
            "                    N, N+1, ... (default 1)\n"
            "  --inputs N        number of inputs (default %d; a file may hold fewer)\n"
            "  --bits LIST       bit-widths, e.g. 4..16 or 4,8,12 or 4..8,12, or none\n"
            "                    (default " DEFAULT_BITS "); each re-targets every format\n"
            "                    keeping its integer bits, as --bits B does for zkm run\n"
            "  --formats LIST    float formats: all (default), none, or some of float64,\n"
            "                    float32, bfloat16, float16, fp8-e4m3, fp8-e5m2 (or f64,\n"
            "                    f32, bf16, f16, e4m3, e5m2)\n"
            "  --prec P          MPFR precision of the references, in bits: %d..%d\n"
            "                    (default %d)\n"
            "  --csv FILE        also write every metric, one row per evaluation and node\n"
            "  --json            print one JSON object on stdout instead of the tables\n\n"
            "A bit-width whose weights do not fit its formats, or an input whose values\n"
            "leave a format there (the circuit refuses it, never saturates), is reported as\n"
            "failed in its row; the other rows are still measured.  Progress is drawn on\n"
            "stderr when it is a terminal.  Exit status 0, or 2 for bad usage or input.\n",
            DEFAULT_INPUTS, DR_MIN_PREC, DR_MAX_PREC, DR_DEFAULT_PREC);
}

typedef struct {
    const char *model, *weights, *dataset, *csv;
    uint64_t seed, input_seed, inputs;
    int has_seed, has_input_seed, json;
    uint32_t widths[32];
    uint32_t n_widths;
    unsigned floats;
    uint64_t prec;
} opts;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "zkm drift: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see zkm drift --help)\n");
    return ZKM_EXIT_USAGE;
}

/* An integer 2..32 at s (up to end), or 0. */
static uint32_t width_at(const char *s, const char *end)
{
    uint32_t v = 0;
    if (s == end || end - s > 2)
        return 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        v = v * 10 + (uint32_t)(*s - '0');
    }
    return v >= 2 && v <= 32 ? v : 0;
}

/* "4..16", "4,8,12", "4..8,12", "none": the widths, sorted, each once. */
static int parse_bits(const char *s, opts *o)
{
    uint64_t set = 0;
    if (strcmp(s, "none") != 0) {
        const char *p = s;
        for (;;) {
            const char *end = strchr(p, ',');
            if (!end)
                end = p + strlen(p);
            const char *dots = strstr(p, "..");
            uint32_t a, b;
            if (dots && dots < end) {
                a = width_at(p, dots);
                b = width_at(dots + 2, end);
            } else {
                a = b = width_at(p, end);
            }
            if (!a || !b || a > b)
                return usage_error("--bits %s: expected bit-widths from 2 to 32 as a list like "
                                   "4,8,12 or ranges like 4..16", s);
            for (uint32_t w = a; w <= b; w++)
                set |= (uint64_t)1 << w;
            if (!*end)
                break;
            p = end + 1;
        }
    }
    o->n_widths = 0;
    for (uint32_t w = 2; w <= 32; w++)
        if ((set >> w) & 1)
            o->widths[o->n_widths++] = w;
    return -1;
}

static int parse_formats(const char *s, opts *o)
{
    if (!strcmp(s, "all")) {
        o->floats = (1u << FE_COUNT) - 1;
        return -1;
    }
    o->floats = 0;
    if (!strcmp(s, "none"))
        return -1;
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return usage_error("--formats: list too long");
    strcpy(buf, s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const fe_format *f = fe_find(t);
        if (!f)
            return usage_error("--formats: unknown format '%s' (float64, float32, bfloat16, "
                               "float16, fp8-e4m3, fp8-e5m2)", t);
        o->floats |= 1u << (unsigned)(f - fe_get(0));
    }
    if (!o->floats)
        return usage_error("--formats %s: no format named", s);
    return -1;
}

static int set_opt(const char *name, const char *v, opts *o)
{
    if (!*v)
        return usage_error("%s needs a non-empty value", name);
    if (!strcmp(name, "--weights")) {
        o->weights = v;
    } else if (!strcmp(name, "--seed")) {
        if (!cli_parse_u64("drift", name, v, 0, UINT64_MAX, &o->seed))
            return ZKM_EXIT_USAGE;
        o->has_seed = 1;
    } else if (!strcmp(name, "--input-seed")) {
        if (!cli_parse_u64("drift", name, v, 0, UINT64_MAX, &o->input_seed))
            return ZKM_EXIT_USAGE;
        o->has_input_seed = 1;
    } else if (!strcmp(name, "--inputs")) {
        if (!cli_parse_u64("drift", name, v, 1, MAX_INPUTS, &o->inputs))
            return ZKM_EXIT_USAGE;
    } else if (!strcmp(name, "--prec")) {
        if (!cli_parse_u64("drift", name, v, DR_MIN_PREC, DR_MAX_PREC, &o->prec))
            return ZKM_EXIT_USAGE;
    } else if (!strcmp(name, "--dataset")) {
        o->dataset = v;
    } else if (!strcmp(name, "--csv")) {
        o->csv = v;
    } else if (!strcmp(name, "--bits")) {
        return parse_bits(v, o);
    } else {
        return parse_formats(v, o);
    }
    return -1;
}

static int parse(int argc, char **argv, opts *o)
{
    static const char *const with_value[] = {"--weights", "--seed", "--input-seed", "--inputs",
                                             "--prec", "--dataset", "--csv", "--bits",
                                             "--formats"};
    memset(o, 0, sizeof *o);
    o->inputs = DEFAULT_INPUTS;
    o->prec = DR_DEFAULT_PREC;
    o->floats = (1u << FE_COUNT) - 1;
    parse_bits(DEFAULT_BITS, o);
    int opts_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (opts_done || arg[0] != '-' || !arg[1]) {
            if (o->model)
                return usage_error("unexpected argument '%s'", arg);
            o->model = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            opts_done = 1;
            continue;
        }
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            help(stdout);
            return ZKM_EXIT_OK;
        }
        if (!strcmp(arg, "--json")) {
            o->json = 1;
            continue;
        }
        const char *eq = strchr(arg, '=');
        const size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        const char *name = NULL;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            if (strlen(with_value[k]) == len && !strncmp(with_value[k], arg, len))
                name = with_value[k];
        if (!name)
            return usage_error("unknown option '%.*s'", (int)len, arg);
        const char *v = eq ? eq + 1 : NULL;
        if (!v) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", name);
            v = argv[++i];
        }
        const int rc = set_opt(name, v, o);
        if (rc >= 0)
            return rc;
    }
    if (!o->model)
        return usage_error("missing MODEL.zkm");
    if (o->weights && o->has_seed)
        return usage_error("give one of --weights FILE and --seed N, not both");
    if (!o->weights && !o->has_seed)
        return usage_error("missing the weights: give --weights FILE or --seed N");
    if (o->dataset && o->has_input_seed)
        return usage_error("give one of --dataset SPEC and --input-seed N, not both");
    if (!o->n_widths && !o->floats)
        return usage_error("nothing to measure: --bits none and --formats none");
    return -1;
}

/* ---------------------------------------------------------------- inputs */

typedef struct {
    const zkm_net *net;    /* the model as written: seeded inputs */
    const syn_set *data;   /* or the data set */
    const char *name;      /* the model's input */
    uint64_t seed0;
} input_ctx;

static zkm_status get_input(void *ctx, uint64_t k, zkm_tensor_set *in, int64_t *label,
                            zkm_err *e)
{
    const input_ctx *c = ctx;
    if (c->data) {
        *label = c->data->y[k];
        return syn_sample(c->data, k, c->name, in, e);
    }
    *label = -1;
    return zkm_net_seeded_inputs(c->net, c->seed0 + k, in, e);
}

/* The data set, checked against the model. */
static int open_dataset(const opts *o, const zkm_model *m, syn_set *d)
{
    zkm_err e;
    zkm_err_clear(&e);
    zkm_status st = syn_open(o->dataset, o->inputs, d, &e);
    if (st) {
        fprintf(stderr, "zkm drift: --dataset %s: %s\n", o->dataset, e.msg);
        return ZKM_EXIT_USAGE;
    }
    if (m->n_inputs != 1) {
        fprintf(stderr, "zkm drift: --dataset: model %s has %u inputs; a data set feeds one\n",
                m->name, m->n_inputs);
        return ZKM_EXIT_USAGE;
    }
    const zkm_node *in = &m->nodes[m->inputs[0]];
    const uint64_t n_out = zkm_shape_count(&m->nodes[m->output].shape);
    char want[64];
    zkm_shape_str(&in->shape, want, sizeof want);
    if (d->per != zkm_shape_count(&in->shape)) {
        fprintf(stderr, "zkm drift: --dataset %s: samples of %llu values, but input '%s' is "
                "%s\n", o->dataset, (unsigned long long)d->per, in->name, want);
        return ZKM_EXIT_USAGE;
    }
    if (d->classes > n_out) {
        fprintf(stderr, "zkm drift: --dataset %s: labels up to %u, but the output has %llu "
                "entries\n", o->dataset, d->classes - 1, (unsigned long long)n_out);
        return ZKM_EXIT_USAGE;
    }
    return ZKM_EXIT_OK;
}

/* ---------------------------------------------------------------- tables */

/* v with digits decimals in the mantissa ("-" for NAN). */
static const char *num(char *buf, size_t n, double v, int digits)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else if (isinf(v))
        snprintf(buf, n, "inf");
    else if (v == 0)
        snprintf(buf, n, "0");
    else
        snprintf(buf, n, "%.*e", digits, v);
    return buf;
}

/* The per-layer table's column head: a float format's short name. */
static const char *short_name(const dr_eval *v)
{
    return v->kind == DR_FLOAT ? fe_get(v->fmt)->alias : v->name;
}

static const char *ulps(char *buf, size_t n, const dr_acc *a)
{
    if (!a->count || isnan(a->max_ulp))
        snprintf(buf, n, "-");
    else if (a->max_ulp < 1e4)
        snprintf(buf, n, "%.2f", a->max_ulp);
    else
        snprintf(buf, n, "%.2e", a->max_ulp);
    return buf;
}

static const char *pct(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f%%", 100 * v);
    return buf;
}

/* "q8 (q8.4)": the bit-width and the model's activation format there. */
static const char *fixed_label(char *buf, size_t n, const dr_eval *v, const cli_ctx *ctx)
{
    const zkm_model *m = ctx[v->width].model;
    snprintf(buf, n, "%s (q%u.%u)", v->name, m->act.bits, m->act.frac);
    return buf;
}

static void print_tables(const opts *o, const dr_result *r, const cli_ctx *ctx,
                         const syn_set *data)
{
    const zkm_model *m = r->model;
    const zkm_node *out = &m->nodes[m->output];
    char b[8][32];
    if (o->weights)
        printf("zkm drift: %s (%s), weights %s\n", m->name, o->model, o->weights);
    else
        printf("zkm drift: %s (%s), weights --seed %llu\n", m->name, o->model,
               (unsigned long long)o->seed);
    if (data)
        printf("%llu inputs from %s, labelled (%u classes)\n", (unsigned long long)r->inputs,
               o->dataset, data->classes);
    else
        printf("%llu seeded inputs (--input-seed %llu..%llu), no labels\n",
               (unsigned long long)r->inputs, (unsigned long long)o->input_seed,
               (unsigned long long)(o->input_seed + r->inputs - 1));
    printf("reference: MPFR %ld bits on the float weights", (long)r->prec);
    if (r->labelled)
        printf("; accuracy %s", pct(b[0], 32, dr_accuracy(r, &r->evals[0])));
    printf("\n\n");

    zkm_shape_str(&out->shape, b[0], 32);
    printf("output %s %s against the reference\n", out->name, b[0]);
    printf("  %-16s %9s %9s %9s %9s %7s %9s %7s\n", "evaluation", "max abs", "rms", "rel L2",
           "max ulp", "top-1", "accuracy", "failed");
    for (uint32_t c = 0; c < r->n_cmps; c++) {
        const dr_cmp *cm = &r->cmps[c];
        const dr_eval *v = &r->evals[cm->eval];
        if (cm->against != 0 || v->kind == DR_QREF)
            continue;
        const dr_acc *a = &cm->node[m->output];
        char label[48];
        if (v->kind == DR_FIXED)
            fixed_label(label, sizeof label, v, ctx);
        else
            snprintf(label, sizeof label, "%s", v->name);
        printf("  %-16s %9s %9s %9s %9s %7s %9s %7llu\n", label,
               num(b[0], 32, a->count ? a->max_abs : NAN, 2), num(b[1], 32, dr_rms(a), 2),
               num(b[2], 32, dr_rel_l2(a), 2), ulps(b[3], 32, a), pct(b[4], 32, dr_top1(r, cm)),
               pct(b[5], 32, dr_accuracy(r, v)), (unsigned long long)v->failed);
    }
    printf("  (max ulp: units in the last place of the format; for qB, steps of 2^-frac of\n"
           "  the output's format)\n");

    if (o->n_widths) {
        printf("\nfixed point, the drift split in two at the output: qB-ref is MPFR %ld bits on "
               "the\ncircuit's integer weights, biases and input scaled back, without rounding "
               "inside\n", (long)r->prec);
        printf("  %-6s | %-28s | %s\n", "", "weights, input (qB-ref vs ref)",
               "activation rounding (qB vs qB-ref)");
        printf("  %-6s | %9s %9s %7s | %9s %9s %9s %7s\n", "bits", "max abs", "rel L2", "top-1",
               "max abs", "rel L2", "max ulp", "top-1");
        for (uint32_t k = 1; k < r->n_evals; k++) {
            if (r->evals[k].kind != DR_QREF)
                continue;
            const dr_cmp *q = dr_find_cmp(r, k, 0), *x = dr_find_cmp(r, k + 1, k);
            const dr_acc *qa = &q->node[m->output], *xa = &x->node[m->output];
            printf("  %-6u | %9s %9s %7s | %9s %9s %9s %7s\n", r->evals[k].bits,
                   num(b[0], 32, qa->count ? qa->max_abs : NAN, 2),
                   num(b[1], 32, dr_rel_l2(qa), 2), pct(b[2], 32, dr_top1(r, q)),
                   num(b[3], 32, xa->count ? xa->max_abs : NAN, 2),
                   num(b[4], 32, dr_rel_l2(xa), 2), ulps(b[5], 32, xa),
                   pct(b[6], 32, dr_top1(r, x)));
        }
    }

    /* per layer: rel L2 against the reference, one column per evaluation */
    int wn = 4;
    for (uint32_t i = 0; i < m->n_nodes; i++)
        if ((int)strlen(m->nodes[i].name) > wn)
            wn = (int)strlen(m->nodes[i].name);
    printf("\nper layer: relative L2 error against the reference (- : not compared, a "
           "batchnorm's\nfolded layer)\n  %-*s %-8s", wn, "node", "op");
    for (uint32_t c = 0; c < r->n_cmps; c++)
        if (r->cmps[c].against == 0 && r->evals[r->cmps[c].eval].kind != DR_QREF)
            printf(" %7s", short_name(&r->evals[r->cmps[c].eval]));
    printf("\n");
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const zkm_op op = m->nodes[i].op;
        if (op == ZKM_OP_FLATTEN || op == ZKM_OP_RESHAPE)
            continue; /* their input's values */
        printf("  %-*s %-8s", wn, m->nodes[i].name, zkm_op_name(op));
        for (uint32_t c = 0; c < r->n_cmps; c++)
            if (r->cmps[c].against == 0 && r->evals[r->cmps[c].eval].kind != DR_QREF)
                printf(" %7s", num(b[0], 32, dr_rel_l2(&r->cmps[c].node[i]), 1));
        printf("\n");
    }

    /* what failed or overflowed */
    int head = 0;
    for (uint32_t k = 1; k < r->n_evals; k++) {
        const dr_eval *v = &r->evals[k];
        const dr_cmp *c = dr_find_cmp(r, k, 0);
        const uint64_t nf = c ? c->node[m->output].nonfinite : 0;
        if (!v->failed && !nf)
            continue;
        if (!head++)
            printf("\nnotes:\n");
        if (v->failed)
            printf("  %s: %llu of %llu inputs failed; first: %s\n", v->name,
                   (unsigned long long)v->failed, (unsigned long long)r->inputs, v->error);
        if (nf)
            printf("  %s: %llu output entries infinite or NaN (left out of the errors)\n",
                   v->name, (unsigned long long)nf);
    }
}

static int print_json(const opts *o, const dr_result *r)
{
    json_t *j = dr_json(r);
    int bad = !j;
    bad |= json_object_set_new(j, "path", json_string(o->model));
    bad |= json_object_set_new(j, "weights", o->weights ? json_string(o->weights)
                                                        : json_null());
    bad |= json_object_set_new(j, "seed", o->weights ? json_null()
                                                     : json_integer((json_int_t)o->seed));
    bad |= json_object_set_new(j, "dataset", o->dataset ? json_string(o->dataset) : json_null());
    return cli_json_print("drift", j, bad);
}

/* Refuse early (before a long run) a --csv whose directory is not writable. */
static int csv_dir_ok(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return 0;
    const int ok = access(dirname(copy), W_OK) == 0;
    free(copy);
    if (!ok)
        fprintf(stderr, "zkm drift: --csv %s: the directory is missing or not writable\n", path);
    return ok;
}

/* ------------------------------------------------------------------ main */

int cmd_drift(int argc, char **argv)
{
    opts o;
    int rc = parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (o.csv && !csv_dir_ok(o.csv))
        return ZKM_EXIT_USAGE;
    cli_args a;
    memset(&a, 0, sizeof a);
    a.pos[0] = o.model;
    cli_ctx base, ctx[32];
    memset(ctx, 0, sizeof ctx);
    char *errs[32] = {0};
    const zkm_net *nets[32] = {0};
    zkm_tensor_set w;
    zkm_tensor_set_init(&w);
    syn_set data = {0};
    dr_result *r = NULL;
    zkm_err e;
    zkm_err_clear(&e);
    rc = cli_open("drift", &a, CLI_NEED_NET, &base);
    const zkm_model *m = base.model;
    if (!rc) {
        zkm_status st = o.weights ? zkm_tensors_load(o.weights, 0, &w, &e)
                                  : zkm_net_seeded_weights(base.net, o.seed, &w, &e);
        char *report = NULL;
        if (!st && (st = dr_check_weights(m, &w, &report, &e)))
            fprintf(stderr, "zkm drift: %s: %s\n%s", o.weights ? o.weights : "--seed", e.msg,
                    report ? report : "");
        else if (st)
            fprintf(stderr, "zkm drift: %s\n", e.msg);
        free(report);
        rc = st ? ZKM_EXIT_USAGE : 0;
    }
    if (!rc && o.dataset)
        rc = open_dataset(&o, m, &data);
    for (uint32_t k = 0; k < o.n_widths && !rc; k++) {
        a.bits = o.widths[k];
        if ((rc = cli_open("drift", &a, CLI_NEED_NET, &ctx[k]))) {
            fprintf(stderr, "zkm drift: %s cannot be built at --bits %u (above)\n", o.model,
                    o.widths[k]);
            break;
        }
        zkm_err we;
        zkm_err_clear(&we);
        if (zkm_net_set_weights(ctx[k].net, &w, NULL, &we) == ZKM_OK) {
            nets[k] = ctx[k].net;
        } else {
            const size_t len = strlen(we.msg) + 64;
            if ((errs[k] = malloc(len)))
                snprintf(errs[k], len, "weights do not fit at %u bits: %s", o.widths[k], we.msg);
        }
    }
    if (!rc) {
        input_ctx ic = {.net = base.net, .data = o.dataset ? &data : NULL,
                        .name = m->nodes[m->inputs[0]].name,
                        .seed0 = o.has_input_seed ? o.input_seed : 1};
        o.input_seed = ic.seed0;
        cli_progress bar;
        cli_progress_init(&bar, "drift");
        const dr_spec s = {.model = m, .weights = &w, .floats = o.floats,
                           .n_widths = o.n_widths, .widths = o.widths, .nets = nets,
                           .net_errors = (const char *const *)errs, .prec = (mpfr_prec_t)o.prec,
                           .n_inputs = o.dataset ? data.n : o.inputs, .input = get_input,
                           .input_ctx = &ic, .progress = cli_progress_update,
                           .progress_ctx = &bar};
        zkm_status st = dr_measure(&s, &r, &e);
        cli_progress_end(&bar);
        if (st) {
            fprintf(stderr, "zkm drift: %s: %s\n", o.model, e.msg);
            rc = cli_exit_for(st);
        }
    }
    if (!rc && o.csv) {
        zkm_strbuf sb = {0};
        dr_csv(r, &sb);
        zkm_status st = sb.failed ? zkm_fail(&e, ZKM_ENOMEM, "out of memory")
                                  : zkm_write_file_atomic(o.csv, sb.s, sb.len, &e);
        if (st) {
            fprintf(stderr, "zkm drift: --csv %s: %s\n", o.csv, e.msg);
            rc = ZKM_EXIT_USAGE;
        }
        free(sb.s);
    }
    if (!rc && o.json)
        rc = print_json(&o, r);
    else if (!rc)
        print_tables(&o, r, ctx, o.dataset ? &data : NULL);
    dr_result_free(r);
    syn_free(&data);
    zkm_tensor_set_free(&w);
    for (uint32_t k = 0; k < o.n_widths; k++) {
        cli_close(&ctx[k]);
        free(errs[k]);
    }
    cli_close(&base);
    return rc;
}
