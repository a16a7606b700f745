/* Sweeps: the spec parser, points, CSV keys and summaries (sweep.h). */
#include "sweep.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

/* ------------------------------------------------------------ messages */

/* A file name in a message: its last 60 bytes, where its name is. */
static const char *short_path(const char *f)
{
    const size_t n = strlen(f);
    return n > 60 ? f + n - 60 : f;
}

/* Where a value came from: "FILE:LINE: key: " or "--point: key: ". */
typedef struct {
    const char *file; /* NULL: a point string */
    unsigned line;
    const char *key;
} where;

static zkm_status bad(const where *w, zkm_err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static zkm_status bad(const where *w, zkm_err *e, const char *fmt, ...)
{
    char msg[200], at[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (w->file)
        snprintf(at, sizeof at, "%s:%u: ", short_path(w->file), w->line);
    else
        snprintf(at, sizeof at, "--point: ");
    if (w->key)
        return zkm_fail(e, ZKM_EFORMAT, "%s%s: %s", at, w->key, msg);
    return zkm_fail(e, ZKM_EFORMAT, "%s%s", at, msg);
}

/* ------------------------------------------------------------- scanning */

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static const char *trim_end(const char *p, const char *end)
{
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    return end;
}

/* A decimal integer in [lo, hi] spelling exactly [s, end). */
static int parse_u64(const char *s, const char *end, uint64_t lo, uint64_t hi, uint64_t *out)
{
    uint64_t v = 0;
    if (s == end)
        return 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        const uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* A model's name: 1 to SW_MAX_NAME - 1 name characters. */
static int name_ok(const char *s, size_t n)
{
    if (!n || n >= SW_MAX_NAME)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_name_char(s[i]))
            return 0;
    return 1;
}

/* A path in a spec may hold anything printable but ';' (the point
 * separator), '#' (comments) and white space (the model line's separator).
 * In a point string (point != 0) only ';' and control characters are out
 * (a point is one line of --emit-jobs): spaces, quotes and '#' are fine, as
 * an absolute path --emit-jobs makes may hold them. */
static int path_ok(const char *s, const char *end, int point)
{
    if (s == end)
        return 0;
    for (; s < end; s++)
        if ((unsigned char)*s < ' ' || *s == ';' || *s == 0x7f ||
            (!point && (*s == ' ' || *s == '#')))
            return 0;
    return 1;
}

static char *dup_span(const char *s, const char *end, zkm_err *e)
{
    char *d = zkm_calloc((size_t)(end - s) + 1, 1, "a sweep spec string", e);
    if (d)
        memcpy(d, s, (size_t)(end - s));
    return d;
}

/* Call fn on each comma-separated item of [s, end), trimmed; an empty item
 * is an error. */
typedef zkm_status (*item_fn)(const where *w, const char *s, const char *end, void *ctx,
                              zkm_err *e);
static zkm_status each_item(const where *w, const char *s, const char *end, item_fn fn,
                            void *ctx, zkm_err *e)
{
    for (;;) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *stop = comma ? comma : end;
        const char *a = skip_space(s, stop), *b = trim_end(a, stop);
        if (a == b)
            return bad(w, e, "an empty item in the list");
        zkm_status st = fn(w, a, b, ctx, e);
        if (st)
            return st;
        if (!comma)
            return ZKM_OK;
        s = comma + 1;
    }
}

/* ---------------------------------------------------------------- values */

static zkm_status bits_item(const where *w, const char *s, const char *end, void *ctx,
                            zkm_err *e)
{
    uint32_t *set = ctx; /* bit w: width w listed */
    const char *dots = NULL;
    for (const char *p = s; p + 1 < end; p++)
        if (p[0] == '.' && p[1] == '.') {
            dots = p;
            break;
        }
    uint64_t a, b;
    const uint64_t lo = ZKM_BITS_MIN, hi = ZKM_BITS_MAX;
    const int ok = dots ? parse_u64(s, trim_end(s, dots), lo, hi, &a) &&
                              parse_u64(skip_space(dots + 2, end), end, lo, hi, &b)
                        : parse_u64(s, end, lo, hi, &a) && (b = a, 1);
    if (!ok || a > b)
        return bad(w, e, "'%.*s': expected bit-widths from %u to %u, as a list like 4,8,12 "
                   "or a range like 4..16", (int)(end - s), s, ZKM_BITS_MIN, ZKM_BITS_MAX);
    for (uint64_t v = a; v <= b; v++)
        set[v / 32] |= 1u << (v % 32);
    return ZKM_OK;
}

static zkm_status parse_bits(const where *w, const char *s, const char *end, sw_spec *sp,
                             zkm_err *e)
{
    uint32_t set[2] = {0, 0};
    zkm_status st = each_item(w, s, end, bits_item, set, e);
    if (st)
        return st;
    sp->n_bits = 0;
    for (uint32_t v = ZKM_BITS_MIN; v <= ZKM_BITS_MAX; v++)
        if (set[v / 32] >> (v % 32) & 1)
            sp->bits[sp->n_bits++] = v;
    return ZKM_OK;
}

/* bits, lookup or lookup:L; a bare lookup is zkm's default limb, so that
 * one circuit has one spelling (sw_range_str). */
static int range_from(const char *s, const char *end, sw_range *r)
{
    const size_t n = (size_t)(end - s);
    uint64_t limb;
    memset(r, 0, sizeof *r);
    if (n == 4 && !memcmp(s, "bits", 4))
        return 1;
    if (n >= 6 && !memcmp(s, "lookup", 6)) {
        r->lookup = 1;
        r->limb = ZKM_LIMB_DEFAULT;
        if (n == 6)
            return 1;
        if (s[6] == ':' && parse_u64(s + 7, end, ZKM_LIMB_MIN, ZKM_LIMB_MAX, &limb)) {
            r->limb = (uint32_t)limb;
            return 1;
        }
    }
    return 0;
}

static zkm_status range_item(const where *w, const char *s, const char *end, void *ctx,
                             zkm_err *e)
{
    sw_spec *sp = ctx;
    sw_range r;
    if (!range_from(s, end, &r))
        return bad(w, e, "'%.*s': expected bits, lookup or lookup:L with a limb size L from "
                   "%u to %u", (int)(end - s), s, ZKM_LIMB_MIN, ZKM_LIMB_MAX);
    for (uint32_t i = 0; i < sp->n_ranges; i++)
        if (sp->ranges[i].lookup == r.lookup && sp->ranges[i].limb == r.limb)
            return r.lookup ? bad(w, e, "'%.*s' listed twice (lookup is lookup:%u)",
                                  (int)(end - s), s, ZKM_LIMB_DEFAULT)
                            : bad(w, e, "'%.*s' listed twice", (int)(end - s), s);
    if (sp->n_ranges == SW_MAX_LIST)
        return bad(w, e, "more than %d range strategies", SW_MAX_LIST);
    sp->ranges[sp->n_ranges++] = r;
    return ZKM_OK;
}

static const struct {
    const char *name;
    sw_mode flag;
} mode_words[] = {
    {"private-input", SW_PRIVATE_INPUT},
    {"clear-advice", SW_CLEAR_ADVICE},
    {"zk", SW_ZK},
};

static int mode_from(const char *s, const char *end, sw_mode *m, const char **why)
{
    const char *plus = memchr(s, '+', (size_t)(end - s));
    const char *stop = plus ? plus : end;
    const size_t n = (size_t)(stop - s);
    *why = "expected public or committed, then any of +private-input, +clear-advice, +zk";
    if (n == 6 && !memcmp(s, "public", 6))
        *m = 0;
    else if (n == 9 && !memcmp(s, "committed", 9))
        *m = SW_COMMITTED;
    else
        return 0;
    while (plus) {
        s = plus + 1;
        plus = memchr(s, '+', (size_t)(end - s));
        stop = plus ? plus : end;
        sw_mode f = 0;
        for (size_t i = 0; i < sizeof mode_words / sizeof mode_words[0]; i++)
            if (strlen(mode_words[i].name) == (size_t)(stop - s) &&
                !memcmp(mode_words[i].name, s, (size_t)(stop - s)))
                f = mode_words[i].flag;
        if (!f)
            return 0;
        if (*m & f) {
            *why = "a word given twice";
            return 0;
        }
        *m |= f;
    }
    if ((*m & SW_ZK) && (*m & SW_CLEAR_ADVICE)) {
        *why = "zk needs the advice committed (zkm prove refuses --zk with --advice clear)";
        return 0;
    }
    return 1;
}

static zkm_status mode_item(const where *w, const char *s, const char *end, void *ctx,
                            zkm_err *e)
{
    sw_spec *sp = ctx;
    sw_mode m;
    const char *why;
    if (!mode_from(s, end, &m, &why))
        return bad(w, e, "'%.*s': %s", (int)(end - s), s, why);
    for (uint32_t i = 0; i < sp->n_modes; i++)
        if (sp->modes[i] == m)
            return bad(w, e, "'%.*s' listed twice", (int)(end - s), s);
    if (sp->n_modes == SW_MAX_LIST)
        return bad(w, e, "more than %d modes", SW_MAX_LIST);
    sp->modes[sp->n_modes++] = m;
    return ZKM_OK;
}

static zkm_status parse_number(const where *w, const char *s, const char *end, uint64_t lo,
                               uint64_t hi, uint32_t *out, zkm_err *e)
{
    uint64_t v;
    if (!parse_u64(s, end, lo, hi, &v))
        return bad(w, e, "'%.*s': expected an integer from %llu to %llu", (int)(end - s), s,
                   (unsigned long long)lo, (unsigned long long)hi);
    *out = (uint32_t)v;
    return ZKM_OK;
}

/* --------------------------------------------------------------- models */

static void model_free(sw_model *m)
{
    free(m->name);
    free(m->path);
    free(m->weights);
    free(m->input);
    free(m->dataset);
    memset(m, 0, sizeof *m);
}

/* One option of a model (name=, weights=, seed=, input=, input_seed=,
 * dataset=, input_sample=); each at most once. */
static zkm_status model_opt(const where *w, sw_model *m, const char *k, const char *ke,
                            const char *v, const char *ve, unsigned *seen, int point,
                            zkm_err *e)
{
    static const char *const keys[] = {"name", "weights", "seed", "input", "input_seed",
                                       "dataset", "input_sample"};
    unsigned i = 0;
    while (i < 7 && !(strlen(keys[i]) == (size_t)(ke - k) && !memcmp(keys[i], k, (size_t)(ke - k))))
        i++;
    if (i == 7)
        return bad(w, e, "unknown option '%.*s' (name, weights, seed, dataset, input, "
                   "input_seed, input_sample)", (int)(ke - k), k);
    if (*seen & (1u << i))
        return bad(w, e, "%s given twice", keys[i]);
    *seen |= 1u << i;
    if (v == ve)
        return bad(w, e, "%s needs a value", keys[i]);
    uint64_t n;
    switch (i) {
    case 0:
        if ((size_t)(ve - v) >= SW_MAX_NAME)
            return bad(w, e, "name: longer than %d characters", SW_MAX_NAME - 1);
        if (!name_ok(v, (size_t)(ve - v)))
            return bad(w, e, "name '%.*s': use letters, digits, '_', '.' and '-'",
                       (int)(ve - v), v);
        return (m->name = dup_span(v, ve, e)) ? ZKM_OK : ZKM_ENOMEM;
    case 2:
        if (!parse_u64(v, ve, 0, UINT64_MAX, &m->seed))
            return bad(w, e, "seed '%.*s': expected a non-negative integer", (int)(ve - v), v);
        return ZKM_OK;
    case 4:
        if (!parse_u64(v, ve, 0, UINT64_MAX, &n))
            return bad(w, e, "input_seed '%.*s': expected a non-negative integer",
                       (int)(ve - v), v);
        m->input_seed = n;
        m->has_input_seed = 1;
        return ZKM_OK;
    case 6:
        if (!parse_u64(v, ve, 0, UINT64_MAX / 2, &n))
            return bad(w, e, "input_sample '%.*s': expected a sample number from 0",
                       (int)(ve - v), v);
        m->input_sample = n;
        m->has_input_sample = 1;
        return ZKM_OK;
    default:
        if (!path_ok(v, ve, point))
            return bad(w, e, "%s '%.*s': a path without %s", keys[i], (int)(ve - v), v,
                       point ? "';' or control characters" : "';', '#' or spaces");
        char **dst = i == 1 ? &m->weights : i == 3 ? &m->input : &m->dataset;
        return (*dst = dup_span(v, ve, e)) ? ZKM_OK : ZKM_ENOMEM;
    }
}

/* What every model needs, once its options are read: weights or a seed,
 * not both; at most one input; a name. */
static zkm_status model_finish(const where *w, sw_model *m, unsigned seen, zkm_err *e)
{
    const int has_seed = (seen >> 2) & 1;
    if (!m->weights && !has_seed)
        return bad(w, e, "%s: give the weights: weights=FILE or seed=N", m->path);
    if (m->weights && has_seed)
        return bad(w, e, "%s: give one of weights=FILE and seed=N, not both", m->path);
    if (!!m->input + m->has_input_seed + m->has_input_sample > 1)
        return bad(w, e, "%s: give one of input=FILE, input_seed=N and input_sample=K",
                   m->path);
    if (m->has_input_sample && !m->dataset)
        return bad(w, e, "%s: input_sample=K is sample K of the dataset: give dataset=SPEC",
                   m->path);
    if (!m->has_input_seed)
        m->input_seed = 1;
    if (m->name)
        return ZKM_OK;
    const char *base = strrchr(m->path, '/');
    base = base ? base + 1 : m->path;
    size_t n = strlen(base);
    if (n > 4 && !strcmp(base + n - 4, ".zkm"))
        n -= 4;
    if (!name_ok(base, n))
        return bad(w, e, "%s: its file name is no model name: give name=LABEL (letters, "
                   "digits, '_', '.', '-')", m->path);
    return (m->name = dup_span(base, base + n, e)) ? ZKM_OK : ZKM_ENOMEM;
}

/* model = PATH [opt=VALUE]... */
static zkm_status parse_model(const where *w, const char *s, const char *end, sw_model *m,
                              zkm_err *e)
{
    memset(m, 0, sizeof *m);
    m->line = w->line;
    const char *p = s;
    while (p < end && *p != ' ' && *p != '\t')
        p++;
    if (memchr(s, '=', (size_t)(p - s)))
        return bad(w, e, "'%.*s': the first word is the model's .zkm file", (int)(p - s), s);
    if (!path_ok(s, p, 0))
        return bad(w, e, "'%.*s': a path without ';', '#' or spaces", (int)(p - s), s);
    if (!(m->path = dup_span(s, p, e)))
        return ZKM_ENOMEM;
    unsigned seen = 0;
    for (p = skip_space(p, end); p < end; p = skip_space(p, end)) {
        const char *t = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        const char *eq = memchr(t, '=', (size_t)(p - t));
        if (!eq)
            return bad(w, e, "'%.*s': expected OPTION=VALUE (name, weights, seed, dataset, "
                       "input, input_seed, input_sample)", (int)(p - t), t);
        zkm_status st = model_opt(w, m, t, eq, eq + 1, p, &seen, 0, e);
        if (st)
            return st;
    }
    return model_finish(w, m, seen, e);
}

/* ----------------------------------------------------------------- spec */

void sw_spec_free(sw_spec *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->n_models; i++)
        model_free(&s->models[i]);
    free(s->models);
    memset(s, 0, sizeof *s);
}

