/* zkm sweep: run every point of a sweep spec (experiments/sweep.h) and
 * append one CSV row per run.
 *
 * Each point runs in a worker, `zkm sweep --point STR --out DIR`, a child
 * process of this same binary, which runs zkm's own subcommands as its
 * children with --json: compile (once per model, bit-width and range) and
 * drift (once per model and bit-width), cached in DIR/cache under a lock
 * per entry, as are the commitment (commit, once per model, bit-width and
 * range) and an input sample of a data set; then prove and verify (in
 * DIR/tmp); the proving child's peak memory is wait4's ru_maxrss.  The
 * worker appends the row itself, so a sweep, `--jobs N` workers at once,
 * GNU parallel or a Slurm array running the commands of --emit-jobs all
 * write the same way:
 *
 *   - under flock(DIR/.lock), which every writer takes;
 *   - results.csv first, a complete line in one write() to an O_APPEND
 *     descriptor (a failed write is truncated away), then nodes.csv the
 *     same way; so a crash between the two can lose a run's per-node rows
 *     but never duplicate them;
 *   - before writing, a torn last line (a crash's partial row, without its
 *     newline) is cut off, and the key is looked up in results.csv: a
 *     point already there is never written again.
 *
 * A worker's children die with it (PR_SET_PDEATHSIG), and the workers
 * with the sweep: a killed sweep leaves no process behind that could
 * append later.  Every descriptor the sweep opens is close-on-exec: a child
 * gets /dev/null, its output files and what the sweep itself was given,
 * never a lock (which would outlive the holder in the child). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "net.h"
#include "progress.h"
#include "sweep.h"
#include "synth.h"
#include "tensors.h"
#include "zkm_file.h"
#include "zkm_strbuf.h"
#include "zkm_time.h"

#if defined(__has_include)
#if __has_include("describe.h")
#include "describe.h" /* ZKM_DESCRIBE: git describe of the tree, at build time */
#endif
#endif
#ifndef ZKM_DESCRIBE
#define ZKM_DESCRIBE "unknown"
#endif

#define MAX_SPEC_BYTES ((size_t)1 << 20)
#define MAX_CSV_BYTES ((size_t)1 << 34)
#define MAX_JOBS 256

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm sweep SPEC --out DIR [--jobs N]\n"
            "       zkm sweep SPEC --out DIR --emit-jobs\n"
            "       zkm sweep --point POINT --out DIR\n"
            "       zkm sweep --merge DIR1 [DIR2...] --out DIR\n"
            "       zkm sweep --summary --out DIR\n\n"
            "Run every point of a sweep spec (models x bit-widths x range strategies x\n"
            "proof modes x repetitions; the format is in experiments/SWEEP.md) and append\n"
            "one row per run to DIR/results.csv: the key (model, bits, range, mode, rep),\n"
            "prove and verify time, proof size, the prover's peak memory, the circuit's size\n"
            "(zkm compile), the drift at that bit-width (zkm drift, once per model and\n"
            "bit-width), the machine and the zkm build.  Each point runs zkm's own commands\n"
            "(compile, drift, commit, prove, verify) as child processes with --json.\n"
            "Per-node proving times go to DIR/nodes.csv; failed points to DIR/failures.csv\n"
            "(no row in results.csv: they run again next time).  At the end the sweep\n"
            "writes DIR/summary.csv (the median over the reps), DIR/nodes_summary.csv and\n"
            "DIR/summary.gpi for the charts (experiments/*.gp).\n\n"
            "The spec: lines 'key = value', '#' comments (experiments/SWEEP.md):\n"
            "  model = PATH (weights=FILE | seed=N) [name=LABEL] [dataset=SPEC]\n"
            "          [input=FILE | input_seed=N | input_sample=K]    one line per model\n"
            "  bits = 4,6,8..12,16         bit-widths %u..%u (required)\n"
            "  range = bits, lookup, lookup:L          range strategies (default bits;\n"
            "                              lookup is lookup:%u, the key's spelling)\n"
            "  mode = public|committed[+private-input][+clear-advice][+zk], ...\n"
            "                              proof modes (default public)\n"
            "  reps = N                    repetitions, 1..1000 (default 1)\n"
            "  drift_inputs = N            zkm drift --inputs, 0..100000 (default 100; 0: none)\n"
            "  threads = N                 --threads of commit, prove, verify (default: zkm's)\n\n"
            "Resuming: a sweep run again skips the points already in results.csv, so an\n"
            "interrupted sweep is restarted with the same command; no row is written twice.\n"
            "Every writer takes flock(DIR/.lock), cuts off a torn last line first, appends\n"
            "whole lines with one write each, and checks the key again before writing.\n\n"
            "options:\n"
            "  --out DIR       the results directory (created if missing); its cache/ keeps\n"
            "                  the compile and drift results and the model commitments per\n"
            "                  model and bit-width, tmp/ the proofs while a point runs\n"
            "  --jobs N        run N points at once (1..%d; default 1); each point's\n"
            "                  commands use the spec's threads (default: every CPU), so for\n"
            "                  timings keep N x threads within the cores\n"
            "  --emit-jobs     print one shell command per point (zkm sweep --point ...\n"
            "                  --out DIR, with absolute paths) instead of running: for GNU\n"
            "                  parallel (also with --sshloginfile on a shared filesystem) or a\n"
            "                  Slurm job array; then zkm sweep --summary --out DIR\n"
            "  --point POINT   run one point, given as the key=value;... string --emit-jobs\n"
            "                  prints; no spec needed\n"
            "  --merge DIR...  merge the results.csv and nodes.csv of the directories into\n"
            "                  --out DIR (which may be one of them): one row per key, the\n"
            "                  first directory's where several have it\n"
            "  --summary       only rewrite the summaries of --out DIR\n\n"
            "On a terminal, progress (points done, failed, the estimated time left) is drawn\n"
            "on stderr; a summary line ends the sweep.  Exit status: 0 every point is in\n"
            "results.csv; 1 some points failed (their messages on stderr and in\n"
            "failures.csv); 2 bad usage or input (a malformed spec, a missing model or\n"
            "weights file, an unwritable DIR, a results.csv with another header).\n",
            ZKM_BITS_MIN, ZKM_BITS_MAX, ZKM_LIMB_DEFAULT, MAX_JOBS);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "zkm sweep: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see zkm sweep --help)\n");
    return ZKM_EXIT_USAGE;
}

/* ------------------------------------------------------------- helpers */

/* a "/" b, malloc'd; NULL when memory ran out (after a message). */
static char *join(const char *a, const char *b)
{
    const size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (!s)
        fprintf(stderr, "zkm sweep: out of memory\n");
    else
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

/* A free-text CSV field: no separators, quotes or control characters. */
static void sanitize(char *s)
{
    for (; *s; s++)
        if (*s == ',' || *s == '"' || (unsigned char)*s < ' ' || *s == 0x7f)
            *s = ' ';
}

static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(buf, 0777) && errno != EEXIST)
        return -1;
    struct stat sb;
    if (stat(buf, &sb) || !S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(p);
    return 0;
}

static void rm_tree(const char *path) { nftw(path, rm_entry, 8, FTW_DEPTH | FTW_PHYS); }

