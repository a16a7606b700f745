#include "load.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "progress.h"
#include "srcmap.h"
#include "zkm_file.h"

/* ------------------------------------------------------------- options */

typedef enum {
    O_HELP, O_JSON, O_FLOAT, O_BITS, O_WEIGHTS, O_SEED, O_INPUT, O_INPUT_SEED, O_OUT,
    O_THREADS, O_COM, O_KEY, O_PRIVATE_INPUT, O_ADVICE, O_ZK, O_RANGE, O_LIMB
} opt_id;

typedef struct {
    const char *name;
    opt_id id;
    unsigned flag;  /* the CLI_OPT_* that enables it; 0: always */
    int value;      /* takes a value */
} opt_def;

static const opt_def opt_table[] = {
    {"--help", O_HELP, 0, 0},           {"-h", O_HELP, 0, 0},
    {"--json", O_JSON, CLI_OPT_JSON, 0}, {"--float", O_FLOAT, CLI_OPT_FLOAT, 0},
    {"--bits", O_BITS, CLI_OPT_BITS, 1}, {"--weights", O_WEIGHTS, CLI_OPT_W, 1},
    {"--seed", O_SEED, CLI_OPT_W, 1},    {"--input", O_INPUT, CLI_OPT_I, 1},
    {"--input-seed", O_INPUT_SEED, CLI_OPT_I, 1},
    {"-o", O_OUT, CLI_OPT_OUT, 1},       {"--output", O_OUT, CLI_OPT_OUT, 1},
    {"--threads", O_THREADS, CLI_OPT_THREADS, 1},
    {"--commitment", O_COM, CLI_OPT_COM, 1},
    {"--key", O_KEY, CLI_OPT_KEY, 1},
    {"--private-input", O_PRIVATE_INPUT, CLI_OPT_MODE, 0},
    {"--advice", O_ADVICE, CLI_OPT_MODE, 1},
    {"--zk", O_ZK, CLI_OPT_MODE, 0},
    {"--range", O_RANGE, CLI_OPT_RANGE, 1},
    {"--limb", O_LIMB, CLI_OPT_RANGE, 1},
};

static const opt_def *find_opt(const cli_spec *s, const char *arg, size_t len)
{
    for (size_t i = 0; i < sizeof opt_table / sizeof opt_table[0]; i++) {
        const opt_def *d = &opt_table[i];
        if (strlen(d->name) == len && !strncmp(d->name, arg, len) &&
            (!d->flag || (s->accept & d->flag)))
            return d;
    }
    return NULL;
}

/* "zkm CMD: <message> (see zkm CMD --help)" on stderr; exit status 2. */
static int usage_error(const cli_spec *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const cli_spec *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "zkm %s: ", s->cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see zkm %s --help)\n", s->cmd);
    return ZKM_EXIT_USAGE;
}

static int set_value(const cli_spec *s, const opt_def *d, const char *v, cli_args *a)
{
    uint64_t x;
    if (!*v) {
        fprintf(stderr, "zkm %s: %s needs a non-empty value\n", s->cmd, d->name);
        return ZKM_EXIT_USAGE;
    }
    switch (d->id) {
    case O_BITS:
        if (!cli_parse_u64(s->cmd, d->name, v, 2, 32, &x))
            return ZKM_EXIT_USAGE;
        a->bits = (uint32_t)x;
        break;
    case O_SEED:
    case O_INPUT_SEED:
        if (!cli_parse_u64(s->cmd, d->name, v, 0, UINT64_MAX, &x))
            return ZKM_EXIT_USAGE;
        if (d->id == O_SEED) {
            a->seed = x;
            a->has_seed = 1;
        } else {
            a->input_seed = x;
            a->has_input_seed = 1;
        }
        break;
    case O_THREADS:
        if (!cli_parse_u64(s->cmd, d->name, v, 1, CLI_MAX_THREADS, &x))
            return ZKM_EXIT_USAGE;
        a->threads = (uint32_t)x;
        break;
    case O_ADVICE:
        if (strcmp(v, "committed") != 0 && strcmp(v, "clear") != 0)
            return usage_error(s, "--advice %s: expected 'committed' or 'clear'", v);
        a->advice_clear = !strcmp(v, "clear");
        break;
    case O_RANGE:
        if (strcmp(v, "bits") != 0 && strcmp(v, "lookup") != 0)
            return usage_error(s, "--range %s: expected 'bits' or 'lookup'", v);
        a->limb = !strcmp(v, "lookup") ? ZKM_LIMB_DEFAULT : 0; /* --limb: after parsing */
        break;
    case O_LIMB:
        if (!cli_parse_u64(s->cmd, d->name, v, ZKM_LIMB_MIN, ZKM_LIMB_MAX, &x))
            return ZKM_EXIT_USAGE;
        a->limb_set = (uint32_t)x;
        break;
    case O_COM:
        a->commitment = v;
        break;
    case O_KEY:
        a->key = v;
        break;
    case O_WEIGHTS:
        a->weights = v;
        break;
    case O_INPUT:
        a->input = v;
        break;
    default:
        a->out = v;
        break;
    }
    return -1;
}

