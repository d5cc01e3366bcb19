/* The --volume option: any text either rewrites a fixed workflow or fails
 * with an error, under every scheme; what a success writes loads again. */
#include "fuzz.h"

static const vp_scheme schemes[] = {VP_SCHEME_KFP, VP_SCHEME_VOLUME};

/* Small, but with every kind of artifact passing: container and script
 * outputs and inputs, a dag task and a step passing them along. */
static const char workflow[] =
    "apiVersion: argoproj.io/v1alpha1\n"
    "kind: Workflow\n"
    "metadata: {generateName: passing-}\n"
    "spec:\n"
    "  entrypoint: main\n"
    "  templates:\n"
    "  - name: main\n"
    "    dag:\n"
    "      tasks:\n"
    "      - {name: make, template: make}\n"
    "      - name: use\n"
    "        template: use\n"
    "        dependencies: [make]\n"
    "        arguments:\n"
    "          artifacts: [{name: in, from: \"{{tasks.make.outputs.artifacts.out}}\"}]\n"
    "  - name: steps\n"
    "    steps:\n"
    "    - - {name: make, template: make}\n"
    "    - - name: use\n"
    "        template: use\n"
    "        arguments: {artifacts: [{name: in, from: \"{{steps.make.outputs.artifacts.out}}\"}]}\n"
    "  - name: make\n"
    "    container: {image: alpine, command: [sh, -c, echo hi > /tmp/out.txt]}\n"
    "    outputs: {artifacts: [{name: out, path: /tmp/out.txt}]}\n"
    "  - name: use\n"
    "    inputs:\n"
    "      artifacts: [{name: in, path: /in/out.txt}]\n"
    "    script: {image: alpine, command: [sh], source: cat /in/out.txt}\n";

static void rewrite_with(vp_scheme scheme, const char *volume)
{
    vp_stream *s = NULL;
    vp_error *err = NULL;
    vp_status st = vp_stream_load(&s, workflow, sizeof workflow - 1, NULL, &err);
    if (st != VP_OK)
        fuzz_fail("the fixed workflow does not load", err, NULL);
    vp_rewrite_options ro = VP_REWRITE_OPTIONS_INIT;
    ro.scheme = scheme;
    ro.volume = volume;
    st = vp_rewrite(s, &ro, &err);
    fuzz_check_error(st, err);
    if (st == VP_OK) {
        fuzz_buf out;
        fuzz_emit(s, VP_FORMAT_YAML, &out);
        vp_stream_free(fuzz_reload(&out));
        fuzz_buf_free(&out);
        fuzz_emit(s, VP_FORMAT_JSON, &out);
        fuzz_reload_json(&out, 1);
        fuzz_buf_free(&out);
    }
    vp_stream_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *volume = malloc(size + 1);
    if (!volume)
        return 0;
    memcpy(volume, data, size);
    volume[size] = '\0';
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        rewrite_with(schemes[i], volume);
    free(volume);
    return 0;
}
