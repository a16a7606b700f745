/* zkm check: parse and check a model; print its nodes and totals.  Needs
 * only the language front end (no circuit, no weights). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "load.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm check MODEL.zkm [--bits B] [--json]\n\n"
            "Parse and check a model file; print each node (name, operation, output shape,\n"
            "quantization format, parameters, multiply-accumulates) and the totals.\n"
            "Errors are printed as FILE:LINE:COL: error: ... with the line and a caret.\n\n"
            "options:\n"
            "  --bits B  re-target every format to B bits (2..32), keeping its integer bits\n"
            "  --json    print one JSON object on stdout instead of the table\n");
}

static const cli_spec spec = {
    .cmd = "check",
    .accept = CLI_OPT_BITS | CLI_OPT_JSON,
    .n_pos = 1,
    .pos_name = {"MODEL.zkm"},
    .help = help,
};

typedef struct {
    char describe[256], shape[64], format[32], params[32], macs[32];
} node_text;

static void node_strings(const zkm_model *m, uint32_t i, node_text *t)
{
    const zkm_node *n = &m->nodes[i];
    zkm_node_describe(m, i, t->describe, sizeof t->describe);
    zkm_shape_str(&n->shape, t->shape, sizeof t->shape);
    zkm_qfmt_str(n->fmt, t->format, sizeof t->format);
    cli_count(t->params, sizeof t->params, n->params);
    cli_count(t->macs, sizeof t->macs, n->macs);
}

static int max_int(int a, size_t b)
{
    return (size_t)a > b ? a : (int)b;
}

static void print_table(const zkm_model *m)
{
    node_text t;
    char a[32], w[32], p[32], q[32];
    int wi = snprintf(NULL, 0, "%u", m->n_nodes), wn = 4, wd = 9, ws = 5, wf = 6, wp = 6, wm = 4;
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        node_strings(m, i, &t);
        wn = max_int(wn, strlen(m->nodes[i].name));
        wd = max_int(wd, strlen(t.describe));
        ws = max_int(ws, strlen(t.shape));
        wf = max_int(wf, strlen(t.format));
        wp = max_int(wp, strlen(t.params));
        wm = max_int(wm, strlen(t.macs));
    }
    zkm_qfmt_str(m->act, a, sizeof a);
    zkm_qfmt_str(m->weights, w, sizeof w);
    printf("model %s (%s): %u nodes, %u input%s, activations %s, weights %s\n\n", m->name,
           m->path, m->n_nodes, m->n_inputs, m->n_inputs == 1 ? "" : "s", a, w);
    printf("  %*s  %-*s  %-*s  %-*s  %-*s  %*s  %*s\n", wi, "#", wn, "name", wd, "operation", ws,
           "shape", wf, "format", wp, "params", wm, "MACs");
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        node_strings(m, i, &t);
        printf("  %*u  %-*s  %-*s  %-*s  %-*s  %*s  %*s\n", wi, i, wn, m->nodes[i].name, wd,
               t.describe, ws, t.shape, wf, t.format, wp, t.params, wm, t.macs);
    }
    printf("\ntotal: %s parameters, %s MACs; output %s\n", cli_count(p, sizeof p, m->params),
           cli_count(q, sizeof q, m->macs), m->nodes[m->output].name);
}

static json_t *shape_json(const zkm_shape *s)
{
    json_t *arr = json_array();
    for (uint32_t d = 0; arr && d < s->rank; d++)
        if (json_array_append_new(arr, json_integer(s->dim[d]))) {
            json_decref(arr);
            return NULL;
        }
    return arr;
}

static int print_json(const zkm_model *m)
{
    json_t *o = json_object(), *nodes = json_array();
    int bad = 0;
    node_text t;
    bad |= json_object_set_new(o, "model", json_string(m->name));
    for (uint32_t i = 0; i < m->n_nodes && !bad; i++) {
        const zkm_node *n = &m->nodes[i];
        json_t *j = json_object();
        node_strings(m, i, &t);
        bad |= json_object_set_new(j, "name", json_string(n->name));
        bad |= json_object_set_new(j, "op", json_string(zkm_op_name(n->op)));
        bad |= json_object_set_new(j, "describe", json_string(t.describe));
        bad |= json_object_set_new(j, "shape", shape_json(&n->shape));
        bad |= json_object_set_new(j, "format", json_string(t.format));
        bad |= json_object_set_new(j, "params", json_integer((json_int_t)n->params));
        bad |= json_object_set_new(j, "macs", json_integer((json_int_t)n->macs));
        bad |= json_array_append_new(nodes, j);
    }
    bad |= json_object_set_new(o, "nodes", nodes);
    bad |= json_object_set_new(o, "params", json_integer((json_int_t)m->params));
    bad |= json_object_set_new(o, "macs", json_integer((json_int_t)m->macs));
    return cli_json_print("check", o, bad);
}

int cmd_check(int argc, char **argv)
{
    cli_args a;
    cli_ctx c;
    int rc = cli_args_parse(&spec, argc, argv, &a);
    if (rc >= 0)
        return rc;
    rc = cli_open("check", &a, 0, &c);
    if (!rc) {
        if (a.json)
            rc = print_json(c.model);
        else
            print_table(c.model);
    }
    cli_close(&c);
    return rc;
}