/* One option at argv[*i]; may consume the next argument as its value. */
static int parse_option(const cli_spec *s, int argc, char **argv, int *i, cli_args *a)
{
    const char *arg = argv[*i];
    const char *eq = arg[1] == '-' ? strchr(arg, '=') : NULL;
    const opt_def *d = find_opt(s, arg, eq ? (size_t)(eq - arg) : strlen(arg));
    if (!d)
        return usage_error(s, "unknown option '%s'", arg);
    if (!d->value) {
        if (eq)
            return usage_error(s, "%s takes no value", d->name);
        if (d->id == O_HELP) {
            s->help(stdout);
            return ZKM_EXIT_OK;
        }
        if (d->id == O_JSON)
            a->json = 1;
        else if (d->id == O_PRIVATE_INPUT)
            a->private_input = 1;
        else if (d->id == O_ZK)
            a->zk = 1;
        else
            a->use_float = 1;
        return -1;
    }
    const char *v = eq ? eq + 1 : NULL;
    if (!v) {
        if (*i + 1 >= argc)
            return usage_error(s, "%s needs a value", d->name);
        v = argv[++*i];
    }
    return set_value(s, d, v, a);
}

/* The rules between options, once all are read. */
static int check_rules(const cli_spec *s, const cli_args *a)
{
    const int has_w = a->weights || a->has_seed;
    if (a->weights && a->has_seed)
        return usage_error(s, "give one of --weights FILE and --seed N, not both");
    if (s->accept & CLI_OPT_W_OR_COM) {
        if (has_w && a->commitment)
            return usage_error(s, "give the weights (--weights FILE or --seed N) or the model "
                               "commitment (--commitment MODEL.zkc), not both");
        if (!has_w && !a->commitment)
            return usage_error(s, "missing the weights: give --weights FILE or --seed N, or "
                               "--commitment MODEL.zkc for a proof made with committed weights");
    } else if ((s->accept & CLI_OPT_W) && !has_w) {
        return usage_error(s, "missing the weights: give --weights FILE or --seed N");
    }
    if ((s->accept & CLI_OPT_COM) && a->key && !a->commitment)
        return usage_error(s, "--key is the secret key of a model commitment: give "
                           "--commitment MODEL.zkc too");
    if (a->input && a->has_input_seed)
        return usage_error(s, "give one of --input FILE and --input-seed N, not both");
    if ((s->accept & CLI_OPT_OUT) && !a->out)
        return usage_error(s, "missing the output file: give -o FILE");
    if (a->limb_set && !a->limb)
        return usage_error(s, "--limb L is the lookup's limb size: give --range lookup too");
    return -1;
}

int cli_args_parse(const cli_spec *s, int argc, char **argv, cli_args *a)
{
    unsigned n_pos = 0;
    int opts_done = 0;
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (opts_done || arg[0] != '-' || !arg[1]) {
            if (n_pos == s->n_pos)
                return usage_error(s, "unexpected argument '%s'", arg);
            a->pos[n_pos++] = arg;
        } else if (!strcmp(arg, "--")) {
            opts_done = 1;
        } else {
            int rc = parse_option(s, argc, argv, &i, a);
            if (rc >= 0)
                return rc;
        }
    }
    if (n_pos < s->n_pos)
        return usage_error(s, "missing %s", s->pos_name[n_pos]);
    if (a->limb && a->limb_set)
        a->limb = a->limb_set;
    return check_rules(s, a);
}

/* ------------------------------------------------------------- loading */

