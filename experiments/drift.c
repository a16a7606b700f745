/* The drift measurement (drift.h). */
#include "drift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "trace.h"

const char *dr_kind_name(dr_kind k)
{
    switch (k) {
    case DR_REF: return "reference";
    case DR_FLOAT: return "float";
    case DR_QREF: return "quantized-reference";
    default: return "fixed";
    }
}

void dr_result_free(dr_result *r)
{
    if (!r)
        return;
    for (uint32_t c = 0; r->cmps && c < r->n_cmps; c++)
        free(r->cmps[c].node);
    free(r->cmps);
    free(r->evals);
    free(r);
}

const dr_cmp *dr_find_cmp(const dr_result *r, uint32_t eval, uint32_t against)
{
    for (uint32_t c = 0; c < r->n_cmps; c++)
        if (r->cmps[c].eval == eval && r->cmps[c].against == against)
            return &r->cmps[c];
    return NULL;
}

double dr_rms(const dr_acc *a)
{
    return a->count ? sqrt(a->sum_sq / (double)a->count) : NAN;
}

double dr_rel_l2(const dr_acc *a)
{
    return a->count && a->sum_sq_ref > 0 ? sqrt(a->sum_sq / a->sum_sq_ref) : NAN;
}

double dr_top1(const dr_result *r, const dr_cmp *c)
{
    return r->inputs ? (double)c->top1 / (double)r->inputs : NAN;
}

double dr_accuracy(const dr_result *r, const dr_eval *v)
{
    return r->labelled ? (double)v->correct / (double)r->labelled : NAN;
}

/* ------------------------------------------------------------ building */

static bool folded(dr_kind k)
{
    return k == DR_QREF || k == DR_FIXED;
}

/* A dense or conv2d with a batchnorm folded into it. */
static bool bn_target(const zkm_node *d)
{
    return (d->op == ZKM_OP_DENSE && d->u.dense.bn != ZKM_NONE) ||
           (d->op == ZKM_OP_CONV2D && d->u.conv2d.bn != ZKM_NONE);
}

static zkm_status add_cmp(dr_result *r, uint32_t eval, uint32_t against, zkm_err *e)
{
    dr_cmp *c = &r->cmps[r->n_cmps];
    c->eval = eval;
    c->against = against;
    if (!(c->node = zkm_calloc(r->model->n_nodes, sizeof *c->node, "drift metrics", e)))
        return ZKM_ENOMEM;
    r->n_cmps++;
    const bool ulp = r->evals[eval].kind == DR_FLOAT || r->evals[eval].kind == DR_FIXED;
    for (uint32_t i = 0; i < r->model->n_nodes; i++)
        c->node[i].max_ulp = ulp ? 0 : NAN;
    return ZKM_OK;
}

static zkm_status check_spec(const dr_spec *s, zkm_err *e)
{
    if (!s->model || !s->weights || !s->input || s->n_inputs == 0)
        return zkm_fail(e, ZKM_EINVAL, "drift: model, weights and inputs needed");
    if (s->prec < DR_MIN_PREC || s->prec > DR_MAX_PREC)
        return zkm_fail(e, ZKM_EINVAL, "drift: precision %ld outside %d..%d", (long)s->prec,
                        DR_MIN_PREC, DR_MAX_PREC);
    if (s->floats >> FE_COUNT)
        return zkm_fail(e, ZKM_EINVAL, "drift: unknown float formats");
    for (uint32_t w = 0; w < s->n_widths; w++) {
        const zkm_net *n = s->nets[w];
        if (!n)
            continue;
        const zkm_model *m = zkm_net_model(n);
        bool same = m->n_nodes == s->model->n_nodes && m->output == s->model->output;
        for (uint32_t i = 0; same && i < m->n_nodes; i++)
            same = m->nodes[i].op == s->model->nodes[i].op &&
                   zkm_shape_count(&m->nodes[i].shape) ==
                       zkm_shape_count(&s->model->nodes[i].shape);
        if (!same)
            return zkm_fail(e, ZKM_EINVAL, "drift: the net at %u bits is not the same model",
                            s->widths[w]);
    }
    return ZKM_OK;
}

