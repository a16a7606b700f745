#include "zkm_strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zkm_sb_put(zkm_strbuf *b, const char *p, size_t n)
{
    if (!b->failed && b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
        } else {
            b->s = s;
            b->cap = cap;
        }
    }
    if (!b->failed) {
        memcpy(b->s + b->len, p, n);
        b->s[b->len + n] = '\0';
    }
    b->len += n;
}

void zkm_sb_printf(zkm_strbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        zkm_sb_put(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        b->len += (size_t)n;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    zkm_sb_put(b, big, (size_t)n);
    free(big);
}
