/* Whole-file reads and atomic writes. */
#ifndef ZKM_FILE_H
#define ZKM_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "zkm_err.h"

/* Read all of path into a fresh malloc'd buffer; refuse files larger than
 * max_bytes (ZKM_EFORMAT) and unreadable ones (ZKM_EIO), naming the path. */
zkm_status zkm_read_file(const char *path, size_t max_bytes, uint8_t **out, size_t *len,
                         zkm_err *e);

/* Write bytes to path through a temporary file in the same directory and a
 * rename, so a failure never leaves a partial file at path. */
zkm_status zkm_write_file_atomic(const char *path, const void *bytes, size_t len, zkm_err *e);

/* The first half of that: bytes into a fresh temporary file beside path,
 * synced, mode 0600 if secret else 0644 less the umask; *tmp (malloc'd)
 * names it, for the caller to rename into place or unlink.  On failure
 * nothing is left behind. */
zkm_status zkm_write_temp(const char *path, const void *bytes, size_t len, int secret,
                          char **tmp, zkm_err *e);

#endif