static zkm_status build(const dr_spec *s, dr_result **out, zkm_err *e)
{
    dr_result *r = zkm_calloc(1, sizeof *r, "drift result", e);
    if (!r)
        return ZKM_ENOMEM;
    r->model = s->model;
    r->prec = s->prec;
    uint32_t nf = 0;
    for (unsigned f = 0; f < FE_COUNT; f++)
        nf += (s->floats >> f) & 1;
    r->evals = zkm_calloc(1 + nf + 2 * (size_t)s->n_widths, sizeof *r->evals, "drift", e);
    r->cmps = zkm_calloc(nf + 3 * (size_t)s->n_widths, sizeof *r->cmps, "drift", e);
    zkm_status st = r->evals && r->cmps ? ZKM_OK : ZKM_ENOMEM;
    if (!st) {
        dr_eval *v = &r->evals[r->n_evals++];
        v->kind = DR_REF;
        snprintf(v->name, sizeof v->name, "mpfr-%ld", (long)s->prec);
    }
    for (unsigned f = 0; f < FE_COUNT && !st; f++) {
        if (!((s->floats >> f) & 1))
            continue;
        dr_eval *v = &r->evals[r->n_evals];
        v->kind = DR_FLOAT;
        v->fmt = (fe_id)f;
        snprintf(v->name, sizeof v->name, "%s", fe_get((fe_id)f)->name);
        st = add_cmp(r, r->n_evals++, 0, e);
    }
    for (uint32_t w = 0; w < s->n_widths && !st; w++) {
        const uint32_t q = r->n_evals, x = q + 1;
        r->evals[q] = (dr_eval){.kind = DR_QREF, .bits = s->widths[w], .width = w};
        snprintf(r->evals[q].name, sizeof r->evals[q].name, "q%u-ref", s->widths[w]);
        r->evals[x] = (dr_eval){.kind = DR_FIXED, .bits = s->widths[w], .width = w};
        snprintf(r->evals[x].name, sizeof r->evals[x].name, "q%u", s->widths[w]);
        r->n_evals += 2;
        if (!s->nets[w])
            for (uint32_t k = q; k <= x; k++)
                snprintf(r->evals[k].error, sizeof r->evals[k].error, "%s",
                         s->net_errors && s->net_errors[w] ? s->net_errors[w]
                                                            : "no net at this bit-width");
        st = add_cmp(r, x, 0, e);
        if (!st)
            st = add_cmp(r, x, q, e);
        if (!st)
            st = add_cmp(r, q, 0, e);
    }
    if (st) {
        dr_result_free(r);
        return st;
    }
    *out = r;
    return ZKM_OK;
}

/* ----------------------------------------------------------- comparing */

/* One evaluation's node values: doubles or MPFR numbers. */
typedef struct {
    double **d;
    mpfr_t *const *m;
} vals;

typedef struct {
    mpfr_t diff;  /* scratch at the reference's precision */
} scratch;

static void acc_add(dr_acc *a, double err, double ref, double ulp)
{
    err = fabs(err);
    a->count++;
    if (err > a->max_abs)
        a->max_abs = err;
    a->sum_sq += err * err;
    a->sum_sq_ref += ref * ref;
    if (!isnan(a->max_ulp) && ulp > 0 && err / ulp > a->max_ulp)
        a->max_ulp = err / ulp;
}

/* The ulp of evaluation v at node i, bit-width model mw, at reference r. */
static double ulp_of(const dr_eval *v, const zkm_model *mw, uint32_t i, const mpfr_t r)
{
    if (v->kind == DR_FLOAT)
        return fe_ulp(fe_get(v->fmt), r);
    if (v->kind == DR_FIXED)
        return ldexp(1.0, -(int)mw->nodes[i].fmt.frac);
    return NAN;
}

