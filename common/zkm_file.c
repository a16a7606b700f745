#include "zkm_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

zkm_status zkm_read_file(const char *path, size_t max_bytes, uint8_t **out, size_t *len,
                         zkm_err *e)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return zkm_fail(e, ZKM_EIO, "%s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return zkm_fail(e, ZKM_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)sb.st_size > max_bytes) {
        close(fd);
        return zkm_fail(e, ZKM_EFORMAT, "%s: %lld bytes, more than the %zu allowed", path,
                        (long long)sb.st_size, max_bytes);
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        close(fd);
        return zkm_fail(e, ZKM_ENOMEM, "%s: out of memory", path);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(buf);
            close(fd);
            return zkm_fail(e, ZKM_EIO, "%s: read failed", path);
        }
        got += (size_t)r;
    }
    close(fd);
    *out = buf;
    *len = n;
    return ZKM_OK;
}

zkm_status zkm_write_temp(const char *path, const void *bytes, size_t len, int secret,
                          char **tmp_out, zkm_err *e)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp)
        return zkm_fail(e, ZKM_ENOMEM, "out of memory");
    snprintf(tmp, pl + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        zkm_status st = zkm_fail(e, ZKM_EIO, "%s: cannot create: %s", path, strerror(errno));
        free(tmp);
        return st;
    }
    const uint8_t *p = bytes;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    int ok = done == len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    /* mkstemp creates 0600: a secret keeps it, a public file gets the usual
     * 0644 less umask */
    if (ok && !secret) {
        mode_t um = umask(0);
        umask(um);
        ok = chmod(tmp, 0644 & ~um) == 0;
    }
    if (!ok) {
        zkm_status st = zkm_fail(e, ZKM_EIO, "%s: write failed: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return st;
    }
    *tmp_out = tmp;
    return ZKM_OK;
}

zkm_status zkm_write_file_atomic(const char *path, const void *bytes, size_t len, zkm_err *e)
{
    char *tmp;
    zkm_status st = zkm_write_temp(path, bytes, len, 0, &tmp, e);
    if (st)
        return st;
    if (rename(tmp, path) != 0) {
        st = zkm_fail(e, ZKM_EIO, "%s: write failed: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return st;
}
