/* A minimal test harness: CHECK records a failure with its location and
 * goes on; main() prints "N passed, N failed". */
#ifndef VP_UNIT_H
#define VP_UNIT_H

#include <stdio.h>
#include <string.h>

extern int unit_checks_failed;
extern int unit_checks_passed;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (cond) {                                                                      \
            unit_checks_passed++;                                                        \
        } else {                                                                         \
            unit_checks_failed++;                                                        \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
        }                                                                                \
    } while (0)

#define CHECK_STR(got, want)                                                             \
    do {                                                                                 \
        const char *g_ = (got), *w_ = (want);                                            \
        if (g_ && strcmp(g_, w_) == 0) {                                                 \
            unit_checks_passed++;                                                        \
        } else {                                                                         \
            unit_checks_failed++;                                                        \
            fprintf(stderr, "%s:%d: got\n%s\nwanted\n%s\n", __FILE__, __LINE__,          \
                    g_ ? g_ : "(null)", w_);                                             \
        }                                                                                \
    } while (0)

/* Each test file's entry point. */
void test_model(void);
void test_load(void);
void test_emit(void);
void test_refs(void);
void test_paths(void);
void test_rewrite(void);
void test_halves(char **dirs, int count); /* the corpus and other directories of documents */
void test_corpus(const char *dir);

/* Helpers shared by the test files (unit_main.c). */
#include "volpass.h"
typedef struct text_buf {
    char *data;
    size_t len, cap;
} text_buf;
int text_buf_write(const char *data, size_t len, void *ctx);
/* Loads `text` (filename "t.yaml"); returns NULL and stores the error on failure. */
vp_stream *load_text(const char *text, vp_error **err);
/* Emits in `format`; returns a malloc'd string. */
char *emit_text(const vp_stream *s, vp_format format);

#endif