/* Accumulate node i of evaluation x (kind v) against reference ref. */
static void compare_node(dr_acc *a, const dr_eval *v, const zkm_model *mw, uint32_t i,
                         uint64_t cnt, const vals *x, mpfr_t *ref, scratch *s)
{
    for (uint64_t k = 0; k < cnt; k++) {
        if ((x->d ? !isfinite(x->d[i][k]) : !mpfr_number_p(x->m[i][k])) ||
            !mpfr_number_p(ref[k])) {
            a->nonfinite++;
            continue;
        }
        /* x - r rounded once at the reference's precision */
        if (x->d)
            mpfr_d_sub(s->diff, x->d[i][k], ref[k], MPFR_RNDN);
        else
            mpfr_sub(s->diff, x->m[i][k], ref[k], MPFR_RNDN);
        acc_add(a, mpfr_get_d(s->diff, MPFR_RNDN), mpfr_get_d(ref[k], MPFR_RNDN),
                isnan(a->max_ulp) ? NAN : ulp_of(v, mw, i, ref[k]));
    }
}

static uint64_t argmax_m(mpfr_t *const v, uint64_t n)
{
    uint64_t best = 0;
    for (uint64_t k = 1; k < n; k++)
        if (mpfr_greater_p(v[k], v[best]))
            best = k;
    return best;
}

static uint64_t argmax(const vals *x, uint32_t out, uint64_t n)
{
    return x->d ? dr_argmax(x->d[out], n) : argmax_m(x->m[out], n);
}

/* Compare evaluation x against reference values ref for one input. */
static void compare(dr_result *r, dr_cmp *c, const zkm_model *mw, const vals *x,
                    mpfr_t *const *ref, scratch *s)
{
    const zkm_model *m = r->model;
    const dr_eval *v = &r->evals[c->eval];
    const bool skip_bn = folded(v->kind) != folded(r->evals[c->against].kind);
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        if (skip_bn && bn_target(&m->nodes[i]))
            continue;
        compare_node(&c->node[i], v, mw, i, zkm_shape_count(&m->nodes[i].shape), x, ref[i], s);
    }
    const uint64_t n_out = zkm_shape_count(&m->nodes[m->output].shape);
    c->both++;
    c->top1 += argmax(x, m->output, n_out) == argmax_m(ref[m->output], n_out);
}

static void record(dr_eval *v, uint64_t arg, int64_t label)
{
    v->ran++;
    v->correct += label >= 0 && arg == (uint64_t)label;
}

static void fail(dr_eval *v, const char *why)
{
    v->failed++;
    if (!v->error[0])
        snprintf(v->error, sizeof v->error, "%s", why);
}

/* --------------------------------------------------------- measuring */

typedef struct {
    dr_mp *ref;
    dr_mp *emu[FE_COUNT];  /* the MPFR-emulated formats */
    dr_mp **qref;          /* per bit-width (NULL: no net) */
} engines;

static void engines_free(const dr_spec *s, engines *g)
{
    dr_mp_free(g->ref);
    for (unsigned f = 0; f < FE_COUNT; f++)
        dr_mp_free(g->emu[f]);
    for (uint32_t w = 0; g->qref && w < s->n_widths; w++)
        dr_mp_free(g->qref[w]);
    free(g->qref);
}

static zkm_status engines_init(const dr_spec *s, engines *g, zkm_err *e)
{
    memset(g, 0, sizeof *g);
    zkm_status st = dr_mp_real(s->model, s->weights, NULL, s->prec, &g->ref, e);
    for (unsigned f = 0; f < FE_COUNT && !st; f++)
        if (((s->floats >> f) & 1) && f != FE_F32 && f != FE_F64)
            st = dr_mp_real(s->model, s->weights, fe_get((fe_id)f), 0, &g->emu[f], e);
    if (!st && s->n_widths &&
        !(g->qref = zkm_calloc(s->n_widths, sizeof *g->qref, "drift", e)))
        st = ZKM_ENOMEM;
    for (uint32_t w = 0; w < s->n_widths && !st; w++)
        if (s->nets[w])
            st = dr_mp_quant(s->nets[w], s->prec, &g->qref[w], e);
    return st;
}

