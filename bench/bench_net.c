/* Model benchmarks: LeNet-5 (MNIST) and VGG-16 (CIFAR-10) from
 * lang/examples, proven and verified with seeded weights (seed 1) on a
 * seeded input (seed 1), 8 bits as the models are written, in the proof
 * modes of lang/SPEC.md section 13: public weights (advice committed, or in
 * the clear for comparison) on one thread, committed weights on two, with and
 * without zero knowledge (--zk), and LeNet-5's range checks by lookup
 * (--range lookup, limb 8) against by bits.  Each workload
 * runs in a forked child so peak_rss_bytes is its own; the parent prints the
 * issue's targets against the results on stderr at the end.
 *
 * prove_s is the whole zkm_net_prove call (witness + GKR proof), as `zkm
 * prove` reports it; witness_s and proof_s are its parts.  verify_s is the
 * whole zkm_net_verify call on the file's bytes; verify_excl_weights_s takes
 * the evaluation of the public weights out of it.  argument_bytes is the
 * proof file minus the advice, the claimed output and the model input that
 * travel in it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"
#include "check.h"
#include "net.h"
#include "zkm_file.h"

#define SRC_MAX ((size_t)1 << 24)
#define MAX_REPS 5
/* With committed weights a verification costs milliseconds: each proof is
 * verified this often, so that even a workload proven once has a median
 * verification time. */
#define VERIFY_REPS 7

/* zkCNN measured on this kind of machine (../shared/ANCHORS.md). */
typedef struct {
    double prove_lo, prove_hi; /* s                                   */
    double verify, verify_hi;  /* s, as zkCNN counts it (range)       */
    double verify_uncounted;   /* s of wiring evaluation it leaves out */
    double proof_kb;           /* as ANCHORS.md writes it             */
    double peak_rss;           /* bytes                               */
    const char *note;
} anchor;

typedef struct {
    const char *name, *path;
    int reps;
    const anchor *zkcnn; /* NULL: no figures for this workload */
    const char *mode;    /* "public", "public-clear-advice", "committed", "committed+zk",
                            "public+lookup8" */
    unsigned flags;      /* ZKM_NET_* */
    int threads;
    unsigned limb;       /* range checks by lookup with this limb; 0: by bits */
} workload;

/* What a child hands back to the parent (shared memory) for the summary. */
typedef struct {
    int done;
    double params;
    double prove_s, witness_s, verify_s, verify_excl_s, weights_s, commit_s;
    double proof_bytes, argument_bytes, advice_bytes;
    double peak_rss;
} result;

static const anchor zkcnn_lenet = {
    .prove_lo = 0.41, .prove_hi = 0.69, .verify = 0.0048, .verify_hi = 0.0076, .verify_uncounted = 0.12,
    .proof_kb = 71.3, .peak_rss = 123.0 * 1048576,
    .note = "zkCNN (CCS 2021) measured on this kind of machine with random weights, "
            "../shared/ANCHORS.md: LeNet-5 32x32x1 (lenet5.zkm pads 28x28 by 2: the same "
            "convolution sizes); verifier 4.8-7.6 ms plus 0.12 s of wiring evaluation it does "
            "not count; proof 71.3 KB; peak 123 MiB"};

static const anchor zkcnn_vgg16 = {
    .prove_lo = 77.7, .prove_hi = 78.3, .verify = 0.100, .verify_hi = 0.100, .verify_uncounted = 25.0,
    .proof_kb = 341.1, .peak_rss = 12.3 * 1073741824.0,
    .note = "zkCNN (CCS 2021) measured on this kind of machine with random weights, "
            "../shared/ANCHORS.md: VGG-16 CIFAR-10, prover 77.7-78.3 s, verifier 100 ms plus "
            "25 s of wiring evaluation it does not count, proof 341.1 KB, peak 12.3 GiB "
            "(published: 88.3 s, 59.3 ms, 341 KB)"};

/* The summary reads results by these indices. */
enum { W_LENET, W_LENET_CLEAR, W_LENET_COM, W_LENET_ZK, W_LENET_LOOKUP, W_VGG, W_VGG_COM,
       W_VGG_ZK };