static int load_model(const char *cmd, const char *path, uint32_t bits, zkm_model **out)
{
    uint8_t *src = NULL;
    size_t len = 0;
    zkm_err e;
    zkm_err_clear(&e);
    zkm_status st = zkm_read_file(path, ZKM_SRC_MAX, &src, &len, &e);
    if (st) {
        fprintf(stderr, "zkm %s: %s\n", cmd, e.msg);
        return ZKM_EXIT_USAGE;
    }
    zkm_check_opts o;
    zkm_check_opts_default(&o);
    o.bits = bits;
    zkm_diags d;
    zkm_diags_init(&d);
    st = zkm_model_from_source(path, (const char *)src, len, &o, out, &d);
    if (d.n || d.truncated)
        zkm_diags_print(&d, stderr);
    if (st && (d.n_errors == 0 || d.oom))
        fprintf(stderr, "zkm %s: %s: %s\n", cmd, path, zkm_status_str(st));
    zkm_diags_free(&d);
    free(src);
    return st ? ZKM_EXIT_USAGE : ZKM_EXIT_OK;
}

/* Print the weights report from zkm_net_set_weights, indented. */
static void print_report(const char *report)
{
    const char *p = report;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        fprintf(stderr, "  %.*s\n", n, p);
        p = nl ? nl + 1 : NULL;
    }
}

/* Load W into *w and set it on the net. */
static int load_weights(const char *cmd, const cli_args *a, zkm_net *net, zkm_tensor_set *w)
{
    zkm_err e;
    char src[64];
    zkm_err_clear(&e);
    zkm_status st;
    if (a->weights)
        st = zkm_tensors_load(a->weights, 0, w, &e);
    else
        st = zkm_net_seeded_weights(net, a->seed, w, &e);
    if (st) {
        fprintf(stderr, "zkm %s: %s\n", cmd, e.msg);
    } else {
        char *report = NULL;
        st = zkm_net_set_weights(net, w, &report, &e);
        if (!a->weights)
            snprintf(src, sizeof src, "--seed %llu", (unsigned long long)a->seed);
        if (st) {
            fprintf(stderr, "zkm %s: %s: %s\n", cmd, a->weights ? a->weights : src, e.msg);
            print_report(report);
        }
        free(report);
    }
    return st ? ZKM_EXIT_USAGE : ZKM_EXIT_OK;
}

static int load_inputs(const char *cmd, const cli_args *a, cli_ctx *c)
{
    zkm_err e;
    char src[64];
    zkm_err_clear(&e);
    zkm_status st;
    uint64_t seed = a->has_input_seed ? a->input_seed : 1;
    if (a->input)
        st = zkm_tensors_load(a->input, 0, &c->in, &e);
    else
        st = zkm_net_seeded_inputs(c->net, seed, &c->in, &e);
    if (st) {
        fprintf(stderr, "zkm %s: %s\n", cmd, e.msg);
        return ZKM_EXIT_USAGE;
    }
    st = zkm_net_quantize_inputs(c->net, &c->in, &c->q, &e);
    if (st) {
        snprintf(src, sizeof src, "--input-seed %llu", (unsigned long long)seed);
        fprintf(stderr, "zkm %s: %s: %s\n", cmd, a->input ? a->input : src, e.msg);
        return ZKM_EXIT_USAGE;
    }
    return ZKM_EXIT_OK;
}

int cli_threads(const cli_args *a)
{
    if (a->threads)
        return (int)a->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > CLI_MAX_THREADS ? CLI_MAX_THREADS : (int)n;
}

int cli_open(const char *cmd, const cli_args *a, unsigned need, cli_ctx *c)
{
    memset(c, 0, sizeof *c);
    zkm_tensor_set_init(&c->w);
    zkm_tensor_set_init(&c->in);
    int rc = load_model(cmd, a->pos[0], a->bits, &c->model);
    if (!rc && need) {
        zkm_err e;
        zkm_err_clear(&e);
        const zkm_net_opts o = {.limb = a->limb};
        zkm_status st = zkm_net_init_ex(c->model, &o, &c->net, &e);
        if (st) {
            c->net = NULL;
            fprintf(stderr, "zkm %s: %s: %s\n", cmd, a->pos[0], e.msg);
            rc = ZKM_EXIT_USAGE;
        } else {
            zkm_net_set_threads(c->net, cli_threads(a));
        }
    }
    if (!rc && (need & CLI_NEED_WEIGHTS)) {
        rc = load_weights(cmd, a, c->net, &c->w);
        if (!(need & CLI_KEEP_WEIGHTS)) /* quantized into the net: not needed */
            zkm_tensor_set_free(&c->w);
    }
    if (!rc && (need & CLI_NEED_INPUTS))
        rc = load_inputs(cmd, a, c);
    return rc;
}