/* MPFR values of a low-precision format as doubles (exact). */
static zkm_status to_doubles(const zkm_model *m, mpfr_t *const *v, double ***out, zkm_err *e)
{
    double **d = dr_dvals_new(m, e);
    if (!d)
        return ZKM_ENOMEM;
    for (uint32_t i = 0; i < m->n_nodes; i++)
        for (uint64_t k = 0; k < zkm_shape_count(&m->nodes[i].shape); k++)
            d[i][k] = mpfr_get_d(v[i][k], MPFR_RNDN);
    *out = d;
    return ZKM_OK;
}

/* The fixed-point evaluations at bit-width w on one input. */
static zkm_status one_width(const dr_spec *s, dr_result *r, engines *g, uint32_t w,
                            const zkm_tensor_set *in, int64_t label, mpfr_t *const *ref,
                            uint32_t qi, scratch *sc, zkm_err *e)
{
    const zkm_model *m = r->model;
    const uint64_t n_out = zkm_shape_count(&m->nodes[m->output].shape);
    dr_eval *qv = &r->evals[qi], *xv = &r->evals[qi + 1];
    const zkm_net *net = s->nets[w];
    if (!net) {
        qv->failed++;
        xv->failed++;
        return ZKM_OK;
    }
    const zkm_model *mw = zkm_net_model(net);
    zkm_qinputs q = {0};
    zkm_err le;
    zkm_err_clear(&le);
    zkm_status st = zkm_net_quantize_inputs(net, in, &q, &le);
    if (st == ZKM_ENOMEM)
        return zkm_fail(e, st, "%s", le.msg);
    if (st) {
        fail(qv, le.msg);
        fail(xv, le.msg);
        return ZKM_OK;
    }
    mpfr_t *const *qr = NULL;
    if ((st = dr_mp_run(g->qref[w], NULL, &q, &qr, e))) {
        zkm_qinputs_free(&q);
        return st;
    }
    record(qv, argmax_m(qr[m->output], n_out), label);
    vals qx = {.m = qr};
    dr_cmp *c_qref = (dr_cmp *)dr_find_cmp(r, qi, 0);
    compare(r, c_qref, mw, &qx, ref, sc);
    int64_t **t = NULL;
    st = zkm_net_trace(net, &q, &t, &le);
    zkm_qinputs_free(&q);
    if (st == ZKM_EFORMAT) {
        fail(xv, le.msg);
        return ZKM_OK;
    }
    if (st)
        return zkm_fail(e, st, "%s", le.msg);
    double **d = dr_dvals_new(m, e);
    st = d ? ZKM_OK : ZKM_ENOMEM;
    for (uint32_t i = 0; i < m->n_nodes && !st; i++)
        for (uint64_t k = 0; k < zkm_shape_count(&m->nodes[i].shape); k++)
            d[i][k] = ldexp((double)t[i][k], -(int)mw->nodes[i].fmt.frac);
    zkm_trace_free(net, t);
    if (!st) {
        vals xx = {.d = d};
        record(xv, dr_argmax(d[m->output], n_out), label);
        compare(r, (dr_cmp *)dr_find_cmp(r, qi + 1, 0), mw, &xx, ref, sc);
        compare(r, (dr_cmp *)dr_find_cmp(r, qi + 1, qi), mw, &xx, qr, sc);
    }
    dr_dvals_free(m, d);
    return st;
}