uint64_t sw_count(const sw_spec *s)
{
    return (uint64_t)s->n_models * s->n_bits * s->n_ranges * s->n_modes * s->reps;
}

enum { K_MODEL, K_BITS, K_RANGE, K_MODE, K_REPS, K_DRIFT, K_THREADS, K_COUNT };
static const char *const spec_keys[K_COUNT] = {"model", "bits", "range", "mode", "reps",
                                               "drift_inputs", "threads"};

static zkm_status spec_line(const where *at, int key, const char *v, const char *ve,
                            sw_spec *s, zkm_err *e)
{
    switch (key) {
    case K_MODEL: {
        if (s->n_models == SW_MAX_MODELS)
            return bad(at, e, "more than %d models", SW_MAX_MODELS);
        sw_model *grown = realloc(s->models, (s->n_models + 1) * sizeof *grown);
        if (!grown)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory");
        s->models = grown;
        sw_model *m = &s->models[s->n_models];
        zkm_status st = parse_model(at, v, ve, m, e);
        if (st) {
            model_free(m);
            return st;
        }
        s->n_models++;
        for (uint32_t i = 0; i + 1 < s->n_models; i++)
            if (!strcmp(s->models[i].name, m->name))
                return bad(at, e, "model name '%s' already used on line %u: give name=LABEL",
                           m->name, s->models[i].line);
        return ZKM_OK;
    }
    case K_BITS:
        return parse_bits(at, v, ve, s, e);
    case K_RANGE:
        return each_item(at, v, ve, range_item, s, e);
    case K_MODE:
        return each_item(at, v, ve, mode_item, s, e);
    case K_REPS:
        return parse_number(at, v, ve, 1, SW_MAX_REPS, &s->reps, e);
    case K_DRIFT:
        return parse_number(at, v, ve, 0, SW_MAX_DRIFT_INPUTS, &s->drift_inputs, e);
    default:
        return parse_number(at, v, ve, 1, SW_MAX_THREADS, &s->threads, e);
    }
}

