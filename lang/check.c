/* The checker (check.h).  One table entry per operation (ops[] below) gives
 * its inputs, its parameters and its rule; the rest is shared: name
 * resolution, argument binding, formats, batchnorm folding, size limits. */
#include "check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define MAX_DIM ((int64_t)1 << 24)     /* any size written or computed        */
#define MAX_ENTRIES ((int64_t)1 << 40) /* any tensor, whatever the limits say */
#define MIN_BITS ((int)ZKM_BITS_MIN)
#define MAX_BITS ((int)ZKM_BITS_MAX)
#define MAX_FRAC 32
#define MAX_SHIFT 64
#define MAX_PARAMS 12

/* Built-in defaults: activations q8.4 and weights q8.6, i.e. 4 and 2
 * integer bits, kept when only the bit-width is given (SPEC.md). */
#define DEFAULT_BITS 8
#define ACT_INT_BITS 4
#define W_INT_BITS 2

/* ------------------------------------------------------------------ */
/* Operations                                                          */

typedef enum { P_INT, P_PAIR, P_BOOL, P_FLOAT, P_SHAPE } ptype;
enum { POS = 1, REQ = 2 };

typedef struct {
    const char *name;
    ptype type;
    unsigned flags;   /* POS: may be given by position; REQ: required */
    int64_t min, max; /* P_INT, P_PAIR */
} pspec;

/* A parameter's value once bound and validated. */
typedef struct {
    int given;
    zkm_span at;       /* the key, or the value when positional */
    int64_t i, h, w;   /* P_INT: i; P_PAIR: h, w */
    bool b;
    double f;
    int64_t dims[ZKM_MAX_RANK];
    uint32_t rank;     /* P_SHAPE */
    zkm_span dim_at[ZKM_MAX_RANK];
} pval;

typedef struct chk chk;

typedef struct {
    uint32_t in[2];
    zkm_span in_at[2];
    uint32_t op_off;
    pval p[MAX_PARAMS];
} bound;

typedef int (*rule_fn)(chk *c, uint32_t ni, const bound *b);

typedef struct {
    const char *name;
    zkm_op op;
    uint32_t n_in;
    bool weights;
    const pspec *p;
    uint32_t np;
    rule_fn rule;
} opdef;

#define FMT_P {"bits", P_INT, 0, MIN_BITS, MAX_BITS}, {"frac", P_INT, 0, 0, MAX_FRAC}
#define WFMT_P {"wbits", P_INT, 0, MIN_BITS, MAX_BITS}, {"wfrac", P_INT, 0, 0, MAX_FRAC}

/* parameter indices used by the rules */
enum { D_OUT, D_BIAS, D_BITS, D_FRAC, D_WBITS, D_WFRAC };
enum { C_CH, C_KERNEL, C_STRIDE, C_PAD, C_BIAS, C_BITS, C_FRAC, C_WBITS, C_WFRAC };
enum { PL_WINDOW, PL_STRIDE, PL_BITS, PL_FRAC };
enum { A_BITS, A_FRAC };
enum { R_SHIFT, R_BITS, R_FRAC };

static const pspec p_dense[] = {
    {"out", P_INT, POS | REQ, 1, MAX_DIM}, {"bias", P_BOOL, 0, 0, 0}, FMT_P, WFMT_P};
static const pspec p_conv[] = {
    {"channels", P_INT, POS | REQ, 1, MAX_DIM}, {"kernel", P_PAIR, POS | REQ, 1, MAX_DIM},
    {"stride", P_PAIR, POS, 1, MAX_DIM},        {"padding", P_PAIR, POS, 0, MAX_DIM},
    {"bias", P_BOOL, 0, 0, 0},                  FMT_P, WFMT_P};
static const pspec p_pool[] = {
    {"window", P_PAIR, POS | REQ, 1, MAX_DIM}, {"stride", P_PAIR, POS, 1, MAX_DIM}, FMT_P};
static const pspec p_reshape[] = {{"shape", P_SHAPE, POS | REQ, 0, 0}};
static const pspec p_add[] = {FMT_P};
static const pspec p_bn[] = {{"eps", P_FLOAT, 0, 0, 0}};
static const pspec p_rescale[] = {{"shift", P_INT, POS, 0, MAX_SHIFT}, FMT_P};

static int rule_dense(chk *c, uint32_t ni, const bound *b);
static int rule_conv(chk *c, uint32_t ni, const bound *b);
static int rule_relu(chk *c, uint32_t ni, const bound *b);
static int rule_pool(chk *c, uint32_t ni, const bound *b);
static int rule_flatten(chk *c, uint32_t ni, const bound *b);
static int rule_reshape(chk *c, uint32_t ni, const bound *b);
static int rule_add(chk *c, uint32_t ni, const bound *b);
static int rule_bn(chk *c, uint32_t ni, const bound *b);
static int rule_rescale(chk *c, uint32_t ni, const bound *b);

#define N_OF(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))
static const opdef ops[] = {
    {"dense", ZKM_OP_DENSE, 1, true, p_dense, N_OF(p_dense), rule_dense},
    {"conv2d", ZKM_OP_CONV2D, 1, true, p_conv, N_OF(p_conv), rule_conv},
    {"relu", ZKM_OP_RELU, 1, false, NULL, 0, rule_relu},
    {"maxpool", ZKM_OP_MAXPOOL, 1, false, p_pool, 2, rule_pool},
    {"avgpool", ZKM_OP_AVGPOOL, 1, false, p_pool, N_OF(p_pool), rule_pool},
    {"flatten", ZKM_OP_FLATTEN, 1, false, NULL, 0, rule_flatten},
    {"reshape", ZKM_OP_RESHAPE, 1, false, p_reshape, N_OF(p_reshape), rule_reshape},
    {"add", ZKM_OP_ADD, 2, false, p_add, N_OF(p_add), rule_add},
    {"batchnorm", ZKM_OP_BATCHNORM, 1, true, p_bn, N_OF(p_bn), rule_bn},
    {"rescale", ZKM_OP_RESCALE, 1, false, p_rescale, N_OF(p_rescale), rule_rescale},
};

/* Names PyTorch users reach for first. */
static const struct {
    const char *from, *to;
} op_alias[] = {
    {"linear", "dense"},         {"conv", "conv2d"},          {"conv2", "conv2d"},
    {"max_pool2d", "maxpool"},   {"maxpool2d", "maxpool"},    {"avg_pool2d", "avgpool"},
    {"avgpool2d", "avgpool"},    {"batchnorm2d", "batchnorm"}, {"batchnorm1d", "batchnorm"},
    {"batch_norm", "batchnorm"}, {"bn", "batchnorm"},         {"view", "reshape"},
};
static const struct {
    const char *from, *to;
} arg_alias[] = {
    {"kernel_size", "kernel"}, {"out_channels", "channels"}, {"out_features", "out"},
    {"size", "window"},        {"pool", "window"},           {"pad", "padding"},
};

