/* The zkm_net structure and the functions net.c shares with quant.c. */
#ifndef ZKM_NET_IMPL_H
#define ZKM_NET_IMPL_H

#include "hyrax.h"
#include "lower.h"

struct zkm_net {
    const zkm_model *m;
    lw_node *nodes;
    lw_builder b;           /* layers moved into c by lw_finish; meta stays   */
    gkr_circuit c;          /* gkr order: c.layers[final_of[id]]            */
    uint32_t *final_of;     /* builder id -> gkr index                      */
    uint32_t out_id;        /* builder id of the output layer                */
    uint32_t out_node;      /* node whose frame the output layer holds       */
    zkm_node_stats *stats;
    struct zkm_qweights qw;
    bool have_weights;
    uint8_t (*wdigest)[2][32]; /* per node: its weights' and bias's digests   */
    double wdigest_s;          /* time spent computing them (the verifier's)  */
    uint8_t digest[GKR_DIGEST_BYTES]; /* of the circuit in the current mode */
    unsigned mode;             /* ZKM_NET_* flags                             */
    int threads;
    /* the model commitment (ZKM_NET_COMMITTED_WEIGHTS), by gkr index: the
     * weight and bias layers' commitments (wcom NULL: none made or loaded),
     * and the prover's row blindings derived from its key (have_key) */
    hyrax_com *wcom;
    fr **wblinds;
    bool have_key;
    uint8_t com_circuit_digest[GKR_DIGEST_BYTES]; /* of the committed-weights mode */
    uint8_t key_wdigest[32];   /* the weights the key was made for          */
    uint8_t zkc_digest[32];    /* BLAKE2b-256 of the .zkc made or loaded    */
    double com_load_s;         /* reading the .zkc (the verifier's work)    */
};

zkm_status lw_quantize_weights(const zkm_model *m, const zkm_tensor_set *w,
                               struct zkm_qweights *out, char **report, zkm_err *e);
void lw_qweights_free(struct zkm_qweights *q);
zkm_status lw_seeded_weights(const zkm_model *m, uint64_t seed, zkm_tensor_set *out, zkm_err *e);
zkm_status lw_seeded_inputs(const zkm_model *m, uint64_t seed, zkm_tensor_set *out, zkm_err *e);
/* The tensor for model input k: by name, or the only tensor of a set for a
 * model of one input. */
const zkm_tensor *lw_input_tensor(const zkm_model *m, uint32_t k, const zkm_tensor_set *in);
zkm_status lw_quantize_inputs(const zkm_model *m, const zkm_tensor_set *in, zkm_qinputs *out,
                              zkm_err *e);

#endif