zkm_status sw_parse(const char *text, size_t len, const char *file, sw_spec *s, zkm_err *e)
{
    unsigned seen_line[K_COUNT] = {0};
    where at = {.file = file ? file : "spec", .line = 0, .key = NULL};
    zkm_status st = ZKM_OK;
    memset(s, 0, sizeof *s);
    s->reps = 1;
    s->drift_inputs = SW_DEFAULT_DRIFT_INPUTS;
    if (memchr(text, '\0', len)) {
        at.line = 1;
        for (const char *p = text; *p; p++)
            at.line += *p == '\n';
        st = bad(&at, e, "a NUL byte: not a text file");
        goto fail;
    }
    for (const char *p = text, *end = text + len; p < end && !st;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *hash = memchr(p, '#', (size_t)(le - p));
        const char *a = skip_space(p, hash ? hash : le), *b = trim_end(a, hash ? hash : le);
        at.line++;
        at.key = NULL;
        p = nl ? nl + 1 : end;
        if (a == b)
            continue;
        const char *eq = memchr(a, '=', (size_t)(b - a));
        if (!eq) {
            st = bad(&at, e, "expected 'key = value' (keys: model, bits, range, mode, reps, "
                     "drift_inputs, threads)");
            break;
        }
        const char *ke = trim_end(a, eq);
        int key = 0;
        while (key < K_COUNT && !(strlen(spec_keys[key]) == (size_t)(ke - a) &&
                                  !memcmp(spec_keys[key], a, (size_t)(ke - a))))
            key++;
        if (key == K_COUNT) {
            st = bad(&at, e, "unknown key '%.*s' (model, bits, range, mode, reps, drift_inputs, "
                     "threads)", (int)(ke - a), a);
            break;
        }
        at.key = spec_keys[key];
        if (key != K_MODEL && seen_line[key]) {
            st = bad(&at, e, "given twice (first on line %u)", seen_line[key]);
            break;
        }
        seen_line[key] = at.line;
        const char *v = skip_space(eq + 1, b);
        if (v == b) {
            st = bad(&at, e, "no value");
            break;
        }
        st = spec_line(&at, key, v, b, s, e);
    }
    if (st)
        goto fail;
    at.key = NULL;
    if (!s->n_models) {
        st = zkm_fail(e, ZKM_EFORMAT, "%s: no model line (model = PATH seed=N, or "
                      "weights=FILE)", short_path(at.file));
        goto fail;
    }
    if (!seen_line[K_BITS]) {
        st = zkm_fail(e, ZKM_EFORMAT, "%s: no bits line (e.g. bits = 4..16)",
                      short_path(at.file));
        goto fail;
    }
    if (!s->n_ranges)
        s->n_ranges = 1; /* bits: the zero sw_range */
    if (!s->n_modes)
        s->n_modes = 1;  /* public */
    /* every factor is bounded, so the product fits in 64 bits */
    if (sw_count(s) > SW_MAX_POINTS) {
        st = zkm_fail(e, ZKM_EFORMAT, "%s: %llu points, more than %d", short_path(at.file),
                      (unsigned long long)sw_count(s), SW_MAX_POINTS);
        goto fail;
    }
    return ZKM_OK;
fail:
    sw_spec_free(s);
    return st;
}

void sw_point_at(const sw_spec *s, uint64_t k, sw_point *p)
{
    memset(p, 0, sizeof *p);
    p->mode = s->modes[k % s->n_modes];
    k /= s->n_modes;
    p->range = s->ranges[k % s->n_ranges];
    k /= s->n_ranges;
    p->bits = s->bits[k % s->n_bits];
    k /= s->n_bits;
    p->model = &s->models[k % s->n_models];
    k /= s->n_models;
    p->rep = (uint32_t)k + 1;
    p->drift_inputs = s->drift_inputs;
    p->threads = s->threads;
}

