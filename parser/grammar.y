/* Grammar of .zkm model files (lang/SPEC.md has the EBNF and the meaning).
 *
 * A pure parser with byte-offset locations that builds the AST (ast.h) and
 * nothing else: names, operations and arguments are checked later
 * (lang/check.c).  Statements end at a newline or ';' (the scanner drops the
 * newlines that cannot end one), which is also where error recovery
 * resynchronises, so one file reports one error per broken statement.
 * Syntax errors are worded by yyreport_syntax_error below; the error
 * productions (marked "probably meant") accept common slips, say what was
 * meant, and keep parsing. */

%require "3.8"
%define api.pure full
%define api.prefix {zkm_yy}
%define api.token.prefix {T_}
%define api.location.type {zkm_span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {zkm_pstate *ps}

%code requires {
#include <stdint.h>
#include "pstate.h"

/* A location is a byte range; an empty rule sits at the end of what precedes it. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                     \
    do {                                                                \
        if (N) {                                                        \
            (Cur).off = YYRHSLOC(Rhs, 1).off;                           \
            (Cur).end = YYRHSLOC(Rhs, N).end;                           \
        } else {                                                        \
            (Cur).off = (Cur).end = YYRHSLOC(Rhs, 0).end;               \
        }                                                               \
    } while (0)
}

%union {
    char *str;
    int64_t i64;
    double f64;
    zkm_pints *ints;
    zkm_ast_val *val;
    zkm_ast_arg *arg;
    zkm_pargs *args;
    zkm_ast_stage *stage;
    zkm_ppipe *pipe;
    zkm_ast_settings *set;
    zkm_ast_stmt *stmt;
    zkm_pstmts *stmts;
    zkm_ast *model;
}

%code {
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "scanner.yy.h"

static void yyerror(const ZKM_YYLTYPE *loc, yyscan_t scanner, zkm_pstate *ps, const char *msg);
}

%token MODEL "model" INPUT "input" OUTPUT "output" BITS "bits" FRAC "frac"
       WEIGHTS "weights" AS "as" TRUE "true" FALSE "false"
%token <str> IDENT "name"
%token <i64> INT "integer"
%token <f64> FLOAT "number"
%token PIPE "|>" LPAREN "(" RPAREN ")" LBRACK "[" RBRACK "]" LBRACE "{" RBRACE "}"
       COMMA "," EQ "=" MINUS "-" SEMI ";" NL "end of line"

%type <model> model
%type <stmts> stmts body
%type <stmt> stmt
%type <set> settings
%type <ints> dims shape ints_opt
%type <i64> int
%type <pipe> pipe
%type <stage> stage call
%type <args> args args_opt
%type <arg> arg
%type <val> value
%type <str> key

%destructor { free($$); } <str>
%destructor { zkm_pb_free_ints($$); } <ints>
%destructor { zkm_pb_free_val($$); } <val>
%destructor { zkm_pb_free_arg($$); } <arg>
%destructor { zkm_pb_free_args($$); } <args>
%destructor { zkm_pb_free_stage($$); } <stage>
%destructor { zkm_pb_free_pipe($$); } <pipe>
%destructor { zkm_pb_free_set($$); } <set>
%destructor { zkm_pb_free_stmt($$); } <stmt>
%destructor { zkm_pb_free_stmts($$); } <stmts>
%destructor { zkm_ast_free($$); } <model>

%%

file
    : %empty
        { zkm_pstate_error(ps, 0, "empty model file: expected 'model NAME { ... }'"); }
    | models
    ;

models
    : model             { ps->ast = $1; }
    | models model
        {
            zkm_pstate_error(ps, @2.off, "only one model per file");
            zkm_ast_free($2);
        }
    ;

model
    : "model" IDENT "{" body "}"
        { $$ = zkm_pb_model(ps, $2, @2, @3, $4, @5); if (!$$) YYNOMEM; }
    | "model" error "{" body "}"
        { $$ = zkm_pb_model(ps, NULL, @1, @3, $4, @5); if (!$$) YYNOMEM; }
    ;

/* The last statement may be closed by the '}' itself. */
body
    : stmts             { $$ = $1; }
    | stmts stmt        { $$ = zkm_pb_stmts_push(ps, $1, $2); if (!$$) YYNOMEM; }
    | stmts error       { $$ = $1; }
    ;

stmts
    : %empty            { $$ = zkm_pb_stmts(ps); if (!$$) YYNOMEM; }
    | stmts sep         { $$ = $1; }
    | stmts stmt sep    { $$ = zkm_pb_stmts_push(ps, $1, $2); if (!$$) YYNOMEM; }
    | stmts error sep   { $$ = $1; yyerrok; }
    ;

sep : NL | ";" ;

stmt
    : settings
        { $$ = zkm_pb_defaults(ps, ZKM_STMT_DEFAULTS, $1, @$); if (!$$) YYNOMEM; }
    | "weights" settings
        { $$ = zkm_pb_defaults(ps, ZKM_STMT_WEIGHTS, $2, @$); if (!$$) YYNOMEM; }
    | "input" IDENT shape
        { $$ = zkm_pb_input(ps, $2, @2, $3, @3, NULL, @$); if (!$$) YYNOMEM; }
    | "input" IDENT shape settings
        { $$ = zkm_pb_input(ps, $2, @2, $3, @3, $4, @$); if (!$$) YYNOMEM; }
    | IDENT "=" pipe
        { $$ = zkm_pb_bind(ps, $1, @1, $3, @$); if (!$$) YYNOMEM; }
    | IDENT pipe
        {
            /* probably meant */
            zkm_pstate_error(ps, @2.off, "missing '=' between '%s' and what it names", $1);
            $$ = zkm_pb_bind(ps, $1, @1, $2, @$);
            if (!$$) YYNOMEM;
        }
    | "output" IDENT
        { $$ = zkm_pb_output(ps, $2, @2, @$); if (!$$) YYNOMEM; }
    | "output" IDENT "," outnames
        {
            /* probably meant */
            zkm_pstate_error(ps, @3.off, "a model has exactly one output");
            $$ = zkm_pb_output(ps, $2, @2, @$);
            if (!$$) YYNOMEM;
        }
    ;

outnames
    : IDENT             { free($1); }
    | outnames "," IDENT { free($3); }
    ;

settings
    : "bits" int        { $$ = zkm_pb_set(ps, NULL, ZKM_SET_BITS, $2, @1, @2); if (!$$) YYNOMEM; }
    | "frac" int        { $$ = zkm_pb_set(ps, NULL, ZKM_SET_FRAC, $2, @1, @2); if (!$$) YYNOMEM; }
    | settings "bits" int
        { $$ = zkm_pb_set(ps, $1, ZKM_SET_BITS, $3, @2, @3); if (!$$) YYNOMEM; }
    | settings "frac" int
        { $$ = zkm_pb_set(ps, $1, ZKM_SET_FRAC, $3, @2, @3); if (!$$) YYNOMEM; }
    ;

shape
    : "[" ints_opt "]"  { $$ = $2; }
    | dims
        {
            /* probably meant */
            zkm_pstate_error(ps, @1.off, "write the shape in brackets, e.g. [1, 28, 28]");
            $$ = $1;
        }
    | "(" dims ")"
        {
            /* probably meant */
            zkm_pstate_error(ps, @1.off,
                             "shapes are written in brackets [...], not parentheses");
            $$ = $2;
        }
    ;

ints_opt
    : %empty            { $$ = NULL; }
    | dims              { $$ = $1; }
    | dims ","          { $$ = $1; }
    ;

dims
    : int               { $$ = zkm_pb_ints(ps, NULL, $1, @1); if (!$$) YYNOMEM; }
    | dims "," int      { $$ = zkm_pb_ints(ps, $1, $3, @3); if (!$$) YYNOMEM; }
    ;

int
    : INT               { $$ = $1; }
    | "-" INT           { $$ = -$2; }
    ;

pipe
    : IDENT             { $$ = zkm_pb_pipe_src(ps, $1, @1); if (!$$) YYNOMEM; }
    | call              { $$ = zkm_pb_pipe(ps, NULL, $1, 0); if (!$$) YYNOMEM; }
    | call "as" IDENT
        {
            zkm_ast_stage *s = zkm_pb_label(ps, $1, $3, @3, @$);
            $$ = zkm_pb_pipe(ps, NULL, s, 0);
            if (!$$) YYNOMEM;
        }
    | pipe "|>" stage   { $$ = zkm_pb_pipe(ps, $1, $3, 1); if (!$$) YYNOMEM; }
    ;

stage
    : IDENT             { $$ = zkm_pb_stage(ps, $1, @1, NULL, @$); if (!$$) YYNOMEM; }
    | IDENT "as" IDENT
        {
            zkm_ast_stage *s = zkm_pb_stage(ps, $1, @1, NULL, @1);
            $$ = zkm_pb_label(ps, s, $3, @3, @$);
            if (!$$) YYNOMEM;
        }
    | call              { $$ = $1; }
    | call "as" IDENT   { $$ = zkm_pb_label(ps, $1, $3, @3, @$); if (!$$) YYNOMEM; }
    ;

call
    : IDENT "(" args_opt ")"
        { $$ = zkm_pb_stage(ps, $1, @1, $3, @$); if (!$$) YYNOMEM; }
    ;

args_opt
    : %empty            { $$ = zkm_pb_args(ps, NULL, NULL); if (!$$) YYNOMEM; }
    | args              { $$ = $1; }
    | args ","          { $$ = $1; }
    ;

args
    : arg               { $$ = zkm_pb_args(ps, NULL, $1); if (!$$) YYNOMEM; }
    | args "," arg      { $$ = zkm_pb_args(ps, $1, $3); if (!$$) YYNOMEM; }
    ;

arg
    : value             { $$ = zkm_pb_arg(ps, NULL, @1, $1); if (!$$) YYNOMEM; }
    | key "=" value     { $$ = zkm_pb_arg(ps, $1, @1, $3); if (!$$) YYNOMEM; }
    ;

/* bits= and frac= are keywords elsewhere */
key
    : IDENT             { $$ = $1; }
    | "bits"            { $$ = strdup("bits"); if (!$$) YYNOMEM; }
    | "frac"            { $$ = strdup("frac"); if (!$$) YYNOMEM; }
    ;

value
    : IDENT             { $$ = zkm_pb_val_name(ps, $1, @1); if (!$$) YYNOMEM; }
    | int
        {
            $$ = zkm_pb_val(ps, ZKM_VAL_INT, @1);
            if (!$$) YYNOMEM;
            $$->u.i = $1;
        }
    | FLOAT
        {
            $$ = zkm_pb_val(ps, ZKM_VAL_FLOAT, @1);
            if (!$$) YYNOMEM;
            $$->u.f = $1;
        }
    | "-" FLOAT
        {
            $$ = zkm_pb_val(ps, ZKM_VAL_FLOAT, @$);
            if (!$$) YYNOMEM;
            $$->u.f = -$2;
        }
    | "true"
        {
            $$ = zkm_pb_val(ps, ZKM_VAL_BOOL, @1);
            if (!$$) YYNOMEM;
            $$->u.b = true;
        }
    | "false"
        {
            $$ = zkm_pb_val(ps, ZKM_VAL_BOOL, @1);
            if (!$$) YYNOMEM;
            $$->u.b = false;
        }
    | "[" ints_opt "]"  { $$ = zkm_pb_val_list(ps, $2, @$); if (!$$) YYNOMEM; }
    | IDENT "(" args_opt ")"
        {
            /* probably meant */
            zkm_pstate_error(ps, @1.off, "a call cannot be an argument: bind '%s(...)' to a "
                             "name first, or chain it with '|>'", $1);
            zkm_pb_free_args($3);
            $$ = zkm_pb_val_name(ps, $1, @1);
            if (!$$) YYNOMEM;
        }
    ;

%%

static void yyerror(const ZKM_YYLTYPE *loc, yyscan_t scanner, zkm_pstate *ps, const char *msg)
{
    (void)scanner;
    /* only "memory exhausted" comes here: syntax errors go through
     * yyreport_syntax_error */
    ps->oom = 1;
    zkm_pstate_error(ps, loc->off, "%s", msg);
}

static int is_keyword(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_MODEL: case YYSYMBOL_INPUT: case YYSYMBOL_OUTPUT: case YYSYMBOL_BITS:
    case YYSYMBOL_FRAC: case YYSYMBOL_WEIGHTS: case YYSYMBOL_AS: case YYSYMBOL_TRUE:
    case YYSYMBOL_FALSE:
        return 1;
    default:
        return 0;
    }
}

/* The text of a token, shortened for a message. */
static void token_text(const zkm_pstate *ps, zkm_span at, char *buf, size_t cap)
{
    size_t n = at.end > at.off && at.end <= ps->len ? at.end - at.off : 0;
    if (n > 32)
        snprintf(buf, cap, "%.28s...", ps->src + at.off);
    else
        snprintf(buf, cap, "%.*s", (int)n, ps->src + at.off);
}

/* How a symbol reads in "unexpected X": the token itself where it helps. */
static void describe_found(const zkm_pstate *ps, yysymbol_kind_t k, zkm_span at, char *buf,
                           size_t cap)
{
    char t[40];
    switch (k) {
    case YYSYMBOL_YYEOF:
        snprintf(buf, cap, "end of file");
        return;
    case YYSYMBOL_NL:
        snprintf(buf, cap, "end of line");
        return;
    case YYSYMBOL_IDENT:
        token_text(ps, at, t, sizeof t);
        snprintf(buf, cap, "name '%s'", t);
        return;
    case YYSYMBOL_INT:
        token_text(ps, at, t, sizeof t);
        snprintf(buf, cap, "integer %s", t);
        return;
    case YYSYMBOL_FLOAT:
        token_text(ps, at, t, sizeof t);
        snprintf(buf, cap, "number %s", t);
        return;
    default:
        snprintf(buf, cap, "'%s'", yysymbol_name(k));
        return;
    }
}

/* How a symbol reads in "expected X". */
static void describe_expected(yysymbol_kind_t k, char *buf, size_t cap)
{
    switch (k) {
    case YYSYMBOL_YYEOF: snprintf(buf, cap, "end of file"); return;
    case YYSYMBOL_NL: snprintf(buf, cap, "end of line"); return;
    case YYSYMBOL_IDENT: snprintf(buf, cap, "a name"); return;
    case YYSYMBOL_INT: snprintf(buf, cap, "an integer"); return;
    case YYSYMBOL_FLOAT: snprintf(buf, cap, "a number"); return;
    default: snprintf(buf, cap, "'%s'", yysymbol_name(k)); return;
    }
}

static int expects(const yysymbol_kind_t *exp, int n, yysymbol_kind_t k)
{
    for (int i = 0; i < n; i++)
        if (exp[i] == k)
            return 1;
    return 0;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, zkm_pstate *ps)
{
    (void)scanner;
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    if (n < 0)
        return n; /* LAC ran out of memory */
    yysymbol_kind_t tok = yypcontext_token(ctx);
    zkm_span at = *yypcontext_location(ctx);
    const int at_end = tok == YYSYMBOL_YYEOF || tok == YYSYMBOL_NL || tok == YYSYMBOL_RBRACE
                       || tok == YYSYMBOL_SEMI;
    const char *where = tok == YYSYMBOL_YYEOF ? "end of file"
                        : tok == YYSYMBOL_NL ? "end of line"
                        : tok == YYSYMBOL_SEMI ? "';'" : "'}'";

    if (tok == YYSYMBOL_YYEOF && ps->eof_explained)
        return 0; /* the unterminated comment said it */
    if (zkm_lex_quiet(ps, tok == YYSYMBOL_NL || tok == YYSYMBOL_SEMI || tok == YYSYMBOL_LBRACE
                              || tok == YYSYMBOL_RBRACE))
        return 0; /* a lexical error in this statement said it */
    /* inside arguments, '(' is only expected for the "nested call" error rule */
    if (expects(exp, n, YYSYMBOL_RPAREN)) {
        int k = 0;
        for (int i = 0; i < n; i++)
            if (exp[i] != YYSYMBOL_LPAREN)
                exp[k++] = exp[i];
        n = k;
    }

    /* an unclosed bracket: say which, and point at it */
    if (at_end && (expects(exp, n, YYSYMBOL_RPAREN) || expects(exp, n, YYSYMBOL_RBRACK))) {
        char close = expects(exp, n, YYSYMBOL_RPAREN) ? ')' : ']';
        zkm_pstate_error(ps, at.off, "missing '%c' before %s", close, where);
        if (ps->gave_up_at == at.off)
            zkm_pstate_note(ps, ps->gave_up_off, "'%c' opened here", ps->gave_up_ch);
        return 0;
    }
    if (tok == YYSYMBOL_YYEOF && expects(exp, n, YYSYMBOL_RBRACE)) {
        zkm_pstate_error(ps, at.off, "missing '}' at end of file");
        zkm_pstate_note(ps, ps->brace_off, "the model's '{' is here");
        return 0;
    }
    if (is_keyword(tok) && expects(exp, n, YYSYMBOL_IDENT)) {
        zkm_pstate_error(ps, at.off, "'%s' is a reserved word and cannot be used as a name",
                         yysymbol_name(tok));
        return 0;
    }

    /* `input = ...`: a reserved word used as the name being defined */
    if (tok == YYSYMBOL_EQ) {
        static const char *const kw[] = {"model", "input", "output", "bits", "frac",
                                         "weights", "as", "true", "false"};
        uint32_t e = at.off;
        while (e > 0 && (ps->src[e - 1] == ' ' || ps->src[e - 1] == '\t'))
            e--;
        uint32_t s = e;
        while (s > 0 && ((ps->src[s - 1] >= 'a' && ps->src[s - 1] <= 'z')))
            s--;
        for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
            if (strlen(kw[i]) == e - s && memcmp(ps->src + s, kw[i], e - s) == 0) {
                zkm_pstate_error(ps, s, "'%s' is a reserved word and cannot be used as a name",
                                 kw[i]);
                return 0;
            }
        }
    }

    char found[64], msg[256];
    describe_found(ps, tok, at, found, sizeof found);
    int k = snprintf(msg, sizeof msg, "unexpected %s", found);
    if (n > 4 && expects(exp, n, YYSYMBOL_INT) && expects(exp, n, YYSYMBOL_IDENT)) {
        k += snprintf(msg + k, sizeof msg - (size_t)k, ", expected a value");
    } else if (n > 0 && n <= 4) {
        for (int i = 0; i < n && k > 0 && (size_t)k < sizeof msg; i++) {
            char e[32];
            describe_expected(exp[i], e, sizeof e);
            k += snprintf(msg + k, sizeof msg - (size_t)k, "%s%s",
                          i == 0 ? ", expected " : i == n - 1 ? " or " : ", ", e);
        }
    }
    zkm_pstate_error(ps, at.off, "%s", msg);
    return 0;
}
