/* What the fuzz targets share: an output buffer for vp_stream_emit, and the
 * checks that turn a broken promise of the library into a crash libFuzzer
 * (or the regression driver) reports. Only the public API is used. */
#ifndef VP_FUZZ_H
#define VP_FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "volpass.h"

/* libFuzzer's entry point; driver.c calls it without libFuzzer. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fuzz_buf {
    char *data;
    size_t len, cap;
    bool refused; /* JSON that would hold two keys Kubernetes reads as one */
} fuzz_buf;

static inline int fuzz_buf_write(const char *data, size_t len, void *ctx)
{
    fuzz_buf *b = ctx;
    if (b->cap - b->len < len) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < len)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return 1;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

static inline void fuzz_buf_free(fuzz_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* A library promise did not hold: print why, then crash so it is recorded. */
static inline void fuzz_fail(const char *what, const vp_error *err, const fuzz_buf *text)
{
    fprintf(stderr, "FUZZ CHECK FAILED: %s\n", what);
    if (err)
        fprintf(stderr, "  error: %s:%lu:%lu: %s\n", vp_error_file(err), vp_error_line(err),
                vp_error_column(err), vp_error_message(err));
    if (text) /* the start is enough to see what went wrong */
        fprintf(stderr, "  text (%zu bytes):\n%.*s\n", text->len,
                (int)(text->len < 4000 ? text->len : 4000), text->data);
    abort();
}

/* A failed call must say why: a status without an error object is a bug. */
static inline void fuzz_check_error(vp_status st, vp_error *err)
{
    if (st != VP_OK && (!err || vp_error_status(err) != st || !vp_error_message(err)))
        fuzz_fail("a call failed without a matching error object", err, NULL);
    vp_error_free(err);
}

/* Emits `s` as `format`; the text goes to *out (which the caller frees).
 * Emitting into memory can fail only when memory runs out, or, as JSON,
 * when two keys of a mapping would be one to Kubernetes (y and on), or one
 * would be null. */
static inline void fuzz_emit(const vp_stream *s, vp_format format, fuzz_buf *out)
{
    vp_error *err = NULL;
    memset(out, 0, sizeof *out);
    vp_status st = vp_stream_emit(s, format, fuzz_buf_write, out, &err);
    out->refused = st == VP_EINVALID && format == VP_FORMAT_JSON && out->len == 0 &&
                   strstr(vp_error_message(err), "JSON cannot hold");
    if (st != VP_OK && st != VP_ENOMEM && !out->refused)
        fuzz_fail("emitting a loaded stream failed", err, NULL);
    fuzz_check_error(st, err);
}

/* Text volpass wrote must load again, with the default limits (output can
 * be larger than its input, and aliases are already expanded). */
static inline vp_stream *fuzz_reload(const fuzz_buf *text)
{
    vp_stream *s = NULL;
    vp_error *err = NULL;
    vp_status st = vp_stream_load(&s, text->data ? text->data : "", text->len, NULL, &err);
    if (st != VP_OK && st != VP_ENOMEM)
        fuzz_fail("volpass cannot read back what it wrote", err, text);
    fuzz_check_error(st, err);
    return s;
}

/* YAML (and so libyaml) takes a key only when it spans at most 1024
 * characters: JSON with a longer key is valid, but volpass cannot read it.
 * Our JSON has each key at the start of a line; this finds one of more
 * than 1000 bytes (so surely fewer characters are fine). */
static inline int fuzz_json_long_key(const fuzz_buf *json)
{
    const char *t = json->data;
    for (size_t i = 0; i < json->len; i++) {
        while (i < json->len && t[i] == ' ')
            i++;
        if (i < json->len && t[i] == '"') {
            size_t start = i++;
            while (i < json->len && t[i] != '"')
                i += t[i] == '\\' ? 2 : 1;
            if (i + 1 < json->len && t[i + 1] == ':' && i - start > 1000)
                return 1;
        }
        while (i < json->len && t[i] != '\n')
            i++;
    }
    return 0;
}

/* JSON documents follow one another without "---"; volpass reads such a
 * stream as JSON only when it starts with '{' or '[' (else it is YAML, where
 * that is an error), so a JSON stream starting with a scalar must have one
 * document to be read back. */
static inline void fuzz_reload_json(const fuzz_buf *json, size_t ndocs)
{
    if (json->refused || fuzz_json_long_key(json))
        return;
    if (ndocs <= 1 || (json->len && (json->data[0] == '{' || json->data[0] == '[')))
        vp_stream_free(fuzz_reload(json));
}

#endif
