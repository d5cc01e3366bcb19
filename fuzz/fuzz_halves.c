/* Writing in halves (src/emit_halves.c): for any document, as loaded and
 * as the volume scheme rewrites it, the YAML written in two halves at once,
 * cut before each of up to 16 items of the sequence the cut goes in, is the
 * text one writer gives, byte for byte. Unlike the other targets, this one
 * reaches inside the library, through src/emit_yaml.h. */
#include <stdint.h>

#include "emit_yaml.h"
#include "fuzz.h"

#define MAX_CUTS 16

static char *written(const vp_stream *s, const split_point *sp, fuzz_buf *b)
{
    *b = (fuzz_buf){NULL, 0, 0, false};
    bool keep_styles = s->format == VP_FORMAT_YAML;
    vp_status st = sp ? emit_halves(s, keep_styles, sp, fuzz_buf_write, b, NULL, NULL)
                      : emit_yaml(s, keep_styles, SIZE_MAX, fuzz_buf_write, b, NULL);
    return st == VP_OK ? (b->data ? b->data : "") : NULL;
}

static void check_cuts(const vp_stream *s)
{
    split_point sp;
    if (!split_find(s, s->format == VP_FORMAT_YAML, 0, &sp))
        return;
    fuzz_buf whole, halves;
    bool wrote = written(s, NULL, &whole) != NULL;
    size_t n = sp.seq->len, step = n / MAX_CUTS + 1;
    for (size_t k = 1; k < n; k += step) {
        sp.item = k;
        bool same = written(s, &sp, &halves) ? wrote && halves.len == whole.len &&
                                                   memcmp(halves.data, whole.data, whole.len) == 0
                                             : !wrote; /* a failure is one either way */
        if (!same)
            fuzz_fail("the halves differ from the whole", NULL, &whole);
        fuzz_buf_free(&halves);
    }
    fuzz_buf_free(&whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int rewrite = 0; rewrite < 2; rewrite++) {
        vp_load_options lo = VP_LOAD_OPTIONS_INIT;
        lo.max_depth = 200;
        lo.max_alias_nodes = 20000;
        vp_stream *s = NULL;
        if (vp_stream_load(&s, (const char *)data, size, &lo, NULL) != VP_OK)
            return 0;
        vp_rewrite_options ro = VP_REWRITE_OPTIONS_INIT;
        ro.volume = "persistentVolumeClaim: {claimName: fuzz-pvc}";
        if (!rewrite || vp_rewrite(s, &ro, NULL) == VP_OK)
            check_cuts(s);
        vp_stream_free(s);
    }
    return 0;
}
