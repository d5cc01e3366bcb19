/* Rewriting: any document either rewrites or fails with an error, under
 * every scheme; what a rewrite writes, as YAML and as JSON, loads again. */
#include "fuzz.h"

/* One line per scheme: each input is rewritten by each of them. */
static const vp_scheme schemes[] = {
    VP_SCHEME_KFP,
};

static const char volume[] = "persistentVolumeClaim: {claimName: fuzz-pvc}";

static void emit_and_reload(const vp_stream *s, vp_format format)
{
    fuzz_buf out;
    fuzz_emit(s, format, &out);
    if (format == VP_FORMAT_JSON)
        fuzz_reload_json(&out, vp_stream_document_count(s));
    else
        vp_stream_free(fuzz_reload(&out));
    fuzz_buf_free(&out);
}

static void rewrite_with(vp_scheme scheme, const uint8_t *data, size_t size)
{
    vp_load_options lo = VP_LOAD_OPTIONS_INIT;
    lo.filename = "fuzz";
    lo.max_depth = 200;
    lo.max_alias_nodes = 20000;
    vp_stream *s = NULL;
    vp_error *err = NULL;
    vp_status st = vp_stream_load(&s, (const char *)data, size, &lo, &err);
    fuzz_check_error(st, err);
    if (st != VP_OK)
        return;
    vp_rewrite_options ro = VP_REWRITE_OPTIONS_INIT;
    ro.scheme = scheme;
    ro.volume = volume;
    err = NULL;
    st = vp_rewrite(s, &ro, &err);
    fuzz_check_error(st, err);
    if (st == VP_OK) {
        emit_and_reload(s, VP_FORMAT_YAML);
        emit_and_reload(s, VP_FORMAT_JSON);
    }
    vp_stream_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        rewrite_with(schemes[i], data, size);
    return 0;
}