static const workload workloads[] = {
    [W_LENET] = {"lenet5", "lang/examples/lenet5.zkm", 5, &zkcnn_lenet, "public", 0, 1},
    [W_LENET_CLEAR] = {"lenet5", "lang/examples/lenet5.zkm", 5, &zkcnn_lenet,
                       "public-clear-advice", ZKM_NET_ADVICE_CLEAR, 1},
    [W_LENET_COM] = {"lenet5", "lang/examples/lenet5.zkm", 5, &zkcnn_lenet, "committed",
                     ZKM_NET_COMMITTED_WEIGHTS, 2},
    [W_LENET_ZK] = {"lenet5", "lang/examples/lenet5.zkm", 5, &zkcnn_lenet, "committed+zk",
                    ZKM_NET_COMMITTED_WEIGHTS | ZKM_NET_ZK, 2},
    [W_LENET_LOOKUP] = {"lenet5", "lang/examples/lenet5.zkm", 5, &zkcnn_lenet, "public+lookup8",
                        0, 1, 8},
    [W_VGG] = {"vgg16", "lang/examples/vgg16.zkm", 1, &zkcnn_vgg16, "public", 0, 1},
    [W_VGG_COM] = {"vgg16", "lang/examples/vgg16.zkm", 1, &zkcnn_vgg16, "committed",
                   ZKM_NET_COMMITTED_WEIGHTS, 2},
    [W_VGG_ZK] = {"vgg16", "lang/examples/vgg16.zkm", 1, &zkcnn_vgg16, "committed+zk",
                  ZKM_NET_COMMITTED_WEIGHTS | ZKM_NET_ZK, 2},
};
#define N_WORKLOADS (sizeof workloads / sizeof workloads[0])

static zkm_status load(const char *path, unsigned limb, zkm_model **m, zkm_net **net,
                       zkm_qinputs *q, zkm_err *e)
{
    uint8_t *src = NULL;
    size_t len = 0;
    zkm_tensor_set w, in;
    zkm_tensor_set_init(&w);
    zkm_tensor_set_init(&in);
    zkm_status st = zkm_read_file(path, SRC_MAX, &src, &len, e);
    if (st)
        return st;
    zkm_check_opts o;
    zkm_check_opts_default(&o);
    zkm_diags d;
    zkm_diags_init(&d);
    st = zkm_model_from_source(path, (const char *)src, len, &o, m, &d);
    free(src);
    if (st) {
        zkm_diags_print(&d, stderr);
        zkm_diags_free(&d);
        return zkm_fail(e, st, "%s: %s", path, zkm_status_str(st));
    }
    zkm_diags_free(&d);
    const zkm_net_opts no = {.limb = limb};
    st = zkm_net_init_ex(*m, &no, net, e);
    if (!st)
        st = zkm_net_seeded_weights(*net, 1, &w, e);
    if (!st)
        st = zkm_net_set_weights(*net, &w, NULL, e);
    if (!st)
        st = zkm_net_seeded_inputs(*net, 1, &in, e);
    if (!st)
        st = zkm_net_quantize_inputs(*net, &in, q, e);
    zkm_tensor_set_free(&w);
    zkm_tensor_set_free(&in);
    return st;
}

static void set_real(json_t *o, const char *k, double v)
{
    json_object_set_new(o, k, json_real(v));
}

static void set_int(json_t *o, const char *k, double v)
{
    json_object_set_new(o, k, json_integer((json_int_t)v));
}

