/* The verifier's report: what src/verify.c finds, src/report.c writes. */
#ifndef VP_VERIFY_H
#define VP_VERIFY_H

#include <stdbool.h>

#include "arena.h"
#include "volpass.h"

typedef struct entry {
    enum { ENTRY_HANDOFF, ENTRY_PROBLEM } kind;
    bool preserved;
    const char *producer, *output, *consumer, *input, *sub_path;
    const char *detail; /* where the data lands, why it breaks, or the problem */
    unsigned long line, column;
} entry;

struct vp_verify_report {
    arena mem;
    entry *entries;
    size_t count, cap;
    vp_verify_summary sum;
    char *file; /* the rewritten stream's name, for problem positions */
};

#endif