const char *sw_range_str(sw_range r, char *buf, size_t n)
{
    if (!r.lookup)
        snprintf(buf, n, "bits");
    else
        snprintf(buf, n, "lookup:%u", r.limb ? r.limb : ZKM_LIMB_DEFAULT);
    return buf;
}

const char *sw_mode_str(sw_mode m, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s%s", m & SW_COMMITTED ? "committed" : "public",
             m & SW_PRIVATE_INPUT ? "+private-input" : "",
             m & SW_CLEAR_ADVICE ? "+clear-advice" : "", m & SW_ZK ? "+zk" : "");
    return buf;
}

void sw_point_key(const sw_point *p, zkm_strbuf *b)
{
    char r[32], m[64];
    zkm_sb_printf(b, "%s,%u,%s,%s,%u", p->model->name, p->bits, sw_range_str(p->range, r, 32),
                  sw_mode_str(p->mode, m, 64), p->rep);
}

zkm_status sw_point_encode(const sw_point *p, zkm_strbuf *b, zkm_err *e)
{
    const sw_model *m = p->model;
    const char *const path[4] = {m->path, m->weights, m->input, m->dataset};
    const char *const what[4] = {"model", "weights", "input", "dataset"};
    char r[32], md[64];
    for (int i = 0; i < 4; i++)
        if (path[i] && !path_ok(path[i], path[i] + strlen(path[i]), 1))
            return zkm_fail(e, ZKM_EFORMAT, "%s %s: a point cannot carry a path with ';' or a "
                            "control character", what[i], path[i]);
    zkm_sb_printf(b, "name=%s;model=", m->name);
    zkm_sb_put(b, m->path, strlen(m->path));
    if (m->weights) {
        zkm_sb_printf(b, ";weights=");
        zkm_sb_put(b, m->weights, strlen(m->weights));
    } else {
        zkm_sb_printf(b, ";seed=%llu", (unsigned long long)m->seed);
    }
    if (m->input) {
        zkm_sb_printf(b, ";input=");
        zkm_sb_put(b, m->input, strlen(m->input));
    } else if (m->has_input_sample) {
        zkm_sb_printf(b, ";input_sample=%llu", (unsigned long long)m->input_sample);
    } else {
        zkm_sb_printf(b, ";input_seed=%llu", (unsigned long long)m->input_seed);
    }
    if (m->dataset) {
        zkm_sb_printf(b, ";dataset=");
        zkm_sb_put(b, m->dataset, strlen(m->dataset));
    }
    zkm_sb_printf(b, ";bits=%u;range=%s;mode=%s;rep=%u;drift_inputs=%u", p->bits,
                  sw_range_str(p->range, r, 32), sw_mode_str(p->mode, md, 64), p->rep,
                  p->drift_inputs);
    if (p->threads)
        zkm_sb_printf(b, ";threads=%u", p->threads);
    return ZKM_OK;
}

zkm_status sw_point_decode(const char *str, sw_spec *one, sw_point *p, zkm_err *e)
{
    /* the model's fields, then the point's own */
    static const char *const own[] = {"bits", "range", "mode", "rep", "drift_inputs",
                                      "threads"};
    where at = {.file = NULL, .line = 0, .key = NULL};
    unsigned seen = 0, seen_own = 0;
    zkm_status st = ZKM_OK;
    sw_model *m;
    memset(one, 0, sizeof *one);
    memset(p, 0, sizeof *p);
    if (!(m = one->models = zkm_calloc(1, sizeof *m, "a sweep point", e)))
        return ZKM_ENOMEM;
    one->n_models = 1;
    for (const char *s = str, *end = str + strlen(str); s < end && !st;) {
        const char *semi = memchr(s, ';', (size_t)(end - s));
        const char *fe = semi ? semi : end;
        const char *eq = memchr(s, '=', (size_t)(fe - s));
        if (!eq) {
            st = bad(&at, e, "'%.*s': expected KEY=VALUE", (int)(fe - s), s);
            break;
        }
        at.key = NULL;
        int k = 0;
        while (k < 6 && !(strlen(own[k]) == (size_t)(eq - s) &&
                          !memcmp(own[k], s, (size_t)(eq - s))))
            k++;
        if (eq - s == 5 && !memcmp(s, "model", 5)) {
            if (m->path)
                st = bad(&at, e, "model given twice");
            else if (!path_ok(eq + 1, fe, 1))
                st = bad(&at, e, "model '%.*s': a path without ';' or control characters",
                         (int)(fe - eq - 1), eq + 1);
            else if (!(m->path = dup_span(eq + 1, fe, e)))
                st = ZKM_ENOMEM;
        } else if (k == 6) {
            st = model_opt(&at, m, s, eq, eq + 1, fe, &seen, 1, e);
        } else if (seen_own & (1u << k)) {
            st = bad(&at, e, "%s given twice", own[k]);
        } else {
            seen_own |= 1u << k;
            at.key = own[k];
            const char *v = eq + 1, *why = NULL;
            switch (k) {
            case 0:
                st = parse_number(&at, v, fe, ZKM_BITS_MIN, ZKM_BITS_MAX, &p->bits, e);
                break;
            case 1:
                if (!range_from(v, fe, &p->range))
                    st = bad(&at, e, "'%.*s': expected bits, lookup or lookup:L",
                             (int)(fe - v), v);
                break;
            case 2:
                if (!mode_from(v, fe, &p->mode, &why))
                    st = bad(&at, e, "'%.*s': %s", (int)(fe - v), v, why);
                break;
            case 3:
                st = parse_number(&at, v, fe, 1, SW_MAX_REPS, &p->rep, e);
                break;
            case 4:
                st = parse_number(&at, v, fe, 0, SW_MAX_DRIFT_INPUTS, &p->drift_inputs, e);
                break;
            default:
                st = parse_number(&at, v, fe, 1, SW_MAX_THREADS, &p->threads, e);
                break;
            }
        }
        s = semi ? semi + 1 : end;
    }
    at.key = NULL;
    if (!st && !m->path)
        st = bad(&at, e, "no model=PATH");
    if (!st && !(seen & 1))
        st = bad(&at, e, "no name=LABEL");
    for (int k = 0; k < 5 && !st; k++)
        if (!(seen_own & (1u << k)))
            st = bad(&at, e, "no %s=", own[k]);
    if (!st)
        st = model_finish(&at, m, seen, e);
    if (st) {
        sw_spec_free(one);
        memset(p, 0, sizeof *p);
        return st;
    }
    one->bits[0] = p->bits;
    one->n_bits = one->n_ranges = one->n_modes = 1;
    one->ranges[0] = p->range;
    one->modes[0] = p->mode;
    one->reps = p->rep;
    one->drift_inputs = p->drift_inputs;
    one->threads = p->threads;
    p->model = m;
    return ZKM_OK;
}

/* ------------------------------------------------------------------- CSV */

size_t sw_complete_len(const char *buf, size_t len)
{
    while (len && buf[len - 1] != '\n')
        len--;
    return len;
}