int cli_load_commitment(const char *cmd, cli_ctx *c, const char *path, char *reject,
                        size_t reject_cap)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    zkm_err e;
    zkm_err_clear(&e);
    zkm_status st = zkm_read_file(path, CLI_ZKC_MAX_BYTES, &bytes, &len, &e);
    if (st) {
        fprintf(stderr, "zkm %s: --commitment %s\n", cmd, e.msg);
        return ZKM_EXIT_USAGE;
    }
    st = zkm_net_load_commitment(c->net, bytes, len, &e);
    free(bytes);
    if (st == ZKM_EREJECT && reject) {
        snprintf(reject, reject_cap, "%s: %s", path, e.msg);
        return ZKM_EXIT_REJECT;
    }
    if (st) {
        fprintf(stderr, "zkm %s: %s: %s\n", cmd, path, e.msg);
        return ZKM_EXIT_USAGE;
    }
    return ZKM_EXIT_OK;
}

const char *cli_mode_str(char *buf, size_t n, unsigned mode)
{
    char lk[24] = "";
    if (ZKM_MODE_LIMB(mode))
        snprintf(lk, sizeof lk, "+lookup%u", ZKM_MODE_LIMB(mode));
    snprintf(buf, n, "%s%s%s%s%s", mode & ZKM_NET_COMMITTED_WEIGHTS ? "committed" : "public",
             mode & ZKM_NET_PRIVATE_INPUT ? "+private-input" : "",
             mode & ZKM_NET_ADVICE_CLEAR ? "+clear-advice" : "",
             mode & ZKM_NET_ZK ? "+zk" : "", lk);
    return buf;
}

void cli_close(cli_ctx *c)
{
    zkm_qinputs_free(&c->q);
    zkm_tensor_set_free(&c->w);
    zkm_tensor_set_free(&c->in);
    if (c->net)
        zkm_net_free(c->net); /* before the model it was built from */
    zkm_model_free(c->model);
    memset(c, 0, sizeof *c);
}

/* -------------------------------------------------------------- output */

const zkm_node *cli_output_node(const zkm_model *m)
{
    return &m->nodes[m->output];
}

uint64_t cli_output_count(const zkm_model *m)
{
    return zkm_shape_count(&cli_output_node(m)->shape);
}

double cli_value(const zkm_model *m, int64_t q)
{
    return ldexp((double)q, -(int)cli_output_node(m)->fmt.frac);
}

