/* Private to parser/: the scanner's helpers (scanner.l calls them from its
 * actions; they live here to be compiled with the project's warnings). */
#ifndef ZKM_LEX_H
#define ZKM_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "pstate.h"

/* A newline (or a comment holding one) at byte `at`: the token to return
 * (T_NL) or 0 to drop it, by the rules in scanner.l's header. */
int zkm_lex_newline(zkm_pstate *ps, uint32_t at);

/* An opening bracket ch ('(' or '[') at off; a closing one. */
void zkm_lex_open(zkm_pstate *ps, char ch, uint32_t off);
void zkm_lex_close(zkm_pstate *ps);
/* Abandon every open bracket at token offset `at`, remembering the
 * innermost for the parser's "missing ')'" note.  No-op when none is open. */
void zkm_lex_give_up(zkm_pstate *ps, uint32_t at);

/* Value of a decimal integer token; reports one too large and returns 0. */
int64_t zkm_lex_int(zkm_pstate *ps, const char *text, size_t n, uint32_t off);
/* Value of a floating token; reports one out of range and returns 0. */
double zkm_lex_float(zkm_pstate *ps, const char *text, size_t n, uint32_t off);

/* A character (one byte or one UTF-8 sequence) the language has no use
 * for; consecutive ones are reported once. */
void zkm_lex_stray(zkm_pstate *ps, const char *text, size_t n, uint32_t off);

/* Return token kind k: remembers it and counts statement boundaries. */
int zkm_lex_tok(zkm_pstate *ps, int k);

/* Record a lexical error at off (see zkm_lex_quiet). */
void zkm_lex_error(zkm_pstate *ps, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Non-zero when the statement the parser is in already has a lexical error:
 * what follows in it is noise (tok_is_boundary: the lookahead token ends the
 * statement). */
int zkm_lex_quiet(const zkm_pstate *ps, int tok_is_boundary);

/* flex's allocator (scanner.l's yyalloc, yyrealloc, yyfree), which keeps
 * track of its blocks in ps->flex_mem so that zkm_lex_free_all can release
 * them when flex gives up half-way (out of memory). */
void *zkm_lex_alloc(zkm_pstate *ps, size_t n);
void *zkm_lex_realloc(zkm_pstate *ps, void *p, size_t n);
void zkm_lex_release(zkm_pstate *ps, void *p);
void zkm_lex_free_all(zkm_pstate *ps);

/* text[0..n) shortened to fit a message ("1234567...") into buf. */
void zkm_lex_show(const char *text, size_t n, char *buf, size_t cap);

#endif
