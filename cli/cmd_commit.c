/* zkm commit: the public model commitment (.zkc) and the owner's secret key
 * (.key).  Both files are written through temporary files beside them and
 * renamed into place only once both are complete, so a failed run leaves
 * neither a partial file nor a commitment without its key; the key file is
 * created readable by its owner only (0600). */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "load.h"
#include "zkm_file.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm commit MODEL.zkm (--weights FILE | --seed N) [--bits B]\n"
            "                  -o MODEL.zkc [--key FILE] [--range bits|lookup [--limb L]]\n"
            "                  [--threads N] [--json]\n\n"
            "Commit to the model's quantized weights: one Hyrax (Pedersen) commitment per\n"
            "weight and bias table, bound to the circuit's digest (the model at this\n"
            "bit-width).  MODEL.zkc is public: give it to verifiers, who then check proofs\n"
            "made with zkm prove --commitment without ever seeing the weights.  The secret\n"
            "key (its blinding factors) stays with the owner of the weights: zkm prove\n"
            "needs it, with the same weights, to prove against the commitment.  Each run\n"
            "draws a fresh key: the same weights give another commitment.\n\n"
            "options:\n"
            "  --weights FILE    the weights: a safetensors file, a .npy file, or a directory\n"
            "                    of .npy files, named as in PyTorch's state_dict\n"
            "  --seed N          seeded random weights instead (PyTorch's default ranges)\n"
            "  --bits B          re-target every format to B bits (2..32); prove and verify\n"
            "                    with the same\n"
            "  -o, --output MODEL.zkc\n"
            "                    the model commitment to write (replaced atomically)\n"
            "  --key FILE        the secret key to write (default: MODEL.zkc.key; created\n"
            "                    with mode 0600)\n"
            CLI_HELP_RANGE
            CLI_HELP_THREADS
            "  --json            print one JSON object on stdout instead of the report\n\n"
            "exit status: 0 both files written, 2 bad usage or input, or a failed write\n");
}

static const cli_spec spec = {
    .cmd = "commit",
    .accept = CLI_OPT_BITS | CLI_OPT_JSON | CLI_OPT_W | CLI_OPT_OUT | CLI_OPT_THREADS |
              CLI_OPT_KEY | CLI_OPT_RANGE,
    .n_pos = 1,
    .pos_name = {"MODEL.zkm"},
    .help = help,
};

/* A target that exists must be a regular file (a rename onto a directory
 * would fail after the other file was already in place). */
static int check_target(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        fprintf(stderr, "zkm commit: %s: exists and is not a regular file\n", path);
        return ZKM_EXIT_USAGE;
    }
    return ZKM_EXIT_OK;
}

/* bytes into a fresh temporary file beside path (zkm_write_temp). */
static int write_temp(const char *path, const void *bytes, size_t len, int secret, char **tmp)
{
    zkm_err e;
    zkm_err_clear(&e);
    if (zkm_write_temp(path, bytes, len, secret, tmp, &e) != ZKM_OK) {
        fprintf(stderr, "zkm commit: %s\n", e.msg);
        return ZKM_EXIT_USAGE;
    }
    return ZKM_EXIT_OK;
}

/* Both files, or neither: the temporary files first, then the renames. */
static int write_pair(const char *zkc_path, const uint8_t *zkc, size_t zkc_len,
                      const char *key_path, const uint8_t *key, size_t key_len)
{
    char *tz = NULL, *tk = NULL;
    int rc = check_target(zkc_path);
    if (!rc)
        rc = check_target(key_path);
    if (!rc)
        rc = write_temp(key_path, key, key_len, 1, &tk);
    if (!rc)
        rc = write_temp(zkc_path, zkc, zkc_len, 0, &tz);
    if (!rc && rename(tk, key_path) != 0) {
        fprintf(stderr, "zkm commit: %s: cannot write: %s\n", key_path, strerror(errno));
        rc = ZKM_EXIT_USAGE;
    } else if (!rc) {
        free(tk);
        tk = NULL; /* in place */
        if (rename(tz, zkc_path) != 0) {
            fprintf(stderr, "zkm commit: %s: cannot write: %s (the key %s was written: it "
                    "matches no commitment, commit again)\n", zkc_path, strerror(errno),
                    key_path);
            rc = ZKM_EXIT_USAGE;
        }
    }
    if (tk)
        unlink(tk);
    if (rc && tz)
        unlink(tz);
    free(tk);
    free(tz);
    return rc;
}