static int run(const workload *wl, result *res)
{
    zkm_model *m = NULL;
    zkm_net *net = NULL;
    zkm_qinputs q = {0};
    zkm_err e;
    zkm_err_clear(&e);
    const double t0 = zkm_now();
    zkm_status st = load(wl->path, wl->limb, &m, &net, &q, &e);
    const double setup_s = zkm_now() - t0;
    if (st) {
        fprintf(stderr, "%s: %s (make bench runs from the repository's root)\n", wl->name,
                e.msg);
        goto done;
    }
    zkm_net_set_threads(net, wl->threads);
    zkm_commit_stats cs = {0};
    if (wl->flags & ZKM_NET_COMMITTED_WEIGHTS) {
        /* the owner commits; prover and verifier then read the files' bytes
         * (the verifier's time includes reading the .zkc) */
        uint8_t *zkc = NULL, *key = NULL;
        size_t zkc_len = 0, key_len = 0;
        st = zkm_net_commit(net, &zkc, &zkc_len, &key, &key_len, &cs, &e);
        if (!st)
            st = zkm_net_load_commitment(net, zkc, zkc_len, &e);
        if (!st)
            st = zkm_net_load_key(net, key, key_len, &e);
        free(zkc);
        free(key);
    }
    if (!st)
        st = zkm_net_set_mode(net, wl->flags, &e);
    if (st) {
        fprintf(stderr, "%s (%s): %s\n", wl->name, wl->mode, e.msg);
        goto done;
    }
    double tp[MAX_REPS], tw[MAX_REPS], tg[MAX_REPS], tpc[MAX_REPS];
    double tv[MAX_REPS * VERIFY_REPS], tvx[MAX_REPS * VERIFY_REPS], twe[MAX_REPS * VERIFY_REPS],
        tae[MAX_REPS * VERIFY_REPS], tie[MAX_REPS * VERIFY_REPS], tvc[MAX_REPS * VERIFY_REPS];
    const int vreps = wl->flags & ZKM_NET_COMMITTED_WEIGHTS ? VERIFY_REPS : 1;
    int nv = 0;
    zkm_prove_stats ps = {0};
    long long prove_rss = 0;
    for (int r = 0; r < wl->reps && !st; r++) {
        uint8_t *proof = NULL;
        size_t len = 0;
        zkm_verify_stats vs = {0};
        st = zkm_net_prove(net, &q, NULL, NULL, &proof, &len, NULL, &ps, &e);
        if (!st)
            free(ps.node_s);
        if (st) {
            fprintf(stderr, "%s: prove: %s\n", wl->name, e.msg);
            break;
        }
        if (r == 0)
            prove_rss = bench_peak_rss(); /* before any verification */
        for (int v = 0; v < vreps && !st; v++, nv++) {
            st = zkm_net_verify(net, proof, len, NULL, NULL, &vs, &e);
            tv[nv] = vs.total_s;
            tvx[nv] = vs.total_s - vs.weights_eval_s;
            twe[nv] = vs.weights_eval_s;
            tae[nv] = vs.advice_eval_s;
            tie[nv] = vs.input_eval_s;
            tvc[nv] = vs.commit_s;
        }
        free(proof);
        if (st) {
            fprintf(stderr, "%s: verify rejected: %s\n", wl->name, e.msg);
            break;
        }
        tp[r] = ps.prove_s;
        tw[r] = ps.witness_s;
        tg[r] = ps.proof_s;
        tpc[r] = ps.commit_s;
    }
    if (st)
        goto done;

    const int n = wl->reps;
    const gkr_circuit *c = zkm_net_circuit(net);
    *res = (result){.done = 1, .params = (double)m->params, .prove_s = bench_median(tp, n),
                    .witness_s = bench_median(tw, n), .verify_s = bench_median(tv, nv),
                    .verify_excl_s = bench_median(tvx, nv), .weights_s = bench_median(twe, nv),
                    .commit_s = cs.commit_s,
                    .proof_bytes = (double)ps.proof_bytes,
                    .argument_bytes = (double)ps.argument_bytes,
                    .advice_bytes = (double)ps.advice_bytes, .peak_rss = (double)bench_peak_rss()};

    json_t *o = bench_obj(wl->name, res->params);
    json_object_set_new(o, "bits", json_integer(m->act.bits));
    json_object_set_new(o, "mode", json_string(wl->mode));
    json_object_set_new(o, "threads", json_integer(wl->threads));
    if (wl->flags & ZKM_NET_COMMITTED_WEIGHTS) {
        set_real(o, "commit_s", cs.commit_s);
        set_int(o, "zkc_bytes", (double)cs.zkc_bytes);
    }
    set_real(o, "prove_commit_s", bench_median(tpc, n));
    set_real(o, "verify_commit_s", bench_median(tvc, nv));
    set_int(o, "commit_bytes", (double)ps.commit_bytes);
    set_real(o, "prove_s", res->prove_s);
    set_real(o, "verify_s", res->verify_s);
    set_int(o, "proof_bytes", res->proof_bytes);
    set_int(o, "peak_rss_bytes", res->peak_rss);
    set_real(o, "witness_s", res->witness_s);
    set_real(o, "proof_s", bench_median(tg, n));
    set_real(o, "verify_excl_weights_s", res->verify_excl_s);
    set_real(o, "weights_eval_s", res->weights_s);
    set_real(o, "advice_eval_s", bench_median(tae, nv));
    set_real(o, "input_eval_s", bench_median(tie, nv));
    set_int(o, "advice_bytes", res->advice_bytes);
    set_int(o, "output_bytes", (double)ps.output_bytes);
    set_int(o, "input_bytes", (double)ps.input_bytes);
    set_int(o, "argument_bytes", res->argument_bytes);
    set_int(o, "prove_peak_rss_bytes", (double)prove_rss);
    set_int(o, "circuit_layers", c->n_layers);
    set_real(o, "setup_s", setup_s);
    json_object_set_new(o, "runs", json_integer(n));
    json_object_set_new(o, "verify_runs", json_integer(nv));
    json_object_set_new(o, "note",
                        json_string("seeded weights and input (seed 1); mode public: the "
                                    "verifier evaluates the weights, advice committed in the "
                                    "proof; public-clear-advice: the advice packed in the clear; "
                                    "committed: weights in a model commitment (commit_s, "
                                    "zkc_bytes), the verifier reads the .zkc (counted in "
                                    "verify_s and verify_commit_s); prove_s = witness_s + "
                                    "proof_s, of which prove_commit_s commits and opens; "
                                    "verify_s counts the evaluation of public weights "
                                    "(weights_eval_s); argument_bytes = proof_bytes - clear "
                                    "advice - output - input; setup_s (parse, lay out, seed and "
                                    "quantize the weights) is not in prove_s; verify times are medians over "
                                    "verify_runs verifications (with committed weights each "
                                    "proof is verified 7 times)"));
    if (wl->zkcnn) {
        const anchor *a = wl->zkcnn;
        set_real(o, "zkcnn_prove_s", a->prove_lo);
        set_real(o, "zkcnn_prove_s_max", a->prove_hi);
        set_real(o, "zkcnn_verify_s", a->verify);
        set_real(o, "zkcnn_verify_s_max", a->verify_hi);
        set_real(o, "zkcnn_verify_uncounted_s", a->verify_uncounted);
        set_real(o, "zkcnn_proof_kb", a->proof_kb);
        set_int(o, "zkcnn_proof_bytes", a->proof_kb * 1000);
        set_int(o, "zkcnn_peak_rss_bytes", a->peak_rss);
        json_object_set_new(o, "anchor", json_string(a->note));
    }
    bench_emit(o);

    char shown[64];
    snprintf(shown, sizeof shown, n > 1 ? "median of %d" : "%d run", n);
    if (nv != n)
        snprintf(shown + strlen(shown), sizeof shown - strlen(shown), " (verify: median of %d)",
                 nv);
    fprintf(stderr,
            "%-8s %-19s %d thr  prove %7.3f s (witness %.3f)  verify %7.3f s (weights %.3f)  "
            "proof %zu B (argument %.0f B)  peak %.0f MiB  %s\n",
            wl->name, wl->mode, wl->threads, res->prove_s, res->witness_s, res->verify_s,
            res->weights_s, ps.proof_bytes, res->argument_bytes, res->peak_rss / 1048576, shown);
done:
    zkm_qinputs_free(&q);
    zkm_net_free(net);
    zkm_model_free(m);
    return st ? 1 : 0;
}