size_t sw_key_len(const char *line, size_t len, unsigned fields)
{
    const char *nl = memchr(line, '\n', len);
    if (nl)
        len = (size_t)(nl - line);
    size_t i = 0;
    for (unsigned f = 0; f < fields; f++) {
        const size_t start = i;
        while (i < len && line[i] != ',')
            i++;
        if (i == start)
            return 0;
        if (f + 1 < fields) {
            if (i == len)
                return 0;
            i++;
        }
    }
    return i;
}

size_t sw_row_key(const char *line, size_t len, char buf[SW_MAX_KEY])
{
    const char *fs[SW_KEY_FIELDS], *fe[SW_KEY_FIELDS];
    const size_t kl = sw_key_len(line, len, SW_KEY_FIELDS);
    buf[0] = '\0';
    if (!kl)
        return 0;
    for (const char *p = line, *end = line + kl, **f = fs; f < fs + SW_KEY_FIELDS; f++) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        *f = p;
        fe[f - fs] = comma ? comma : end;
        p = fe[f - fs] + 1;
    }
    uint64_t bits, rep;
    sw_range r;
    sw_mode m;
    const char *why;
    char rs[32], ms[64];
    if (!name_ok(fs[0], (size_t)(fe[0] - fs[0])) ||
        !parse_u64(fs[1], fe[1], ZKM_BITS_MIN, ZKM_BITS_MAX, &bits) ||
        !range_from(fs[2], fe[2], &r) || !mode_from(fs[3], fe[3], &m, &why) ||
        !parse_u64(fs[4], fe[4], 1, SW_MAX_REPS, &rep))
        return 0;
    const int n = snprintf(buf, SW_MAX_KEY, "%.*s,%u,%s,%s,%u", (int)(fe[0] - fs[0]), fs[0],
                           (unsigned)bits, sw_range_str(r, rs, sizeof rs),
                           sw_mode_str(m, ms, sizeof ms), (unsigned)rep);
    if (n < 0 || n >= SW_MAX_KEY) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)n;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t keys_find(const sw_keys *k, const char *key, size_t n)
{
    size_t i = (size_t)hash_bytes(key, n) & (k->cap - 1);
    while (k->slot[i] && !(strlen(k->slot[i]) == n && !memcmp(k->slot[i], key, n)))
        i = (i + 1) & (k->cap - 1);
    return i;
}

int sw_keys_has(const sw_keys *k, const char *key, size_t n)
{
    return k->cap && k->slot[keys_find(k, key, n)] != NULL;
}

zkm_status sw_keys_add(sw_keys *k, const char *key, size_t n, int *added, zkm_err *e)
{
    if (added)
        *added = 0;
    if (sw_keys_has(k, key, n))
        return ZKM_OK;
    if (2 * (k->n + 1) > k->cap) {
        sw_keys g = {.cap = k->cap ? 2 * k->cap : 64, .n = k->n};
        if (!(g.slot = zkm_calloc(g.cap, sizeof *g.slot, "a key set", e)))
            return ZKM_ENOMEM;
        for (size_t i = 0; i < k->cap; i++)
            if (k->slot[i])
                g.slot[keys_find(&g, k->slot[i], strlen(k->slot[i]))] = k->slot[i];
        free(k->slot);
        *k = g;
    }
    char *copy = dup_span(key, key + n, e);
    if (!copy)
        return ZKM_ENOMEM;
    k->slot[keys_find(k, key, n)] = copy;
    k->n++;
    if (added)
        *added = 1;
    return ZKM_OK;
}

void sw_keys_free(sw_keys *k)
{
    for (size_t i = 0; i < k->cap; i++)
        free(k->slot[i]);
    free(k->slot);
    memset(k, 0, sizeof *k);
}

zkm_status sw_csv_keys(const char *csv, size_t len, const char *header, sw_keys *keys,
                       zkm_err *e)
{
    if (!len)
        return ZKM_OK;
    const size_t hl = strlen(header);
    if (len < hl + 1 || memcmp(csv, header, hl) || csv[hl] != '\n')
        return zkm_fail(e, ZKM_EFORMAT, "its first line is not the header zkm sweep writes "
                        "(%.40s...)", header);
    unsigned line = 1;
    for (const char *p = csv + hl + 1, *end = csv + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        char key[SW_MAX_KEY];
        const size_t kl = sw_row_key(p, (size_t)(le - p), key);
        if (!kl)
            return zkm_fail(e, ZKM_EFORMAT, "line %u: '%.*s': not a row zkm sweep writes (first "
                            "model,bits,range,mode,rep)", line, (int)(le - p < 60 ? le - p : 60),
                            p);
        zkm_status st = sw_keys_add(keys, key, kl, NULL, e);
        if (st)
            return st;
        p = nl ? nl + 1 : end;
    }
    return ZKM_OK;
}

/* ------------------------------------------------------------- summaries */

/* A CSV table split in place: cell(t, r, c) is row r's field c (row 0 the
 * header). */
typedef struct {
    char *buf;
    char **cells;
    size_t rows, cols;
} table;

static void table_free(table *t)
{
    free(t->buf);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

static char *cell(const table *t, size_t r, size_t c) { return t->cells[r * t->cols + c]; }

static zkm_status table_split(const char *text, size_t len, const char *what, table *t,
                              zkm_err *e)
{
    memset(t, 0, sizeof *t);
    len = sw_complete_len(text, len);
    if (!len)
        return ZKM_OK;
    if (!(t->buf = zkm_calloc(len + 1, 1, what, e)))
        return ZKM_ENOMEM;
    memcpy(t->buf, text, len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += t->buf[i] == '\n';
    t->cols = 1;
    for (char *p = t->buf; *p != '\n'; p++)
        t->cols += *p == ',';
    if (!(t->cells = zkm_calloc(lines * t->cols, sizeof *t->cells, what, e))) {
        table_free(t);
        return ZKM_ENOMEM;
    }
    char *p = t->buf;
    for (size_t r = 0; r < lines; r++) {
        size_t c = 0;
        t->cells[r * t->cols] = p;
        for (; *p != '\n'; p++)
            if (*p == ',') {
                *p = '\0';
                if (++c < t->cols)
                    t->cells[r * t->cols + c] = p + 1;
            }
        *p++ = '\0';
        if (c + 1 != t->cols) {
            const size_t cols = t->cols;
            table_free(t);
            return zkm_fail(e, ZKM_EFORMAT, "%s: line %zu has %zu fields, the header %zu", what,
                            r + 1, c + 1, cols);
        }
    }
    t->rows = lines;
    return ZKM_OK;
}

static long column(const table *t, const char *name)
{
    for (size_t c = 0; c < t->cols; c++)
        if (!strcmp(cell(t, 0, c), name))
            return (long)c;
    return -1;
}

/* Distinct strings in order of first appearance. */
typedef struct {
    const char **s;
    size_t n;
} words;

static long word_index(const words *w, const char *s)
{
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->s[i], s))
            return (long)i;
    return -1;
}