static const opdef *find_op(const char *name)
{
    for (uint32_t i = 0; i < N_OF(ops); i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Checker state                                                       */

typedef struct {
    const char *name;  /* the AST's string */
    uint32_t def_off;  /* first definition */
    uint32_t node;     /* ZKM_NONE until defined */
    int defined;
} sym;

typedef struct {
    uint8_t bad;       /* its statement had an error: stay quiet about it */
    uint32_t readers;
    uint32_t rd_off[2];
    uint32_t in_off;   /* where it reads its first input */
} xnode;

struct chk {
    zkm_diags *d;
    zkm_check_opts o;
    zkm_node *nodes;
    xnode *x;
    uint32_t n, cap;
    uint32_t *inputs;
    uint32_t n_inputs;
    uint32_t output;
    sym *syms;
    uint32_t sym_cap, n_syms;
    zkm_qfmt act, wts;        /* model-wide defaults (as written) */
    const zkm_ast_stmt *act_stmt, *wts_stmt; /* their settings statements */
    int defaults_done;
    int body_seen;
    uint64_t macs, params, entries;
    int hit_macs, hit_params, hit_entries, hit_nodes;
    uint32_t self_off;        /* the binding being checked (its name) */
    int oom;
};

static void err(chk *c, uint32_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void err(chk *c, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zkm_diag_addv(c->d, ZKM_DIAG_ERROR, off, fmt, ap);
    va_end(ap);
}

static void note(chk *c, uint32_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(chk *c, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zkm_diag_addv(c->d, ZKM_DIAG_NOTE, off, fmt, ap);
    va_end(ap);
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    uint64_t r;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

static char *dupstr(chk *c, const char *s)
{
    char *p = strdup(s);
    if (!p)
        c->oom = 1;
    return p;
}

static const char *shape_s(const zkm_shape *s, char buf[64])
{
    zkm_shape_str(s, buf, 64);
    return buf;
}

static const char *fmt_s(zkm_qfmt f, char buf[24])
{
    zkm_qfmt_str(f, buf, 24);
    return buf;
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static sym *sym_find(chk *c, const char *name)
{
    if (!c->sym_cap)
        return NULL;
    for (uint32_t i = hash_str(name) & (c->sym_cap - 1);; i = (i + 1) & (c->sym_cap - 1)) {
        if (!c->syms[i].name)
            return NULL;
        if (strcmp(c->syms[i].name, name) == 0)
            return &c->syms[i];
    }
}

/* Insert name (first definition at off) unless present. */
static void sym_declare(chk *c, const char *name, uint32_t off)
{
    if (!name || sym_find(c, name))
        return;
    if (2 * (c->n_syms + 1) > c->sym_cap) {
        uint32_t cap = c->sym_cap ? 2 * c->sym_cap : 64;
        sym *t = calloc(cap, sizeof *t);
        if (!t) {
            c->oom = 1;
            return;
        }
        for (uint32_t k = 0; k < c->sym_cap; k++) {
            if (!c->syms[k].name)
                continue;
            uint32_t i = hash_str(c->syms[k].name) & (cap - 1);
            while (t[i].name)
                i = (i + 1) & (cap - 1);
            t[i] = c->syms[k];
        }
        free(c->syms);
        c->syms = t;
        c->sym_cap = cap;
    }
    uint32_t i = hash_str(name) & (c->sym_cap - 1);
    while (c->syms[i].name)
        i = (i + 1) & (c->sym_cap - 1);
    c->syms[i] = (sym){.name = name, .def_off = off, .node = ZKM_NONE, .defined = 0};
    c->n_syms++;
}

/* Levenshtein distance, capped (names are at most a few hundred bytes). */
static uint32_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 99;
    uint32_t row[65];
    for (size_t j = 0; j <= m; j++)
        row[j] = (uint32_t)j;
    for (size_t i = 1; i <= n; i++) {
        uint32_t diag = row[0];
        row[0] = (uint32_t)i;
        for (size_t j = 1; j <= m; j++) {
            uint32_t up = row[j];
            uint32_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

/* A close match for a misspelled word among candidates, or NULL. */
static const char *closest(const char *word, const char *const *cand, uint32_t n)
{
    const char *best = NULL;
    uint32_t bd = strlen(word) <= 3 ? 1 : 2;
    for (uint32_t i = 0; i < n; i++) {
        if (!cand[i])
            continue;
        uint32_t dist = edit_distance(word, cand[i]);
        if (dist <= bd && (!best || dist < edit_distance(word, best)))
            best = cand[i];
    }
    return best;
}

static const char *closest_name(chk *c, const char *word)
{
    const char *best = NULL;
    uint32_t bd = strlen(word) <= 3 ? 1 : 2, bestd = 99;
    for (uint32_t i = 0; i < c->sym_cap; i++) {
        if (!c->syms[i].name || !c->syms[i].defined)
            continue;
        uint32_t dist = edit_distance(word, c->syms[i].name);
        if (dist <= bd && dist < bestd) {
            best = c->syms[i].name;
            bestd = dist;
        }
    }
    return best;
}

static void count_read(chk *c, uint32_t node, uint32_t off)
{
    xnode *x = &c->x[node];
    if (x->readers < 2)
        x->rd_off[x->readers] = off;
    x->readers++;
}

/* A value named where it cannot be used (a wrong argument type, an unknown
 * operation's argument) still counts as read, at its place. */
static void count_read_name(chk *c, const zkm_ast_val *v)
{
    sym *s = v->kind == ZKM_VAL_NAME ? sym_find(c, v->u.name) : NULL;
    if (s && s->defined && s->node != ZKM_NONE)
        count_read(c, s->node, v->span.off);
}

/* The node a name refers to at off (counting the read), or ZKM_NONE after
 * reporting why not. */
static uint32_t use_name(chk *c, const char *name, uint32_t off)
{
    sym *s = sym_find(c, name);
    if (!s) {
        const char *hint = zkm_diags_full(c->d) ? NULL : closest_name(c, name);
        if (find_op(name))
            err(c, off, "'%s' is an operation, not a value: write '%s(x)' or 'x |> %s'", name,
                name, name);
        else if (hint)
            err(c, off, "undefined name '%s'; did you mean '%s'?", name, hint);
        else
            err(c, off, "undefined name '%s'", name);
        return ZKM_NONE;
    }
    if (!s->defined) {
        if (s->def_off == c->self_off) {
            err(c, off, "'%s' cannot be an input of its own definition", name);
        } else {
            err(c, off, "'%s' is used before it is defined", name);
            note(c, s->def_off, "'%s' is defined here", name);
        }
        return ZKM_NONE;
    }
    if (s->node != ZKM_NONE)
        count_read(c, s->node, off);
    return s->node;
}

/* Bind name to node at off.  A duplicate is reported, and the node it
 * would have named is marked bad: nothing can read it, but that is not
 * worth a second error. */
static void define(chk *c, const char *name, uint32_t off, uint32_t node)
{
    sym *s = sym_find(c, name);
    if (!s)
        return; /* out of memory while declaring */
    if (s->defined) {
        err(c, off, "duplicate name '%s'", name);
        note(c, s->def_off, "'%s' is first defined here", name);
        if (node != ZKM_NONE)
            c->x[node].bad = 1;
        return;
    }
    s->defined = 1;
    s->def_off = off;
    s->node = node;
}

/* ------------------------------------------------------------------ */
/* Nodes                                                               */

static uint32_t new_node(chk *c, zkm_op op, const char *name, uint32_t off)
{
    if (c->n >= ZKM_MAX_NODES) {
        if (!c->hit_nodes)
            err(c, off, "too many operations: a model has at most %u", ZKM_MAX_NODES);
        c->hit_nodes = 1;
        return ZKM_NONE;
    }
    if (c->n == c->cap) {
        uint32_t cap = c->cap ? 2 * c->cap : 32;
        zkm_node *nv = realloc(c->nodes, cap * sizeof *nv);
        if (nv)
            c->nodes = nv;
        xnode *xv = nv ? realloc(c->x, cap * sizeof *xv) : NULL;
        if (xv)
            c->x = xv;
        if (!nv || !xv) {
            c->oom = 1;
            return ZKM_NONE;
        }
        c->cap = cap;
    }
    uint32_t i = c->n;
    zkm_node *n = &c->nodes[i];
    memset(n, 0, sizeof *n);
    memset(&c->x[i], 0, sizeof c->x[i]);
    n->op = op;
    n->in[0] = n->in[1] = ZKM_NONE;
    n->name = dupstr(c, name);
    if (!n->name)
        return ZKM_NONE;
    c->n++;
    n->loc.off = off;
    zkm_srcmap_locate(&c->d->map, off, &n->loc.line, &n->loc.col);
    return i;
}

static void add_tensor(chk *c, uint32_t ni, const char *suffix, zkm_wrole role, uint32_t rank,
                       const uint32_t *dim)
{
    zkm_node *n = &c->nodes[ni];
    if (!n->w) {
        n->w = calloc(4, sizeof *n->w);
        if (!n->w) {
            c->oom = 1;
            return;
        }
    }
    if (n->n_w >= 4)
        return;
    zkm_wtensor *t = &n->w[n->n_w];
    if (asprintf(&t->name, "%s.%s", n->wname ? n->wname : n->name, suffix) < 0) {
        t->name = NULL;
        c->oom = 1;
        return;
    }
    t->role = role;
    t->rank = rank;
    t->count = 1;
    for (uint32_t k = 0; k < rank; k++) {
        t->dim[k] = dim[k];
        t->count = mul_sat(t->count, dim[k]);
    }
    n->n_w++;
}

/* Running totals against the limits; names the node that crosses one. */
static void account(chk *c, uint32_t ni)
{
    zkm_node *n = &c->nodes[ni];
    c->entries = add_sat(c->entries, zkm_shape_count(&n->shape));
    c->macs = add_sat(c->macs, n->macs);
    c->params = add_sat(c->params, n->params);
    const char *op = zkm_op_name(n->op);
    if (c->o.max_macs && c->macs > c->o.max_macs && !c->hit_macs) {
        c->hit_macs = 1;
        err(c, n->loc.off,
            "'%s' (%s) brings the model to %llu multiply-accumulates, over the limit of %llu",
            n->name, op, (unsigned long long)c->macs, (unsigned long long)c->o.max_macs);
    }
    if (c->o.max_params && c->params > c->o.max_params && !c->hit_params) {
        c->hit_params = 1;
        err(c, n->loc.off, "'%s' (%s) brings the model to %llu parameters, over the limit of %llu",
            n->name, op, (unsigned long long)c->params, (unsigned long long)c->o.max_params);
    }
    if (c->o.max_entries && c->entries > c->o.max_entries && !c->hit_entries) {
        c->hit_entries = 1;
        err(c, n->loc.off,
            "'%s' (%s) brings the model to %llu activation entries, over the limit of %llu",
            n->name, op, (unsigned long long)c->entries, (unsigned long long)c->o.max_entries);
    }
}

/* Every dimension of a computed shape within MAX_DIM. */
static int shape_ok(chk *c, uint32_t ni, const int64_t *dim, uint32_t rank)
{
    zkm_node *n = &c->nodes[ni];
    for (uint32_t k = 0; k < rank; k++) {
        if (dim[k] < 1 || dim[k] > MAX_DIM) {
            err(c, n->loc.off, "%s would give a dimension of %lld, outside 1..%lld",
                zkm_op_name(n->op), (long long)dim[k], (long long)MAX_DIM);
            return 0;
        }
    }
    n->shape.rank = rank;
    for (uint32_t k = 0; k < rank; k++)
        n->shape.dim[k] = (uint32_t)dim[k];
    if (zkm_shape_count(&n->shape) > (uint64_t)MAX_ENTRIES) {
        err(c, n->loc.off, "%s would give %llu entries, more than %lld", zkm_op_name(n->op),
            (unsigned long long)zkm_shape_count(&n->shape), (long long)MAX_ENTRIES);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* Formats                                                             */

/* A format from a default and optional bits/frac arguments (as written):
 * bits alone keeps the default's integer bits, frac alone its bits. */
static int pick_fmt(chk *c, zkm_qfmt dflt, const pval *bits, const pval *frac, uint32_t off,
                    zkm_qfmt *out)
{
    int64_t b = bits->given ? bits->i : dflt.bits;
    int64_t f = frac->given ? frac->i : (int64_t)dflt.frac + (b - (int64_t)dflt.bits);
    if (f < 0 || f > MAX_FRAC) {
        err(c, bits->given ? bits->at.off : off,
            "%lld bits with %lld integer bits leave frac %lld, outside 0..%d; give 'frac' too",
            (long long)b, (long long)((int64_t)dflt.bits - dflt.frac), (long long)f, MAX_FRAC);
        return 0;
    }
    out->bits = (uint32_t)b;
    out->frac = (uint32_t)f;
    return 1;
}

static uint32_t log2u(uint64_t v)
{
    uint32_t k = 0;
    while (v > 1) {
        v >>= 1;
        k++;
    }
    return k;
}

/* acc_frac and shift of node ni from its (final) formats; reports a
 * negative shift or an add of different fracs. */
static int finish_fmt(chk *c, uint32_t ni, const char *why)
{
    zkm_node *n = &c->nodes[ni];
    const zkm_node *a = n->n_in > 0 ? &c->nodes[n->in[0]] : NULL;
    char f1[24], f2[24];
    int64_t acc;
    switch (n->op) {
    case ZKM_OP_INPUT:
        acc = n->fmt.frac;
        break;
    case ZKM_OP_DENSE:
    case ZKM_OP_CONV2D:
        acc = (int64_t)a->fmt.frac + n->wfmt.frac;
        if (acc < n->fmt.frac) {
            err(c, n->loc.off,
                "%s%s output frac %u is finer than its exact sum's frac %lld (input frac %u + "
                "weight frac %u): the rescale shift would be %lld",
                why, zkm_op_name(n->op), n->fmt.frac, (long long)acc, a->fmt.frac, n->wfmt.frac,
                (long long)(acc - n->fmt.frac));
            return 0;
        }
        break;
    case ZKM_OP_AVGPOOL:
        acc = (int64_t)a->fmt.frac + log2u((uint64_t)n->u.pool.kh * n->u.pool.kw);
        if (acc < n->fmt.frac) {
            err(c, n->loc.off,
                "%savgpool output frac %u is finer than its sum's frac %lld (input frac %u + %u "
                "for the %ux%u window): the rescale shift would be %lld",
                why, n->fmt.frac, (long long)acc, a->fmt.frac,
                log2u((uint64_t)n->u.pool.kh * n->u.pool.kw), n->u.pool.kh, n->u.pool.kw,
                (long long)(acc - n->fmt.frac));
            return 0;
        }
        break;
    case ZKM_OP_ADD: {
        const zkm_node *b = &c->nodes[n->in[1]];
        if (a->fmt.frac != b->fmt.frac) {
            err(c, n->loc.off,
                "%sadd of values with different frac: '%s' is %s, '%s' is %s; rescale one first",
                why, a->name, fmt_s(a->fmt, f1), b->name, fmt_s(b->fmt, f2));
            return 0;
        }
        acc = a->fmt.frac;
        if (acc < n->fmt.frac) {
            err(c, n->loc.off, "%sadd output frac %u is finer than its inputs' frac %lld", why,
                n->fmt.frac, (long long)acc);
            return 0;
        }
        break;
    }
    case ZKM_OP_RESCALE:
        acc = a->fmt.frac;
        if (acc < n->fmt.frac) {
            err(c, n->loc.off,
                "%srescale to frac %u from frac %lld would be a left shift by %lld; a rescale "
                "only drops bits",
                why, n->fmt.frac, (long long)acc, (long long)(n->fmt.frac - acc));
            return 0;
        }
        break;
    default:
        acc = a->fmt.frac;
        break;
    }
    n->acc_frac = (uint32_t)acc;
    n->shift = (uint32_t)(acc - n->fmt.frac);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Argument binding                                                    */

static const char *type_desc(ptype t)
{
    switch (t) {
    case P_INT: return "an integer";
    case P_PAIR: return "an integer or a pair [h, w]";
    case P_BOOL: return "true or false";
    case P_FLOAT: return "a number";
    case P_SHAPE: return "a shape such as [16, 5, 5]";
    }
    return "?";
}

static void val_desc(const zkm_ast_val *v, char *buf, size_t cap)
{
    switch (v->kind) {
    case ZKM_VAL_NAME: snprintf(buf, cap, "the name '%s'", v->u.name); break;
    case ZKM_VAL_INT: snprintf(buf, cap, "the integer %lld", (long long)v->u.i); break;
    case ZKM_VAL_FLOAT: snprintf(buf, cap, "the number %g", v->u.f); break;
    case ZKM_VAL_BOOL: snprintf(buf, cap, "%s", v->u.b ? "true" : "false"); break;
    case ZKM_VAL_LIST: snprintf(buf, cap, "a list of %u", v->u.list.n); break;
    }
}

static int range_ok(chk *c, const opdef *od, const pspec *ps, int64_t v, uint32_t off)
{
    if (v < ps->min) {
        err(c, off, "argument '%s' of %s must be at least %lld, got %lld", ps->name, od->name,
            (long long)ps->min, (long long)v);
        return 0;
    }
    if (v > ps->max) {
        err(c, off, "argument '%s' of %s must be at most %lld, got %lld", ps->name, od->name,
            (long long)ps->max, (long long)v);
        return 0;
    }
    return 1;
}

static int wrong_type(chk *c, const opdef *od, const pspec *ps, const zkm_ast_val *v)
{
    char d[300];
    val_desc(v, d, sizeof d);
    err(c, v->span.off, "argument '%s' of %s must be %s, not %s", ps->name, od->name,
        type_desc(ps->type), d);
    count_read_name(c, v); /* a value named by mistake still counts as read */
    return 0;
}

static int set_param(chk *c, const opdef *od, uint32_t i, const zkm_ast_val *v, zkm_span at,
                     bound *b)
{
    const pspec *ps = &od->p[i];
    pval *pv = &b->p[i];
    pv->given = 1;
    pv->at = at;
    switch (ps->type) {
    case P_INT:
        if (v->kind != ZKM_VAL_INT)
            return wrong_type(c, od, ps, v);
        pv->i = v->u.i;
        return range_ok(c, od, ps, v->u.i, v->span.off);
    case P_PAIR:
        if (v->kind == ZKM_VAL_INT) {
            pv->h = pv->w = v->u.i;
            return range_ok(c, od, ps, v->u.i, v->span.off);
        }
        if (v->kind != ZKM_VAL_LIST || v->u.list.n != 2)
            return wrong_type(c, od, ps, v);
        pv->h = v->u.list.v[0];
        pv->w = v->u.list.v[1];
        return range_ok(c, od, ps, pv->h, v->u.list.spans[0].off)
               && range_ok(c, od, ps, pv->w, v->u.list.spans[1].off);
    case P_BOOL:
        if (v->kind != ZKM_VAL_BOOL)
            return wrong_type(c, od, ps, v);
        pv->b = v->u.b;
        return 1;
    case P_FLOAT:
        if (v->kind == ZKM_VAL_INT)
            pv->f = (double)v->u.i;
        else if (v->kind == ZKM_VAL_FLOAT)
            pv->f = v->u.f;
        else
            return wrong_type(c, od, ps, v);
        return 1;
    case P_SHAPE: {
        if (v->kind != ZKM_VAL_LIST)
            return wrong_type(c, od, ps, v);
        if (v->u.list.n < 1 || v->u.list.n > ZKM_MAX_RANK) {
            err(c, v->span.off, "argument '%s' of %s must have 1 to 3 dimensions, got %u",
                ps->name, od->name, v->u.list.n);
            return 0;
        }
        int infer = 0;
        pv->rank = v->u.list.n;
        for (uint32_t k = 0; k < pv->rank; k++) {
            int64_t d = v->u.list.v[k];
            pv->dims[k] = d;
            pv->dim_at[k] = v->u.list.spans[k];
            if (d == -1 && !infer) {
                infer = 1;
            } else if (d == -1) {
                err(c, v->u.list.spans[k].off, "only one dimension of a shape can be -1");
                return 0;
            } else if (d < 1 || d > MAX_DIM) {
                err(c, v->u.list.spans[k].off,
                    "a dimension must be between 1 and %lld (or -1 to infer it), got %lld",
                    (long long)MAX_DIM, (long long)d);
                return 0;
            }
        }
        return 1;
    }
    }
    return 0;
}

static void unknown_arg(chk *c, const opdef *od, const zkm_ast_arg *a)
{
    const char *k = a->key;
    uint32_t off = a->key_span.off;
    const char *cand[MAX_PARAMS];
    for (uint32_t i = 0; i < od->np; i++)
        cand[i] = od->p[i].name;
    if (!strcmp(k, "in_channels") || !strcmp(k, "in_features")) {
        err(c, off, "%s takes no '%s': it follows from the input's shape", od->name, k);
        return;
    }
    for (uint32_t i = 0; i < N_OF(arg_alias); i++) {
        if (!strcmp(k, arg_alias[i].from)) {
            for (uint32_t j = 0; j < od->np; j++) {
                if (!strcmp(od->p[j].name, arg_alias[i].to)) {
                    err(c, off, "%s has no argument '%s'; zkm calls it '%s'", od->name, k,
                        arg_alias[i].to);
                    return;
                }
            }
        }
    }
    if (!strcmp(k, "bits") || !strcmp(k, "frac")) {
        err(c, off, "%s has no argument '%s': it keeps its input's format (use rescale to "
                    "change it)", od->name, k);
        return;
    }
    if (!strcmp(k, "wbits") || !strcmp(k, "wfrac")) {
        err(c, off, "%s has no argument '%s': it has no weights", od->name, k);
        return;
    }
    const char *hint = closest(k, cand, od->np);
    if (hint) {
        err(c, off, "%s has no argument '%s'; did you mean '%s'?", od->name, k, hint);
    } else if (od->np == 0) {
        err(c, off, "%s has no argument '%s' (it takes no arguments)", od->name, k);
    } else {
        char list[200];
        size_t n = 0;
        list[0] = '\0';
        for (uint32_t i = 0; i < od->np && n < sizeof list; i++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                                  od->p[i].name);
        err(c, off, "%s has no argument '%s' (it takes %s)", od->name, k, list);
    }
}

static void too_many(chk *c, const opdef *od, uint32_t off)
{
    char list[200];
    size_t n = 0;
    uint32_t k = 0;
    list[0] = '\0';
    for (uint32_t i = 0; i < od->np; i++)
        if (od->p[i].flags & POS)
            n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s",
                                  k++ ? ", " : "", od->p[i].name);
    const char *ins = od->n_in == 1 ? "its input" : "its inputs";
    if (k == 0 && od->np == 0)
        err(c, off, "too many arguments: %s takes only %s", od->name, ins);
    else if (k == 0)
        err(c, off, "too many positional arguments: %s takes only %s by position; give the "
                    "rest by name", od->name, ins);
    else
        err(c, off, "too many positional arguments: %s takes %s, then %s; give the rest by "
                    "name", od->name, ins, list);
}

/* Match a stage's arguments to od's inputs and parameters, Python style:
 * inputs first (the piped value fills the first), then parameters by
 * position, then by name. */
static int bind_args(chk *c, const opdef *od, const zkm_ast_stage *sg, uint32_t piped,
                     bound *b)
{
    int ok = 1;
    uint32_t slot = 0, pos = 0;
    int named = 0, extra = 0, misplaced = 0;
    memset(b, 0, sizeof *b);
    b->op_off = sg->op_span.off;
    b->in[0] = b->in[1] = ZKM_NONE;
    if (sg->piped) {
        b->in[0] = piped;
        b->in_at[0] = sg->op_span;
        slot = 1;
        if (piped == ZKM_NONE)
            ok = 0;
        else
            count_read(c, piped, sg->op_span.off);
    }
    for (uint32_t k = 0; k < sg->n_args; k++) {
        const zkm_ast_arg *a = &sg->args[k];
        if (!a->key) {
            if (named) {
                err(c, a->val.span.off, "positional argument after named arguments");
                ok = 0;
                misplaced = 1;
                continue;
            }
            if (slot < od->n_in) {
                if (a->val.kind != ZKM_VAL_NAME) {
                    char d[300];
                    val_desc(&a->val, d, sizeof d);
                    err(c, a->val.span.off, "%s expects the name of a value as its %s, not %s",
                        od->name, od->n_in == 1 ? "input" : slot == 0 ? "first input"
                                                                       : "second input",
                        d);
                    ok = 0;
                } else {
                    b->in[slot] = use_name(c, a->val.u.name, a->val.span.off);
                    b->in_at[slot] = a->val.span;
                    if (b->in[slot] == ZKM_NONE)
                        ok = 0;
                }
                slot++;
                continue;
            }
            while (pos < od->np && !(od->p[pos].flags & POS))
                pos++;
            if (pos >= od->np) {
                if (!extra)
                    too_many(c, od, a->val.span.off);
                extra = 1;
                ok = 0;
                continue;
            }
            if (!set_param(c, od, pos, &a->val, a->val.span, b))
                ok = 0;
            pos++;
            continue;
        }
        named = 1;
        uint32_t i = 0;
        while (i < od->np && strcmp(od->p[i].name, a->key) != 0)
            i++;
        if (i == od->np) {
            unknown_arg(c, od, a);
            ok = 0;
            misplaced = 1;
            continue;
        }
        if (b->p[i].given) {
            err(c, a->key_span.off, "argument '%s' given twice", a->key);
            note(c, b->p[i].at.off, "'%s' first given here", a->key);
            ok = 0;
            continue;
        }
        if (!set_param(c, od, i, &a->val, a->key_span, b))
            ok = 0;
    }
    if (slot < od->n_in) {
        if (od->n_in == 1)
            err(c, b->op_off, "%s needs an input: write '%s(x, ...)' or 'x |> %s'", od->name,
                od->name, od->name);
        else
            err(c, b->op_off, "%s needs %u inputs, got %u", od->name, od->n_in, slot);
        ok = 0;
    }
    /* an argument under the wrong name is probably the missing one */
    for (uint32_t i = 0; i < od->np && !misplaced; i++) {
        if ((od->p[i].flags & REQ) && !b->p[i].given) {
            err(c, b->op_off, "%s needs argument '%s'", od->name, od->p[i].name);
            ok = 0;
        }
    }
    for (uint32_t s = 0; s < od->n_in && ok; s++)
        if (c->x[b->in[s]].bad)
            ok = 0; /* its own error was reported */
    return ok;
}

/* ------------------------------------------------------------------ */
/* Rules: shape, parameters, weights, counts, formats                   */

static const zkm_node *in0(chk *c, const bound *b)
{
    return &c->nodes[b->in[0]];
}

static int need_image(chk *c, uint32_t ni, const bound *b)
{
    const zkm_node *x = in0(c, b);
    char s[64];
    if (x->shape.rank != 3) {
        err(c, b->op_off, "%s expects an image [C, H, W]; its input '%s' has shape %s",
            zkm_op_name(c->nodes[ni].op), x->name, shape_s(&x->shape, s));
        return 0;
    }
    return 1;
}

static int rule_dense(chk *c, uint32_t ni, const bound *b)
{
    const zkm_node *x = in0(c, b);
    char s[64];
    if (x->shape.rank != 1) {
        err(c, b->op_off,
            "dense expects a vector [N]; its input '%s' has shape %s (add '|> flatten' first)",
            x->name, shape_s(&x->shape, s));
        return 0;
    }
    zkm_node *n = &c->nodes[ni];
    uint32_t in = x->shape.dim[0], out = (uint32_t)b->p[D_OUT].i;
    n->u.dense.out = out;
    n->u.dense.bias = b->p[D_BIAS].given ? b->p[D_BIAS].b : true;
    n->u.dense.bn = ZKM_NONE;
    int64_t dim = out;
    if (!shape_ok(c, ni, &dim, 1))
        return 0;
    n->macs = mul_sat(in, out);
    n->params = add_sat(n->macs, n->u.dense.bias ? out : 0);
    if (!pick_fmt(c, c->act, &b->p[D_BITS], &b->p[D_FRAC], b->op_off, &n->fmt)
        || !pick_fmt(c, c->wts, &b->p[D_WBITS], &b->p[D_WFRAC], b->op_off, &n->wfmt))
        return 0;
    const uint32_t wd[2] = {out, in};
    add_tensor(c, ni, "weight", ZKM_W_WEIGHT, 2, wd);
    if (n->u.dense.bias)
        add_tensor(c, ni, "bias", ZKM_W_BIAS, 1, &out);
    return 1;
}

static int rule_conv(chk *c, uint32_t ni, const bound *b)
{
    if (!need_image(c, ni, b))
        return 0;
    const zkm_node *x = in0(c, b);
    zkm_node *n = &c->nodes[ni];
    const pval *k = &b->p[C_KERNEL], *st = &b->p[C_STRIDE], *pd = &b->p[C_PAD];
    int64_t kh = k->h, kw = k->w;
    int64_t sh = st->given ? st->h : 1, sw = st->given ? st->w : 1;
    int64_t ph = pd->given ? pd->h : 0, pw = pd->given ? pd->w : 0;
    int64_t C = x->shape.dim[0], H = x->shape.dim[1], W = x->shape.dim[2];
    char s[64];
    if (kh > H + 2 * ph || kw > W + 2 * pw) {
        char pad[48];
        if (ph == pw)
            snprintf(pad, sizeof pad, "%lld", (long long)ph);
        else
            snprintf(pad, sizeof pad, "%lldx%lld", (long long)ph, (long long)pw);
        err(c, k->at.off, "conv2d kernel %lldx%lld is larger than its input '%s' %s (padding %s)",
            (long long)kh, (long long)kw, x->name, shape_s(&x->shape, s), pad);
        return 0;
    }
    n->u.conv2d.out = (uint32_t)b->p[C_CH].i;
    n->u.conv2d.kh = (uint32_t)kh;
    n->u.conv2d.kw = (uint32_t)kw;
    n->u.conv2d.sh = (uint32_t)sh;
    n->u.conv2d.sw = (uint32_t)sw;
    n->u.conv2d.ph = (uint32_t)ph;
    n->u.conv2d.pw = (uint32_t)pw;
    n->u.conv2d.bias = b->p[C_BIAS].given ? b->p[C_BIAS].b : true;
    n->u.conv2d.bn = ZKM_NONE;
    const int64_t dim[3] = {b->p[C_CH].i, (H + 2 * ph - kh) / sh + 1, (W + 2 * pw - kw) / sw + 1};
    if (!shape_ok(c, ni, dim, 3))
        return 0;
    uint64_t per_out = mul_sat(mul_sat((uint64_t)C, (uint64_t)kh), (uint64_t)kw);
    n->macs = mul_sat(zkm_shape_count(&n->shape), per_out);
    n->params = mul_sat(per_out, n->u.conv2d.out);
    if (n->u.conv2d.bias)
        n->params = add_sat(n->params, n->u.conv2d.out);
    if (!pick_fmt(c, c->act, &b->p[C_BITS], &b->p[C_FRAC], b->op_off, &n->fmt)
        || !pick_fmt(c, c->wts, &b->p[C_WBITS], &b->p[C_WFRAC], b->op_off, &n->wfmt))
        return 0;
    const uint32_t wd[4] = {n->u.conv2d.out, (uint32_t)C, (uint32_t)kh, (uint32_t)kw};
    add_tensor(c, ni, "weight", ZKM_W_WEIGHT, 4, wd);
    if (n->u.conv2d.bias)
        add_tensor(c, ni, "bias", ZKM_W_BIAS, 1, &n->u.conv2d.out);
    return 1;
}

static int rule_relu(chk *c, uint32_t ni, const bound *b)
{
    zkm_node *n = &c->nodes[ni];
    n->shape = in0(c, b)->shape;
    n->fmt = in0(c, b)->fmt;
    return 1;
}

static int rule_pool(chk *c, uint32_t ni, const bound *b)
{
    if (!need_image(c, ni, b))
        return 0;
    const zkm_node *x = in0(c, b);
    zkm_node *n = &c->nodes[ni];
    const pval *wi = &b->p[PL_WINDOW], *st = &b->p[PL_STRIDE];
    int64_t kh = wi->h, kw = wi->w;
    int64_t sh = st->given ? st->h : kh, sw = st->given ? st->w : kw;
    int64_t H = x->shape.dim[1], W = x->shape.dim[2];
    const char *op = zkm_op_name(n->op);
    char s[64];
    if (kh > H || kw > W) {
        err(c, wi->at.off, "%s window %lldx%lld is larger than its input '%s' %s", op,
            (long long)kh, (long long)kw, x->name, shape_s(&x->shape, s));
        return 0;
    }
    if (n->op == ZKM_OP_AVGPOOL && ((kh * kw) & (kh * kw - 1)) != 0) {
        err(c, wi->at.off,
            "avgpool window %lldx%lld has %lld entries; zkm divides by a right shift, so the "
            "window must have a power-of-two number of entries (2x2, 4x4, 2x4, ...)",
            (long long)kh, (long long)kw, (long long)(kh * kw));
        return 0;
    }
    n->u.pool.kh = (uint32_t)kh;
    n->u.pool.kw = (uint32_t)kw;
    n->u.pool.sh = (uint32_t)sh;
    n->u.pool.sw = (uint32_t)sw;
    const int64_t dim[3] = {x->shape.dim[0], (H - kh) / sh + 1, (W - kw) / sw + 1};
    if (!shape_ok(c, ni, dim, 3))
        return 0;
    n->fmt = x->fmt;
    if (n->op == ZKM_OP_AVGPOOL)
        return pick_fmt(c, x->fmt, &b->p[PL_BITS], &b->p[PL_FRAC], b->op_off, &n->fmt);
    return 1;
}

static int rule_flatten(chk *c, uint32_t ni, const bound *b)
{
    const zkm_node *x = in0(c, b);
    char s[64];
    if (x->shape.rank == 1) {
        err(c, b->op_off, "flatten of a vector: its input '%s' already has shape %s", x->name,
            shape_s(&x->shape, s));
        return 0;
    }
    int64_t dim = (int64_t)zkm_shape_count(&x->shape);
    if (!shape_ok(c, ni, &dim, 1))
        return 0;
    c->nodes[ni].fmt = x->fmt;
    return 1;
}

static int rule_reshape(chk *c, uint32_t ni, const bound *b)
{
    const zkm_node *x = in0(c, b);
    const pval *sp = &b->p[0];
    int64_t dim[3], known = 1;
    uint32_t infer = ZKM_NONE;
    for (uint32_t k = 0; k < sp->rank; k++) {
        dim[k] = sp->dims[k];
        if (dim[k] == -1)
            infer = k;
        else /* capped: a count that large cannot match anyway */
            known = (int64_t)mul_sat((uint64_t)known, (uint64_t)dim[k]) > MAX_ENTRIES
                        ? MAX_ENTRIES + 1
                        : known * dim[k];
    }
    int64_t count = (int64_t)zkm_shape_count(&x->shape);
    char s[64];
    if (infer != ZKM_NONE) {
        if (count % known != 0) {
            err(c, sp->dim_at[infer].off,
                "reshape cannot infer -1: the %lld entries of '%s' %s do not divide by %lld",
                (long long)count, x->name, shape_s(&x->shape, s), (long long)known);
            return 0;
        }
        dim[infer] = count / known;
        known = count;
    }
    if (known != count) {
        zkm_shape t = {.rank = sp->rank};
        for (uint32_t k = 0; k < sp->rank; k++)
            t.dim[k] = (uint32_t)dim[k];
        char s2[64];
        err(c, sp->at.off,
            "reshape of '%s' %s (%lld entries) to %s (%lld entries): the number of entries "
            "must not change",
            x->name, shape_s(&x->shape, s), (long long)count, shape_s(&t, s2), (long long)known);
        return 0;
    }
    if (!shape_ok(c, ni, dim, sp->rank))
        return 0;
    c->nodes[ni].fmt = x->fmt;
    return 1;
}

static int rule_add(chk *c, uint32_t ni, const bound *b)
{
    const zkm_node *x = &c->nodes[b->in[0]], *y = &c->nodes[b->in[1]];
    zkm_node *n = &c->nodes[ni];
    char s1[64], s2[64];
    int same = x->shape.rank == y->shape.rank;
    for (uint32_t k = 0; same && k < x->shape.rank; k++)
        same = x->shape.dim[k] == y->shape.dim[k];
    if (!same) {
        err(c, b->op_off, "add of mismatched shapes: '%s' is %s, '%s' is %s", x->name,
            shape_s(&x->shape, s1), y->name, shape_s(&y->shape, s2));
        return 0;
    }
    /* different fracs are reported by finish_fmt, which also runs after a
     * bit-width override */
    n->shape = x->shape;
    zkm_qfmt d = {x->fmt.bits > y->fmt.bits ? x->fmt.bits : y->fmt.bits, x->fmt.frac};
    return pick_fmt(c, d, &b->p[A_BITS], &b->p[A_FRAC], b->op_off, &n->fmt);
}

static int rule_bn(chk *c, uint32_t ni, const bound *b)
{
    const zkm_node *x = in0(c, b);
    zkm_node *n = &c->nodes[ni];
    double eps = b->p[0].given ? b->p[0].f : 1e-5;
    if (!(eps > 0 && eps <= 1)) {
        err(c, b->p[0].at.off, "batchnorm eps must be in (0, 1], got %g", eps);
        return 0;
    }
    if (x->shape.rank == 2) {
        char s[64];
        err(c, b->op_off, "batchnorm expects [C, H, W] or [N]; its input '%s' has shape %s",
            x->name, shape_s(&x->shape, s));
        return 0;
    }
    n->u.bn.eps = eps;
    n->u.bn.target = ZKM_NONE; /* set when the fold is checked */
    n->shape = x->shape;
    n->fmt = x->fmt;
    uint32_t ch = x->shape.dim[0];
    n->params = 2 * (uint64_t)ch;
    add_tensor(c, ni, "weight", ZKM_W_BN_WEIGHT, 1, &ch);
    add_tensor(c, ni, "bias", ZKM_W_BN_BIAS, 1, &ch);
    add_tensor(c, ni, "running_mean", ZKM_W_BN_MEAN, 1, &ch);
    add_tensor(c, ni, "running_var", ZKM_W_BN_VAR, 1, &ch);
    return 1;
}

static int rule_rescale(chk *c, uint32_t ni, const bound *b)
{
    const zkm_node *x = in0(c, b);
    zkm_node *n = &c->nodes[ni];
    const pval *sh = &b->p[R_SHIFT], *fr = &b->p[R_FRAC], *bi = &b->p[R_BITS];
    if (sh->given == fr->given) {
        err(c, b->op_off, sh->given ? "rescale takes 'shift' or 'frac', not both"
                                    : "rescale needs 'shift' (bits to drop) or 'frac' (the "
                                      "frac to reach)");
        return 0;
    }
    n->shape = x->shape;
    n->fmt.bits = bi->given ? (uint32_t)bi->i : x->fmt.bits;
    if (fr->given) {
        n->fmt.frac = (uint32_t)fr->i;
    } else if (sh->i > x->fmt.frac) {
        err(c, sh->at.off, "rescale by %lld would leave frac %lld: its input '%s' has frac %u",
            (long long)sh->i, (long long)x->fmt.frac - sh->i, x->name, x->fmt.frac);
        return 0;
    } else {
        n->fmt.frac = x->fmt.frac - (uint32_t)sh->i;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */

static int settings_fmt(chk *c, const zkm_ast_settings *set, zkm_qfmt dflt, const char *what,
                        zkm_qfmt *out)
{
    pval bits = {0}, frac = {0};
    int ok = 1;
    for (uint32_t i = 0; i < set->n; i++) {
        const zkm_ast_setting *s = &set->v[i];
        pval *p = s->kind == ZKM_SET_BITS ? &bits : &frac;
        const char *kw = s->kind == ZKM_SET_BITS ? "bits" : "frac";
        if (p->given) {
            err(c, s->span.off, "'%s' given twice for %s", kw, what);
            note(c, p->at.off, "'%s' first given here", kw);
            ok = 0;
            continue;
        }
        int64_t lo = s->kind == ZKM_SET_BITS ? MIN_BITS : 0;
        int64_t hi = s->kind == ZKM_SET_BITS ? MAX_BITS : MAX_FRAC;
        if (s->value < lo || s->value > hi) {
            err(c, s->value_span.off, "%s must be between %lld and %lld, got %lld", kw,
                (long long)lo, (long long)hi, (long long)s->value);
            ok = 0;
            continue;
        }
        p->given = 1;
        p->i = s->value;
        p->at = s->span;
    }
    return ok && pick_fmt(c, dflt, &bits, &frac, set->n ? set->v[0].span.off : 0, out);
}

/* A settings statement: only recorded (and its place checked); the
 * defaults are resolved once all of them are known. */
static void check_defaults(chk *c, const zkm_ast_stmt *st)
{
    const int weights = st->kind == ZKM_STMT_WEIGHTS;
    const zkm_ast_stmt **seen = weights ? &c->wts_stmt : &c->act_stmt;
    if (c->body_seen) {
        err(c, st->span.off, "model-wide %s must come before the first input or layer",
            weights ? "weight formats" : "defaults");
        return;
    }
    if (*seen) {
        err(c, st->span.off, "model-wide %s set twice", weights ? "weight format" : "defaults");
        note(c, (*seen)->span.off, "first set here");
        return;
    }
    *seen = st;
}

/* The model's activation format from q8.4, then its weight format from
 * the activations' bits with 2 integer bits, each as its statement says. */
static void resolve_defaults(chk *c)
{
    if (c->defaults_done)
        return;
    c->defaults_done = 1;
    zkm_qfmt act = c->act;
    if (c->act_stmt && settings_fmt(c, &c->act_stmt->u.defaults.set, c->act, "the model", &act))
        c->act = act;
    c->wts = (zkm_qfmt){c->act.bits, c->act.bits - W_INT_BITS};
    zkm_qfmt w = c->wts;
    if (c->wts_stmt && settings_fmt(c, &c->wts_stmt->u.defaults.set, c->wts, "the weights", &w))
        c->wts = w;
}

static void check_input(chk *c, const zkm_ast_stmt *st)
{
    c->body_seen = 1;
    resolve_defaults(c);
    const char *name = st->u.input.name;
    uint32_t ni = new_node(c, ZKM_OP_INPUT, name, st->u.input.name_span.off);
    if (ni == ZKM_NONE)
        return;
    zkm_node *n = &c->nodes[ni];
    int ok = 1;
    if (st->u.input.n_dims < 1 || st->u.input.n_dims > ZKM_MAX_RANK) {
        err(c, st->u.input.shape_span.off,
            "an input's shape has 1 to 3 dimensions ([N], [H, W] or [C, H, W]), got %u",
            st->u.input.n_dims);
        ok = 0;
    } else {
        n->shape.rank = st->u.input.n_dims;
        for (uint32_t k = 0; k < n->shape.rank; k++) {
            int64_t d = st->u.input.dims[k];
            if (d < 1 || d > MAX_DIM) {
                err(c, st->u.input.dim_spans[k].off,
                    "a dimension must be between 1 and %lld, got %lld", (long long)MAX_DIM,
                    (long long)d);
                ok = 0;
            } else {
                n->shape.dim[k] = (uint32_t)d;
            }
        }
        if (ok && zkm_shape_count(&n->shape) > (uint64_t)MAX_ENTRIES) {
            err(c, st->u.input.shape_span.off, "an input of %llu entries is more than %lld",
                (unsigned long long)zkm_shape_count(&n->shape), (long long)MAX_ENTRIES);
            ok = 0;
        }
    }
    if (!settings_fmt(c, &st->u.input.set, c->act, "this input", &n->fmt))
        ok = 0;
    n->u.input.index = c->n_inputs;
    if (zkm_ast_push((void **)&c->inputs, &c->n_inputs, sizeof ni, &ni))
        c->oom = 1;
    if (ok) {
        finish_fmt(c, ni, "");
        account(c, ni);
    } else {
        c->x[ni].bad = 1;
    }
    define(c, name, st->u.input.name_span.off, ni);
}

/* The name of an unnamed step: "<binding>/<op>", then "#2", "#3"... for
 * the same operation again; seen[] counts the steps so far per operation
 * (unknown ones share the last slot: they never reach a model). */
static void step_name(const zkm_ast_stmt *st, uint32_t k, uint32_t *seen, char *buf, size_t cap)
{
    const zkm_ast_stage *sg = &st->u.bind.stages[k];
    const opdef *od = find_op(sg->op);
    uint32_t nth = ++seen[od ? (uint32_t)(od - ops) : N_OF(ops)];
    if (nth == 1)
        snprintf(buf, cap, "%s/%s", st->u.bind.name, sg->op);
    else
        snprintf(buf, cap, "%s/%s#%u", st->u.bind.name, sg->op, nth);
}

static void check_bind(chk *c, const zkm_ast_stmt *st)
{
    c->body_seen = 1;
    resolve_defaults(c);
    const char *N = st->u.bind.name;
    const uint32_t n_st = st->u.bind.n_stages;
    c->self_off = st->u.bind.name_span.off;
    uint32_t prev = ZKM_NONE;
    if (st->u.bind.src) {
        prev = use_name(c, st->u.bind.src, st->u.bind.src_span.off);
        if (n_st == 0) {
            err(c, st->u.bind.name_span.off,
                "'%s = %s' only gives '%s' a second name; use '%s' itself", N, st->u.bind.src,
                st->u.bind.src, st->u.bind.src);
            define(c, N, st->u.bind.name_span.off, prev);
            c->self_off = UINT32_MAX;
            return;
        }
    }
    /* which step takes its weight names from the binding */
    uint32_t heir = ZKM_NONE, seen[N_OF(ops) + 1] = {0};
    for (uint32_t k = 0; k < n_st; k++) {
        const zkm_ast_stage *sg = &st->u.bind.stages[k];
        const opdef *od = find_op(sg->op);
        if (!od || !od->weights || sg->label)
            continue;
        if (heir == ZKM_NONE) {
            heir = k;
        } else {
            const zkm_ast_stage *h = &st->u.bind.stages[heir];
            err(c, sg->op_span.off,
                "two operations with weights in '%s' would both be named '%s': name this %s "
                "with 'as NAME'",
                N, N, sg->op);
            note(c, h->op_span.off, "this %s takes its weight names from '%s'", h->op, N);
        }
    }
    for (uint32_t k = 0; k < n_st; k++) {
        const zkm_ast_stage *sg = &st->u.bind.stages[k];
        const opdef *od = find_op(sg->op);
        const int last = k + 1 == n_st;
        char name[600];
        if (sg->label && !last)
            snprintf(name, sizeof name, "%s", sg->label);
        else if (last)
            snprintf(name, sizeof name, "%s", N);
        else
            step_name(st, k, seen, name, sizeof name);
        uint32_t ni = new_node(c, od ? od->op : ZKM_OP_RELU, name, sg->op_span.off);
        if (ni == ZKM_NONE)
            break;
        int ok = 1;
        if (sg->label && last) {
            err(c, sg->label_span.off,
                "the last step of '%s' is already named '%s'; drop 'as %s'", N, N, sg->label);
            ok = 0;
        }
        if (!od) {
            const char *cand[N_OF(ops)];
            for (uint32_t i = 0; i < N_OF(ops); i++)
                cand[i] = ops[i].name;
            const char *alias = NULL;
            for (uint32_t i = 0; i < N_OF(op_alias); i++)
                if (!strcmp(sg->op, op_alias[i].from))
                    alias = op_alias[i].to;
            const char *hint = alias ? alias : closest(sg->op, cand, N_OF(ops));
            if (hint)
                err(c, sg->op_span.off, "unknown operation '%s'; did you mean '%s'?", sg->op,
                    hint);
            else
                err(c, sg->op_span.off, "unknown operation '%s'", sg->op);
            /* names among its arguments still count as read */
            if (sg->piped && prev != ZKM_NONE)
                count_read(c, prev, sg->op_span.off);
            for (uint32_t a = 0; a < sg->n_args; a++)
                count_read_name(c, &sg->args[a].val);
            ok = 0;
        } else {
            bound b;
            if (bind_args(c, od, sg, prev, &b) && ok) {
                zkm_node *n = &c->nodes[ni];
                n->n_in = od->n_in;
                n->in[0] = b.in[0];
                n->in[1] = b.in[1];
                c->x[ni].in_off = b.in_at[0].off;
                if (od->weights) {
                    const char *w = sg->label ? sg->label : N;
                    if (!sg->label && heir != k)
                        ok = 0; /* reported above */
                    else if (!(n->wname = dupstr(c, w)))
                        ok = 0;
                }
                if (ok && od->rule(c, ni, &b)) {
                    if (finish_fmt(c, ni, ""))
                        account(c, ni);
                    else
                        ok = 0;
                } else {
                    ok = 0;
                }
            } else {
                ok = 0;
            }
        }
        if (!ok)
            c->x[ni].bad = 1;
        if (sg->label && !last)
            define(c, sg->label, sg->label_span.off, ni);
        prev = ni;
    }
    if (prev != ZKM_NONE && n_st > 0)
        define(c, N, st->u.bind.name_span.off, prev);
    else
        define(c, N, st->u.bind.name_span.off, ZKM_NONE);
    c->self_off = UINT32_MAX;
}

static void check_output(chk *c, const zkm_ast_stmt *st, uint32_t *out_off)
{
    c->body_seen = 1;
    resolve_defaults(c);
    if (*out_off != UINT32_MAX) {
        err(c, st->span.off, "a model has exactly one output");
        note(c, *out_off, "the output is already given here");
        return;
    }
    *out_off = st->span.off;
    uint32_t node = use_name(c, st->u.output.name, st->u.output.name_span.off);
    if (node == ZKM_NONE) {
        c->output = ZKM_NONE;
        return;
    }
    c->output = node;
    if (!c->x[node].bad && c->nodes[node].op == ZKM_OP_INPUT)
        err(c, st->u.output.name_span.off,
            "the output '%s' is an input: a model needs at least one operation",
            st->u.output.name);
}

/* Each batchnorm folds into the conv2d or dense that only it reads. */
static void check_folds(chk *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        zkm_node *n = &c->nodes[i];
        if (n->op != ZKM_OP_BATCHNORM || c->x[i].bad)
            continue;
        zkm_node *t = &c->nodes[n->in[0]];
        if (t->op != ZKM_OP_CONV2D && t->op != ZKM_OP_DENSE) {
            err(c, n->loc.off,
                "batchnorm must directly follow a conv2d or dense, which it is folded into; "
                "here it follows %s '%s'",
                zkm_op_name(t->op), t->name);
            c->x[i].bad = 1;
            continue;
        }
        if (c->x[n->in[0]].readers > 1) {
            err(c, n->loc.off,
                "batchnorm is folded into %s '%s', so nothing else may read that %s's "
                "output",
                zkm_op_name(t->op), t->name, zkm_op_name(t->op));
            const xnode *x = &c->x[n->in[0]];
            uint32_t other = x->rd_off[0] == c->x[i].in_off ? x->rd_off[1] : x->rd_off[0];
            note(c, other, "'%s' is also read here", t->name);
            c->x[i].bad = 1;
            continue;
        }
        n->u.bn.target = n->in[0];
        n->wfmt = t->wfmt;
        if (t->op == ZKM_OP_CONV2D)
            t->u.conv2d.bn = i;
        else
            t->u.dense.bn = i;
    }
}

static void check_unused(chk *c)
{
    for (uint32_t i = 0; i < c->n; i++) {
        if (c->x[i].bad || c->x[i].readers > 0 || i == c->output)
            continue;
        const zkm_node *n = &c->nodes[i];
        if (n->op == ZKM_OP_INPUT)
            err(c, n->loc.off, "input '%s' is never used", n->name);
        else
            err(c, n->loc.off, "'%s' is computed but never used (it does not lead to the output)",
                n->name);
    }
}

/* The bit-width override: (b, f) -> (bits, f + bits - b) everywhere. */
static int retarget(chk *c, zkm_qfmt *f, uint32_t off, const char *who)
{
    int64_t fr = (int64_t)f->frac + c->o.bits - f->bits;
    if (fr < 0 || fr > MAX_FRAC) {
        char s[24];
        err(c, off, "with the bit-width set to %u, %s (%s) would need frac %lld, outside 0..%d",
            c->o.bits, who, fmt_s(*f, s), (long long)fr, MAX_FRAC);
        return 0;
    }
    f->bits = c->o.bits;
    f->frac = (uint32_t)fr;
    return 1;
}

static void apply_override(chk *c)
{
    char who[600];
    retarget(c, &c->act, 0, "the model's default format");
    retarget(c, &c->wts, 0, "the default weight format");
    for (uint32_t i = 0; i < c->n; i++) {
        zkm_node *n = &c->nodes[i];
        snprintf(who, sizeof who, "'%s'", n->name);
        int ok = retarget(c, &n->fmt, n->loc.off, who);
        if (n->op == ZKM_OP_DENSE || n->op == ZKM_OP_CONV2D) {
            snprintf(who, sizeof who, "the weights of '%s'", n->name);
            ok &= retarget(c, &n->wfmt, n->loc.off, who);
        }
        if (n->op == ZKM_OP_BATCHNORM)
            n->wfmt = c->nodes[n->u.bn.target].wfmt;
        if (ok)
            finish_fmt(c, i, "with the bit-width override, ");
    }
}

/* ------------------------------------------------------------------ */

void zkm_check_opts_default(zkm_check_opts *o)
{
    o->max_macs = ZKM_LIMIT_MACS;
    o->max_entries = ZKM_LIMIT_ENTRIES;
    o->max_params = ZKM_LIMIT_PARAMS;
    o->bits = 0;
}

static void chk_free(chk *c)
{
    zkm_nodes_free(c->nodes, c->n);
    free(c->x);
    free(c->inputs);
    free(c->syms);
}

zkm_status zkm_check(const zkm_ast *ast, const zkm_check_opts *o, zkm_model **out,
                     zkm_diags *d)
{
    *out = NULL;
    chk c;
    memset(&c, 0, sizeof c);
    if (o)
        c.o = *o;
    else
        zkm_check_opts_default(&c.o);
    if (c.o.bits != 0 && (c.o.bits < MIN_BITS || c.o.bits > MAX_BITS))
        return ZKM_EINVAL;
    if (!ast || !ast->name)
        return ZKM_EINVAL;
    c.d = d;
    c.output = ZKM_NONE;
    c.self_off = UINT32_MAX;
    c.act = (zkm_qfmt){DEFAULT_BITS, DEFAULT_BITS - ACT_INT_BITS};
    c.wts = (zkm_qfmt){DEFAULT_BITS, DEFAULT_BITS - W_INT_BITS};
    size_t errors_before = d->n_errors;

    /* every name a statement defines, so a use before its definition can
     * say so */
    for (uint32_t i = 0; i < ast->n_stmts; i++) {
        const zkm_ast_stmt *st = &ast->stmts[i];
        if (st->kind == ZKM_STMT_INPUT)
            sym_declare(&c, st->u.input.name, st->u.input.name_span.off);
        if (st->kind != ZKM_STMT_BIND)
            continue;
        for (uint32_t k = 0; k + 1 < st->u.bind.n_stages; k++)
            if (st->u.bind.stages[k].label)
                sym_declare(&c, st->u.bind.stages[k].label, st->u.bind.stages[k].label_span.off);
        sym_declare(&c, st->u.bind.name, st->u.bind.name_span.off);
    }

    uint32_t out_off = UINT32_MAX;
    for (uint32_t i = 0; i < ast->n_stmts && !c.oom && !c.hit_nodes && !zkm_diags_full(d); i++) {
        const zkm_ast_stmt *st = &ast->stmts[i];
        switch (st->kind) {
        case ZKM_STMT_DEFAULTS:
        case ZKM_STMT_WEIGHTS: check_defaults(&c, st); break;
        case ZKM_STMT_INPUT: check_input(&c, st); break;
        case ZKM_STMT_BIND: check_bind(&c, st); break;
        case ZKM_STMT_OUTPUT: check_output(&c, st, &out_off); break;
        }
    }
    resolve_defaults(&c);
    if (!c.oom && !c.hit_nodes && !zkm_diags_full(d) && out_off == UINT32_MAX)
        err(&c, ast->name_span.off, "model '%s' has no output: add 'output NAME' at its end",
            ast->name);
    if (!c.oom) {
        check_folds(&c);
        if (c.output != ZKM_NONE && !c.x[c.output].bad)
            check_unused(&c);
        if (c.o.bits && d->n_errors == errors_before)
            apply_override(&c);
    }
    if (c.oom || d->oom) {
        chk_free(&c);
        return ZKM_ENOMEM;
    }
    if (d->n_errors > errors_before || c.output == ZKM_NONE) {
        chk_free(&c);
        return ZKM_EFORMAT;
    }

    zkm_model *m = calloc(1, sizeof *m);
    if (!m || !(m->name = strdup(ast->name)) || !(m->path = strdup(d->map.path ? d->map.path : ""))) {
        zkm_model_free(m);
        chk_free(&c);
        return ZKM_ENOMEM;
    }
    m->nodes = c.nodes;
    m->n_nodes = c.n;
    m->inputs = c.inputs;
    m->n_inputs = c.n_inputs;
    m->output = c.output;
    m->act = c.act;
    m->weights = c.wts;
    m->params = c.params;
    m->macs = c.macs;
    free(c.x);
    free(c.syms);
    *out = m;
    return ZKM_OK;
}

zkm_status zkm_model_from_source(const char *path, const char *src, size_t len,
                                 const zkm_check_opts *o, zkm_model **out, zkm_diags *d)
{
    zkm_ast *ast = NULL;
    *out = NULL;
    zkm_status st = zkm_parse(path, src, len, &ast, d);
    if (st)
        return st;
    st = zkm_check(ast, o, out, d);
    zkm_ast_free(ast);
    return st;
}
