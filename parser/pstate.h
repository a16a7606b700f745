/* Private to parser/: the state one parse shares between the flex scanner
 * (as its "extra") and the bison parser (as its parse parameter), and the
 * growable lists the grammar builds before they become AST arrays.
 * Nothing here is global: every parse owns one zkm_pstate. */
#ifndef ZKM_PSTATE_H
#define ZKM_PSTATE_H

#include <setjmp.h>
#include <stdint.h>

#include "ast.h"
#include "srcmap.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

#define ZKM_NAME_MAX 255u     /* longest name, in bytes          */
#define ZKM_OPEN_TRACK 16     /* brackets remembered for notes   */
#define ZKM_FLEX_MEM 16       /* flex's allocations (it makes about four) */

typedef struct zkm_pstate {
    /* input */
    const char *src;
    uint32_t len;
    zkm_diags *diags;

    /* scanner */
    uint32_t pos;             /* byte offset of the next token            */
    int last;                 /* kind of the last token returned (0: none) */
    int depth;                /* open '(' and '['                          */
    uint32_t open_off[ZKM_OPEN_TRACK];
    char open_ch[ZKM_OPEN_TRACK];
    int brace;                /* open '{'                                  */
    uint32_t brace_off;       /* the outermost '{'                         */
    /* When a line ends (or the file, or a '}' comes) inside brackets that
     * look abandoned, the scanner closes them and remembers the innermost
     * one here, so the parser can point at it. */
    uint32_t gave_up_at;      /* offset of the token that ended them, or UINT32_MAX */
    uint32_t gave_up_off;
    char gave_up_ch;
    int eof_explained;        /* an unterminated comment already reported the end */
    uint32_t stray_end;       /* end of the last stray character reported   */
    uint32_t n_seps;          /* statement boundaries returned (newline, ';', '{', '}') */
    int lex_err;              /* a lexical error was reported ...           */
    uint32_t lex_err_stmt;    /* ... in the statement after this many boundaries */
    uint32_t ahead_from, ahead_to; /* cached blank region (lex.c), or UINT32_MAX */
    jmp_buf *fatal;           /* where flex's fatal errors (out of memory) land */
    void *flex_mem[ZKM_FLEX_MEM]; /* what flex allocated, freed after a fatal error */

    /* result */
    zkm_ast *ast;
    uint32_t n_items;         /* statements and steps built                */
    int too_big;              /* n_items passed ZKM_AST_MAX: stop           */
    int oom;
} zkm_pstate;

/* Lists built by the grammar. */
typedef struct {
    zkm_ast_arg *v;
    uint32_t n;
} zkm_pargs;

typedef struct {
    char *src;
    zkm_span src_span;
    zkm_ast_stage *v;
    uint32_t n;
} zkm_ppipe;

typedef struct {
    int64_t *v;
    zkm_span *spans;
    uint32_t n, n_spans;
} zkm_pints;

typedef struct {
    zkm_ast_stmt *v;
    uint32_t n;
} zkm_pstmts;

/* A number as written: integer or floating. */
typedef struct {
    int is_float;
    int64_t i;
    double f;
} zkm_pnum;

/* Builders for the grammar's actions (parser/build.c).  Each takes
 * ownership of its pointer arguments: on failure it frees them, sets
 * ps->oom and returns NULL, so an action only has to test the result. */
zkm_pstmts *zkm_pb_stmts(zkm_pstate *ps);
zkm_pstmts *zkm_pb_stmts_push(zkm_pstate *ps, zkm_pstmts *l, zkm_ast_stmt *s);
zkm_ast_settings *zkm_pb_set(zkm_pstate *ps, zkm_ast_settings *l, zkm_set_kind k, int64_t v,
                             zkm_span kw, zkm_span val);
zkm_pints *zkm_pb_ints(zkm_pstate *ps, zkm_pints *l, int64_t v, zkm_span at);
zkm_ast_val *zkm_pb_val(zkm_pstate *ps, zkm_val_kind k, zkm_span at);
zkm_ast_val *zkm_pb_val_name(zkm_pstate *ps, char *name, zkm_span at);
zkm_ast_val *zkm_pb_val_list(zkm_pstate *ps, zkm_pints *l, zkm_span at);
zkm_ast_arg *zkm_pb_arg(zkm_pstate *ps, char *key, zkm_span key_at, zkm_ast_val *v);
zkm_pargs *zkm_pb_args(zkm_pstate *ps, zkm_pargs *l, zkm_ast_arg *a);
/* args == NULL: a bare operation, written without parentheses */
zkm_ast_stage *zkm_pb_stage(zkm_pstate *ps, char *op, zkm_span op_at, zkm_pargs *args,
                            zkm_span at);
zkm_ast_stage *zkm_pb_label(zkm_pstate *ps, zkm_ast_stage *s, char *label, zkm_span at,
                            zkm_span whole);
zkm_ppipe *zkm_pb_pipe_src(zkm_pstate *ps, char *src, zkm_span at);
zkm_ppipe *zkm_pb_pipe(zkm_pstate *ps, zkm_ppipe *p, zkm_ast_stage *s, int piped);
zkm_ast_stmt *zkm_pb_defaults(zkm_pstate *ps, zkm_stmt_kind k, zkm_ast_settings *set,
                              zkm_span at);
zkm_ast_stmt *zkm_pb_input(zkm_pstate *ps, char *name, zkm_span name_at, zkm_pints *dims,
                           zkm_span shape_at, zkm_ast_settings *set, zkm_span at);
zkm_ast_stmt *zkm_pb_bind(zkm_pstate *ps, char *name, zkm_span name_at, zkm_ppipe *p,
                          zkm_span at);
zkm_ast_stmt *zkm_pb_output(zkm_pstate *ps, char *name, zkm_span name_at, zkm_span at);
zkm_ast *zkm_pb_model(zkm_pstate *ps, char *name, zkm_span name_at, zkm_span open,
                      zkm_pstmts *body, zkm_span close);

/* Release partial values the parser drops (NULL is fine). */
void zkm_pb_free_stmts(zkm_pstmts *l);
void zkm_pb_free_stmt(zkm_ast_stmt *s);
void zkm_pb_free_set(zkm_ast_settings *l);
void zkm_pb_free_ints(zkm_pints *l);
void zkm_pb_free_val(zkm_ast_val *v);
void zkm_pb_free_arg(zkm_ast_arg *a);
void zkm_pb_free_args(zkm_pargs *l);
void zkm_pb_free_stage(zkm_ast_stage *s);
void zkm_pb_free_pipe(zkm_ppipe *p);

/* Record an error at off (scanner and parser). */
void zkm_pstate_error(zkm_pstate *ps, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void zkm_pstate_note(zkm_pstate *ps, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
