#include "zkm_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

zkm_status zkm_fail(zkm_err *e, zkm_status code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        e->code = code;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

zkm_status zkm_err_prefix(zkm_err *e, zkm_status code, const char *fmt, ...)
{
    if (!e)
        return code;
    char old[sizeof e->msg];
    memcpy(old, e->msg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (k >= 0 && (size_t)k < sizeof e->msg)
        snprintf(e->msg + k, sizeof e->msg - (size_t)k, "%s", old);
    e->code = code;
    return code;
}

void zkm_err_clear(zkm_err *e)
{
    if (e) {
        e->code = ZKM_OK;
        e->msg[0] = '\0';
    }
}

const char *zkm_status_str(zkm_status code)
{
    switch (code) {
    case ZKM_OK: return "ok";
    case ZKM_ENOMEM: return "out of memory";
    case ZKM_EINVAL: return "invalid argument";
    case ZKM_EFORMAT: return "malformed input";
    case ZKM_EREJECT: return "proof rejected";
    case ZKM_EIO: return "i/o error";
    }
    return "unknown error";
}

void *zkm_calloc(size_t n, size_t size, const char *what, zkm_err *e)
{
    void *p = (n && size) ? calloc(n, size) : calloc(1, 1);
    if (!p)
        zkm_fail(e, ZKM_ENOMEM, "out of memory allocating %zu x %zu bytes for %s",
                 n, size, what);
    return p;
}

void *zkm_alloc_array(size_t n, size_t size, const char *what, zkm_err *e)
{
    size_t bytes;
    if (!zkm_mul_ok(n, size, &bytes) || bytes > (size_t)1 << 46) {
        zkm_fail(e, ZKM_ENOMEM, "size overflow allocating %s", what);
        return NULL;
    }
    bytes = (bytes + 63) & ~(size_t)63;
    if (bytes == 0)
        bytes = 64;
    void *p = aligned_alloc(64, bytes);
    if (!p)
        zkm_fail(e, ZKM_ENOMEM, "out of memory allocating %zu bytes for %s", bytes, what);
    return p;
}
