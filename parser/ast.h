/* Abstract syntax tree of a .zkm file, as written (lang/SPEC.md).
 *
 * The parser builds it; the checker (lang/check.h) gives it meaning.  Names,
 * operations and argument keys are kept as text: nothing here knows which
 * operations exist or what their arguments mean.  Every element carries the
 * byte span it was written at, for diagnostics.
 *
 *   zkm_ast            model NAME { stmt ... }
 *   zkm_ast_stmt       one statement; `kind` selects the member of `u`
 *   zkm_ast_stage      one operation of a pipeline:  op(args) [as label]
 *   zkm_ast_arg        [key =] value
 *   zkm_ast_val        name | integer | number | true/false | [integers]
 *
 * Ownership: every pointer is owned by the structure holding it; zkm_ast_free
 * releases the whole tree. */
#ifndef ZKM_AST_H
#define ZKM_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Byte offsets [off, end) into the source. */
typedef struct {
    uint32_t off, end;
} zkm_span;

typedef enum {
    ZKM_VAL_NAME = 0, /* u.name: a reference to a value            */
    ZKM_VAL_INT,      /* u.i                                       */
    ZKM_VAL_FLOAT,    /* u.f (written with '.' or an exponent)     */
    ZKM_VAL_BOOL,     /* u.b: true or false                        */
    ZKM_VAL_LIST      /* u.list: integers in brackets, maybe empty */
} zkm_val_kind;

typedef struct {
    zkm_val_kind kind;
    zkm_span span;
    union {
        char *name;                   /* ZKM_VAL_NAME  */
        int64_t i;                    /* ZKM_VAL_INT   */
        double f;                     /* ZKM_VAL_FLOAT */
        bool b;                       /* ZKM_VAL_BOOL  */
        struct {                      /* ZKM_VAL_LIST  */
            int64_t *v;
            uint32_t n;
            zkm_span *spans;          /* span of each element */
        } list;
    } u;
} zkm_ast_val;

typedef struct {
    char *key;         /* NULL for a positional argument */
    zkm_span key_span; /* valid when key != NULL          */
    zkm_ast_val val;
} zkm_ast_arg;

typedef struct {
    char *op;
    zkm_span op_span;
    zkm_ast_arg *args;
    uint32_t n_args;
    bool parens;       /* written op(...) rather than a bare op */
    bool piped;        /* reached by '|>': the value before it is its first input */
    char *label;       /* 'as NAME', or NULL */
    zkm_span label_span;
    zkm_span span;     /* the whole stage */
} zkm_ast_stage;

typedef enum { ZKM_SET_BITS = 0, ZKM_SET_FRAC } zkm_set_kind;

/* `bits N` or `frac N` */
typedef struct {
    zkm_set_kind kind;
    int64_t value;
    zkm_span span;       /* the keyword */
    zkm_span value_span; /* the number  */
} zkm_ast_setting;

typedef struct {
    zkm_ast_setting *v;
    uint32_t n;
} zkm_ast_settings;

typedef enum {
    ZKM_STMT_DEFAULTS = 0, /* bits 8 frac 4                        -> u.defaults */
    ZKM_STMT_WEIGHTS,      /* weights bits 8 frac 6                -> u.defaults */
    ZKM_STMT_INPUT,        /* input x [1, 28, 28] [bits B] [frac F] -> u.input    */
    ZKM_STMT_BIND,         /* y = x |> op(...) |> ...              -> u.bind     */
    ZKM_STMT_OUTPUT        /* output y                             -> u.output   */
} zkm_stmt_kind;

typedef struct {
    zkm_stmt_kind kind;
    zkm_span span;
    union {
        struct { /* ZKM_STMT_DEFAULTS, ZKM_STMT_WEIGHTS */
            zkm_ast_settings set;
        } defaults;
        struct { /* ZKM_STMT_INPUT */
            char *name;
            zkm_span name_span;
            int64_t *dims;
            uint32_t n_dims;
            zkm_span shape_span;
            zkm_span *dim_spans;
            zkm_ast_settings set;
        } input;
        struct { /* ZKM_STMT_BIND */
            char *name;
            zkm_span name_span;
            char *src;          /* the pipeline starts from this value, or NULL */
            zkm_span src_span;
            zkm_ast_stage *stages;
            uint32_t n_stages;  /* >= 1 unless src != NULL */
        } bind;
        struct { /* ZKM_STMT_OUTPUT */
            char *name;
            zkm_span name_span;
        } output;
    } u;
} zkm_ast_stmt;

typedef struct {
    char *name;
    zkm_span name_span;
    zkm_span open_span, close_span; /* '{' and '}' */
    zkm_ast_stmt *stmts;
    uint32_t n_stmts;
} zkm_ast;

void zkm_ast_free(zkm_ast *a);

/* Releasing parts (used by the parser when it drops them). */
void zkm_ast_val_clear(zkm_ast_val *v);
void zkm_ast_arg_clear(zkm_ast_arg *a);
void zkm_ast_stage_clear(zkm_ast_stage *s);
void zkm_ast_settings_clear(zkm_ast_settings *s);
void zkm_ast_stmt_clear(zkm_ast_stmt *s);

/* Append *x to the array *v of *n elements of size elem, growing it by
 * doubling (capacity is implied by n: the next power of two).  Returns 0, or
 * -1 on allocation failure (nothing changed). */
int zkm_ast_push(void **v, uint32_t *n, size_t elem, const void *x);

#endif