static zkm_status one_input(const dr_spec *s, dr_result *r, engines *g, uint64_t k,
                            scratch *sc, zkm_err *e)
{
    const zkm_model *m = r->model;
    const uint64_t n_out = zkm_shape_count(&m->nodes[m->output].shape);
    zkm_tensor_set in;
    int64_t label = -1;
    zkm_tensor_set_init(&in);
    zkm_status st = s->input(s->input_ctx, k, &in, &label, e);
    mpfr_t *const *ref = NULL;
    if (!st)
        st = dr_mp_run(g->ref, &in, NULL, &ref, e);
    if (!st) {
        r->inputs++;
        r->labelled += label >= 0;
        record(&r->evals[0], argmax_m(ref[m->output], n_out), label);
    }
    for (uint32_t vi = 1; vi < r->n_evals && !st; vi++) {
        dr_eval *v = &r->evals[vi];
        if (v->kind == DR_FLOAT) {
            double **d = NULL;
            if (v->fmt == FE_F32 || v->fmt == FE_F64) {
                st = dr_native(m, s->weights, &in, v->fmt, &d, e);
            } else {
                mpfr_t *const *mv = NULL;
                st = dr_mp_run(g->emu[v->fmt], &in, NULL, &mv, e);
                if (!st)
                    st = to_doubles(m, mv, &d, e);
            }
            if (!st) {
                vals x = {.d = d};
                record(v, dr_argmax(d[m->output], n_out), label);
                compare(r, (dr_cmp *)dr_find_cmp(r, vi, 0), m, &x, ref, sc);
            }
            dr_dvals_free(m, d);
        } else if (v->kind == DR_QREF) {
            st = one_width(s, r, g, v->width, &in, label, ref, vi, sc, e);
            vi++; /* its DR_FIXED partner was done too */
        }
    }
    zkm_tensor_set_free(&in);
    return st;
}

zkm_status dr_measure(const dr_spec *s, dr_result **out, zkm_err *e)
{
    *out = NULL;
    zkm_status st = check_spec(s, e);
    dr_result *r = NULL;
    engines g;
    memset(&g, 0, sizeof g);
    if (!st)
        st = build(s, &r, e);
    if (!st)
        st = engines_init(s, &g, e);
    if (!st) {
        scratch sc;
        mpfr_init2(sc.diff, s->prec);
        for (uint64_t k = 0; k < s->n_inputs && !st; k++) {
            st = one_input(s, r, &g, k, &sc, e);
            if (s->progress)
                s->progress(s->progress_ctx, "inputs", k + 1, s->n_inputs);
        }
        mpfr_clear(sc.diff);
    }
    engines_free(s, &g);
    if (st) {
        dr_result_free(r);
        return st;
    }
    *out = r;
    return ZKM_OK;
}

/* ------------------------------------------------------------ reports */

static void csv_num(zkm_strbuf *sb, double v)
{
    if (isfinite(v))
        zkm_sb_printf(sb, ",%.6g", v);
    else
        zkm_sb_put(sb, ",", 1);
}

/* A CSV field: quoted, quotes doubled. */
static void csv_str(zkm_strbuf *sb, const char *s)
{
    zkm_sb_put(sb, ",\"", 2);
    for (; *s; s++) {
        if (*s == '"')
            zkm_sb_put(sb, "\"", 1);
        zkm_sb_put(sb, s, 1);
    }
    zkm_sb_put(sb, "\"", 1);
}

void dr_csv(const dr_result *r, zkm_strbuf *sb)
{
    const zkm_model *m = r->model;
    zkm_sb_printf(sb, "model,inputs,prec,evaluation,kind,bits,against,node,name,op,is_output,"
                      "entries,nonfinite,max_abs,rms,rel_l2,max_ulp,top1,accuracy,"
                      "against_accuracy,failed,error\n");
    for (uint32_t c = 0; c < r->n_cmps; c++) {
        const dr_cmp *cm = &r->cmps[c];
        const dr_eval *v = &r->evals[cm->eval], *a = &r->evals[cm->against];
        for (uint32_t i = 0; i < m->n_nodes; i++) {
            const dr_acc *ac = &cm->node[i];
            zkm_sb_printf(sb, "%s,%llu,%ld,%s,%s,", m->name, (unsigned long long)r->inputs,
                          (long)r->prec, v->name, dr_kind_name(v->kind));
            if (v->kind == DR_QREF || v->kind == DR_FIXED)
                zkm_sb_printf(sb, "%u", v->bits);
            zkm_sb_printf(sb, ",%s,%u", a->name, i);
            csv_str(sb, m->nodes[i].name);
            zkm_sb_printf(sb, ",%s,%d,%llu,%llu", zkm_op_name(m->nodes[i].op), i == m->output,
                          (unsigned long long)ac->count, (unsigned long long)ac->nonfinite);
            csv_num(sb, ac->count ? ac->max_abs : NAN);
            csv_num(sb, dr_rms(ac));
            csv_num(sb, dr_rel_l2(ac));
            csv_num(sb, ac->count ? ac->max_ulp : NAN);
            csv_num(sb, dr_top1(r, cm));
            csv_num(sb, dr_accuracy(r, v));
            csv_num(sb, dr_accuracy(r, a));
            zkm_sb_printf(sb, ",%llu", (unsigned long long)v->failed);
            csv_str(sb, v->error);
            zkm_sb_put(sb, "\n", 1);
        }
    }
}

