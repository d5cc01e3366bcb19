/* Rewriting through the library: a refused rewrite leaves the stream as it
 * was, twins of dag and steps templates made on the way included. */
#include <stdlib.h>

#include "unit.h"

/* A workflow whose `subs` dag templates are each called with a volume
 * location and with a constant: each needs a twin (graph_twin.h). */
static char *twin_workflow(int subs)
{
    size_t cap = 4096 + (size_t)subs * 512, n = 0;
    char *t = malloc(cap);
    if (!t)
        return NULL;
    n += (size_t)snprintf(t + n, cap - n, "kind: Workflow\nspec:\n  entrypoint: main\n  templates:\n"
                          "  - name: main\n    dag:\n      tasks:\n      - {name: make, template: make}\n");
    for (int i = 0; i < subs; i++)
        n += (size_t)snprintf(t + n, cap - n,
                              "      - {name: v%d, template: sub%d, depends: make, arguments: {artifacts: "
                              "[{name: d, from: '{{tasks.make.outputs.artifacts.out}}'}]}}\n"
                              "      - {name: c%d, template: sub%d, arguments: {artifacts: [{name: d, raw: {data: x}}]}}\n",
                              i, i, i, i);
    for (int i = 0; i < subs; i++)
        n += (size_t)snprintf(t + n, cap - n,
                              "  - name: sub%d\n    inputs: {artifacts: [{name: d}]}\n    dag:\n      tasks:\n"
                              "      - {name: r, template: read, arguments: {artifacts: [{name: d, from: "
                              "'{{inputs.artifacts.d}}'}]}}\n", i);
    snprintf(t + n, cap - n, "  - name: make\n    container: {image: busybox}\n"
             "    outputs: {artifacts: [{name: out, path: /tmp/o/d}]}\n"
             "  - name: read\n    inputs: {artifacts: [{name: d, path: /in/d}]}\n    container: {image: busybox}\n");
    return t;
}

/* Rewrites the workflow of `subs` twins; checks the status, and that a
 * refusal leaves the stream emitting what it did before. */
static void rewrite_twins(int subs, vp_status want)
{
    char *text = twin_workflow(subs);
    vp_error *err = NULL;
    vp_stream *s = text ? load_text(text, &err) : NULL;
    char *before = s ? emit_text(s, VP_FORMAT_YAML) : NULL;
    CHECK(before != NULL);
    vp_rewrite_options o = VP_REWRITE_OPTIONS_INIT;
    o.volume = "persistentVolumeClaim: {claimName: pvc}";
    CHECK(s && vp_rewrite(s, &o, &err) == want);
    char *after = s ? emit_text(s, VP_FORMAT_YAML) : NULL;
    CHECK(after != NULL);
    if (want == VP_OK) {
        CHECK(after && strstr(after, "sub0-constant") && err == NULL);
    } else {
        CHECK(err && strstr(vp_error_message(err), "volpass makes at most 16 twins of dag and steps templates"));
        CHECK(before && after && strcmp(before, after) == 0);
    }
    vp_error_free(err);
    free(after);
    free(before);
    vp_stream_free(s);
    free(text);
}

void test_rewrite(void)
{
    rewrite_twins(16, VP_OK);
    rewrite_twins(17, VP_EUNSUPPORTED);
}
