/* zkm-bench: the measurements `make bench` prints, one JSON object per
 * line on stdout (see bench.h), a readable summary on stderr.
 *   zkm-bench [field|g1|gkr|net]...   (default: all) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sodium.h>

#include "bench.h"

void bench_emit(json_t *obj)
{
    char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s) {
        puts(s);
        fflush(stdout);
        free(s);
    }
    json_decref(obj);
}

json_t *bench_obj(const char *name, double size)
{
    json_t *o = json_object();
    json_object_set_new(o, "bench", json_string(name));
    json_object_set_new(o, "size", json_real(size));
    json_object_set_new(o, "mode", json_string("public"));
    json_object_set_new(o, "threads", json_integer(1));
    json_object_set_new(o, "prove_s", json_null());
    json_object_set_new(o, "verify_s", json_null());
    json_object_set_new(o, "proof_bytes", json_null());
    json_object_set_new(o, "peak_rss_bytes", json_null());
    return o;
}

long long bench_peak_rss(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (long long)ru.ru_maxrss * 1024;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void bench_in_child(const char *name, int (*fn)(void *), void *arg)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg));
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
        fprintf(stderr, "zkm-bench: %s failed (status %d)\n", name, status);
}

int main(int argc, char **argv)
{
    int all = argc < 2;
    if (sodium_init() < 0) {
        fprintf(stderr, "zkm-bench: libsodium failed to initialise\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: zkm-bench [field|g1|gkr|net]...\n"
                   "Prints one JSON object per measurement on stdout.\n");
            return 0;
        }
        if (strcmp(argv[i], "field") && strcmp(argv[i], "g1") && strcmp(argv[i], "gkr") &&
            strcmp(argv[i], "net")) {
            fprintf(stderr, "zkm-bench: unknown benchmark '%s' (field, g1, gkr, net)\n",
                    argv[i]);
            return 2;
        }
    }
    for (int i = all ? 0 : 1; i < (all ? 1 : argc); i++) {
        if (all || strcmp(argv[i], "field") == 0)
            bench_field();
        if (all || strcmp(argv[i], "g1") == 0)
            bench_g1();
        if (all || strcmp(argv[i], "gkr") == 0)
            bench_gkr();
        if (all || strcmp(argv[i], "net") == 0)
            bench_net();
    }
    return 0;
}
