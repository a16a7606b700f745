#include "parse.h"

#include <setjmp.h>
#include <stdlib.h>

#include "lex.h"
#include "pstate.h"
#include "scanner.yy.h" /* includes grammar.tab.h */

zkm_status zkm_parse(const char *path, const char *src, size_t len, zkm_ast **out,
                     zkm_diags *d)
{
    zkm_err e;
    *out = NULL;
    if (len > ZKM_SRC_MAX) {
        if (zkm_diags_set_source(d, path, "", 0, &e))
            return e.code;
        zkm_diag_add(d, ZKM_DIAG_ERROR, 0, "model file too large (%zu bytes; at most %zu)", len,
                     ZKM_SRC_MAX);
        return ZKM_EFORMAT;
    }
    if (zkm_diags_set_source(d, path, src, len, &e))
        return e.code;

    /* the parser state lives on the heap: flex's allocator changes it
     * between setjmp and a longjmp, which would leave a local variable of
     * this function indeterminate (C11 7.13.2.1) */
    jmp_buf fatal;
    zkm_pstate *ps = calloc(1, sizeof *ps);
    if (!ps)
        return ZKM_ENOMEM;
    ps->src = d->map.src;
    ps->len = (uint32_t)len;
    ps->diags = d;
    ps->gave_up_at = UINT32_MAX;
    ps->stray_end = UINT32_MAX;
    ps->ahead_from = UINT32_MAX;
    ps->fatal = &fatal;

    zkm_status st = ZKM_OK;
    yyscan_t scanner;
    if (zkm_yylex_init_extra(ps, &scanner)) {
        free(ps);
        return ZKM_ENOMEM;
    }
    if (setjmp(fatal)) {
        /* flex could not allocate its buffers (before the parser started):
         * its state is half made, so free its blocks directly */
        zkm_lex_free_all(ps);
        free(ps);
        return ZKM_ENOMEM;
    }
    zkm_yy_scan_bytes(ps->src, (int)len, scanner);
    int r = zkm_yyparse(scanner, ps);
    zkm_yylex_destroy(scanner);

    if (r == 2 || ps->oom || d->oom) {
        zkm_ast_free(ps->ast);
        st = ZKM_ENOMEM;
    } else if (r != 0 || d->n_errors > 0 || !ps->ast) {
        zkm_ast_free(ps->ast);
        st = ZKM_EFORMAT;
    } else {
        *out = ps->ast;
    }
    free(ps);
    return st;
}