/* w gains s if absent (w->s has room for every row). */
static size_t word_add(words *w, const char *s)
{
    const long i = word_index(w, s);
    if (i >= 0)
        return (size_t)i;
    w->s[w->n] = s;
    return w->n++;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of the numbers among the cells (rows idx[0..n), column c);
 * NAN if none.  v: scratch for n values. */
static double median_of(const table *t, const size_t *idx, size_t n, size_t c, double *v,
                        double *lo, double *hi)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = cell(t, idx[i], c);
        char *end;
        if (!*s)
            continue;
        errno = 0;
        const double x = strtod(s, &end);
        if (!*end && !errno && isfinite(x))
            v[k++] = x;
    }
    if (!k)
        return NAN;
    qsort(v, k, sizeof *v, cmp_double);
    if (lo)
        *lo = v[0];
    if (hi)
        *hi = v[k - 1];
    return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

static void put_num(zkm_strbuf *b, double x)
{
    if (isnan(x))
        zkm_sb_printf(b, ",");
    else
        zkm_sb_printf(b, ",%.9g", x);
}

/* Groups of rows sharing some columns; sorted by the words' order. */
typedef struct {
    size_t model, mode, range, extra; /* word indices (extra: node)        */
    size_t xrank;                     /* extra's place in its model's order */
    long bits;
    size_t *rows, n;                  /* into a shared index array         */
} group;

static int cmp_group(const void *a, const void *b)
{
    const group *x = a, *y = b;
    if (x->model != y->model)
        return x->model < y->model ? -1 : 1;
    if (x->mode != y->mode)
        return x->mode < y->mode ? -1 : 1;
    if (x->range != y->range)
        return x->range < y->range ? -1 : 1;
    if (x->bits != y->bits)
        return x->bits < y->bits ? -1 : 1;
    if (x->xrank != y->xrank)
        return x->xrank < y->xrank ? -1 : 1;
    return x->extra < y->extra ? -1 : x->extra > y->extra;
}

typedef struct {
    words models, modes, ranges, extras;
    group *g;
    size_t n_groups;
    size_t *order; /* row indices grouped */
} grouping;

static void grouping_free(grouping *gr)
{
    free(gr->models.s);
    free(gr->modes.s);
    free(gr->ranges.s);
    free(gr->extras.s);
    free(gr->g);
    free(gr->order);
    memset(gr, 0, sizeof *gr);
}

/* Group t's rows by model, bits, range, mode (and column extra if >= 0);
 * models, modes, ranges and extras in order of first appearance, the
 * models first taken from `model_order` when given; extras sorted by their
 * first appearance with their model (xrank). */
static zkm_status group_rows(const table *t, const long key[4], long extra,
                             const words *model_order, grouping *gr, zkm_err *e)
{
    const size_t n = t->rows ? t->rows - 1 : 0, cap = n + (model_order ? model_order->n : 0) + 1;
    memset(gr, 0, sizeof *gr);
    size_t *gid = NULL, *rank = NULL, *next = NULL;
    if (!(gr->models.s = zkm_calloc(cap, sizeof(char *), "a summary", e)) ||
        !(gr->modes.s = zkm_calloc(cap, sizeof(char *), "a summary", e)) ||
        !(gr->ranges.s = zkm_calloc(cap, sizeof(char *), "a summary", e)) ||
        !(gr->extras.s = zkm_calloc(cap, sizeof(char *), "a summary", e)) ||
        !(gr->g = zkm_calloc(cap, sizeof *gr->g, "a summary", e)) ||
        !(gr->order = zkm_calloc(cap, sizeof *gr->order, "a summary", e)) ||
        !(gid = zkm_calloc(cap, sizeof *gid, "a summary", e))) {
        grouping_free(gr);
        return ZKM_ENOMEM;
    }
    if (model_order)
        for (size_t i = 0; i < model_order->n; i++)
            word_add(&gr->models, model_order->s[i]);
    for (size_t r = 1; r <= n; r++) {
        word_add(&gr->models, cell(t, r, (size_t)key[0]));
        if (extra >= 0)
            word_add(&gr->extras, cell(t, r, (size_t)extra));
    }
    const size_t nx = gr->extras.n ? gr->extras.n : 1;
    if (!(rank = zkm_calloc(gr->models.n * nx + 1, sizeof *rank, "a summary", e)) ||
        !(next = zkm_calloc(gr->models.n + 1, sizeof *next, "a summary", e))) {
        free(gid);
        free(rank);
        grouping_free(gr);
        return ZKM_ENOMEM;
    }
    for (size_t r = 1; r <= n; r++) {
        char *end;
        const char *bs = cell(t, r, (size_t)key[1]);
        const long bits = strtol(bs, &end, 10);
        if (!*bs || *end) {
            free(gid);
            free(rank);
            free(next);
            grouping_free(gr);
            return zkm_fail(e, ZKM_EFORMAT, "line %zu: bits '%s' is not a number", r + 1, bs);
        }
        group k = {.model = word_add(&gr->models, cell(t, r, (size_t)key[0])),
                   .bits = bits,
                   .range = word_add(&gr->ranges, cell(t, r, (size_t)key[2])),
                   .mode = word_add(&gr->modes, cell(t, r, (size_t)key[3])),
                   .extra = extra >= 0 ? word_add(&gr->extras, cell(t, r, (size_t)extra)) : 0};
        size_t *rk = &rank[k.model * nx + k.extra]; /* rank + 1; 0: not seen */
        if (!*rk)
            *rk = ++next[k.model];
        k.xrank = *rk;
        size_t i = 0;
        while (i < gr->n_groups && cmp_group(&gr->g[i], &k))
            i++;
        if (i == gr->n_groups)
            gr->g[gr->n_groups++] = k;
        gr->g[i].n++;
        gid[r] = i;
    }
    /* rows of each group contiguous in order[] */
    size_t off = 0;
    for (size_t i = 0; i < gr->n_groups; i++) {
        gr->g[i].rows = gr->order + off;
        off += gr->g[i].n;
        gr->g[i].n = 0;
    }
    for (size_t r = 1; r <= n; r++) {
        group *g = &gr->g[gid[r]];
        g->rows[g->n++] = r;
    }
    free(gid);
    free(rank);
    free(next);
    qsort(gr->g, gr->n_groups, sizeof *gr->g, cmp_group);
    return ZKM_OK;
}

static zkm_status key_columns(const table *t, const char *what, long key[4], zkm_err *e)
{
    static const char *const names[4] = {"model", "bits", "range", "mode"};
    for (int i = 0; i < 4; i++)
        if ((key[i] = column(t, names[i])) < 0)
            return zkm_fail(e, ZKM_EFORMAT, "%s: no column '%s' in the header", what, names[i]);
    return ZKM_OK;
}

/* The canonical spellings of every range (by limb; 0: bits) and mode (by
 * its flags), which the key cells of a table are pointed at. */
typedef struct {
    char range[ZKM_LIMB_MAX + 1][16];
    char mode[16][64];
} spellings;

static void spellings_init(spellings *sp)
{
    for (uint32_t l = 0; l <= ZKM_LIMB_MAX; l++)
        sw_range_str((sw_range){.lookup = l != 0, .limb = l}, sp->range[l], sizeof sp->range[l]);
    for (sw_mode m = 0; m < 16; m++)
        sw_mode_str(m, sp->mode[m], sizeof sp->mode[m]);
}

/* A character of a word that may go into summary.gpi (a gnuplot string, a
 * word of a space-separated list, a part of "model|mode|range") and a CSV
 * field. */
