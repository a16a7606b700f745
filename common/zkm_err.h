/* Errors and checked allocation shared by every zkm module.
 *
 * Library functions never print and never exit: they return a zkm_status and,
 * when given a zkm_err, fill it with one human-readable line.  The command
 * prints that line and chooses the exit status. */
#ifndef ZKM_ERR_H
#define ZKM_ERR_H

#include <stddef.h>

typedef enum {
    ZKM_OK = 0,
    ZKM_ENOMEM,   /* allocation failed or a size computation overflowed */
    ZKM_EINVAL,   /* a caller broke a documented precondition             */
    ZKM_EFORMAT,  /* malformed, truncated or oversized input bytes        */
    ZKM_EREJECT,  /* a proof was well formed but does not verify          */
    ZKM_EIO       /* reading or writing a file failed                     */
} zkm_status;

typedef struct {
    zkm_status code;
    char msg[256];
} zkm_err;

/* Record code and a printf-style message in e (if e is not NULL) and return
 * code, so callers can write `return zkm_fail(e, ZKM_EFORMAT, "...")`. */
zkm_status zkm_fail(zkm_err *e, zkm_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put context before the message a helper left in e (the formatted text,
 * then the old message: include the separator, e.g. "%s: ") and set code. */
zkm_status zkm_err_prefix(zkm_err *e, zkm_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset e to ZKM_OK with an empty message. */
void zkm_err_clear(zkm_err *e);

/* Short name of a status ("out of memory", "malformed input", ...). */
const char *zkm_status_str(zkm_status code);

/* calloc(n, size) with overflow check; on failure records ZKM_ENOMEM in e
 * (naming what) and returns NULL. */
void *zkm_calloc(size_t n, size_t size, const char *what, zkm_err *e);

/* Uninitialised, 64-byte aligned array of n elements of size bytes; free
 * with free().  On failure records ZKM_ENOMEM and returns NULL. */
void *zkm_alloc_array(size_t n, size_t size, const char *what, zkm_err *e);

/* Overflow-checked multiply: stores a*b in *out and returns 1, or returns 0. */
static inline int zkm_mul_ok(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

#endif
