#include <stdlib.h>

#include "unit.h"

int unit_checks_failed;
int unit_checks_passed;

int text_buf_write(const char *data, size_t len, void *ctx)
{
    text_buf *b = ctx;
    if (b->len + len + 1 > b->cap) {
        size_t cap = (b->len + len + 1) * 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

vp_stream *load_text(const char *text, vp_error **err)
{
    vp_load_options opts = VP_LOAD_OPTIONS_INIT;
    opts.filename = "t.yaml";
    vp_stream *s = NULL;
    vp_stream_load(&s, text, strlen(text), &opts, err);
    return s;
}

char *emit_text(const vp_stream *s, vp_format format)
{
    text_buf b = {NULL, 0, 0};
    text_buf_write("", 0, &b);
    if (vp_stream_emit(s, format, text_buf_write, &b, NULL) != VP_OK) {
        free(b.data);
        return NULL;
    }
    return b.data;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: unit-tests CORPUS_DIR [DIR...]\n");
        return 2;
    }
    test_model();
    test_load();
    test_emit();
    test_refs();
    test_paths();
    test_rewrite();
    test_corpus(argv[1]);
    test_halves(argv + 1, argc - 1);
    printf("unit: %d passed, %d failed\n", unit_checks_passed, unit_checks_failed);
    return unit_checks_failed ? 1 : 0;
}
