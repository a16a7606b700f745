/* Parsing a .zkm source into its AST (the first phase; lang/check.h is the
 * second).  Never prints and never exits: problems become diagnostics. */
#ifndef ZKM_PARSE_H
#define ZKM_PARSE_H

#include <stddef.h>

#include "ast.h"
#include "srcmap.h"
#include "zkm_err.h"

/* Most statements plus pipeline steps in one file (the checker's limit on
 * operations is lower); past it the parser stops, so a huge file cannot
 * make a huge tree. */
#define ZKM_AST_MAX (1u << 17)

/* Parse src[0..len), read from path (as shown in diagnostics).
 *
 * diags must have been initialised with zkm_diags_init; zkm_parse attaches
 * the source to it (replacing any earlier one), so everything later phases
 * report about this source can be rendered from diags alone.
 *
 * Returns ZKM_OK and the tree in *out (free with zkm_ast_free) when the
 * source has no syntax error; ZKM_EFORMAT when it has some (all of them are
 * in diags, up to ZKM_DIAG_MAX, and *out is NULL); ZKM_ENOMEM when memory
 * ran out.  Any bytes are acceptable input. */
zkm_status zkm_parse(const char *path, const char *src, size_t len, zkm_ast **out,
                     zkm_diags *diags);

#endif
