/* zkm compile: lower a model to its circuit and print the circuit's size,
 * per node and in total.  The circuit depends only on the model and the
 * bit-width, never on the weights, so none are needed. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "circuit.h"
#include "cli.h"
#include "load.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm compile MODEL.zkm [--bits B] [--range bits|lookup [--limb L]] [--json]\n\n"
            "Lower a model to its layered arithmetic circuit and print its size: per node,\n"
            "the circuit layers it lowers to, their operations (gates, multiplies), the\n"
            "advice it needs (values and bits: range-check bits, max-pool maxima) and its\n"
            "public values (weights); then the totals, the layers by kind and the circuit\n"
            "digest that every proof of this model at this bit-width carries.\n\n"
            "options:\n"
            "  --bits B          re-target every format to B bits (2..32), keeping its\n"
            "                    integer bits\n"
            CLI_HELP_RANGE
            "  --json            print one JSON object on stdout instead of the table\n");
}

static const cli_spec spec = {
    .cmd = "compile",
    .accept = CLI_OPT_BITS | CLI_OPT_JSON | CLI_OPT_RANGE,
    .n_pos = 1,
    .pos_name = {"MODEL.zkm"},
    .help = help,
};

typedef struct {
    uint32_t layers;
    uint32_t by_kind[GKR_KIND_COUNT];
    uint64_t ops, advice_values, advice_bits, public_values;
    char digest[2 * GKR_DIGEST_BYTES + 1];
} totals;

static void sum_up(const zkm_net *net, totals *t)
{
    const zkm_model *m = zkm_net_model(net);
    const gkr_circuit *c = zkm_net_circuit(net);
    const zkm_node_stats *s = zkm_net_stats(net);
    uint8_t d[GKR_DIGEST_BYTES];
    memset(t, 0, sizeof *t);
    t->layers = c->n_layers;
    for (uint32_t i = 0; i < c->n_layers; i++) {
        if (c->layers[i].kind < GKR_KIND_COUNT)
            t->by_kind[c->layers[i].kind]++;
        t->ops += gkr_layer_ops(&c->layers[i]);
    }
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        t->advice_values += s[i].advice_values;
        t->advice_bits += s[i].advice_bits;
        t->public_values += s[i].public_values;
    }
    gkr_circuit_digest(c, d);
    for (unsigned i = 0; i < GKR_DIGEST_BYTES; i++)
        snprintf(t->digest + 2 * i, 3, "%02x", d[i]);
}

static void print_table(const zkm_net *net, const totals *t)
{
    const zkm_model *m = zkm_net_model(net);
    const zkm_node_stats *s = zkm_net_stats(net);
    char b[5][32];
    int wi = snprintf(NULL, 0, "%u", m->n_nodes), wn = 4;
    for (uint32_t i = 0; i < m->n_nodes; i++)
        if ((int)strlen(m->nodes[i].name) > wn)
            wn = (int)strlen(m->nodes[i].name);
    printf("model %s at %u bits\n\n", m->name, m->act.bits);
    printf("  %*s  %-*s  %-9s  %6s  %15s  %13s  %15s  %13s\n", wi, "#", wn, "node", "op", "layers",
           "ops", "advice values", "advice bits", "public values");
    for (uint32_t i = 0; i < m->n_nodes; i++)
        printf("  %*u  %-*s  %-9s  %6u  %15s  %13s  %15s  %13s\n", wi, i, wn, m->nodes[i].name,
               zkm_op_name(m->nodes[i].op), s[i].layers, cli_count(b[0], 32, s[i].ops),
               cli_count(b[1], 32, s[i].advice_values), cli_count(b[2], 32, s[i].advice_bits),
               cli_count(b[3], 32, s[i].public_values));
    printf("\ncircuit: %u layers (", t->layers);
    for (int k = 0; k < GKR_KIND_COUNT; k++)
        printf("%s%s %u", k ? ", " : "", gkr_kind_name((gkr_kind)k), t->by_kind[k]);
    printf("), %s operations\n", cli_count(b[0], 32, t->ops));
    printf("advice:  %s values, %s bits (%s packed in each proof)\n",
           cli_count(b[1], 32, t->advice_values), cli_count(b[2], 32, t->advice_bits),
           cli_bytes(b[3], 32, (double)((t->advice_bits + 7) / 8)));
    printf("public:  %s values (weights and constants the verifier evaluates)\n",
           cli_count(b[4], 32, t->public_values));
    printf("digest:  %s\n", t->digest);
}

static json_t *node_json(const zkm_model *m, const zkm_node_stats *s, uint32_t i)
{
    json_t *j = json_object();
    int bad = 0;
    bad |= json_object_set_new(j, "name", json_string(m->nodes[i].name));
    bad |= json_object_set_new(j, "op", json_string(zkm_op_name(m->nodes[i].op)));
    bad |= json_object_set_new(j, "layers", json_integer(s[i].layers));
    bad |= json_object_set_new(j, "ops", json_integer((json_int_t)s[i].ops));
    bad |= json_object_set_new(j, "advice_values", json_integer((json_int_t)s[i].advice_values));
    bad |= json_object_set_new(j, "advice_bits", json_integer((json_int_t)s[i].advice_bits));
    bad |= json_object_set_new(j, "public_values", json_integer((json_int_t)s[i].public_values));
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int print_json(const zkm_net *net, const totals *t)
{
    const zkm_model *m = zkm_net_model(net);
    const zkm_node_stats *s = zkm_net_stats(net);
    json_t *o = json_object(), *kinds = json_object(), *nodes = json_array();
    int bad = 0;
    bad |= json_object_set_new(o, "model", json_string(m->name));
    bad |= json_object_set_new(o, "bits", json_integer(m->act.bits));
    bad |= json_object_set_new(o, "layers", json_integer(t->layers));
    for (int k = 0; k < GKR_KIND_COUNT; k++)
        bad |= json_object_set_new(kinds, gkr_kind_name((gkr_kind)k), json_integer(t->by_kind[k]));
    bad |= json_object_set_new(o, "layers_by_kind", kinds);
    bad |= json_object_set_new(o, "ops", json_integer((json_int_t)t->ops));
    bad |= json_object_set_new(o, "advice_values", json_integer((json_int_t)t->advice_values));
    bad |= json_object_set_new(o, "advice_bits", json_integer((json_int_t)t->advice_bits));
    bad |= json_object_set_new(o, "public_values", json_integer((json_int_t)t->public_values));
    bad |= json_object_set_new(o, "digest", json_string(t->digest));
    for (uint32_t i = 0; i < m->n_nodes && !bad; i++)
        bad |= json_array_append_new(nodes, node_json(m, s, i));
    bad |= json_object_set_new(o, "nodes", nodes);
    return cli_json_print("compile", o, bad);
}

int cmd_compile(int argc, char **argv)
{
    cli_args a;
    cli_ctx c;
    totals t;
    int rc = cli_args_parse(&spec, argc, argv, &a);
    if (rc >= 0)
        return rc;
    rc = cli_open("compile", &a, CLI_NEED_NET, &c);
    if (!rc) {
        sum_up(c.net, &t);
        if (a.json)
            rc = print_json(c.net, &t);
        else
            print_table(c.net, &t);
    }
    cli_close(&c);
    return rc;
}
