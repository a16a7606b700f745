/* AST construction for the grammar's actions (see pstate.h): every builder
 * owns its arguments, so an action never has to clean up after a failure. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "pstate.h"

void zkm_pstate_error(zkm_pstate *ps, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zkm_diag_addv(ps->diags, ZKM_DIAG_ERROR, off, fmt, ap);
    va_end(ap);
}

void zkm_pstate_note(zkm_pstate *ps, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zkm_diag_addv(ps->diags, ZKM_DIAG_NOTE, off, fmt, ap);
    va_end(ap);
}

static void *nomem(zkm_pstate *ps)
{
    ps->oom = 1;
    return NULL;
}

/* One more statement or step at off; past ZKM_AST_MAX the scanner stops. */
static void count_item(zkm_pstate *ps, uint32_t off)
{
    if (++ps->n_items > ZKM_AST_MAX && !ps->too_big) {
        ps->too_big = 1;
        ps->eof_explained = 1;
        zkm_pstate_error(ps, off, "model too large: more than %u statements and steps",
                         ZKM_AST_MAX);
    }
}

void zkm_pb_free_stmts(zkm_pstmts *l)
{
    if (!l)
        return;
    for (uint32_t i = 0; i < l->n; i++)
        zkm_ast_stmt_clear(&l->v[i]);
    free(l->v);
    free(l);
}

void zkm_pb_free_stmt(zkm_ast_stmt *s)
{
    if (!s)
        return;
    zkm_ast_stmt_clear(s);
    free(s);
}

void zkm_pb_free_set(zkm_ast_settings *l)
{
    if (!l)
        return;
    zkm_ast_settings_clear(l);
    free(l);
}

void zkm_pb_free_ints(zkm_pints *l)
{
    if (!l)
        return;
    free(l->v);
    free(l->spans);
    free(l);
}

void zkm_pb_free_val(zkm_ast_val *v)
{
    if (!v)
        return;
    zkm_ast_val_clear(v);
    free(v);
}

void zkm_pb_free_arg(zkm_ast_arg *a)
{
    if (!a)
        return;
    zkm_ast_arg_clear(a);
    free(a);
}

void zkm_pb_free_args(zkm_pargs *l)
{
    if (!l)
        return;
    for (uint32_t i = 0; i < l->n; i++)
        zkm_ast_arg_clear(&l->v[i]);
    free(l->v);
    free(l);
}

void zkm_pb_free_stage(zkm_ast_stage *s)
{
    if (!s)
        return;
    zkm_ast_stage_clear(s);
    free(s);
}

void zkm_pb_free_pipe(zkm_ppipe *p)
{
    if (!p)
        return;
    free(p->src);
    for (uint32_t i = 0; i < p->n; i++)
        zkm_ast_stage_clear(&p->v[i]);
    free(p->v);
    free(p);
}

zkm_pstmts *zkm_pb_stmts(zkm_pstate *ps)
{
    zkm_pstmts *l = calloc(1, sizeof *l);
    return l ? l : nomem(ps);
}

zkm_pstmts *zkm_pb_stmts_push(zkm_pstate *ps, zkm_pstmts *l, zkm_ast_stmt *s)
{
    if (!l || !s || zkm_ast_push((void **)&l->v, &l->n, sizeof *s, s)) {
        zkm_pb_free_stmts(l);
        zkm_pb_free_stmt(s);
        return nomem(ps);
    }
    count_item(ps, l->v[l->n - 1].span.off);
    free(s); /* its contents now live in l */
    return l;
}

zkm_ast_settings *zkm_pb_set(zkm_pstate *ps, zkm_ast_settings *l, zkm_set_kind k, int64_t v,
                             zkm_span kw, zkm_span val)
{
    if (!l && !(l = calloc(1, sizeof *l)))
        return nomem(ps);
    zkm_ast_setting s = {.kind = k, .value = v, .span = kw, .value_span = val};
    if (zkm_ast_push((void **)&l->v, &l->n, sizeof s, &s)) {
        zkm_pb_free_set(l);
        return nomem(ps);
    }
    return l;
}

