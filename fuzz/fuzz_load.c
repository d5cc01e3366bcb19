/* Loading and emitting: any bytes either load or fail cleanly; whatever
 * loads can be written as YAML and as JSON, both texts load again, the
 * reloaded YAML holds the same data (its JSON is the same text), and YAML
 * written from the reloaded YAML is the same text (emitting is a fixed
 * point after one round). */
#include "fuzz.h"

/* Small limits: deep or alias-bomb inputs are refused quickly instead of
 * spending the fuzzer's time on them. */
static vp_load_options load_options(void)
{
    vp_load_options o = VP_LOAD_OPTIONS_INIT;
    o.filename = "fuzz";
    o.max_depth = 200;
    o.max_alias_nodes = 20000;
    return o;
}

static void check_yaml_fixed_point(const fuzz_buf *yaml, const fuzz_buf *json)
{
    vp_stream *again = fuzz_reload(yaml);
    if (!again)
        return;
    fuzz_buf json2;
    fuzz_emit(again, VP_FORMAT_JSON, &json2);
    if (!json->refused && !json2.refused &&
        (json2.len != json->len || (json->len && memcmp(json2.data, json->data, json->len) != 0))) {
        fprintf(stderr, "YAML written (%zu bytes):\n%.*s\ninput's JSON (%zu bytes):\n%.*s\n", yaml->len,
                (int)(yaml->len < 4000 ? yaml->len : 4000), yaml->data, json->len,
                (int)(json->len < 4000 ? json->len : 4000), json->data);
        fuzz_fail("the YAML written holds other data than the input (their JSON differs)", NULL, &json2);
    }
    fuzz_buf_free(&json2);
    fuzz_buf yaml2;
    fuzz_emit(again, VP_FORMAT_YAML, &yaml2);
    if (yaml2.len != yaml->len || (yaml->len && memcmp(yaml2.data, yaml->data, yaml->len) != 0)) {
        fprintf(stderr, "first YAML (%zu bytes):\n%.*s\n", yaml->len,
                (int)(yaml->len < 4000 ? yaml->len : 4000), yaml->data);
        fuzz_fail("YAML emitted from reloaded YAML differs", NULL, &yaml2);
    }
    fuzz_buf_free(&yaml2);
    vp_stream_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_load_options opts = load_options();
    vp_stream *s = NULL;
    vp_error *err = NULL;
    vp_status st = vp_stream_load(&s, (const char *)data, size, &opts, &err);
    fuzz_check_error(st, err);
    if (st != VP_OK)
        return 0;
    fuzz_buf yaml, json;
    fuzz_emit(s, VP_FORMAT_YAML, &yaml);
    fuzz_emit(s, VP_FORMAT_JSON, &json);
    size_t ndocs = vp_stream_document_count(s);
    vp_stream_free(s);
    check_yaml_fixed_point(&yaml, &json);
    fuzz_reload_json(&json, ndocs);
    fuzz_buf_free(&yaml);
    fuzz_buf_free(&json);
    return 0;
}