static void check_line(const char *what, const char *target, int ok, const char *fmt, double v)
{
    char got[64];
    snprintf(got, sizeof got, fmt, v);
    fprintf(stderr, "  %-52s %-10s %-14s %s\n", what, target, got, ok ? "met" : "NOT MET");
}

static void summary(const result *r)
{
    const result *le = &r[W_LENET], *lc = &r[W_LENET_CLEAR], *vg = &r[W_VGG],
                 *vc = &r[W_VGG_COM], *lm = &r[W_LENET_COM], *lz = &r[W_LENET_ZK],
                 *vz = &r[W_VGG_ZK];
    fprintf(stderr, "\ntargets (seeded weights, 8 bits):\n");
    fprintf(stderr, "  %-52s %-10s %-14s %s\n", "", "target", "measured", "");
    if (le->done)
        check_line("LeNet-5 prove, public weights, 1 thread", "< 0.2 s", le->prove_s < 0.2,
                   "%.3f s", le->prove_s);
    if (lc->done)
        check_line("  the same with the advice in the clear", "< 0.2 s", lc->prove_s < 0.2,
                   "%.3f s", lc->prove_s);
    const result *lk = &r[W_LENET_LOOKUP];
    if (le->done && lk->done) /* no target: the trade-off, reported */
        fprintf(stderr, "  LeNet-5 range checks by lookup (limb 8) / by bits: prove %.2fx, "
                "verify %.2fx, proof %.2fx\n", lk->prove_s / le->prove_s,
                lk->verify_s / le->verify_s, lk->proof_bytes / le->proof_bytes);
    if (vg->done) {
        check_line("VGG-16 prove, public weights, 1 thread", "< 20 s", vg->prove_s < 20,
                   "%.2f s", vg->prove_s);
        check_line("VGG-16 peak memory (prove + verify)", "< 4 GiB",
                   vg->peak_rss < 4294967296.0, "%.2f GiB", vg->peak_rss / 1073741824.0);
        check_line("VGG-16 verify, public weights' eval excluded", "< 100 ms",
                   vg->verify_excl_s < 0.1, "%.1f ms", vg->verify_excl_s * 1e3);
        check_line("VGG-16 proof, public weights (whole file)", "< 350 KB",
                   vg->proof_bytes < 350e3, "%.1f KB", vg->proof_bytes / 1e3);
    }
    if (vc->done) {
        check_line("VGG-16 prove, committed weights, 2 threads", "< 10 s", vc->prove_s < 10,
                   "%.2f s", vc->prove_s);
        check_line("VGG-16 verify, committed weights (all of it)", "< 60 ms",
                   vc->verify_s < 0.06, "%.1f ms", vc->verify_s * 1e3);
        check_line("VGG-16 proof, committed weights", "< 341 KB", vc->proof_bytes < 341e3,
                   "%.1f KB", vc->proof_bytes / 1e3);
        fprintf(stderr, "  (VGG-16 model commitment: %.2f s, once per model)\n", vc->commit_s);
    }
    /* zero knowledge against committed mode, same weights and threads */
    const result *pair[2][2] = {{lm, lz}, {vc, vz}};
    const char *pname[2] = {"LeNet-5", "VGG-16"};
    for (int k = 0; k < 2; k++) {
        const result *a = pair[k][0], *z = pair[k][1];
        if (!a->done || !z->done)
            continue;
        char what[64];
        snprintf(what, sizeof what, "%s --zk prove / committed prove", pname[k]);
        check_line(what, "< 1.5x", z->prove_s < 1.5 * a->prove_s, "%.2fx",
                   z->prove_s / a->prove_s);
        snprintf(what, sizeof what, "%s --zk verify / committed verify", pname[k]);
        check_line(what, "< 1.5x", z->verify_s < 1.5 * a->verify_s, "%.2fx",
                   z->verify_s / a->verify_s);
        snprintf(what, sizeof what, "%s --zk proof / committed proof", pname[k]);
        check_line(what, "< 1.5x", z->proof_bytes < 1.5 * a->proof_bytes, "%.2fx",
                   (double)z->proof_bytes / (double)a->proof_bytes);
    }
    fprintf(stderr,
            "  (KB = 1000 bytes.  zkCNN on VGG-16 here: prove 77.7-78.3 s,\n   verify 100 ms "
            "+ 25 s uncounted, proof 341.1 KB, peak 12.3 GiB)\n");
}

typedef struct {
    const workload *wl;
    result *res;
} child;

static int run_child(void *arg)
{
    const child *c = arg;
    return run(c->wl, c->res);
}

void bench_net(void)
{
    result *res = mmap(NULL, N_WORKLOADS * sizeof *res, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED) {
        perror("zkm-bench: mmap");
        return;
    }
    memset(res, 0, N_WORKLOADS * sizeof *res);
    for (size_t i = 0; i < N_WORKLOADS; i++) {
        child c = {&workloads[i], &res[i]};
        bench_in_child(workloads[i].name, run_child, &c);
    }
    summary(res);
    munmap(res, N_WORKLOADS * sizeof *res);
}