static int read_fd(int fd, char **buf, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    if (!b)
        return -1;
    for (;;) {
        if (n == cap) {
            char *g = cap < MAX_CSV_BYTES ? realloc(b, 2 * cap + 1) : NULL;
            if (!g) {
                free(b);
                return -1;
            }
            b = g;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(b);
            return -1;
        }
        if (!r)
            break;
        n += (size_t)r;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

/* A whole file, or NULL (*len 0) when it does not exist; -1 on error. */
static int read_path(const char *path, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    int rc = read_fd(fd, buf, len);
    close(fd);
    return rc;
}

/* ------------------------------------------------------------ machine */

typedef struct {
    char host[256];
    char cpu[256];
    long cores;
} machine;

static void machine_get(machine *m)
{
    memset(m, 0, sizeof *m);
    if (gethostname(m->host, sizeof m->host - 1) || !m->host[0])
        snprintf(m->host, sizeof m->host, "unknown");
    sanitize(m->host);
    snprintf(m->cpu, sizeof m->cpu, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            const char *v = strchr(line, ':') + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            snprintf(m->cpu, sizeof m->cpu, "%s", v);
            m->cpu[strcspn(m->cpu, "\n")] = '\0';
            break;
        }
    if (f)
        fclose(f);
    sanitize(m->cpu);
    m->cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (m->cores < 1)
        m->cores = 1;
}

/* The host name as it is used in file names under DIR/tmp. */
static void host_tag(char *buf, size_t n)
{
    memset(buf, 0, n);
    if (gethostname(buf, n - 1) || !buf[0])
        snprintf(buf, n, "host");
    for (char *c = buf; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '_'))
            *c = '_';
}

static void utc_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ------------------------------------------------------- the CSV files */

typedef struct {
    char *dir, *results, *nodes, *failures, *lock, *cache, *tmp;
} paths;

static void paths_free(paths *p)
{
    free(p->dir);
    free(p->results);
    free(p->nodes);
    free(p->failures);
    free(p->lock);
    free(p->cache);
    free(p->tmp);
    memset(p, 0, sizeof *p);
}

/* DIR and its files; with create, DIR, DIR/cache and DIR/tmp made. */
static int paths_init(const char *dir, int create, paths *p)
{
    memset(p, 0, sizeof *p);
    if (!(p->dir = strdup(dir)) || !(p->results = join(dir, "results.csv")) ||
        !(p->nodes = join(dir, "nodes.csv")) || !(p->failures = join(dir, "failures.csv")) ||
        !(p->lock = join(dir, ".lock")) || !(p->cache = join(dir, "cache")) ||
        !(p->tmp = join(dir, "tmp"))) {
        paths_free(p);
        return ZKM_EXIT_USAGE;
    }
    if (!create)
        return ZKM_EXIT_OK;
    if (mkdir_p(dir) || mkdir_p(p->cache) || mkdir_p(p->tmp) || access(dir, W_OK)) {
        fprintf(stderr, "zkm sweep: --out %s: cannot create or write the directory: %s\n", dir,
                strerror(errno));
        paths_free(p);
        return ZKM_EXIT_USAGE;
    }
    return ZKM_EXIT_OK;
}

/* flock(DIR/.lock) held until the descriptor is closed; -1 after a
 * message. */
static int lock_dir(const paths *p)
{
    int fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        fprintf(stderr, "zkm sweep: %s: %s\n", p->lock, strerror(errno));
        return -1;
    }
    while (flock(fd, LOCK_EX)) {
        if (errno == EINTR)
            continue;
        fprintf(stderr, "zkm sweep: %s: flock: %s\n", p->lock, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* One write() of the n bytes at the end of fd (O_APPEND); a short or
 * failed write is cut off again, so the file never keeps part of a line. */
static int append_whole(int fd, const char *path, const char *s, size_t n)
{
    struct stat sb;
    if (!n)
        return 0;
    if (fstat(fd, &sb)) {
        fprintf(stderr, "zkm sweep: %s: %s\n", path, strerror(errno));
        return -1;
    }
    ssize_t w;
    do
        w = write(fd, s, n);
    while (w < 0 && errno == EINTR);
    if (w == (ssize_t)n)
        return 0;
    const int err = w < 0 ? errno : ENOSPC;
    if (ftruncate(fd, sb.st_size)) {
        /* nothing more can be done: the next writer cuts the torn line */
    }
    fprintf(stderr, "zkm sweep: %s: write failed: %s\n", path, strerror(err));
    return -1;
}

/* The length of fd's complete lines (up to its last newline), read
 * backwards from the end in blocks; -1 on a read error. */
static off_t complete_size(int fd, off_t size)
{
    char b[4096];
    while (size > 0) {
        const off_t at = size > (off_t)sizeof b ? size - (off_t)sizeof b : 0;
        const ssize_t r = pread(fd, b, (size_t)(size - at), at);
        if (r != size - at)
            return -1;
        for (ssize_t i = r; i > 0; i--)
            if (b[i - 1] == '\n')
                return at + i;
        size = at;
    }
    return 0;
}

/* Open path for appending (created with header if missing or empty), cut
 * off a torn last line, check the header; *text (if not NULL) receives the
 * file's content, the rest is not read.  Call with DIR locked.  Returns the
 * descriptor, or -1 after a message (-2: another header). */
static int csv_open(const char *path, const char *header, char **text, size_t *len)
{
    const size_t hl = strlen(header);
    char *head = malloc(hl + 2);
    struct stat sb;
    off_t whole = -1;
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (!head || fd < 0 || fstat(fd, &sb) || (whole = complete_size(fd, sb.st_size)) < 0 ||
        (whole < sb.st_size && ftruncate(fd, whole))) {
        fprintf(stderr, "zkm sweep: %s: %s%s\n", path,
                whole >= 0 ? "cannot cut off the torn last line: " : "",
                head ? strerror(errno) : "out of memory");
        goto fail;
    }
    snprintf(head, hl + 2, "%s\n", header);
    if (!whole) {
        if (append_whole(fd, path, head, hl + 1))
            goto fail;
    } else {
        char got[1024];
        if (hl + 1 > sizeof got || whole < (off_t)hl + 1 ||
            pread(fd, got, hl + 1, 0) != (ssize_t)hl + 1 ||
            memcmp(got, head, hl + 1)) {
            fprintf(stderr, "zkm sweep: %s: its first line is not the header this zkm writes; "
                    "was it written by another version? (use another --out DIR)\n", path);
            free(head);
            close(fd);
            return -2;
        }
    }
    free(head);
    head = NULL;
    if (text) {
        if (lseek(fd, 0, SEEK_SET) || read_fd(fd, text, len)) {
            fprintf(stderr, "zkm sweep: %s: %s\n", path, strerror(errno));
            goto fail;
        }
    }
    return fd;
fail:
    free(head);
    if (fd >= 0)
        close(fd);
    return -1;
}

/* The keys in results.csv (repaired, with DIR locked), into *keys. */
static int load_keys(const paths *p, sw_keys *keys)
{
    char *text;
    size_t len;
    zkm_err e;
    zkm_err_clear(&e);
    int fd = csv_open(p->results, SW_RESULTS_HEADER, &text, &len);
    if (fd < 0)
        return ZKM_EXIT_USAGE;
    close(fd);
    zkm_status st = sw_csv_keys(text, len, SW_RESULTS_HEADER, keys, &e);
    free(text);
    if (st) {
        fprintf(stderr, "zkm sweep: %s: %s\n", p->results, e.msg);
        return ZKM_EXIT_USAGE;
    }
    /* nodes.csv: only its torn line */
    if ((fd = csv_open(p->nodes, SW_NODES_HEADER, NULL, NULL)) < 0)
        return ZKM_EXIT_USAGE;
    close(fd);
    return ZKM_EXIT_OK;
}

/* Append a run: its results row, then its node rows, unless its key is
 * there already (*dup set).  Returns an exit status. */
static int append_run(const paths *p, const char *key, const char *row, const char *nodes,
                      int *dup)
{
    sw_keys keys = {0};
    *dup = 0;
    int lk = lock_dir(p);
    if (lk < 0)
        return ZKM_EXIT_USAGE;
    int rc = load_keys(p, &keys);
    if (!rc && sw_keys_has(&keys, key, strlen(key)))
        *dup = 1;
    if (!rc && !*dup) {
        int fd = csv_open(p->results, SW_RESULTS_HEADER, NULL, NULL);
        rc = fd < 0 || append_whole(fd, p->results, row, strlen(row)) ? ZKM_EXIT_USAGE : 0;
        if (fd >= 0)
            close(fd);
        if (!rc && nodes && *nodes) {
            fd = csv_open(p->nodes, SW_NODES_HEADER, NULL, NULL);
            rc = fd < 0 || append_whole(fd, p->nodes, nodes, strlen(nodes)) ? ZKM_EXIT_USAGE
                                                                             : 0;
            if (fd >= 0)
                close(fd);
        }
    }
    close(lk);
    sw_keys_free(&keys);
    return rc;
}

#define FAILURES_HEADER "timestamp,model,bits,range,mode,rep,stage,status,message"

/* A failure, for the record (failures.csv is a log: a point that fails
 * twice is there twice). */
static void log_failure(const paths *p, const char *key, const char *stage, int status,
                        const char *msg)
{
    char ts[32], m[512];
    utc_now(ts, sizeof ts);
    snprintf(m, sizeof m, "%s", msg ? msg : "");
    m[strcspn(m, "\n")] = '\0';
    sanitize(m);
    zkm_strbuf b = {0};
    zkm_sb_printf(&b, "%s,%s,%s,%d,%s\n", ts, key, stage, status, m);
    int lk = lock_dir(p);
    if (lk < 0 || b.failed) {
        free(b.s);
        if (lk >= 0)
            close(lk);
        return;
    }
    int fd = csv_open(p->failures, FAILURES_HEADER, NULL, NULL);
    if (fd >= 0) {
        append_whole(fd, p->failures, b.s, b.len);
        close(fd);
    }
    close(lk);
    free(b.s);
}

/* ------------------------------------------------------------- children */

/* Fork and run this binary with argv (argv[0] "zkm"): its standard input
 * /dev/null, its output and errors into out and err.  The child dies with
 * its parent (PR_SET_PDEATHSIG; also if the parent is already gone) and
 * inherits no descriptor of ours but those three (all of ours are
 * close-on-exec, /dev/null's too).  The child's pid, or -1 after a message. */
static pid_t spawn_self(char *const *argv, int out, int err)
{
    fflush(NULL);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "zkm sweep: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
            _exit(127);
        const int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (nul < 0 || dup2(nul, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(127);
        execv("/proc/self/exe", argv);
        dprintf(2, "zkm sweep: cannot run /proc/self/exe: %s\n", strerror(errno));
        _exit(127);
    }
    return pid;
}

/* A wait status as an exit status: the exit code, or 128 + the signal. */
static int exit_status(int status, int *sig)
{
    *sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + *sig;
}

typedef struct {
    int status;         /* exit status, or 128 + signal                    */
    int sig;            /* the signal that killed it, or 0                 */
    long maxrss_kb;     /* wait4's ru_maxrss                               */
    char *out, *err;    /* stdout and stderr, NUL-ended (never NULL on 0)   */
    size_t out_len;
} child;

static void child_free(child *c)
{
    free(c->out);
    free(c->err);
    memset(c, 0, sizeof *c);
}

/* Run this binary with argv (argv[0] "zkm") in dir tmp, stdout and stderr
 * into files there; wait for it.  0, or -1 after a message when it could
 * not run. */
static int run_child(const char *tmp, char *const *argv, child *c)
{
    memset(c, 0, sizeof *c);
    char *op = join(tmp, "stdout"), *ep = join(tmp, "stderr");
    int of = -1, ef = -1, rc = -1;
    if (!op || !ep)
        goto done;
    of = open(op, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    ef = open(ep, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (of < 0 || ef < 0) {
        fprintf(stderr, "zkm sweep: %s: %s\n", tmp, strerror(errno));
        goto done;
    }
    const pid_t pid = spawn_self(argv, of, ef);
    if (pid < 0)
        goto done;
    int status;
    struct rusage ru;
    pid_t w;
    while ((w = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
        ;
    if (w < 0) {
        fprintf(stderr, "zkm sweep: wait4: %s\n", strerror(errno));
        goto done;
    }
    c->status = exit_status(status, &c->sig);
    c->maxrss_kb = ru.ru_maxrss;
    size_t el;
    if (lseek(of, 0, SEEK_SET) || read_fd(of, &c->out, &c->out_len) || lseek(ef, 0, SEEK_SET) ||
        read_fd(ef, &c->err, &el)) {
        fprintf(stderr, "zkm sweep: reading a child's output: %s\n", strerror(errno));
        child_free(c);
        goto done;
    }
    rc = 0;
done:
    if (of >= 0)
        close(of);
    if (ef >= 0)
        close(ef);
    if (op)
        unlink(op);
    if (ep)
        unlink(ep);
    free(op);
    free(ep);
    return rc;
}

/* An argument vector built piece by piece; strings copied. */
typedef struct {
    char *v[48];
    int n, failed;
} args;

static void arg(args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(args *a, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (a->n + 1 >= (int)(sizeof a->v / sizeof a->v[0]) || vasprintf(&s, fmt, ap) < 0) {
        a->failed = 1;
        s = NULL;
    }
    va_end(ap);
    if (s)
        a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

static void args_free(args *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
}

/* ------------------------------------------------------------ one point */

typedef struct {
    const paths *p;
    const sw_point *pt;
    char key[256];
    char tmp[PATH_MAX];   /* this worker's directory in DIR/tmp          */
    char commitment[PATH_MAX]; /* the cached .zkc, if committed           */
    char input[PATH_MAX];      /* the cached input sample (.npy), if any  */
    json_t *compile, *drift, *prove, *verify;
    long prove_rss_kb, verify_rss_kb;
} point_run;

/* The point failed at `stage`: say so (with the child's stderr), log it. */
static int point_failed(point_run *r, const char *stage, const child *c, const char *msg)
{
    const char *text = msg ? msg : c && c->err && *c->err ? c->err : "(no message)";
    if (c && c->sig)
        fprintf(stderr, "zkm sweep: point %s: zkm %s failed (killed by signal %d, %s):\n%s%s",
                r->key, stage, c->sig, strsignal(c->sig), text,
                text[strlen(text) - 1] == '\n' ? "" : "\n");
    else if (c)
        fprintf(stderr, "zkm sweep: point %s: zkm %s failed (exit %d):\n%s%s", r->key, stage,
                c->status, text, text[strlen(text) - 1] == '\n' ? "" : "\n");
    else
        fprintf(stderr, "zkm sweep: point %s: %s: %s\n", r->key, stage, text);
    log_failure(r->p, r->key, stage, c ? c->status : -1, text);
    return ZKM_EXIT_REJECT;
}

/* A short hash of what a cached result depends on: the files' paths,
 * sizes and times (zkm's own binary's among them: a rebuilt zkm may build
 * other circuits), and the options. */
static void cache_hash(const char *what, char out[17])
{
    uint8_t h[8];
    crypto_generichash(h, sizeof h, (const uint8_t *)what, strlen(what), NULL, 0);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static void describe_file(zkm_strbuf *b, const char *path)
{
    char real[PATH_MAX];
    struct stat sb;
    const char *r = realpath(path, real) ? real : path;
    if (stat(path, &sb) == 0)
        zkm_sb_printf(b, "%s:%lld:%lld.%09ld;", r, (long long)sb.st_size,
                      (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec);
    else
        zkm_sb_printf(b, "%s;", r);
}

/* The model's weights as zkm's options. */
static void weights_args(args *a, const sw_model *m)
{
    if (m->weights) {
        arg(a, "--weights");
        arg(a, "%s", m->weights);
    } else {
        arg(a, "--seed");
        arg(a, "%llu", (unsigned long long)m->seed);
    }
}

static void threads_args(args *a, const sw_point *pt)
{
    if (pt->threads) {
        arg(a, "--threads");
        arg(a, "%u", pt->threads);
    }
}

/* A lookup's limb is always passed, the default's too: the point names
 * its circuit whatever zkm's default. */
static void range_args(args *a, const sw_point *pt)
{
    if (!pt->range.lookup)
        return; /* bits: zkm's default, so zkm need not know --range */
    arg(a, "--range");
    arg(a, "lookup");
    arg(a, "--limb");
    arg(a, "%u", pt->range.limb ? pt->range.limb : ZKM_LIMB_DEFAULT);
}

/* The range strategy in a file name: "bits", "lookup-8". */
static void range_tag(sw_range r, char *buf, size_t n)
{
    sw_range_str(r, buf, n);
    for (char *c = buf; *c; c++)
        if (*c == ':')
            *c = '-';
}

/* Run a's command and parse its standard output as a JSON object into
 * *out (c keeps the child's outputs).  0; ZKM_EXIT_USAGE after a message
 * when it could not run; the point's failure (point_failed) when it failed
 * or printed no JSON object (a row of empty columns is no result). */
static int run_json(point_run *r, const char *stage, const args *a, child *c, json_t **out)
{
    json_error_t je;
    if (a->failed) {
        fprintf(stderr, "zkm sweep: out of memory\n");
        return ZKM_EXIT_USAGE;
    }
    if (run_child(r->tmp, a->v, c))
        return ZKM_EXIT_USAGE;
    if (c->status)
        return point_failed(r, stage, c, NULL);
    if (!(*out = json_loadb(c->out, c->out_len, 0, &je)) || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return point_failed(r, stage, NULL, "its output is not a JSON object");
    }
    return 0;
}

/* A JSON result cached in DIR/cache/name (made by running argv once,
 * under the entry's own lock); *out receives it.  0, or the point's exit
 * status after a message. */
static int cached_json(point_run *r, const char *stage, const char *name, args *a, json_t **out)
{
    char *path = join(r->p->cache, name), *lockp = NULL;
    int lk = -1, rc = ZKM_EXIT_USAGE;
    child c = {0};
    if (!path || !(lockp = malloc(strlen(path) + 6)))
        goto done;
    snprintf(lockp, strlen(path) + 6, "%s.lock", path);
    if ((lk = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0 || flock(lk, LOCK_EX)) {
        fprintf(stderr, "zkm sweep: %s: %s\n", lockp, strerror(errno));
        goto done;
    }
    json_error_t je;
    if (access(path, F_OK) == 0) {
        if (!(*out = json_load_file(path, 0, &je)) || !json_is_object(*out)) {
            fprintf(stderr, "zkm sweep: %s: %s (delete it to compute it again)\n", path,
                    *out ? "not a JSON object" : je.text);
            json_decref(*out);
            *out = NULL;
            goto done;
        }
        rc = 0;
        goto done;
    }
    if ((rc = run_json(r, stage, a, &c, out)))
        goto done;
    zkm_err e;
    zkm_err_clear(&e);
    if (zkm_write_file_atomic(path, c.out, c.out_len, &e))
        fprintf(stderr, "zkm sweep: %s (not cached)\n", e.msg);
    rc = 0;
done:
    if (lk >= 0)
        close(lk);
    child_free(&c);
    free(path);
    free(lockp);
    return rc;
}

static int point_compile(point_run *r)
{
    const sw_point *pt = r->pt;
    const sw_model *m = pt->model;
    char rs[32], h[17], name[160];
    zkm_strbuf d = {0};
    args a = {0};
    arg(&a, "zkm");
    arg(&a, "compile");
    arg(&a, "%s", m->path);
    arg(&a, "--bits");
    arg(&a, "%u", pt->bits);
    range_args(&a, pt);
    arg(&a, "--json");
    zkm_sb_printf(&d, "compile;");
    describe_file(&d, "/proc/self/exe");
    describe_file(&d, m->path);
    for (int i = 3; i < a.n; i++)
        zkm_sb_printf(&d, "%s;", a.v[i]);
    cache_hash(d.s ? d.s : "", h);
    range_tag(pt->range, rs, sizeof rs);
    snprintf(name, sizeof name, "compile-%s-b%u-%s-%s.json", m->name, pt->bits, rs, h);
    int rc = cached_json(r, "compile", name, &a, &r->compile);
    free(d.s);
    args_free(&a);
    return rc;
}

static int point_drift(point_run *r)
{
    const sw_point *pt = r->pt;
    const sw_model *m = pt->model;
    char h[17], name[160];
    zkm_strbuf d = {0};
    args a = {0};
    if (!pt->drift_inputs)
        return 0;
    arg(&a, "zkm");
    arg(&a, "drift");
    arg(&a, "%s", m->path);
    weights_args(&a, m);
    arg(&a, "--bits");
    arg(&a, "%u", pt->bits);
    arg(&a, "--formats");
    arg(&a, "none");
    arg(&a, "--inputs");
    arg(&a, "%u", pt->drift_inputs);
    if (m->dataset) {
        arg(&a, "--dataset");
        arg(&a, "%s", m->dataset);
    } else {
        arg(&a, "--input-seed");
        arg(&a, "%llu", (unsigned long long)m->input_seed);
    }
    arg(&a, "--json");
    zkm_sb_printf(&d, "drift;");
    describe_file(&d, "/proc/self/exe");
    describe_file(&d, m->path);
    if (m->weights)
        describe_file(&d, m->weights);
    if (m->dataset)
        describe_file(&d, m->dataset);
    for (int i = 3; i < a.n; i++)
        zkm_sb_printf(&d, "%s;", a.v[i]);
    cache_hash(d.s ? d.s : "", h);
    snprintf(name, sizeof name, "drift-%s-b%u-n%u-%s.json", m->name, pt->bits, pt->drift_inputs,
             h);
    int rc = cached_json(r, "drift", name, &a, &r->drift);
    free(d.s);
    args_free(&a);
    return rc;
}

/* input_sample=K: sample K of the dataset as a .npy file in DIR/cache,
 * written once, for zkm prove --input. */
static int point_input(point_run *r)
{
    const sw_model *m = r->pt->model;
    char h[17], name[160], lockp[PATH_MAX + 8];
    zkm_strbuf d = {0};
    zkm_tensor_set t;
    zkm_err e;
    int lk = -1, rc = ZKM_EXIT_USAGE;
    zkm_tensor_set_init(&t);
    zkm_err_clear(&e);
    if (!m->has_input_sample)
        return 0;
    zkm_sb_printf(&d, "input;%llu;", (unsigned long long)m->input_sample);
    describe_file(&d, "/proc/self/exe");
    describe_file(&d, m->dataset);
    cache_hash(d.s ? d.s : "", h);
    snprintf(name, sizeof name, "input-%s-s%llu-%s.npy", m->name,
             (unsigned long long)m->input_sample, h);
    if ((size_t)snprintf(r->input, sizeof r->input, "%s/%s", r->p->cache, name) >=
        sizeof r->input - 8) {
        fprintf(stderr, "zkm sweep: %s/%s: %s\n", r->p->cache, name, strerror(ENAMETOOLONG));
        goto done;
    }
    snprintf(lockp, sizeof lockp, "%s.lock", r->input);
    if ((lk = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0 || flock(lk, LOCK_EX)) {
        fprintf(stderr, "zkm sweep: %s: %s\n", lockp, strerror(errno));
        goto done;
    }
    rc = 0;
    if (access(r->input, R_OK) == 0)
        goto done;
    if (syn_open_sample(m->dataset, m->input_sample, "x", &t, &e) ||
        zkm_npy_write(r->input, &t.t[0], &e)) {
        char msg[400];
        snprintf(msg, sizeof msg, "dataset %s, sample %llu: %s", m->dataset,
                 (unsigned long long)m->input_sample, e.msg);
        rc = point_failed(r, "input", NULL, msg);
    }
done:
    if (lk >= 0)
        close(lk);
    zkm_tensor_set_free(&t);
    free(d.s);
    return rc;
}

/* The model commitment for (model, bits, range), made once:
 * DIR/cache/commit-*.zkc and its key beside it (the range strategy changes
 * the circuit, whose digest the commitment is bound to). */
static int point_commit(point_run *r)
{
    const sw_point *pt = r->pt;
    const sw_model *m = pt->model;
    char h[17], name[160], rs[32], *path = NULL, keyp[PATH_MAX + 8], lockp[PATH_MAX + 8];
    zkm_strbuf d = {0};
    args a = {0};
    child c = {0};
    int lk = -1, rc = ZKM_EXIT_USAGE;
    if (!(pt->mode & SW_COMMITTED))
        return 0;
    range_tag(pt->range, rs, sizeof rs);
    zkm_sb_printf(&d, "commit;%u;%s;", pt->bits, rs);
    describe_file(&d, "/proc/self/exe");
    describe_file(&d, m->path);
    if (m->weights)
        describe_file(&d, m->weights);
    else
        zkm_sb_printf(&d, "seed %llu;", (unsigned long long)m->seed);
    cache_hash(d.s ? d.s : "", h);
    snprintf(name, sizeof name, "commit-%s-b%u-%s-%s.zkc", m->name, pt->bits, rs, h);
    if (!(path = join(r->p->cache, name)))
        goto done;
    if (strlen(path) >= PATH_MAX) {
        fprintf(stderr, "zkm sweep: %s: %s\n", path, strerror(ENAMETOOLONG));
        goto done;
    }
    snprintf(keyp, sizeof keyp, "%s.key", path);
    snprintf(lockp, sizeof lockp, "%s.lock", path);
    snprintf(r->commitment, sizeof r->commitment, "%s", path);
    if ((lk = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0 || flock(lk, LOCK_EX)) {
        fprintf(stderr, "zkm sweep: %s: %s\n", lockp, strerror(errno));
        goto done;
    }
    if (access(path, R_OK) == 0 && access(keyp, R_OK) == 0) {
        rc = 0;
        goto done;
    }
    arg(&a, "zkm");
    arg(&a, "commit");
    arg(&a, "%s", m->path);
    weights_args(&a, m);
    arg(&a, "--bits");
    arg(&a, "%u", pt->bits);
    arg(&a, "-o");
    arg(&a, "%s", path);
    arg(&a, "--key");
    arg(&a, "%s", keyp);
    range_args(&a, pt);
    threads_args(&a, pt);
    arg(&a, "--json");
    if (a.failed || run_child(r->tmp, a.v, &c)) {
        if (a.failed)
            fprintf(stderr, "zkm sweep: out of memory\n");
        goto done;
    }
    rc = c.status ? point_failed(r, "commit", &c, NULL) : 0;
done:
    if (lk >= 0)
        close(lk);
    child_free(&c);
    args_free(&a);
    free(d.s);
    free(path);
    return rc;
}

static int point_prove_verify(point_run *r)
{
    const sw_point *pt = r->pt;
    const sw_model *m = pt->model;
    char *proof = join(r->tmp, "proof.zkp");
    args a = {0};
    child c = {0};
    int rc = ZKM_EXIT_USAGE;
    if (!proof)
        return rc;
    arg(&a, "zkm");
    arg(&a, "prove");
    arg(&a, "%s", m->path);
    weights_args(&a, m);
    if (m->input || m->has_input_sample) {
        arg(&a, "--input");
        arg(&a, "%s", m->input ? m->input : r->input);
    } else {
        arg(&a, "--input-seed");
        arg(&a, "%llu", (unsigned long long)m->input_seed);
    }
    arg(&a, "--bits");
    arg(&a, "%u", pt->bits);
    arg(&a, "-o");
    arg(&a, "%s", proof);
    if (pt->mode & SW_COMMITTED) {
        arg(&a, "--commitment");
        arg(&a, "%s", r->commitment);
        arg(&a, "--key");
        arg(&a, "%s.key", r->commitment);
    }
    if (pt->mode & SW_PRIVATE_INPUT)
        arg(&a, "--private-input");
    if (pt->mode & SW_CLEAR_ADVICE) {
        arg(&a, "--advice");
        arg(&a, "clear");
    }
    if (pt->mode & SW_ZK)
        arg(&a, "--zk");
    range_args(&a, pt);
    threads_args(&a, pt);
    arg(&a, "--json");
    if ((rc = run_json(r, "prove", &a, &c, &r->prove)))
        goto done;
    r->prove_rss_kb = c.maxrss_kb;
    child_free(&c);
    args_free(&a);

    arg(&a, "zkm");
    arg(&a, "verify");
    arg(&a, "%s", m->path);
    arg(&a, "%s", proof);
    if (pt->mode & SW_COMMITTED) {
        arg(&a, "--commitment");
        arg(&a, "%s", r->commitment);
    } else {
        weights_args(&a, m);
    }
    arg(&a, "--bits");
    arg(&a, "%u", pt->bits);
    threads_args(&a, pt);
    arg(&a, "--json");
    if ((rc = run_json(r, "verify", &a, &c, &r->verify)))
        goto done;
    if (!json_is_true(json_object_get(r->verify, "accepted"))) {
        rc = point_failed(r, "verify", NULL, "the proof was not accepted");
        goto done;
    }
    r->verify_rss_kb = c.maxrss_kb;
    rc = 0;
done:
    unlink(proof);
    free(proof);
    child_free(&c);
    args_free(&a);
    return rc;
}

/* ------------------------------------------------------------- the row */

static void put_num(zkm_strbuf *b, json_t *o, const char *k)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    if (json_is_integer(v))
        zkm_sb_printf(b, ",%lld", (long long)json_integer_value(v));
    else if (json_is_real(v) && isfinite(json_real_value(v)))
        zkm_sb_printf(b, ",%.9g", json_real_value(v));
    else
        zkm_sb_printf(b, ",");
}

/* The drift columns: evaluation q<bits> against the reference at the
 * output, its failures and accuracy, and the reference's accuracy. */
static void put_drift(zkm_strbuf *b, json_t *d, uint32_t bits)
{
    json_t *evals = d ? json_object_get(d, "evaluations") : NULL;
    json_t *cmps = d ? json_object_get(d, "comparisons") : NULL;
    json_t *ref = json_array_get(evals, 0), *q = NULL, *cmp = NULL;
    const char *refname = json_string_value(json_object_get(ref, "name"));
    char qname[16];
    snprintf(qname, sizeof qname, "q%u", bits);
    for (size_t i = 0; i < json_array_size(evals); i++) {
        json_t *x = json_array_get(evals, i);
        const char *name = json_string_value(json_object_get(x, "name"));
        if (name && !strcmp(name, qname))
            q = x;
    }
    for (size_t i = 0; i < json_array_size(cmps); i++) {
        json_t *x = json_array_get(cmps, i);
        const char *ev = json_string_value(json_object_get(x, "evaluation"));
        const char *ag = json_string_value(json_object_get(x, "against"));
        if (ev && ag && refname && !strcmp(ev, qname) && !strcmp(ag, refname))
            cmp = x;
    }
    json_t *out = cmp ? json_object_get(cmp, "output") : NULL;
    put_num(b, d, "inputs");
    put_num(b, out, "max_abs");
    put_num(b, out, "rms");
    put_num(b, out, "rel_l2");
    put_num(b, cmp, "top1");
    put_num(b, q, "accuracy");
    put_num(b, ref, "accuracy");
    put_num(b, q, "failed");
}

static int point_row(point_run *r, zkm_strbuf *row, zkm_strbuf *nodes)
{
    machine mc;
    char ts[32];
    machine_get(&mc);
    utc_now(ts, sizeof ts);
    zkm_sb_printf(row, "%s", r->key);
    put_num(row, r->prove, "prove_s");
    put_num(row, r->prove, "witness_s");
    put_num(row, r->prove, "commit_s");
    put_num(row, r->verify, "verify_s");
    put_num(row, r->prove, "proof_bytes");
    zkm_sb_printf(row, ",%lld,%lld", (long long)r->prove_rss_kb * 1024,
                  (long long)r->verify_rss_kb * 1024);
    put_num(row, r->prove, "threads");
    put_num(row, r->compile, "layers");
    put_num(row, r->compile, "ops");
    put_num(row, r->compile, "advice_values");
    put_num(row, r->compile, "advice_bits");
    put_num(row, r->compile, "public_values");
    put_drift(row, r->drift, r->pt->bits);
    char commit[128];
    snprintf(commit, sizeof commit, "%s", ZKM_DESCRIBE);
    sanitize(commit);
    zkm_sb_printf(row, ",%s,%s,%ld,%s,%s\n", mc.host, mc.cpu, mc.cores, commit, ts);

    /* per node: zkm prove --json's "nodes", when this zkm reports them */
    json_t *arr = json_object_get(r->prove, "nodes");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *x = json_array_get(arr, i);
        const char *node = json_string_value(json_object_get(x, "node"));
        json_t *s = json_object_get(x, "prove_s");
        if (!node || !json_is_number(s))
            continue;
        char nb[128];
        snprintf(nb, sizeof nb, "%s", node);
        sw_node_word(nb);
        zkm_sb_printf(nodes, "%s,%s,%.9g\n", r->key, nb, json_number_value(s));
    }
    if (row->failed || nodes->failed) {
        fprintf(stderr, "zkm sweep: out of memory\n");
        return ZKM_EXIT_USAGE;
    }
    return 0;
}

/* Files the point reads, checked before anything runs (a data set that
 * is no generated one's name is a file too). */
static int check_files(const sw_model *m, const char *where)
{
    const char *what[4] = {m->path, m->weights, m->input,
                           m->dataset && !syn_builtin(m->dataset) ? m->dataset : NULL};
    const char *name[4] = {"model", "weights", "input", "dataset"};
    for (int i = 0; i < 4; i++)
        if (what[i] && access(what[i], R_OK)) {
            fprintf(stderr, "zkm sweep: %s%s %s: %s\n", where, name[i], what[i], strerror(errno));
            return ZKM_EXIT_USAGE;
        }
    return 0;
}

/* Run one point and append its rows.  Exit status: 0 done (or done
 * before), 1 the point failed, 2 bad usage or an unwritable DIR. */
static int run_point(const char *dir, const sw_point *pt)
{
    paths p;
    point_run r;
    sw_keys keys = {0};
    zkm_strbuf kb = {0}, row = {0}, nodes = {0};
    char host[256];
    memset(&r, 0, sizeof r);
    int rc = check_files(pt->model, "");
    if (rc)
        return rc;
    if ((rc = paths_init(dir, 1, &p)))
        return rc;
    r.p = &p;
    r.pt = pt;
    sw_point_key(pt, &kb);
    if (kb.failed || kb.len >= sizeof r.key) {
        fprintf(stderr, "zkm sweep: the point's key is too long\n");
        rc = ZKM_EXIT_USAGE;
        goto done;
    }
    memcpy(r.key, kb.s, kb.len + 1);
    /* done already? */
    int lk = lock_dir(&p);
    if (lk < 0) {
        rc = ZKM_EXIT_USAGE;
        goto done;
    }
    rc = load_keys(&p, &keys);
    close(lk);
    if (rc)
        goto done;
    if (sw_keys_has(&keys, r.key, strlen(r.key)))
        goto done;
    host_tag(host, sizeof host);
    const int tl = snprintf(r.tmp, sizeof r.tmp, "%s/%s.%ld", p.tmp, host, (long)getpid());
    const int err = tl < 0 || (size_t)tl >= sizeof r.tmp     ? ENAMETOOLONG
                    : mkdir(r.tmp, 0777) && errno != EEXIST ? errno
                                                             : 0;
    if (err) {
        fprintf(stderr, "zkm sweep: %s: %s\n", r.tmp, strerror(err));
        rc = ZKM_EXIT_USAGE;
        goto done;
    }
    if (!(rc = point_compile(&r)) && !(rc = point_drift(&r)) && !(rc = point_input(&r)) &&
        !(rc = point_commit(&r)) &&
        !(rc = point_prove_verify(&r)) && !(rc = point_row(&r, &row, &nodes))) {
        int dup;
        rc = append_run(&p, r.key, row.s, nodes.s, &dup);
        if (!rc && dup)
            fprintf(stderr, "zkm sweep: point %s: already in %s (another run finished it "
                    "first); not written again\n", r.key, p.results);
    }
    rm_tree(r.tmp);
done:
    json_decref(r.compile);
    json_decref(r.drift);
    json_decref(r.prove);
    json_decref(r.verify);
    free(kb.s);
    free(row.s);
    free(nodes.s);
    sw_keys_free(&keys);
    paths_free(&p);
    return rc;
}

/* ----------------------------------------------------------- summaries */

static int write_summary(const paths *p)
{
    char *res = NULL, *nod = NULL;
    size_t rl = 0, nl = 0;
    zkm_strbuf s = {0}, n = {0}, g = {0};
    zkm_err e;
    zkm_err_clear(&e);
    int rc = ZKM_EXIT_USAGE;
    int lk = lock_dir(p);
    if (lk < 0)
        return rc;
    if (read_path(p->results, &res, &rl) || read_path(p->nodes, &nod, &nl)) {
        fprintf(stderr, "zkm sweep: %s: %s\n", p->dir, strerror(errno));
        goto done;
    }
    close(lk);
    lk = -1;
    if (sw_summarize(res ? res : "", rl, nod ? nod : "", nl, &s, &n, &g, &e)) {
        fprintf(stderr, "zkm sweep: %s: %s\n", p->dir, e.msg);
        goto done;
    }
    static const char *const names[3] = {"summary.csv", "nodes_summary.csv", "summary.gpi"};
    const zkm_strbuf *bufs[3] = {&s, &n, &g};
    rc = 0;
    for (int i = 0; i < 3 && !rc; i++) {
        char *path = join(p->dir, names[i]);
        if (!path || zkm_write_file_atomic(path, bufs[i]->s ? bufs[i]->s : "", bufs[i]->len, &e)) {
            fprintf(stderr, "zkm sweep: %s\n", path ? e.msg : "out of memory");
            rc = ZKM_EXIT_USAGE;
        }
        free(path);
    }
done:
    if (lk >= 0)
        close(lk);
    free(res);
    free(nod);
    free(s.s);
    free(n.s);
    free(g.s);
    return rc;
}

/* ---------------------------------------------------------------- merge */

/* Rows of src (results.csv, then nodes.csv) whose keys out lacks, into
 * the two buffers; *taken, *skipped count results rows. */
static int merge_one(const char *src, sw_keys *have, zkm_strbuf *rows, zkm_strbuf *nodes,
                     size_t *taken, size_t *skipped)
{
    char *rp = join(src, "results.csv"), *np = join(src, "nodes.csv"), *res = NULL, *nod = NULL;
    size_t rl = 0, nl = 0;
    sw_keys mine = {0};
    zkm_err e;
    zkm_err_clear(&e);
    int rc = ZKM_EXIT_USAGE;
    if (!rp || !np)
        goto done;
    if (read_path(rp, &res, &rl)) {
        fprintf(stderr, "zkm sweep: --merge %s: %s\n", rp, strerror(errno));
        goto done;
    }
    if (!res) {
        fprintf(stderr, "zkm sweep: --merge %s: missing\n", rp);
        goto done;
    }
    if (read_path(np, &nod, &nl)) {
        fprintf(stderr, "zkm sweep: --merge %s: %s\n", np, strerror(errno));
        goto done;
    }
    rl = sw_complete_len(res, rl);
    nl = nod ? sw_complete_len(nod, nl) : 0;
    /* both files checked before anything is taken: their headers, every
     * row's key */
    sw_keys probe = {0};
    zkm_status st = sw_csv_keys(res, rl, SW_RESULTS_HEADER, &probe, &e);
    sw_keys_free(&probe);
    if (!st && nl)
        st = sw_csv_keys(nod, nl, SW_NODES_HEADER, &probe, &e);
    sw_keys_free(&probe);
    if (st) {
        fprintf(stderr, "zkm sweep: --merge %s: %s\n", src, e.msg);
        goto done;
    }
    /* keys compared canonically (sw_row_key), rows copied as they are */
    const size_t rh = strlen(SW_RESULTS_HEADER) + 1, nh = strlen(SW_NODES_HEADER) + 1;
    char key[SW_MAX_KEY];
    for (const char *q = res + (rl ? rh : 0), *end = res + rl; q < end;) {
        const char *le = memchr(q, '\n', (size_t)(end - q)) + 1;
        const size_t kl = sw_row_key(q, (size_t)(le - q), key);
        int added;
        if ((st = sw_keys_add(have, key, kl, &added, &e)))
            break;
        if (added) {
            if ((st = sw_keys_add(&mine, key, kl, NULL, &e)))
                break;
            zkm_sb_put(rows, q, (size_t)(le - q));
            ++*taken;
        } else {
            ++*skipped;
        }
        q = le;
    }
    for (const char *q = nod ? nod + (nl ? nh : 0) : NULL, *end = nod ? nod + nl : NULL;
         !st && q && q < end;) {
        const char *le = memchr(q, '\n', (size_t)(end - q)) + 1;
        const size_t kl = sw_row_key(q, (size_t)(le - q), key);
        if (sw_keys_has(&mine, key, kl))
            zkm_sb_put(nodes, q, (size_t)(le - q));
        q = le;
    }
    if (st)
        fprintf(stderr, "zkm sweep: %s\n", e.msg);
    else
        rc = 0;
done:
    sw_keys_free(&mine);
    free(rp);
    free(np);
    free(res);
    free(nod);
    return rc;
}

static int cmd_merge(const char *out, char **srcs, int n)
{
    paths p;
    sw_keys have = {0};
    zkm_strbuf rows = {0}, nodes = {0};
    size_t taken = 0, skipped = 0;
    int rc = paths_init(out, 1, &p);
    if (rc)
        return rc;
    int lk = lock_dir(&p);
    if (lk < 0) {
        paths_free(&p);
        return ZKM_EXIT_USAGE;
    }
    rc = load_keys(&p, &have);
    char real_out[PATH_MAX], real_src[PATH_MAX];
    const int out_ok = realpath(out, real_out) != NULL;
    for (int i = 0; i < n && !rc; i++) {
        if (out_ok && realpath(srcs[i], real_src) && !strcmp(real_out, real_src))
            continue; /* its rows are there */
        rc = merge_one(srcs[i], &have, &rows, &nodes, &taken, &skipped);
    }
    if (!rc && (rows.failed || nodes.failed)) {
        fprintf(stderr, "zkm sweep: out of memory\n");
        rc = ZKM_EXIT_USAGE;
    }
    if (!rc && rows.len) {
        int fd = csv_open(p.results, SW_RESULTS_HEADER, NULL, NULL);
        rc = fd < 0 || append_whole(fd, p.results, rows.s, rows.len) ? ZKM_EXIT_USAGE : 0;
        if (fd >= 0)
            close(fd);
        if (!rc && nodes.len) {
            fd = csv_open(p.nodes, SW_NODES_HEADER, NULL, NULL);
            rc = fd < 0 || append_whole(fd, p.nodes, nodes.s, nodes.len) ? ZKM_EXIT_USAGE : 0;
            if (fd >= 0)
                close(fd);
        }
    }
    close(lk);
    if (!rc)
        rc = write_summary(&p);
    if (!rc)
        fprintf(stderr, "zkm sweep: merged %zu rows into %s (%zu already there)\n", taken,
                p.results, skipped);
    sw_keys_free(&have);
    free(rows.s);
    free(nodes.s);
    paths_free(&p);
    return rc;
}

/* ---------------------------------------------------------- emit-jobs */

/* s single-quoted for sh. */
static void shell_quote(zkm_strbuf *b, const char *s)
{
    zkm_sb_put(b, "'", 1);
    for (; *s; s++)
        if (*s == '\'')
            zkm_sb_put(b, "'\\''", 4);
        else
            zkm_sb_put(b, s, 1);
    zkm_sb_put(b, "'", 1);
}

/* An absolute path (for a file that exists; others as they are), malloc'd;
 * a generated data set's name ("shapes") stays a name even when a file of
 * that name is in the current directory. */
static char *absolute(const char *path, int dataset)
{
    char buf[PATH_MAX];
    if (path && !(dataset && syn_builtin(path)) && realpath(path, buf))
        return strdup(buf);
    return path ? strdup(path) : NULL;
}

/* A control character would break the one command per line of
 * --emit-jobs (GNU parallel, a Slurm array read lines). */
static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < ' ' || *s == 0x7f)
            return 1;
    return 0;
}

static int emit_jobs(const sw_spec *s, const char *out)
{
    char self[PATH_MAX], dir[2 * PATH_MAX + 2], cwd[PATH_MAX];
    zkm_err e;
    zkm_err_clear(&e);
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self);
    if (n <= 0 || (size_t)n >= sizeof self) {
        fprintf(stderr, "zkm sweep: /proc/self/exe: %s\n",
                n < 0 ? strerror(errno) : strerror(ENAMETOOLONG));
        return ZKM_EXIT_USAGE;
    }
    self[n] = '\0';
    if (out[0] == '/') {
        snprintf(dir, sizeof dir, "%s", out);
    } else if (getcwd(cwd, sizeof cwd)) {
        snprintf(dir, sizeof dir, "%s/%s", cwd, out);
    } else {
        fprintf(stderr, "zkm sweep: --emit-jobs: the current directory: %s\n", strerror(errno));
        return ZKM_EXIT_USAGE;
    }
    if (has_control(self) || has_control(dir)) {
        fprintf(stderr, "zkm sweep: --emit-jobs: %s holds a control character, which one "
                "command per line cannot carry\n", has_control(dir) ? "--out DIR" : "zkm's path");
        return ZKM_EXIT_USAGE;
    }
    /* the models with absolute paths, so the commands run from anywhere */
    sw_model *abs = calloc(s->n_models, sizeof *abs);
    int rc = abs ? 0 : ZKM_EXIT_USAGE;
    for (uint32_t i = 0; i < s->n_models && !rc; i++) {
        abs[i] = s->models[i];
        abs[i].path = absolute(s->models[i].path, 0);
        abs[i].weights = absolute(s->models[i].weights, 0);
        abs[i].input = absolute(s->models[i].input, 0);
        abs[i].dataset = absolute(s->models[i].dataset, 1);
        if (!abs[i].path || (s->models[i].weights && !abs[i].weights) ||
            (s->models[i].input && !abs[i].input) || (s->models[i].dataset && !abs[i].dataset))
            rc = ZKM_EXIT_USAGE;
    }
    if (rc)
        fprintf(stderr, "zkm sweep: out of memory\n");
    /* every model's paths checked before a line is printed: all or nothing */
    zkm_strbuf b = {0};
    for (uint32_t i = 0; i < s->n_models && !rc; i++) {
        sw_point pt;
        sw_point_at(s, 0, &pt);
        pt.model = &abs[i];
        b.len = 0;
        if (sw_point_encode(&pt, &b, &e)) {
            fprintf(stderr, "zkm sweep: --emit-jobs: %s\n", e.msg);
            rc = ZKM_EXIT_USAGE;
        }
    }
    for (uint64_t k = 0; k < sw_count(s) && !rc; k++) {
        sw_point pt;
        sw_point_at(s, k, &pt);
        pt.model = &abs[pt.model - s->models];
        zkm_strbuf ps = {0};
        sw_point_encode(&pt, &ps, &e); /* checked above */
        b.len = 0;
        shell_quote(&b, self);
        zkm_sb_printf(&b, " sweep --point ");
        shell_quote(&b, ps.s ? ps.s : "");
        zkm_sb_printf(&b, " --out ");
        shell_quote(&b, dir);
        if (ps.failed || b.failed) {
            fprintf(stderr, "zkm sweep: out of memory\n");
            rc = ZKM_EXIT_USAGE;
        } else {
            printf("%s\n", b.s);
        }
        free(ps.s);
    }
    for (uint32_t i = 0; abs && i < s->n_models; i++) {
        free(abs[i].path);
        free(abs[i].weights);
        free(abs[i].input);
        free(abs[i].dataset);
    }
    free(abs);
    free(b.s);
    if (!rc && (fflush(stdout) || ferror(stdout))) {
        fprintf(stderr, "zkm sweep: writing the jobs: %s\n", strerror(errno));
        rc = ZKM_EXIT_USAGE;
    }
    return rc;
}

/* ----------------------------------------------------------- the sweep */

/* Remove what dead workers of this host left in DIR/tmp ("HOST.PID..."). */
static void clean_tmp(const paths *p)
{
    char host[256];
    host_tag(host, sizeof host);
    const size_t hl = strlen(host);
    DIR *d = opendir(p->tmp);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (strncmp(de->d_name, host, hl) || de->d_name[hl] != '.')
            continue;
        char *end;
        const long pid = strtol(de->d_name + hl + 1, &end, 10);
        if (pid <= 0 || end == de->d_name + hl + 1)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive (or not ours to judge) */
        char *path = join(p->tmp, de->d_name);
        if (path)
            rm_tree(path);
        free(path);
    }
    if (d)
        closedir(d);
}

typedef struct {
    pid_t pid;
    uint64_t k;
    char log[PATH_MAX];
} worker;

static void fmt_time(char *buf, size_t n, double s)
{
    const long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

/* Where the sweep is, for the progress line (cli_progress: drawn only on a
 * terminal). */
typedef struct {
    cli_progress bar;
    uint64_t total, todo, finished, failed, skipped;
    double t0;
} progress;

static void progress_draw(progress *g)
{
    char eta[32] = "-", phase[96];
    if (g->finished)
        fmt_time(eta, sizeof eta,
                 (zkm_now() - g->t0) / (double)g->finished * (double)(g->todo - g->finished));
    snprintf(phase, sizeof phase, "%llu/%llu, %llu failed, ETA %s",
             (unsigned long long)(g->skipped + g->finished), (unsigned long long)g->total,
             (unsigned long long)g->failed, eta);
    cli_progress_update(&g->bar, phase, g->skipped + g->finished, g->total);
}

/* The key of point k, for a message ("?" when memory ran out); free it. */
static char *key_at(const sw_spec *s, uint64_t k)
{
    sw_point pt;
    zkm_strbuf kb = {0};
    sw_point_at(s, k, &pt);
    sw_point_key(&pt, &kb);
    if (kb.failed || !kb.s) {
        free(kb.s);
        return strdup("?");
    }
    return kb.s;
}

/* Start a worker for point k: zkm sweep --point STR --out DIR, its output
 * into w->log. */
static int start_worker(const sw_spec *s, const paths *p, uint64_t k, worker *w)
{
    sw_point pt;
    zkm_strbuf ps = {0};
    zkm_err e;
    char host[256];
    zkm_err_clear(&e);
    sw_point_at(s, k, &pt);
    if (sw_point_encode(&pt, &ps, &e) || ps.failed) {
        fprintf(stderr, "zkm sweep: %s\n", ps.failed ? "out of memory" : e.msg);
        free(ps.s);
        return -1;
    }
    host_tag(host, sizeof host);
    const int ll = snprintf(w->log, sizeof w->log, "%s/%s.%ld.log%llu", p->tmp, host,
                            (long)getpid(), (unsigned long long)k);
    const int fd = ll < 0 || (size_t)ll >= sizeof w->log
                       ? (errno = ENAMETOOLONG, -1)
                       : open(w->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        fprintf(stderr, "zkm sweep: %s: %s\n", w->log, strerror(errno));
        free(ps.s);
        return -1;
    }
    char *argv[] = {"zkm", "sweep", "--point", ps.s, "--out", p->dir, NULL};
    w->pid = spawn_self(argv, fd, fd);
    close(fd);
    free(ps.s);
    if (w->pid < 0)
        return -1;
    w->k = k;
    return 0;
}

/* A worker has ended with wait status `status`: show its output, count it,
 * and record a worker that died without recording its failure itself (a
 * signal: the OOM killer, a crash) in failures.csv.  Returns 1 for a
 * worker's exit status 2 (the directory or zkm itself: start no more). */
static int worker_done(const sw_spec *s, const paths *p, worker *w, int status, progress *g)
{
    int sig;
    const int st = exit_status(status, &sig);
    char *log = NULL;
    size_t ll = 0;
    g->finished++;
    if (read_path(w->log, &log, &ll))
        ll = 0;
    unlink(w->log);
    if (st || ll) {
        cli_progress_end(&g->bar);
        if (ll)
            fprintf(stderr, "%s%s", log, log[ll - 1] == '\n' ? "" : "\n");
    }
    /* a worker's own failures (1, 2) are on stderr and in failures.csv */
    const int unrecorded = sig || st > ZKM_EXIT_USAGE;
    if (st)
        g->failed++;
    if (unrecorded || (st && !ll)) {
        char *key = key_at(s, w->k), msg[128];
        if (sig)
            snprintf(msg, sizeof msg, "the worker was killed by signal %d (%s)", sig,
                     strsignal(sig));
        else
            snprintf(msg, sizeof msg, "the worker exited with status %d", st);
        fprintf(stderr, "zkm sweep: point %s: %s\n", key ? key : "?", msg);
        if (key && unrecorded)
            log_failure(p, key, "worker", st, msg);
        free(key);
    }
    free(log);
    w->pid = 0;
    return st == ZKM_EXIT_USAGE;
}

static int run_sweep(const sw_spec *s, const char *out, unsigned jobs)
{
    paths p;
    sw_keys done = {0};
    worker *ws = NULL;
    uint64_t *todo = NULL;
    int rc = paths_init(out, 1, &p);
    if (rc)
        return rc;
    int lk = lock_dir(&p);
    if (lk < 0) {
        paths_free(&p);
        return ZKM_EXIT_USAGE;
    }
    rc = load_keys(&p, &done);
    close(lk);
    clean_tmp(&p);
    const uint64_t n = sw_count(s);
    progress g = {.total = n, .t0 = zkm_now()};
    cli_progress_init(&g.bar, "sweep");
    if (!rc && (!(todo = calloc(n ? n : 1, sizeof *todo)) || !(ws = calloc(jobs, sizeof *ws)))) {
        fprintf(stderr, "zkm sweep: out of memory\n");
        rc = ZKM_EXIT_USAGE;
    }
    for (uint64_t k = 0; k < n && !rc; k++) {
        sw_point pt;
        zkm_strbuf kb = {0};
        sw_point_at(s, k, &pt);
        sw_point_key(&pt, &kb);
        if (kb.failed) {
            fprintf(stderr, "zkm sweep: out of memory\n");
            rc = ZKM_EXIT_USAGE;
        } else if (sw_keys_has(&done, kb.s, kb.len)) {
            g.skipped++;
        } else {
            todo[g.todo++] = k;
        }
        free(kb.s);
    }
    uint64_t next = 0;
    unsigned running = 0;
    int fatal = 0;
    while (!rc && (running || (next < g.todo && !fatal))) {
        while (!fatal && running < jobs && next < g.todo) {
            unsigned slot = 0;
            while (ws[slot].pid)
                slot++;
            if (start_worker(s, &p, todo[next], &ws[slot])) {
                ws[slot].pid = 0;
                fatal = 1;
                break;
            }
            next++;
            running++;
        }
        progress_draw(&g);
        if (!running)
            break;
        /* on a terminal, the clock goes on while the points run */
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, g.bar.tty ? WNOHANG : 0)) == 0) {
            nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 250000000}, NULL);
            progress_draw(&g);
        }
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "zkm sweep: waitpid: %s\n", strerror(errno));
            rc = ZKM_EXIT_USAGE;
            break;
        }
        unsigned slot = 0;
        while (slot < jobs && ws[slot].pid != pid)
            slot++;
        if (slot == jobs)
            continue;
        running--;
        if (worker_done(s, &p, &ws[slot], status, &g))
            fatal = 1; /* the directory or the tool itself: stop starting points */
    }
    cli_progress_end(&g.bar);
    if (!rc && write_summary(&p))
        rc = ZKM_EXIT_USAGE;
    if (!rc) {
        char el[32];
        fmt_time(el, sizeof el, zkm_now() - g.t0);
        fprintf(stderr, "zkm sweep: %llu point%s: %llu run, %llu done before, %llu failed%s%s%s "
                "in %s; rows in %s\n",
                (unsigned long long)n, n == 1 ? "" : "s",
                (unsigned long long)(g.finished - g.failed),
                (unsigned long long)g.skipped, (unsigned long long)g.failed,
                g.failed ? " (see " : "", g.failed ? p.failures : "", g.failed ? ")" : "", el,
                p.results);
        if (fatal && next < g.todo)
            fprintf(stderr, "zkm sweep: stopped early: %llu points not started\n",
                    (unsigned long long)(g.todo - next));
        rc = fatal ? ZKM_EXIT_USAGE : g.failed ? ZKM_EXIT_REJECT : 0;
    }
    free(todo);
    free(ws);
    sw_keys_free(&done);
    paths_free(&p);
    return rc;
}

/* ------------------------------------------------------------- command */

typedef struct {
    const char *spec, *out, *point;
    uint64_t jobs;
    int emit, summary, merge;
    char **merge_dirs;
    int n_merge;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->jobs = 1;
    o->merge_dirs = calloc((size_t)argc, sizeof *o->merge_dirs);
    if (!o->merge_dirs) {
        fprintf(stderr, "zkm sweep: out of memory\n");
        return ZKM_EXIT_USAGE;
    }
    int jobs_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help(stdout);
            return ZKM_EXIT_OK;
        }
        const char *eq = a[0] == '-' && a[1] == '-' ? strchr(a, '=') : NULL;
        const size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const int is = a[0] == '-' && a[1];
#define OPT(name) (is && len == strlen(name) && !strncmp(a, name, len))
        if (OPT("--emit-jobs") || OPT("--summary") || OPT("--merge")) {
            if (eq)
                return usage_error("%.*s takes no value", (int)len, a);
            if (OPT("--emit-jobs"))
                o->emit = 1;
            else if (OPT("--summary"))
                o->summary = 1;
            else
                o->merge = 1;
            continue;
        }
        if (OPT("--out") || OPT("--jobs") || OPT("--point")) {
            const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
            if (!v || !*v)
                return usage_error("%.*s needs a value", (int)len, a);
            if (OPT("--out")) {
                if (o->out)
                    return usage_error("--out given twice");
                o->out = v;
            } else if (OPT("--point")) {
                if (o->point)
                    return usage_error("--point given twice");
                o->point = v;
            } else {
                if (!cli_parse_u64("sweep", "--jobs", v, 1, MAX_JOBS, &o->jobs))
                    return ZKM_EXIT_USAGE;
                jobs_given = 1;
            }
            continue;
        }
#undef OPT
        if (is && strcmp(a, "-"))
            return usage_error("unknown option '%.*s'", (int)len, a);
        if (o->merge)
            o->merge_dirs[o->n_merge++] = argv[i];
        else if (o->spec)
            return usage_error("unexpected argument '%s' (one SPEC)", a);
        else
            o->spec = a;
    }
    const int modes = !!o->point + o->merge + o->summary;
    if (modes > 1 || (modes && (o->spec || o->emit)))
        return usage_error("give one of SPEC, --point, --merge and --summary");
    if (!o->out)
        return usage_error("missing --out DIR");
    if (o->merge && !o->n_merge)
        return usage_error("--merge needs the directories to merge");
    if (!modes && !o->spec)
        return usage_error("missing SPEC (a sweep spec file; see experiments/default.sweep)");
    if (jobs_given && (o->emit || modes))
        return usage_error("--jobs is for running a SPEC");
    return -1;
}

int cmd_sweep(int argc, char **argv)
{
    opts o;
    sw_spec s;
    sw_point pt;
    zkm_err e;
    uint8_t *text = NULL;
    size_t len = 0;
    memset(&s, 0, sizeof s);
    zkm_err_clear(&e);
    /* waitpid and wait4 need SIGCHLD's default: ignored (as a parent may
     * leave it across exec), children are reaped by the kernel and every
     * wait fails with ECHILD */
    signal(SIGCHLD, SIG_DFL);
    int rc = parse(argc, argv, &o);
    if (rc >= 0) {
        free(o.merge_dirs);
        return rc;
    }
    rc = 0;
    if (o.merge) {
        rc = cmd_merge(o.out, o.merge_dirs, o.n_merge);
    } else if (o.summary) {
        paths p;
        if (!(rc = paths_init(o.out, 0, &p))) {
            struct stat sb;
            if (stat(p.dir, &sb) || !S_ISDIR(sb.st_mode)) {
                fprintf(stderr, "zkm sweep: --out %s: no such directory\n", o.out);
                rc = ZKM_EXIT_USAGE;
            } else {
                rc = write_summary(&p);
            }
            paths_free(&p);
        }
    } else if (o.point) {
        if (sw_point_decode(o.point, &s, &pt, &e)) {
            fprintf(stderr, "zkm sweep: %s\n", e.msg);
            rc = ZKM_EXIT_USAGE;
        } else {
            rc = run_point(o.out, &pt);
        }
    } else if (zkm_read_file(o.spec, MAX_SPEC_BYTES, &text, &len, &e)) {
        fprintf(stderr, "zkm sweep: %s\n", e.msg);
        rc = ZKM_EXIT_USAGE;
    } else if (sw_parse((const char *)text, len, o.spec, &s, &e)) {
        fprintf(stderr, "zkm sweep: %s\n", e.msg);
        rc = ZKM_EXIT_USAGE;
    } else {
        char where[160];
        for (uint32_t i = 0; i < s.n_models && !rc; i++) {
            snprintf(where, sizeof where, "%.100s:%u: ", o.spec, s.models[i].line);
            rc = check_files(&s.models[i], where);
        }
        if (!rc)
            rc = o.emit ? emit_jobs(&s, o.out) : run_sweep(&s, o.out, (unsigned)o.jobs);
    }
    free(text);
    sw_spec_free(&s);
    free(o.merge_dirs);
    return rc;
}
