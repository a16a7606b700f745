/* Source map and diagnostics for .zkm files.
 *
 * Every phase (scanner, parser, checker) records positions as byte offsets
 * into the source.  The line map is built once per source; an offset becomes
 * LINE:COL when a diagnostic is recorded, and the source line with a caret
 * only when the diagnostics are rendered:
 *
 *   lenet5.zkm:7:9: error: unknown operation 'conv3d'; did you mean 'conv2d'?
 *     c2 = conv3d(c1, 16, kernel=5)
 *          ^
 *
 * Lines and columns count from 1; a column counts bytes (a tab is one
 * column).  Library code only collects diagnostics; the command prints them. */
#ifndef ZKM_SRCMAP_H
#define ZKM_SRCMAP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "zkm_err.h"

/* Largest source accepted: 4 MiB, a thousand times a VGG-16. */
#define ZKM_SRC_MAX ((size_t)1 << 22)
/* Diagnostics kept per source; one more says the rest were dropped. */
#define ZKM_DIAG_MAX 100

typedef struct {
    char *path;           /* owned copy, as given (shown in diagnostics)      */
    char *src;            /* owned copy of the source, NUL-terminated         */
    size_t len;           /* source bytes, <= ZKM_SRC_MAX                     */
    uint32_t *line_start; /* offset of the first byte of each line            */
    uint32_t n_lines;     /* >= 1 (an empty source has one empty line)        */
} zkm_srcmap;

/* Copy path and src[0..len) and index the line starts.  ZKM_EFORMAT if len
 * exceeds ZKM_SRC_MAX, ZKM_ENOMEM on allocation failure; on failure *m is
 * left empty (safe to free). */
zkm_status zkm_srcmap_init(zkm_srcmap *m, const char *path, const char *src, size_t len,
                           zkm_err *e);
void zkm_srcmap_free(zkm_srcmap *m);

/* 1-based line and byte column of off (clamped to the source).  The end of
 * a source that ends with a newline is reported at the end of its last
 * line, not on an empty line after it. */
void zkm_srcmap_locate(const zkm_srcmap *m, uint32_t off, uint32_t *line, uint32_t *col);

/* Text of line (1-based, clamped) without its line terminator ("\n" or
 * "\r\n"); *n receives its length.  Points into m. */
const char *zkm_srcmap_line(const zkm_srcmap *m, uint32_t line, size_t *n);

typedef enum { ZKM_DIAG_ERROR = 0, ZKM_DIAG_WARNING, ZKM_DIAG_NOTE } zkm_severity;

typedef struct {
    zkm_severity sev;
    uint32_t off;        /* byte offset the diagnostic points at */
    uint32_t line, col;  /* 1-based, from off                    */
    char *msg;           /* one line, no trailing period         */
} zkm_diag;

typedef struct {
    zkm_srcmap map;      /* the source the offsets refer to          */
    zkm_diag *v;
    size_t n, cap;
    size_t n_errors;
    int truncated;       /* more than ZKM_DIAG_MAX were reported      */
    int oom;             /* a diagnostic could not be stored          */
} zkm_diags;

/* An empty list with no source yet (zkm_parse attaches it). */
void zkm_diags_init(zkm_diags *d);
void zkm_diags_free(zkm_diags *d);

/* Attach the source the diagnostics will refer to (see zkm_srcmap_init).
 * Replaces any previous source and drops the diagnostics recorded so far. */
zkm_status zkm_diags_set_source(zkm_diags *d, const char *path, const char *src, size_t len,
                                zkm_err *e);

/* Record one diagnostic at byte offset off.  Returns 0 when stored, -1 when
 * the list is full (ZKM_DIAG_MAX reached: further errors are only counted
 * and `truncated` is set) or out of memory (`oom` set). */
int zkm_diag_add(zkm_diags *d, zkm_severity sev, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int zkm_diag_addv(zkm_diags *d, zkm_severity sev, uint32_t off, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* Non-zero once the list holds ZKM_DIAG_MAX diagnostics. */
static inline int zkm_diags_full(const zkm_diags *d) { return d->n >= ZKM_DIAG_MAX; }

/* Render every diagnostic, in the order recorded, as
 *   FILE:LINE:COL: error: message
 *   <the source line>
 *   <spaces and tabs up to the column>^
 * (notes read "note:", warnings "warning:"), then, if some were dropped,
 * "FILE: error: too many errors; stopped after 100".  Control characters in
 * the source line print as '?'; a line longer than 160 bytes is shown as a
 * window around the column with "..." at the cut ends.
 *
 * zkm_diags_format writes at most cap bytes (NUL-terminated when cap > 0)
 * and returns the length of the whole rendering, like snprintf. */
size_t zkm_diags_format(const zkm_diags *d, char *buf, size_t cap);
/* The same into a stream; returns the bytes written, or -1 on error. */
long zkm_diags_print(const zkm_diags *d, FILE *f);

#endif
