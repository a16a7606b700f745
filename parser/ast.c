#include "ast.h"

#include <stdlib.h>
#include <string.h>

int zkm_ast_push(void **v, uint32_t *n, size_t elem, const void *x)
{
    uint32_t k = *n;
    if (k >= UINT32_MAX / 2)
        return -1;
    if (k == 0 || (k >= 4 && (k & (k - 1)) == 0)) {
        size_t cap = k == 0 ? 4 : (size_t)k * 2;
        void *p = realloc(*v, cap * elem);
        if (!p)
            return -1;
        *v = p;
    }
    memcpy((char *)*v + (size_t)k * elem, x, elem);
    *n = k + 1;
    return 0;
}

void zkm_ast_val_clear(zkm_ast_val *v)
{
    if (v->kind == ZKM_VAL_NAME) {
        free(v->u.name);
        v->u.name = NULL;
    } else if (v->kind == ZKM_VAL_LIST) {
        free(v->u.list.v);
        free(v->u.list.spans);
        v->u.list.v = NULL;
        v->u.list.spans = NULL;
        v->u.list.n = 0;
    }
}

void zkm_ast_arg_clear(zkm_ast_arg *a)
{
    free(a->key);
    a->key = NULL;
    zkm_ast_val_clear(&a->val);
}

void zkm_ast_stage_clear(zkm_ast_stage *s)
{
    free(s->op);
    for (uint32_t i = 0; i < s->n_args; i++)
        zkm_ast_arg_clear(&s->args[i]);
    free(s->args);
    free(s->label);
    memset(s, 0, sizeof *s);
}

void zkm_ast_settings_clear(zkm_ast_settings *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

void zkm_ast_stmt_clear(zkm_ast_stmt *s)
{
    switch (s->kind) {
    case ZKM_STMT_DEFAULTS:
    case ZKM_STMT_WEIGHTS:
        zkm_ast_settings_clear(&s->u.defaults.set);
        break;
    case ZKM_STMT_INPUT:
        free(s->u.input.name);
        free(s->u.input.dims);
        free(s->u.input.dim_spans);
        zkm_ast_settings_clear(&s->u.input.set);
        break;
    case ZKM_STMT_BIND:
        free(s->u.bind.name);
        free(s->u.bind.src);
        for (uint32_t i = 0; i < s->u.bind.n_stages; i++)
            zkm_ast_stage_clear(&s->u.bind.stages[i]);
        free(s->u.bind.stages);
        break;
    case ZKM_STMT_OUTPUT:
        free(s->u.output.name);
        break;
    }
    memset(s, 0, sizeof *s);
}

void zkm_ast_free(zkm_ast *a)
{
    if (!a)
        return;
    free(a->name);
    for (uint32_t i = 0; i < a->n_stmts; i++)
        zkm_ast_stmt_clear(&a->stmts[i]);
    free(a->stmts);
    free(a);
}