static int word_char(char c)
{
    return (unsigned char)c > ' ' && (unsigned char)c < 0x7f && c != '"' && c != '\'' &&
           c != '\\' && c != '|' && c != ',';
}

static int word_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!word_char(*s))
            return 0;
    return 1;
}

void sw_node_word(char *s)
{
    if (!*s)
        snprintf(s, 2, "_");
    for (; *s; s++)
        if (!word_char(*s))
            *s = '_';
}

/* Check the model, range and mode (and node, if node >= 0) of t's rows,
 * and point the range and mode cells at their canonical spelling (an
 * older "lookup" is "lookup:8"). */
static zkm_status canon_cells(table *t, const char *what, const long key[4], long node,
                              const spellings *sp, zkm_err *e)
{
    for (size_t r = 1; r < t->rows; r++) {
        char **c = &t->cells[r * t->cols];
        const char *why = NULL, *bad_col = NULL, *v = NULL;
        sw_range rg;
        sw_mode m;
        if (!name_ok(c[key[0]], strlen(c[key[0]])))
            bad_col = "model", v = c[key[0]];
        else if (!range_from(c[key[2]], c[key[2]] + strlen(c[key[2]]), &rg))
            bad_col = "range", v = c[key[2]];
        else if (!mode_from(c[key[3]], c[key[3]] + strlen(c[key[3]]), &m, &why))
            bad_col = "mode", v = c[key[3]];
        else if (node >= 0 && !word_ok(c[node]))
            bad_col = "node", v = c[node];
        if (bad_col)
            return zkm_fail(e, ZKM_EFORMAT, "%s: line %zu: %s '%.40s' is not one zkm sweep writes",
                            what, r + 1, bad_col, v);
        c[key[2]] = (char *)sp->range[rg.lookup ? rg.limb : 0];
        c[key[3]] = (char *)sp->mode[m];
    }
    return ZKM_OK;
}

/* Columns summarised: every one but the key, rep and the text columns. */
static int numeric_column(const char *name)
{
    static const char *const skip[] = {"model", "bits", "range", "mode", "rep", "host",
                                       "cpu", "commit", "timestamp"};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (!strcmp(name, skip[i]))
            return 0;
    return 1;
}

static void results_summary(const table *t, const grouping *gr, double *v, zkm_strbuf *out)
{
    const long prove = column(t, "prove_s");
    zkm_sb_printf(out, "model,bits,range,mode,runs");
    for (size_t c = 0; c < t->cols; c++)
        if (numeric_column(cell(t, 0, c)))
            zkm_sb_printf(out, ",%s", cell(t, 0, c));
    zkm_sb_printf(out, ",prove_s_min,prove_s_max\n");
    for (size_t i = 0; i < gr->n_groups; i++) {
        const group *g = &gr->g[i];
        zkm_sb_printf(out, "%s,%ld,%s,%s,%zu", gr->models.s[g->model], g->bits,
                      gr->ranges.s[g->range], gr->modes.s[g->mode], g->n);
        for (size_t c = 0; c < t->cols; c++)
            if (numeric_column(cell(t, 0, c)))
                put_num(out, median_of(t, g->rows, g->n, c, v, NULL, NULL));
        double lo = NAN, hi = NAN;
        if (prove >= 0)
            median_of(t, g->rows, g->n, (size_t)prove, v, &lo, &hi);
        put_num(out, lo);
        put_num(out, hi);
        zkm_sb_printf(out, "\n");
    }
}

/* The median prove_s of the results group (model, bits, range, mode), or
 * NAN. */
static double results_prove(const table *rt, const grouping *rg, const char *model, long bits,
                            const char *range, const char *mode, double *v)
{
    const long ps = rt->rows ? column(rt, "prove_s") : -1;
    for (size_t i = 0; ps >= 0 && i < rg->n_groups; i++) {
        const group *g = &rg->g[i];
        if (g->bits == bits && !strcmp(rg->models.s[g->model], model) &&
            !strcmp(rg->ranges.s[g->range], range) && !strcmp(rg->modes.s[g->mode], mode))
            return median_of(rt, g->rows, g->n, (size_t)ps, v, NULL, NULL);
    }
    return NAN;
}

/* The pseudo-node on top of each bar: the rest of the prover's time. */
#define OTHER_NODE "(other)"

/* nodes_summary.csv and the node lists; nodes of models not in rg's are
 * left out. */
static zkm_status nodes_summary(table *t, const table *rt, const grouping *rg,
                                const spellings *sp, zkm_strbuf *out, zkm_strbuf *lists,
                                zkm_strbuf *bars, zkm_err *e)
{
    const words *models = &rg->models;
    long key[4], node = -1, ps = -1;
    grouping gr;
    double *v = NULL, *med = NULL;
    unsigned char *live = NULL, *other = NULL;
    zkm_sb_printf(out, "model,bits,range,mode,node,prove_s,lo,hi\n");
    if (!t->rows) {
        for (size_t i = 0; i < models->n; i++)
            zkm_sb_printf(lists, "nodes[%zu] = \"\"\n", i + 1);
        return ZKM_OK;
    }
    zkm_status st = key_columns(t, "nodes.csv", key, e);
    if (!st && ((node = column(t, "node")) < 0 || (ps = column(t, "prove_s")) < 0))
        st = zkm_fail(e, ZKM_EFORMAT, "nodes.csv: no column node or prove_s");
    if (!st)
        st = canon_cells(t, "nodes.csv", key, node, sp, e);
    if (st)
        return st;
    if ((st = group_rows(t, key, node, models, &gr, e)))
        return st;
    if (!(v = zkm_calloc(t->rows + rt->rows, sizeof *v, "a summary", e)) ||
        !(med = zkm_calloc(gr.n_groups + 1, sizeof *med, "a summary", e)) ||
        !(live = zkm_calloc(gr.models.n * (gr.extras.n + 1), 1, "a summary", e)) ||
        !(other = zkm_calloc(gr.models.n + 1, 1, "a summary", e))) {
        st = ZKM_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < gr.n_groups; i++) {
        med[i] = median_of(t, gr.g[i].rows, gr.g[i].n, (size_t)ps, v, NULL, NULL);
        if (med[i] > 0)
            live[gr.g[i].model * gr.extras.n + gr.g[i].extra] = 1;
    }
    /* groups are sorted by model, mode, range, bits, then node: the stack
     * of one bar is a contiguous run, closed by the rest of the median
     * prove_s of its results (commitments, openings, the witness) */
    double lo = 0;
    const group *listed = NULL; /* the last bar named in bars */
    for (size_t i = 0; i < gr.n_groups; i++) {
        const group *g = &gr.g[i];
        if (g->model < models->n && live[g->model * gr.extras.n + g->extra] && !isnan(med[i])) {
            if (!listed || listed->model != g->model || listed->mode != g->mode ||
                listed->range != g->range)
                zkm_sb_printf(bars, "%s|%s|%s ", gr.models.s[g->model], gr.modes.s[g->mode],
                              gr.ranges.s[g->range]);
            listed = g;
            zkm_sb_printf(out, "%s,%ld,%s,%s,%s,%.9g,%.9g,%.9g\n", gr.models.s[g->model],
                          g->bits, gr.ranges.s[g->range], gr.modes.s[g->mode],
                          gr.extras.s[g->extra], med[i], lo, lo + med[i]);
            lo += med[i];
        }
        const group *n = i + 1 < gr.n_groups ? &gr.g[i + 1] : NULL;
        if (n && n->model == g->model && n->mode == g->mode && n->range == g->range &&
            n->bits == g->bits)
            continue;
        /* the bar ends here */
        const double total = g->model < models->n
                                 ? results_prove(rt, rg, gr.models.s[g->model], g->bits,
                                                 gr.ranges.s[g->range], gr.modes.s[g->mode], v)
                                 : NAN;
        if (total > lo) {
            zkm_sb_printf(out, "%s,%ld,%s,%s," OTHER_NODE ",%.9g,%.9g,%.9g\n",
                          gr.models.s[g->model], g->bits, gr.ranges.s[g->range],
                          gr.modes.s[g->mode], total - lo, lo, total);
            other[g->model] = 1;
        }
        lo = 0;
    }
    for (size_t m = 0; m < models->n; m++) {
        zkm_sb_printf(lists, "nodes[%zu] = \"", m + 1);
        int first = 1;
        size_t last = 0; /* xrank listed last; ranks are listed ascending */
        for (size_t i = 0; i < gr.n_groups; i++) {
            const group *g = &gr.g[i];
            if (g->model == m && g->xrank > last && live[m * gr.extras.n + g->extra]) {
                zkm_sb_printf(lists, "%s%s", first ? "" : " ", gr.extras.s[g->extra]);
                first = 0;
                last = g->xrank;
            }
        }
        if (other[m])
            zkm_sb_printf(lists, "%s" OTHER_NODE, first ? "" : " ");
        zkm_sb_printf(lists, "\"\n");
    }
done:
    free(v);
    free(med);
    free(live);
    free(other);
    grouping_free(&gr);
    return st;
}

