#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi,
                  uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-') {
        fprintf(stderr, "zkm %s: %s needs a non-negative integer\n", cmd, opt);
        return 0;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi) {
        fprintf(stderr, "zkm %s: %s %s: expected an integer from %llu to %llu\n", cmd, opt, s,
                (unsigned long long)lo, (unsigned long long)hi);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_exit_for(zkm_status st)
{
    if (st == ZKM_OK)
        return ZKM_EXIT_OK;
    return st == ZKM_EREJECT ? ZKM_EXIT_REJECT : ZKM_EXIT_USAGE;
}

const char *cli_bytes(char *buf, size_t n, double b)
{
    if (b < 1e3)
        snprintf(buf, n, "%.0f B", b);
    else if (b < 1e6)
        snprintf(buf, n, "%.1f KB", b / 1e3);
    else
        snprintf(buf, n, "%.1f MB", b / 1e6);
    return buf;
}

const char *cli_seconds(char *buf, size_t n, double s)
{
    if (s < 1e-3)
        snprintf(buf, n, "%.0f us", s * 1e6);
    else if (s < 1)
        snprintf(buf, n, "%.1f ms", s * 1e3);
    else
        snprintf(buf, n, "%.2f s", s);
    return buf;
}
