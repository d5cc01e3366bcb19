/* Rewriting: any document either rewrites or fails with an error, under
 * every scheme; what a rewrite writes, as YAML and as JSON, loads again;
 * the verifier runs on the original and the reloaded rewrite, and finds no
 * hand-off that the volume scheme broke. (Not its "problems": on an
 * original that is already broken, say an input artifact nobody supplies,
 * the rewrite's version of the fault is reported as new.) */
#include <stdbool.h>

#include "fuzz.h"

/* One line per scheme: each input is rewritten by each of them. `sound`:
 * the scheme promises every hand-off, so the verifier must agree. */
static const struct {
    vp_scheme scheme;
    bool sound;
} schemes[] = {
    {VP_SCHEME_KFP, false},
    {VP_SCHEME_VOLUME, true},
};

static const char volume[] = "persistentVolumeClaim: {claimName: fuzz-pvc}";

static vp_stream *load(const uint8_t *data, size_t size)
{
    vp_load_options lo = VP_LOAD_OPTIONS_INIT;
    lo.filename = "fuzz";
    lo.max_depth = 200;
    lo.max_alias_nodes = 20000;
    vp_stream *s = NULL;
    vp_error *err = NULL;
    vp_status st = vp_stream_load(&s, (const char *)data, size, &lo, &err);
    fuzz_check_error(st, err);
    return s;
}

static void report_to_stderr(const vp_verify_report *report)
{
    fuzz_buf text = {NULL, 0, 0, false};
    vp_error *err = NULL;
    vp_status st = vp_verify_report_write(report, VP_REPORT_TEXT, fuzz_buf_write, &text, &err);
    fuzz_check_error(st, err);
    fprintf(stderr, "%.*s\n", (int)text.len, text.data ? text.data : "");
    fuzz_buf_free(&text);
}

static void verify(const vp_stream *original, const vp_stream *rewritten, bool sound,
                   const fuzz_buf *yaml)
{
    vp_verify_report *report = NULL;
    vp_error *err = NULL;
    vp_status st = vp_verify(original, rewritten, &report, &err);
    fuzz_check_error(st, err);
    if (st != VP_OK)
        return;
    vp_verify_summary sum = vp_verify_report_summary(report);
    if (sound && sum.broken) {
        report_to_stderr(report);
        fuzz_fail("verify finds a hand-off the volume scheme broke", NULL, yaml);
    }
    vp_verify_report_free(report);
}

/* A warning is an error object of status VP_OK with a message; the
 * schemes' warnings run under the sanitizers only when someone listens. */
static void check_warning(const vp_error *w, void *ctx)
{
    (void)ctx;
    if (vp_error_status(w) != VP_OK || !vp_error_message(w) || !vp_error_message(w)[0])
        fuzz_fail("a warning without a message", w, NULL);
}

static void rewrite_with(vp_scheme scheme, bool sound, const uint8_t *data, size_t size)
{
    vp_stream *s = load(data, size);
    if (!s)
        return;
    vp_rewrite_options ro = VP_REWRITE_OPTIONS_INIT;
    ro.scheme = scheme;
    ro.volume = volume;
    ro.on_warning = check_warning;
    vp_error *err = NULL;
    vp_status st = vp_rewrite(s, &ro, &err);
    fuzz_check_error(st, err);
    if (st == VP_OK) {
        fuzz_buf yaml, json;
        fuzz_emit(s, VP_FORMAT_YAML, &yaml);
        fuzz_emit(s, VP_FORMAT_JSON, &json);
        fuzz_reload_json(&json, vp_stream_document_count(s));
        vp_stream *rewritten = fuzz_reload(&yaml);
        vp_stream *original = load(data, size);
        if (rewritten && original)
            verify(original, rewritten, sound, &yaml);
        vp_stream_free(original);
        vp_stream_free(rewritten);
        fuzz_buf_free(&yaml);
        fuzz_buf_free(&json);
    }
    vp_stream_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        rewrite_with(schemes[i].scheme, schemes[i].sound, data, size);
    return 0;
}