zkm_pints *zkm_pb_ints(zkm_pstate *ps, zkm_pints *l, int64_t v, zkm_span at)
{
    if (!l && !(l = calloc(1, sizeof *l)))
        return nomem(ps);
    if (zkm_ast_push((void **)&l->v, &l->n, sizeof v, &v)) {
        zkm_pb_free_ints(l);
        return nomem(ps);
    }
    if (zkm_ast_push((void **)&l->spans, &l->n_spans, sizeof at, &at)) {
        zkm_pb_free_ints(l);
        return nomem(ps);
    }
    return l;
}

zkm_ast_val *zkm_pb_val(zkm_pstate *ps, zkm_val_kind k, zkm_span at)
{
    zkm_ast_val *v = calloc(1, sizeof *v);
    if (!v)
        return nomem(ps);
    v->kind = k;
    v->span = at;
    return v;
}

zkm_ast_val *zkm_pb_val_name(zkm_pstate *ps, char *name, zkm_span at)
{
    zkm_ast_val *v = name ? zkm_pb_val(ps, ZKM_VAL_NAME, at) : nomem(ps);
    if (!v) {
        free(name);
        return NULL;
    }
    v->u.name = name;
    return v;
}

zkm_ast_val *zkm_pb_val_list(zkm_pstate *ps, zkm_pints *l, zkm_span at)
{
    zkm_ast_val *v = zkm_pb_val(ps, ZKM_VAL_LIST, at);
    if (!v) {
        zkm_pb_free_ints(l);
        return NULL;
    }
    if (l) {
        v->u.list.v = l->v;
        v->u.list.spans = l->spans;
        v->u.list.n = l->n;
        free(l);
    }
    return v;
}

zkm_ast_arg *zkm_pb_arg(zkm_pstate *ps, char *key, zkm_span key_at, zkm_ast_val *v)
{
    zkm_ast_arg *a = v ? calloc(1, sizeof *a) : NULL;
    if (!a) {
        free(key);
        zkm_pb_free_val(v);
        return nomem(ps);
    }
    a->key = key;
    a->key_span = key_at;
    a->val = *v;
    free(v);
    return a;
}

zkm_pargs *zkm_pb_args(zkm_pstate *ps, zkm_pargs *l, zkm_ast_arg *a)
{
    if (!l && !(l = calloc(1, sizeof *l))) {
        zkm_pb_free_arg(a);
        return nomem(ps);
    }
    if (!a)
        return l;
    if (zkm_ast_push((void **)&l->v, &l->n, sizeof *a, a)) {
        zkm_pb_free_args(l);
        zkm_pb_free_arg(a);
        return nomem(ps);
    }
    free(a);
    return l;
}

zkm_ast_stage *zkm_pb_stage(zkm_pstate *ps, char *op, zkm_span op_at, zkm_pargs *args,
                            zkm_span at)
{
    zkm_ast_stage *s = op ? calloc(1, sizeof *s) : NULL;
    if (!s) {
        free(op);
        zkm_pb_free_args(args);
        return nomem(ps);
    }
    s->op = op;
    s->op_span = op_at;
    s->span = at;
    if (args) {
        s->parens = true;
        s->args = args->v;
        s->n_args = args->n;
        free(args);
    }
    return s;
}

zkm_ast_stage *zkm_pb_label(zkm_pstate *ps, zkm_ast_stage *s, char *label, zkm_span at,
                            zkm_span whole)
{
    if (!s || !label) {
        zkm_pb_free_stage(s);
        free(label);
        return nomem(ps);
    }
    s->label = label;
    s->label_span = at;
    s->span = whole;
    return s;
}

zkm_ppipe *zkm_pb_pipe_src(zkm_pstate *ps, char *src, zkm_span at)
{
    zkm_ppipe *p = src ? calloc(1, sizeof *p) : NULL;
    if (!p) {
        free(src);
        return nomem(ps);
    }
    p->src = src;
    p->src_span = at;
    return p;
}