static int cmp_long(const void *a, const void *b)
{
    const long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

static void gpi_words(zkm_strbuf *b, const char *var, const words *w)
{
    zkm_sb_printf(b, "%s = \"", var);
    for (size_t i = 0; i < w->n; i++)
        zkm_sb_printf(b, "%s%s", i ? " " : "", w->s[i]);
    zkm_sb_printf(b, "\"\n");
}

/* name = " m1 m2 ": the models with a value in column col. */
static void models_with(const table *rt, const grouping *gr, const char *col, const char *name,
                        double *v, zkm_strbuf *gpi)
{
    const long c = rt->rows ? column(rt, col) : -1;
    zkm_sb_printf(gpi, "%s = \" ", name);
    for (size_t m = 0; m < gr->models.n && c >= 0; m++) {
        int any = 0;
        for (size_t i = 0; i < gr->n_groups && !any; i++)
            any = gr->g[i].model == m &&
                  !isnan(median_of(rt, gr->g[i].rows, gr->g[i].n, (size_t)c, v, NULL, NULL));
        if (any)
            zkm_sb_printf(gpi, "%s ", gr->models.s[m]);
    }
    zkm_sb_printf(gpi, "\"\n");
}

zkm_status sw_summarize(const char *results, size_t results_len, const char *nodes,
                        size_t nodes_len, zkm_strbuf *summary, zkm_strbuf *nodes_out,
                        zkm_strbuf *gpi, zkm_err *e)
{
    table rt, nt;
    grouping gr;
    long key[4];
    double *v = NULL;
    long *bits = NULL;
    zkm_strbuf lists = {0}, bars = {0};
    spellings sp;
    spellings_init(&sp);
    memset(&gr, 0, sizeof gr);
    memset(&nt, 0, sizeof nt);
    zkm_status st = table_split(results, results_len, "results.csv", &rt, e);
    if (!st)
        st = table_split(nodes, nodes_len, "nodes.csv", &nt, e);
    if (st)
        goto done;
    if (rt.rows) {
        if ((st = key_columns(&rt, "results.csv", key, e)) ||
            (st = canon_cells(&rt, "results.csv", key, -1, &sp, e)) ||
            (st = group_rows(&rt, key, -1, NULL, &gr, e)))
            goto done;
    } else {
        zkm_sb_printf(summary, "model,bits,range,mode,runs\n");
    }
    if (rt.rows) {
        if (!(v = zkm_calloc(rt.rows, sizeof *v, "a summary", e)) ||
            !(bits = zkm_calloc(gr.n_groups + 1, sizeof *bits, "a summary", e))) {
            st = ZKM_ENOMEM;
            goto done;
        }
        results_summary(&rt, &gr, v, summary);
    }
    zkm_sb_printf(&bars, "bars = \" ");
    if ((st = nodes_summary(&nt, &rt, &gr, &sp, nodes_out, &lists, &bars, e)))
        goto done;
    /* the variables for the charts */
    gpi_words(gpi, "models", &gr.models);
    gpi_words(gpi, "modes", &gr.modes);
    gpi_words(gpi, "ranges", &gr.ranges);
    /* what there is to plot (a plot with no point is an error in gnuplot):
     * series "model|mode|range", the models with drift, and bars */
    zkm_sb_printf(gpi, "series = \" ");
    for (size_t i = 0; i < gr.n_groups; i++) {
        const group *g = &gr.g[i], *h = i ? &gr.g[i - 1] : NULL;
        if (!h || h->model != g->model || h->mode != g->mode || h->range != g->range)
            zkm_sb_printf(gpi, "%s|%s|%s ", gr.models.s[g->model], gr.modes.s[g->mode],
                          gr.ranges.s[g->range]);
    }
    zkm_sb_printf(gpi, "\"\n");
    models_with(&rt, &gr, "drift_rel_l2", "drift_models", v, gpi);
    models_with(&rt, &gr, "drift_accuracy", "accuracy_models", v, gpi);
    zkm_sb_put(gpi, bars.s ? bars.s : "", bars.s ? bars.len : 0);
    zkm_sb_printf(gpi, "\"\n");
    size_t nb = 0;
    for (size_t i = 0; i < gr.n_groups; i++) {
        size_t j = 0;
        while (j < nb && bits[j] != gr.g[i].bits)
            j++;
        if (j == nb)
            bits[nb++] = gr.g[i].bits;
    }
    if (nb)
        qsort(bits, nb, sizeof *bits, cmp_long);
    zkm_sb_printf(gpi, "bits = \"");
    for (size_t j = 0; j < nb; j++)
        zkm_sb_printf(gpi, "%s%ld", j ? " " : "", bits[j]);
    zkm_sb_printf(gpi, "\"\narray nodes[%zu]\n", gr.models.n ? gr.models.n : 1);
    if (!gr.models.n)
        zkm_sb_printf(gpi, "nodes[1] = \"\"\n");
    if (lists.len)
        zkm_sb_put(gpi, lists.s ? lists.s : "", lists.s ? lists.len : 0);
    if (lists.failed || bars.failed || summary->failed || nodes_out->failed || gpi->failed)
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory");
done:
    free(v);
    free(bits);
    free(lists.s);
    free(bars.s);
    grouping_free(&gr);
    table_free(&rt);
    table_free(&nt);
    return st;
}