uint64_t cli_argmax_i64(const int64_t *v, uint64_t n)
{
    uint64_t best = 0;
    for (uint64_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

uint64_t cli_argmax_f64(const double *v, uint64_t n)
{
    uint64_t best = 0;
    for (uint64_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

double cli_max_abs_diff(const zkm_model *m, const int64_t *out, const double *ref)
{
    double worst = 0;
    for (uint64_t i = 0; i < cli_output_count(m); i++)
        worst = fmax(worst, fabs(cli_value(m, out[i]) - ref[i]));
    return worst;
}

void cli_print_output(const zkm_model *m, const int64_t *out, const double *ref)
{
    const uint64_t n = cli_output_count(m);
    char shape[64], fmt[32];
    zkm_shape_str(&cli_output_node(m)->shape, shape, sizeof shape);
    zkm_qfmt_str(cli_output_node(m)->fmt, fmt, sizeof fmt);
    printf("output %s %s %s\n", cli_output_node(m)->name, shape, fmt);
    printf("  %6s %12s %14s", "index", "integer", "value");
    if (ref)
        printf(" %14s %12s", "reference", "difference");
    printf("\n");
    for (uint64_t i = 0; i < n; i++) {
        const double v = cli_value(m, out[i]);
        printf("  %6llu %12lld %14.6g", (unsigned long long)i, (long long)out[i], v);
        if (ref)
            printf(" %14.6g %12.3g", ref[i], v - ref[i]);
        printf("\n");
    }
    const uint64_t am = cli_argmax_i64(out, n);
    printf("argmax %llu (value %.6g)", (unsigned long long)am, cli_value(m, out[am]));
    if (ref)
        printf("; reference argmax %llu; max |value - reference| %.3g",
               (unsigned long long)cli_argmax_f64(ref, n), cli_max_abs_diff(m, out, ref));
    printf("\n");
}

const char *cli_count(char *buf, size_t cap, uint64_t v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t k = 0;
    for (int i = 0; i < n && k + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    if (cap)
        buf[k < cap ? k : cap - 1] = '\0';
    return buf;
}

/* ---------------------------------------------------------------- JSON */

json_t *cli_json_reals(const double *v, uint64_t n)
{
    json_t *arr = json_array();
    for (uint64_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, isfinite(v[i]) ? json_real(v[i]) : json_null())) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

int cli_json_output(json_t *o, const zkm_model *m, const int64_t *out, int with_values)
{
    const uint64_t n = cli_output_count(m);
    json_t *q = json_array(), *r = with_values ? json_array() : NULL;
    int bad = !q || (with_values && !r);
    for (uint64_t i = 0; !bad && i < n; i++) {
        bad |= json_array_append_new(q, json_integer((json_int_t)out[i]));
        if (with_values)
            bad |= json_array_append_new(r, json_real(cli_value(m, out[i])));
    }
    bad |= json_object_set_new(o, "output", q);
    if (with_values) {
        bad |= json_object_set_new(o, "values", r);
        bad |= json_object_set_new(o, "argmax", json_integer((json_int_t)cli_argmax_i64(out, n)));
    }
    return bad;
}

int cli_json_print(const char *cmd, json_t *o, int bad)
{
    char *txt = bad || !o ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!txt) {
        fprintf(stderr, "zkm %s: out of memory writing the JSON report\n", cmd);
        return ZKM_EXIT_USAGE;
    }
    puts(txt);
    free(txt);
    return ZKM_EXIT_OK;
}

/* ------------------------------------------------- proving and verifying */

int cli_prove_to_file(const char *cmd, const cli_ctx *c, const char *path, int progress,
                      int64_t **out, zkm_prove_stats *s)
{
    uint8_t *proof = NULL;
    size_t len = 0;
    cli_progress bar;
    zkm_err e;
    zkm_err_clear(&e);
    cli_progress_init(&bar, "prove");
    zkm_status st = zkm_net_prove(c->net, &c->q, progress ? cli_progress_update : NULL, &bar,
                                  &proof, &len, out, s, &e);
    cli_progress_end(&bar);
    if (st) {
        fprintf(stderr, "zkm %s: %s: %s\n", cmd, c->model->path, e.msg);
    } else {
        st = zkm_write_file_atomic(path, proof, len, &e);
        if (st)
            fprintf(stderr, "zkm %s: %s\n", cmd, e.msg);
    }
    free(proof);
    return st ? cli_exit_for(st) : ZKM_EXIT_OK;
}

static int same_inputs(const zkm_model *m, const zkm_qinputs *x, const zkm_qinputs *y)
{
    if (x->n != y->n || x->n != m->n_inputs)
        return 0;
    for (uint32_t i = 0; i < x->n; i++) {
        const uint64_t n = zkm_shape_count(&m->nodes[m->inputs[i]].shape);
        if (!x->q[i] || !y->q[i]) /* a private input: nothing to compare */
            return 0;
        if (memcmp(x->q[i], y->q[i], n * sizeof x->q[i][0]) != 0)
            return 0;
    }
    return 1;
}

int cli_verify_file(const char *cmd, const cli_ctx *c, const char *path, int check_input,
                    cli_verdict *v)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    zkm_err e;
    memset(v, 0, sizeof *v);
    zkm_err_clear(&e);
    zkm_status st = zkm_read_file(path, CLI_PROOF_MAX_BYTES, &bytes, &len, &e);
    if (st) {
        fprintf(stderr, "zkm %s: %s\n", cmd, e.msg);
        return ZKM_EXIT_USAGE;
    }
    int rc = cli_verify_bytes(cmd, c, path, bytes, len, check_input, v);
    free(bytes);
    return rc;
}

int cli_verify_bytes(const char *cmd, const cli_ctx *c, const char *path, const uint8_t *bytes,
                     size_t len, int check_input, cli_verdict *v)
{
    zkm_err e;
    memset(v, 0, sizeof *v);
    zkm_err_clear(&e);
    v->file_bytes = len;
    zkm_status st = zkm_net_verify(c->net, bytes, len, &v->out, &v->pub, &v->s, &e);
    v->accepted = st == ZKM_OK;
    if (st == ZKM_EREJECT || st == ZKM_EFORMAT) {
        snprintf(v->reason, sizeof v->reason, "%s", e.msg[0] ? e.msg : zkm_status_str(st));
    } else if (st) {
        fprintf(stderr, "zkm %s: %s: %s\n", cmd, path, e.msg);
        return cli_exit_for(st);
    } else if (check_input && !same_inputs(c->model, &v->pub, &c->q)) {
        v->accepted = 0;
        snprintf(v->reason, sizeof v->reason, "the proof is for another input");
    }
    return ZKM_EXIT_OK;
}

void cli_verdict_free(cli_verdict *v)
{
    free(v->out);
    v->out = NULL;
    zkm_qinputs_free(&v->pub);
}