zkm_ppipe *zkm_pb_pipe(zkm_pstate *ps, zkm_ppipe *p, zkm_ast_stage *s, int piped)
{
    if (!p && s && !(p = calloc(1, sizeof *p))) {
        zkm_pb_free_stage(s);
        return nomem(ps);
    }
    if (!s || zkm_ast_push((void **)&p->v, &p->n, sizeof *s, s)) {
        zkm_pb_free_pipe(p);
        zkm_pb_free_stage(s);
        return nomem(ps);
    }
    p->v[p->n - 1].piped = piped != 0;
    count_item(ps, s->op_span.off);
    free(s);
    return p;
}

static zkm_ast_stmt *new_stmt(zkm_pstate *ps, zkm_stmt_kind k, zkm_span at)
{
    zkm_ast_stmt *s = calloc(1, sizeof *s);
    if (!s)
        return nomem(ps);
    s->kind = k;
    s->span = at;
    return s;
}

zkm_ast_stmt *zkm_pb_defaults(zkm_pstate *ps, zkm_stmt_kind k, zkm_ast_settings *set,
                              zkm_span at)
{
    zkm_ast_stmt *s = set ? new_stmt(ps, k, at) : nomem(ps);
    if (!s) {
        zkm_pb_free_set(set);
        return NULL;
    }
    s->u.defaults.set = *set;
    free(set);
    return s;
}

zkm_ast_stmt *zkm_pb_input(zkm_pstate *ps, char *name, zkm_span name_at, zkm_pints *dims,
                           zkm_span shape_at, zkm_ast_settings *set, zkm_span at)
{
    zkm_ast_stmt *s = name ? new_stmt(ps, ZKM_STMT_INPUT, at) : nomem(ps);
    if (!s) {
        free(name);
        zkm_pb_free_ints(dims);
        zkm_pb_free_set(set);
        return NULL;
    }
    s->u.input.name = name;
    s->u.input.name_span = name_at;
    s->u.input.shape_span = shape_at;
    if (dims) {
        s->u.input.dims = dims->v;
        s->u.input.dim_spans = dims->spans;
        s->u.input.n_dims = dims->n;
        free(dims);
    }
    if (set) {
        s->u.input.set = *set;
        free(set);
    }
    return s;
}

zkm_ast_stmt *zkm_pb_bind(zkm_pstate *ps, char *name, zkm_span name_at, zkm_ppipe *p,
                          zkm_span at)
{
    zkm_ast_stmt *s = (name && p) ? new_stmt(ps, ZKM_STMT_BIND, at) : nomem(ps);
    if (!s) {
        free(name);
        zkm_pb_free_pipe(p);
        return NULL;
    }
    s->u.bind.name = name;
    s->u.bind.name_span = name_at;
    s->u.bind.src = p->src;
    s->u.bind.src_span = p->src_span;
    s->u.bind.stages = p->v;
    s->u.bind.n_stages = p->n;
    free(p);
    return s;
}

zkm_ast_stmt *zkm_pb_output(zkm_pstate *ps, char *name, zkm_span name_at, zkm_span at)
{
    zkm_ast_stmt *s = name ? new_stmt(ps, ZKM_STMT_OUTPUT, at) : nomem(ps);
    if (!s) {
        free(name);
        return NULL;
    }
    s->u.output.name = name;
    s->u.output.name_span = name_at;
    return s;
}

zkm_ast *zkm_pb_model(zkm_pstate *ps, char *name, zkm_span name_at, zkm_span open,
                      zkm_pstmts *body, zkm_span close)
{
    zkm_ast *a = body ? calloc(1, sizeof *a) : NULL;
    if (!a) {
        free(name);
        zkm_pb_free_stmts(body);
        return nomem(ps);
    }
    a->name = name;
    a->name_span = name_at;
    a->open_span = open;
    a->close_span = close;
    a->stmts = body->v;
    a->n_stmts = body->n;
    free(body);
    return a;
}
