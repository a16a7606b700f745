/* A growable string for messages and reports built piece by piece. */
#ifndef ZKM_STRBUF_H
#define ZKM_STRBUF_H

#include <stddef.h>

/* Start as {0}.  s is NUL-terminated whenever it is not NULL.  On an
 * allocation failure `failed` is set and storing stops, but len keeps
 * counting, so it is always the length the full text needs. */
typedef struct {
    char *s;
    size_t len, cap;
    int failed;
} zkm_strbuf;

void zkm_sb_put(zkm_strbuf *b, const char *p, size_t n);
void zkm_sb_printf(zkm_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