static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int metrics(json_t *o, const dr_acc *a)
{
    int bad = json_object_set_new(o, "entries", json_integer((json_int_t)a->count));
    bad |= json_object_set_new(o, "nonfinite", json_integer((json_int_t)a->nonfinite));
    bad |= json_object_set_new(o, "max_abs", jnum(a->count ? a->max_abs : NAN));
    bad |= json_object_set_new(o, "rms", jnum(dr_rms(a)));
    bad |= json_object_set_new(o, "rel_l2", jnum(dr_rel_l2(a)));
    bad |= json_object_set_new(o, "max_ulp", jnum(a->count ? a->max_ulp : NAN));
    return bad;
}

json_t *dr_json(const dr_result *r)
{
    const zkm_model *m = r->model;
    json_t *o = json_object(), *ev = json_array(), *cs = json_array();
    int bad = !o || !ev || !cs;
    bad |= json_object_set_new(o, "model", json_string(m->name));
    bad |= json_object_set_new(o, "inputs", json_integer((json_int_t)r->inputs));
    bad |= json_object_set_new(o, "labelled", json_integer((json_int_t)r->labelled));
    bad |= json_object_set_new(o, "prec", json_integer((json_int_t)r->prec));
    for (uint32_t k = 0; k < r->n_evals && !bad; k++) {
        const dr_eval *v = &r->evals[k];
        json_t *x = json_object();
        bad |= json_array_append_new(ev, x);
        bad |= json_object_set_new(x, "name", json_string(v->name));
        bad |= json_object_set_new(x, "kind", json_string(dr_kind_name(v->kind)));
        if (v->kind == DR_FLOAT)
            bad |= json_object_set_new(x, "format", json_string(fe_get(v->fmt)->name));
        if (v->kind == DR_QREF || v->kind == DR_FIXED)
            bad |= json_object_set_new(x, "bits", json_integer(v->bits));
        bad |= json_object_set_new(x, "ran", json_integer((json_int_t)v->ran));
        bad |= json_object_set_new(x, "failed", json_integer((json_int_t)v->failed));
        bad |= json_object_set_new(x, "accuracy", jnum(dr_accuracy(r, v)));
        bad |= json_object_set_new(x, "error", v->error[0] ? json_string(v->error) : json_null());
    }
    for (uint32_t c = 0; c < r->n_cmps && !bad; c++) {
        const dr_cmp *cm = &r->cmps[c];
        json_t *x = json_object(), *out = json_object(), *layers = json_array();
        bad |= json_array_append_new(cs, x);
        bad |= json_object_set_new(x, "evaluation", json_string(r->evals[cm->eval].name));
        bad |= json_object_set_new(x, "against", json_string(r->evals[cm->against].name));
        bad |= json_object_set_new(x, "inputs", json_integer((json_int_t)cm->both));
        bad |= json_object_set_new(x, "top1", jnum(dr_top1(r, cm)));
        bad |= json_object_set_new(x, "output", out);
        bad |= !out || metrics(out, &cm->node[m->output]);
        bad |= json_object_set_new(x, "layers", layers);
        for (uint32_t i = 0; i < m->n_nodes && !bad; i++) {
            json_t *l = json_object();
            bad |= json_array_append_new(layers, l);
            bad |= json_object_set_new(l, "node", json_integer(i));
            bad |= json_object_set_new(l, "name", json_string(m->nodes[i].name));
            bad |= json_object_set_new(l, "op", json_string(zkm_op_name(m->nodes[i].op)));
            bad |= !l || metrics(l, &cm->node[i]);
        }
    }
    bad |= json_object_set_new(o, "evaluations", ev);
    bad |= json_object_set_new(o, "comparisons", cs);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