static void print_report(const zkm_model *m, const cli_args *a, const char *key, int threads,
                         const zkm_commit_stats *s)
{
    char b[3][32];
    printf("model %s at %u bits: model commitment written to %s\n", m->name, m->act.bits,
           a->out);
    printf("  secret key  %s (mode 0600: zkm prove --commitment needs it; keep it secret)\n",
           key);
    printf("  time        %s, %d thread%s\n", cli_seconds(b[0], 32, s->commit_s), threads,
           threads == 1 ? "" : "s");
    printf("  commitment  %s: %u tables, %s values committed (padding included)\n",
           cli_bytes(b[1], 32, (double)s->zkc_bytes), s->tables,
           cli_count(b[2], 32, s->values));
    printf("verifiers need only %s: zkm verify MODEL.zkm PROOF.zkp --commitment %s\n", a->out,
           a->out);
}

static int print_json(const zkm_model *m, const cli_args *a, const char *key, int threads,
                      const zkm_commit_stats *s)
{
    json_t *o = json_object();
    int bad = json_object_set_new(o, "model", json_string(m->name));
    bad |= json_object_set_new(o, "bits", json_integer(m->act.bits));
    bad |= json_object_set_new(o, "commitment", json_string(a->out));
    bad |= json_object_set_new(o, "key", json_string(key));
    bad |= json_object_set_new(o, "threads", json_integer(threads));
    bad |= json_object_set_new(o, "commit_s", json_real(s->commit_s));
    bad |= json_object_set_new(o, "zkc_bytes", json_integer((json_int_t)s->zkc_bytes));
    bad |= json_object_set_new(o, "tables", json_integer(s->tables));
    bad |= json_object_set_new(o, "values", json_integer((json_int_t)s->values));
    return cli_json_print("commit", o, bad);
}

int cmd_commit(int argc, char **argv)
{
    cli_args a;
    cli_ctx c;
    zkm_err e;
    zkm_commit_stats s;
    uint8_t *zkc = NULL, *key = NULL;
    size_t zkc_len = 0, key_len = 0;
    char dflt[4096];
    memset(&s, 0, sizeof s);
    zkm_err_clear(&e);
    int rc = cli_args_parse(&spec, argc, argv, &a);
    if (rc >= 0)
        return rc;
    const char *kpath = a.key;
    if (!kpath) {
        if ((size_t)snprintf(dflt, sizeof dflt, "%s.key", a.out) >= sizeof dflt) {
            fprintf(stderr, "zkm commit: -o %s: path too long\n", a.out);
            return ZKM_EXIT_USAGE;
        }
        kpath = dflt;
    }
    if (!strcmp(kpath, a.out)) {
        fprintf(stderr, "zkm commit: the key and the commitment must be two files (--key %s, "
                "-o %s)\n", kpath, a.out);
        return ZKM_EXIT_USAGE;
    }
    rc = cli_open("commit", &a, CLI_NEED_WEIGHTS, &c);
    if (!rc) {
        zkm_status st = zkm_net_commit(c.net, &zkc, &zkc_len, &key, &key_len, &s, &e);
        if (st) {
            fprintf(stderr, "zkm commit: %s: %s\n", a.pos[0], e.msg);
            rc = ZKM_EXIT_USAGE;
        }
    }
    if (!rc)
        rc = write_pair(a.out, zkc, zkc_len, kpath, key, key_len);
    if (key)
        sodium_memzero(key, key_len);
    free(key);
    free(zkc);
    if (!rc && a.json)
        rc = print_json(c.model, &a, kpath, cli_threads(&a), &s);
    else if (!rc)
        print_report(c.model, &a, kpath, cli_threads(&a), &s);
    cli_close(&c);
    return rc;
}
