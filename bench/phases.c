/* Where volpass's time goes, in one process: libyaml's parser alone and its
 * parse-and-emit round trip (the floor's work) on the input; volpass's three
 * phases (load, rewrite, emit, the last into a sink that only counts); then
 * the same two libyaml passes over volpass's output, whose difference is
 * what emitting the output alone costs. Prints one line of name=value pairs
 * for bench/run.py.
 *
 *     bench-phases FILE VOLUME
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "roundtrip.h"
#include "volpass.h"

typedef struct text {
    unsigned char *data;
    size_t len, cap;
} text;

static int keep(const char *data, size_t len, void *ctx)
{
    text *t = ctx;
    if (t->len + len > t->cap) {
        size_t cap = (t->len + len) * 2;
        unsigned char *bigger = realloc(t->data, cap);
        if (!bigger)
            return -1;
        t->data = bigger;
        t->cap = cap;
    }
    memcpy(t->data + t->len, data, len);
    t->len += len;
    return 0;
}

static int count(const char *data, size_t len, void *ctx)
{
    (void)data;
    *(size_t *)ctx += len;
    return 0;
}

static int discard(void *ctx, unsigned char *buffer, size_t size)
{
    (void)ctx;
    (void)buffer;
    (void)size;
    return 1;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Seconds that libyaml takes to parse `data`, and to emit it too when `emit`. */
static double libyaml_pass(const unsigned char *data, size_t len, bool emit, const char *name)
{
    yaml_emitter_t em;
    if (emit && emitter_init(&em) != 0)
        exit(7);
    if (emit)
        yaml_emitter_set_output(&em, discard, NULL);
    double start = now();
    if (round_trip(data, len, emit ? &em : NULL, name) != 0)
        exit(3);
    double took = now() - start;
    if (emit)
        yaml_emitter_delete(&em);
    return took;
}

static void check(vp_status status, vp_error *err)
{
    if (status != VP_OK) {
        fprintf(stderr, "bench-phases: %s\n", err ? vp_error_message(err) : "failed");
        exit((int)status);
    }
}

int main(int argc, char **argv)
{
    size_t len;
    unsigned char *data = map_input(argc, argv, 3, "bench-phases FILE VOLUME", &len);
    double parse_in = libyaml_pass(data, len, false, argv[1]);
    double round_trip_in = libyaml_pass(data, len, true, argv[1]);

    vp_stream *s = NULL;
    vp_error *err = NULL;
    vp_load_options load = VP_LOAD_OPTIONS_INIT;
    vp_rewrite_options rewrite = VP_REWRITE_OPTIONS_INIT;
    rewrite.volume = argv[2];
    text out = {NULL, 0, 0};
    double t0 = now();
    check(vp_stream_load(&s, (const char *)data, len, &load, &err), err);
    double t1 = now();
    check(vp_rewrite(s, &rewrite, &err), err);
    double t2 = now();
    check(vp_stream_emit(s, VP_FORMAT_AUTO, count, &out.len, &err), err);
    double t3 = now();
    out.len = 0; /* again, into memory, to time libyaml on the output */
    check(vp_stream_emit(s, VP_FORMAT_AUTO, keep, &out, &err), err);
    vp_stream_free(s);

    double parse_out = libyaml_pass(out.data, out.len, false, "output");
    double round_trip_out = libyaml_pass(out.data, out.len, true, "output");
    printf("parse_in=%.4f round_trip_in=%.4f load=%.4f rewrite=%.4f emit=%.4f parse_out=%.4f "
           "round_trip_out=%.4f in_bytes=%zu out_bytes=%zu\n",
           parse_in, round_trip_in, t1 - t0, t2 - t1, t3 - t2, parse_out, round_trip_out, len, out.len);
    free(out.data);
    munmap(data, len);
    return 0;
}
